/* Shared by every staff screen: the connection, the server clock, and the agenda clock's
 * arithmetic (the same as live/core/clock.py). Nothing ticks over the network: the server sends
 * state (timestamps and durations) and each screen computes what to show, every 200 ms, from
 * the server's time corrected for this device's clock offset. */
(function () {
  "use strict";

  const stateEl = document.getElementById("live-state");
  const T = JSON.parse(document.getElementById("live-i18n").textContent);
  const screen = document.body.dataset.screen;

  let state = JSON.parse(stateEl.textContent);
  // a first guess from the page itself; replaced by a measured offset once the socket is up
  let offsetMs = state.server_time * 1000 - Date.now();
  let offsetRtt = Infinity;
  const stateListeners = [];
  const tickListeners = [];

  function serverNow() {
    return (Date.now() + offsetMs) / 1000;
  }

  /* ---------------------------------------------------------------- clock arithmetic */

  function itemIndex(snap, id) {
    return snap.agenda.findIndex((item) => item.id === id);
  }

  function run(clock, id) {
    return clock.runs[id] || { started_at: null, ended_at: null, elapsed: 0, extra: 0 };
  }

  function elapsed(clock, id, now) {
    const r = run(clock, id);
    if (id === clock.current && clock.running_since !== null) {
      return r.elapsed + Math.max(0, now - clock.running_since);
    }
    return r.elapsed;
  }

  function remaining(snap, now) {
    const clock = snap.clock;
    const i = itemIndex(snap, clock.current);
    if (i < 0) return null;
    const item = snap.agenda[i];
    // an agenda edit may shorten an item below the time already removed from it: never below zero
    return Math.max(0, item.planned + run(clock, item.id).extra) - elapsed(clock, item.id, now);
  }

  function status(clock) {
    if (clock.finished_at !== null) return "finished";
    if (clock.current === null) return "idle";
    return clock.running_since !== null ? "running" : "paused";
  }

  function phaseFor(left, warning) {
    if (left === null) return "normal";
    if (left <= 0) return "overrun";
    if (left <= warning) return "warning";
    return "normal";
  }

  function drift(snap, now) {
    const clock = snap.clock;
    if (clock.day_started_at === null) return null;
    const plannedEnd = clock.day_started_at + snap.agenda.reduce((s, item) => s + item.planned, 0);
    if (clock.finished_at !== null) return clock.finished_at - plannedEnd;
    const i = itemIndex(snap, clock.current);
    if (i < 0) return null;
    const left = Math.max(0, remaining(snap, now) || 0);
    let later = 0;
    for (const item of snap.agenda.slice(i + 1)) {
      const r = run(clock, item.id);
      later += Math.max(0, item.planned + r.extra - r.elapsed);
    }
    return now + left + later - plannedEnd;
  }

  function speakerRemaining(timer, now) {
    if (!timer || timer.duration <= 0) return null;
    const used = timer.elapsed + (timer.running_since !== null ? Math.max(0, now - timer.running_since) : 0);
    return timer.duration - used;
  }

  /* ---------------------------------------------------------------- formatting */

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  /** 754 → "12:34"; 3725 → "1:02:05"; -35 → "+00:35" (overrun counts up). */
  function formatDuration(seconds) {
    const over = seconds < 0;
    // count down in whole seconds shown as the ceiling, so 0.2 s left still reads 00:01
    let s = over ? Math.floor(-seconds) : Math.ceil(seconds);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    const body = h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
    return over ? `+${body}` : body;
  }

  function formatMinutes(seconds) {
    const m = Math.round(seconds / 60);
    return T.minutes.replace("{n}", String(m));
  }

  /** 24-hour HH:MM in the conference's local time (the device's zone). */
  function formatClockTime(epochSeconds) {
    const d = new Date(epochSeconds * 1000);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  /** dd/mm/yyyy HH:MM, or dd/mm when short: a question received on another day than the conference's */
  function formatDate(epochSeconds, short) {
    const d = new Date(epochSeconds * 1000);
    const day = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}`;
    return short ? day : `${day}/${d.getFullYear()} ${formatClockTime(epochSeconds)}`;
  }

  function describeDrift(seconds) {
    if (seconds === null) return "";
    const m = Math.round(Math.abs(seconds) / 60);
    if (m === 0) return T.on_time;
    return (seconds > 0 ? T.behind : T.ahead).replace("{n}", String(m));
  }

  /* ---------------------------------------------------------------- DOM helpers */

  function $(sel, root) {
    return (root || document).querySelector(sel);
  }

  function setText(sel, text) {
    const el = typeof sel === "string" ? $(sel) : sel;
    if (el && el.textContent !== text) el.textContent = text;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function toast(message, kind) {
    let box = $("#toast");
    if (!box) {
      box = el("div", { id: "toast", role: "status" });
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.className = `toast toast-${kind || "info"} show`;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
  }

  /* ---------------------------------------------------------------- connection */

  /** The handshake, read again at every (re)connection: the screen, a site screen's bridge point
   * (<body data-site>), and the person's name for the audit log (localStorage "live.name", typed
   * on the secretariat's screen). */
  function handshake() {
    const auth = { screen: screen };
    if (document.body.dataset.site) auth.site = document.body.dataset.site;
    try {
      const name = (localStorage.getItem("live.name") || "").trim().slice(0, 40);
      if (name) auth.name = name;
    } catch (err) {
      // storage refused (private mode): connect without a name
    }
    return auth;
  }

  const socket = io({
    auth: (cb) => cb(handshake()),
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    // staff screens are few (about 60): come back fast after a restart, within the 2 s the hall expects
    // (tries 0.125–0.375 s apart, then 0.25–0.75 s: refused at once while the server is down)
    reconnectionDelay: 250,
    reconnectionDelayMax: 500,
  });

  function setConnection(ok) {
    const badge = $("#conn");
    document.body.classList.toggle("offline", !ok);
    if (!badge) return;
    badge.textContent = ok ? T.connected : T.reconnecting;
    badge.className = ok ? "conn conn-ok" : "conn conn-lost";
  }

  function emitAck(event, payload, timeoutMs) {
    return new Promise((resolve) => {
      socket.timeout(timeoutMs || 5000).emit(event, payload || {}, (err, reply) => {
        if (err) resolve({ ok: false, code: "client.timeout", message: T.timeout });
        else resolve(reply);
      });
    });
  }

  /** Estimate this device's clock offset: several round trips, keep the fastest. */
  async function syncTime() {
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const reply = await emitAck("time.sync", {}, 3000);
      const t1 = Date.now();
      if (!reply || !reply.ok) continue;
      const rtt = t1 - t0;
      if (rtt <= offsetRtt || rtt < 50) {
        offsetRtt = rtt;
        offsetMs = reply.t * 1000 - (t0 + t1) / 2;
      }
    }
    document.body.dataset.clockOffset = String(Math.round(offsetMs));
  }

  function apply(next) {
    state = next;
    document.body.dataset.seq = String(state.seq);
    for (const fn of stateListeners) fn(state);
    tick();
  }

  socket.on("connect", () => {
    setConnection(true);
    offsetRtt = Infinity;
    syncTime();
  });
  socket.on("disconnect", () => setConnection(false));
  socket.on("connect_error", (err) => {
    setConnection(false);
    if (err && err.message === "auth.denied") {
      // the link was revoked or the session expired: a reload shows the sign-in message
      socket.disconnect();
      window.location.reload();
    } else if (!socket.active) {
      // refused for now (the server could not read its store): try again shortly
      setTimeout(() => socket.connect(), 1000 + Math.random() * 1000);
    }
  });
  socket.on("state.snapshot", (snap) => apply(snap));
  socket.on("clock.changed", (change) => {
    if (change.seq < state.seq) return;
    const next = Object.assign({}, state, { seq: change.seq });
    if (change.clock) next.clock = change.clock;
    if (change.speaker) next.speaker = change.speaker;
    apply(next);
  });
  // the bridge points' floor: who speaks, who asked (live/core/floor.py)
  socket.on("floor.changed", (change) => {
    if (change.seq < state.seq) return;
    apply(Object.assign({}, state, { seq: change.seq, floor: change.floor }));
  });
  // the question on screen (only ever an approved one): what the projector may show, or null
  socket.on("question.current", (change) => {
    if (!change || change.seq < state.seq) return;
    apply(Object.assign({}, state, { seq: change.seq, current_question: change.question || null }));
  });
  socket.on("access.revoked", () => window.location.reload());
  // the "TẬP DƯỢT" banner while a rehearsal runs (templates/_rehearsal.html)
  stateListeners.push((snap) => {
    const banner = $("#rehearsal-banner");
    if (banner) banner.hidden = !snap.rehearsal;
    document.body.classList.toggle("rehearsing", Boolean(snap.rehearsal));
  });
  setInterval(() => socket.connected && syncTime(), 60000);

  /** Send one command and wait for its acknowledgement. Never while disconnected: Socket.IO
   * would buffer the event and replay it on reconnection, long after the MC was told it failed
   * (two taps on "next item" during an outage would then skip two items). */
  async function send(event, payload, timeoutMs) {
    if (!socket.connected) {
      const reply = { ok: false, code: "client.offline", message: T.reconnecting };
      toast(reply.message, "error");
      return reply;
    }
    const reply = await emitAck(event, payload, timeoutMs);
    if (!reply || !reply.ok) toast((reply && reply.message) || T.failed, "error");
    return reply;
  }

  /* ---------------------------------------------------------------- the render loop */

  function tick() {
    const now = serverNow();
    for (const fn of tickListeners) fn(state, now);
  }
  setInterval(tick, 200);

  /** Fill the common clock elements any screen may have. */
  function renderClock(snap, now, root) {
    const r = root || document;
    const clock = snap.clock;
    const st = status(clock);
    const i = itemIndex(snap, clock.current);
    const item = i >= 0 ? snap.agenda[i] : null;
    const left = remaining(snap, now);
    const ph = phaseFor(left, snap.conference.warning);
    r.querySelectorAll("[data-clock]").forEach((node) => {
      node.dataset.phase = ph;
      node.dataset.status = st;
    });
    setText($("[data-field=item-title]", r), item ? item.title : st === "finished" ? T.finished : T.not_started);
    setText($("[data-field=item-number]", r), item ? T.item_of.replace("{i}", i + 1).replace("{n}", snap.agenda.length) : "");
    setText($("[data-field=remaining]", r), left === null ? "--:--" : formatDuration(left));
    setText($("[data-field=status]", r), T["status_" + st]);
    setText($("[data-field=phase]", r), left !== null && ph === "overrun" ? T.overrun : ph === "warning" ? T.warning : "");
    setText($("[data-field=planned]", r), item ? T.planned.replace("{d}", formatDuration(item.planned + run(clock, item.id).extra)) : "");
    const late = drift(snap, now);
    const driftEl = $("[data-field=drift]", r);
    setText(driftEl, describeDrift(late));
    if (driftEl) {
      const m = late === null ? 0 : Math.round(late / 60);
      driftEl.dataset.drift = late === null ? "" : m > 0 ? "behind" : m < 0 ? "ahead" : "on-time";
    }
    const sp = speakerRemaining(snap.speaker, now);
    r.querySelectorAll("[data-speaker]").forEach((node) => {
      node.hidden = sp === null;
      node.dataset.phase = phaseFor(sp, snap.conference.speaker_warning);
      node.dataset.status = snap.speaker && snap.speaker.running_since !== null ? "running" : "paused";
    });
    setText($("[data-field=speaker-remaining]", r), sp === null ? "" : formatDuration(sp));
    return { status: st, item, index: i, left, phase: ph };
  }

  /** The agenda as a list: planned and actual per item, the current one marked. */
  function renderAgenda(list, snap, now, onPick) {
    if (!list) return;
    const clock = snap.clock;
    const want = snap.agenda.map((item) => item.id).join("|");
    if (list.dataset.ids !== want) {
      list.replaceChildren();
      for (const item of snap.agenda) {
        const li = el("li", { "data-id": item.id });
        const title = onPick ? el("button", { type: "button", class: "agenda-pick" }) : el("span", { class: "agenda-pick" });
        title.appendChild(el("span", { class: "agenda-title" }, item.title));
        title.appendChild(el("span", { class: "agenda-times" }));
        if (onPick) title.addEventListener("click", () => onPick(item));
        li.appendChild(title);
        list.appendChild(li);
      }
      list.dataset.ids = want;
    }
    for (const li of list.children) {
      const id = li.dataset.id;
      const i = itemIndex(snap, id);
      const item = snap.agenda[i];
      const r = run(clock, id);
      const isCurrent = id === clock.current;
      li.classList.toggle("current", isCurrent);
      li.classList.toggle("done", !isCurrent && r.ended_at !== null);
      if (isCurrent) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
      const spent = elapsed(clock, id, now);
      let times = formatMinutes(item.planned + r.extra);
      if (r.started_at !== null) times += " · " + T.actual.replace("{d}", formatDuration(spent));
      setText(li.querySelector(".agenda-times"), times);
    }
  }

  /* text size control, remembered per device and screen */
  function textSizeControl() {
    const key = `live.textsize.${screen}`;
    let scale = parseFloat(localStorage.getItem(key) || "1") || 1;
    const applyScale = () => {
      document.documentElement.style.setProperty("--scale", String(scale));
      localStorage.setItem(key, String(scale));
    };
    applyScale();
    document.querySelectorAll("[data-textsize]").forEach((btn) =>
      btn.addEventListener("click", () => {
        const step = parseFloat(btn.dataset.textsize);
        scale = step === 0 ? 1 : Math.min(2, Math.max(0.6, Math.round((scale + step) * 10) / 10));
        applyScale();
      }),
    );
  }

  window.Live = {
    T,
    socket,
    send,
    serverNow,
    get state() {
      return state;
    },
    onState(fn) {
      stateListeners.push(fn);
      fn(state);
    },
    /** Call ``fn(state, now)`` on every tick, and once at once: a reloaded page shows the clock
     * from the state it was served with, without waiting for the first tick or the socket. */
    onTick(fn) {
      tickListeners.push(fn);
      fn(state, serverNow());
    },
    clock: { itemIndex, run, elapsed, remaining, status, phaseFor, drift, speakerRemaining },
    format: { duration: formatDuration, minutes: formatMinutes, time: formatClockTime, date: formatDate, drift: describeDrift },
    dom: { $, setText, el, toast },
    renderClock,
    renderAgenda,
    textSizeControl,
    offsetMs: () => offsetMs,
  };
})();

/* A young person's phone. A question goes into an outbox in localStorage before it is sent and
 * leaves it only when the server has stored it (ack ok) or refused it for good. Every retry
 * reuses the question's id, which the server stores once: nothing is lost, nothing doubled. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const P = JSON.parse($("live-phone").textContent);
  const T = JSON.parse($("live-phone-i18n").textContent);
  const OUT = "live.outbox", MINE = "live.mine";
  const ACK_MS = 10000, MAX_BACKOFF = 30000;
  const form = $("ask"), textEl = $("text"), nameEl = $("name"), groupEl = $("group"), themeEl = $("theme");
  const agreeName = $("consent-name"), agreeGroup = $("consent-group");
  const countEl = $("count"), resultEl = $("result"), connEl = $("conn"), listEl = $("mine");

  /* ---------------------------------------------------------------- text, as the server cleans it */

  let CTRL;
  try {
    CTRL = new RegExp("[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}\\p{Zl}\\p{Zp}]", "gu");
  } catch (e) {
    CTRL = /[\0-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
  }

  function clean(value, multiline) {
    let s = value.replace(/\r\n?/g, "\n").normalize("NFC");
    s = s.replace(CTRL, (ch) => (ch === "\n" || ch === "\t" ? (multiline ? ch : " ") : ""));
    if (!multiline) return s.trim().split(/\s+/).join(" ");
    return s.split("\n").map((line) => line.trimEnd()).join("\n").replace(/\n{3,}/g, "\n\n").trim();
  }
  const length = (s) => Array.from(s).length; // code points, as Python counts

  /* ---------------------------------------------------------------- storage */

  const memory = {}; // a copy of both lists, used alone when localStorage fails
  let stored = true;

  function load(key) {
    if (!stored) return memory[key] || [];
    let raw = null;
    try {
      raw = localStorage.getItem(key);
    } catch (e) {
      lost();
      return memory[key] || [];
    }
    let list = [];
    try {
      list = JSON.parse(raw || "[]");
    } catch (e) {} // a damaged entry reads as empty and is written over
    return (memory[key] = Array.isArray(list) ? list : []);
  }

  function lost() {
    stored = false; // full or forbidden: go on in memory, and say so
    say(T.no_storage, "wait");
  }

  function save(key, list) {
    memory[key] = list;
    if (!stored) return;
    try {
      localStorage.setItem(key, JSON.stringify(list));
    } catch (e) {
      lost();
    }
  }

  function newId() {
    const c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID(); // only on https or localhost
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* ---------------------------------------------------------------- what the page says */

  const fill = (s, v) => s.replace(/\{(\w+)\}/g, (_, k) => (k in v ? v[k] : ""));

  function el(tag, cls, ...children) {
    const node = document.createElement(tag);
    node.className = cls;
    node.append(...children.filter((c) => c !== undefined && c !== ""));
    return node;
  }

  /** One message in the live region; ``extra`` nodes follow its text. */
  function say(message, kind, ...extra) {
    resultEl.textContent = "";
    if (!message) return;
    resultEl.appendChild(el("p", "msg " + kind, message, ...extra));
    resultEl.scrollIntoView({ block: "nearest" });
  }

  function receipt(code) {
    const [before, after] = T.receipt.split("{code}");
    say(before, "ok", el("strong", "code", code), after);
  }

  function counter() {
    const n = length(clean(textEl.value, true));
    const max = P.limits.text;
    let text = n + "/" + max;
    if (n > max) text += " · " + fill(T.over, { n: n - max });
    else if (n >= max * 0.9) text += " · " + fill(T.left, { n: max - n });
    countEl.textContent = text;
    countEl.className = "count" + (n > max ? " over" : n >= max * 0.9 ? " near" : "");
    if (n > max) textEl.setAttribute("aria-invalid", "true");
    else textEl.removeAttribute("aria-invalid");
    return n;
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function when(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}, ${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  const STATUSES = ["pending", "received", "approved", "on_screen", "answered", "forwarded", "rejected", "merged"];
  const O = T.outcome || {}, REASONS = T.reasons || {};
  // what the server may tell of a question beside its status (live/services/replies.py public_outcome)
  const OUTCOME = ["reason", "joined", "department", "deadline", "reply", "answer"];

  function day(seconds) {
    const d = new Date((Number(seconds) || 0) * 1000);
    return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  /** A published answer under a question: its heading, its text (as text) and the lookup link. */
  function answerBox(cls, heading, text, code) {
    const box = el("div", "msg ok reply " + cls, el("p", "rh", heading));
    box.appendChild(el("blockquote", "rt", text));
    if (code) {
      const link = el("a", "rl", T.lookup);
      link.href = "/tra-cuu?ma=" + encodeURIComponent(code);
      box.appendChild(el("p", "", link));
    }
    return box;
  }

  /** The written reply under a question, once the secretariat published it (text as text). */
  function reply(q) {
    const r = q.reply;
    if (!r || typeof r.text !== "string") return undefined;
    const heading = fill(T.reply, { department: String(r.department || ""), date: day(r.published_at) });
    return answerBox("written", heading, r.text, q.code);
  }

  /** The summary of the answer given in the hall, once the secretariat published it. */
  function answer(q) {
    const a = q.answer;
    if (!a || typeof a.text !== "string") return undefined;
    return answerBox("hall", fill(O.answer_dated || "", { date: day(a.published_at) }), a.text, q.code);
  }

  const statusOf = (value) => (STATUSES.includes(value) ? value : "received");
  const reasonOf = (code) => REASONS[code] || REASONS.other || "";

  /** What became of a question beside its badge: a rejection's reason in polite words, the
   * question it joined (its words only when the server sent them: approved), the department and
   * the deadline of a written reply. */
  function outcome(q) {
    const out = [];
    if (q.status === "rejected") out.push(el("p", "qd why", reasonOf(q.reason)));
    const j = q.joined;
    if (q.status === "merged" && j && typeof j.code === "string") {
      out.push(el("p", "qd joined", fill(O.joined || "", { code: j.code })));
      if (typeof j.text === "string" && j.text) out.push(el("p", "qd jt", O.joined_text + " “" + j.text + "”"));
      out.push(el("p", "qd js", fill(O.joined_status || "", { status: T[statusOf(j.status)] })));
      if (j.status === "rejected") out.push(el("p", "qd why", reasonOf(j.reason)));
    }
    if (typeof q.department === "string" && q.department) {
      const words = q.deadline ? O.forwarded_to : O.forwarded_to_undated;
      out.push(el("p", "qd fwd", fill(words || "", { department: q.department, deadline: String(q.deadline || "") })));
    }
    return out;
  }

  /** A question's status in words, as the live region says it (a merge: with the joined one's). */
  function headline(q) {
    const status = statusOf(q.status);
    if (status === "merged" && q.joined) return T.merged + ". " + fill(O.joined_status || "", { status: T[statusOf(q.joined.status)] });
    if (status === "rejected") return T.rejected + ". " + reasonOf(q.reason);
    return T[status];
  }

  const answered = (q) => Boolean((q.answer && q.answer.text) || (q.reply && q.reply.text));

  let newsTimer = 0;
  const newsItems = [];

  /** Said once to screen readers (the polite live region under "my questions"): several changes
   * arriving together (a refresh after a reconnection) are said as one message. */
  function news(text) {
    const region = $("mine-news");
    if (!region || !text) return;
    newsItems.push(text);
    clearTimeout(newsTimer);
    newsTimer = setTimeout(() => {
      region.textContent = newsItems.splice(0).join(" ");
    }, 150);
  }

  function render() {
    const out = load(OUT).map((q) => Object.assign({}, q, { status: "pending" }));
    const ids = new Set(out.map((q) => q.id));
    const all = out.concat(load(MINE).filter((q) => !ids.has(q.id))).sort((a, b) => b.at - a.at);
    $("mine-empty").hidden = all.length > 0;
    listEl.textContent = "";
    for (const q of all) {
      const status = STATUSES.includes(q.status) ? q.status : "received";
      const meta = el(
        "p",
        "qm",
        el("span", "b s-" + status, T[status]),
        q.code ? el("span", "", fill(T.code, { code: q.code })) : undefined,
        el("span", "", when(q.at)),
      );
      const li = el("li", "q", el("p", "qt", q.text), meta, ...outcome(q), answer(q), reply(q));
      li.dataset.id = q.id;
      li.dataset.status = status;
      listEl.appendChild(li);
    }
  }

  /* ---------------------------------------------------------------- the outbox */

  const socket = io({ auth: { screen: "phone", site: P.site.id }, transports: ["websocket", "polling"], tryAllTransports: true });
  // the page's other scripts (static/js/support.js: "me too") share this one connection
  window.LivePhone = { socket, site: P.site.id };
  const waits = {}; // id → {tries, at}: when to try again (in memory: a reload tries at once)
  const sending = {}; // id → true while its acknowledgement is awaited
  let timer = 0;

  // consent (purpose → the notice version it was given under) only when some was given
  const payload = (q) => {
    const p = { id: q.id, site: q.site, text: q.text, name: q.name, group: q.group, theme: q.theme };
    if (q.consent && Object.keys(q.consent).length) p.consent = q.consent;
    return p;
  };

  function pump() {
    clearTimeout(timer);
    if (!online()) return;
    const now = Date.now();
    let next = Infinity;
    for (const q of load(OUT)) {
      const w = waits[q.id] || (waits[q.id] = { tries: 0, at: 0 });
      if (sending[q.id]) continue;
      if (w.at > now) next = Math.min(next, w.at);
      else send(q, w);
    }
    if (next < Infinity) timer = setTimeout(pump, next - now);
  }

  function send(q, w) {
    sending[q.id] = true;
    socket.timeout(ACK_MS).emit("question.submit", payload(q), (err, ack) => {
      delete sending[q.id];
      if (!load(OUT).some((o) => o.id === q.id)) return; // settled meanwhile (another tab, a status)
      if (!err && ack && ack.ok) accepted(q, ack);
      else if (!err && ack && ack.ok === false && !ack.retry) refused(q, ack);
      else {
        // equal jitter, so a hall of phones does not come back in step after an outage
        const base = Math.min(MAX_BACKOFF, 1000 * 2 ** w.tries);
        const after = (ack && ack.retry_after) || 0;
        w.tries += 1;
        w.server = after > 0; // the server's "come back later" outlasts a reconnection
        w.at = Date.now() + (after ? after * 1000 + Math.random() * 1000 : base / 2 + (Math.random() * base) / 2);
        if (ack && ack.retry) say(ack.message || fill(T.busy, { n: Math.ceil((w.at - Date.now()) / 1000) }), "wait");
      }
      pump();
    });
  }

  function settle(id, record) {
    // into "my questions" first: a crash between the two writes leaves a duplicate, not a loss
    const mine = load(MINE).filter((m) => m.id !== id);
    if (record) mine.push(record);
    mine.sort((a, b) => b.at - a.at);
    save(MINE, mine.slice(0, 200));
    save(OUT, load(OUT).filter((o) => o.id !== id));
    delete waits[id];
  }

  function accepted(q, ack) {
    if (overruled) {
      overruled = null; // taken in: the window is open again
      showWindow();
    }
    settle(q.id, { id: q.id, site: q.site, text: q.text, code: ack.code, status: ack.status || "received", at: q.at });
    receipt(ack.code);
    render();
  }

  function refused(q, ack) {
    settle(q.id, null);
    if (ack.code === "question.window_closed") windowClosed(ack.params || {});
    const message = (ack.message || T.refused) + " ";
    if (!textEl.value.trim()) {
      textEl.value = q.text;
      agreeName.checked = !!(q.consent && q.consent.name);
      agreeGroup.checked = !!(q.consent && q.consent.group);
      consent();
      nameEl.value = q.name || "";
      groupEl.value = q.group || "";
      if (themeEl) themeEl.value = q.theme || "";
      counter();
      say(message + T.restored, "err");
      textEl.focus();
    } else {
      say(message + T.copy, "err", el("blockquote", "", q.text));
    }
    render();
  }

  function update(s) {
    const mine = load(MINE);
    const known = mine.find((m) => m.id === s.id);
    if (known) {
      const before = headline(known), hadAnswer = answered(known);
      known.status = s.status;
      if (s.code) known.code = s.code;
      for (const k of OUTCOME) if (k in s) known[k] = s[k] || null; // null: withdrawn, or no longer so
      save(MINE, mine);
      // said when a push or a refresh changes what became of it, never on the first render
      const now = headline(known);
      if (now !== before) news(fill(O.news || "", { code: known.code || "", status: now }));
      else if (!hadAnswer && answered(known)) news(fill(O.news || "", { code: known.code || "", status: O.has_answer }));
    } else {
      const q = load(OUT).find((o) => o.id === s.id);
      if (!q) return;
      // the server has it (its acknowledgement was lost on the way): it is received
      const record = { id: q.id, site: q.site, text: q.text, code: s.code, status: s.status, at: q.at };
      for (const k of OUTCOME) record[k] = s[k] || null;
      settle(q.id, record);
      receipt(s.code);
    }
    render();
  }

  const online = () => socket.connected && navigator.onLine !== false;

  function connection() {
    const ok = online();
    connEl.textContent = ok ? T.online : T.offline;
    connEl.className = "conn " + (ok ? "on" : "off");
  }

  /** The status of every question this phone sent, asked again (after a reconnection or when
   * the server says it may have missed telling us). */
  function refreshMine() {
    // one malformed id would make the server refuse the whole list
    const ids = load(MINE).map((m) => m.id).filter((id) => /^[\w-]{16,64}$/.test(id)).slice(0, 50);
    if (ids.length)
      socket.timeout(ACK_MS).emit("question.mine", { ids }, (err, ack) => {
        if (!err && ack && ack.ok) ack.questions.forEach(update);
      });
  }

  socket.on("connect", () => {
    connection();
    for (const id in waits) if (!waits[id].server) waits[id] = { tries: 0, at: 0 };
    pump();
    refreshMine();
  });
  socket.on("resync", refreshMine);
  // a rehearsal began or ended (live/services/rehearsal.py): the banner; once it is over, the
  // rehearsal's questions this phone sent are gone from the server and leave its list too
  socket.on("rehearsal.changed", (change) => {
    const on = Boolean(change && change.rehearsal);
    $("rehearsal-banner").hidden = !on;
    if (on) return;
    const ids = load(MINE).map((m) => m.id).filter((id) => /^[\w-]{16,64}$/.test(id)).slice(0, 50);
    if (!ids.length) return;
    socket.timeout(ACK_MS).emit("question.mine", { ids }, (err, ack) => {
      if (err || !ack || !ack.ok) return;
      const kept = new Set(ack.questions.map((q) => q.id));
      save(MINE, load(MINE).filter((m) => kept.has(m.id) || !ids.includes(m.id)));
      ack.questions.forEach(update);
      render();
    });
  });
  socket.on("disconnect", connection);
  socket.on("connect_error", () => {
    connection();
    if (!socket.active) setTimeout(() => socket.connect(), 5000 + Math.random() * 5000);
  });
  socket.on("question.status", update);
  // deleted by its asker by tracking code (/du-lieu-cua-toi): it leaves this phone's list too
  socket.on("question.removed", (gone) => {
    if (!gone || typeof gone.id !== "string") return;
    save(MINE, load(MINE).filter((m) => m.id !== gone.id));
    render();
  });

  /* ---------------------------------------------------------------- the question being answered */

  const nowEl = $("now"), nowText = $("now-text"), nowOrigin = $("now-origin");
  let stageSeq = -1;

  /** What the projector shows (only ever an approved question), or nothing: sent at every
   * (re)connection and on every change; a message older than the one shown is dropped. */
  function stage(change) {
    if (!change || typeof change.seq !== "number" || change.seq < stageSeq) return;
    stageSeq = change.seq;
    const q = change.question && typeof change.question.text === "string" ? change.question : null;
    nowText.textContent = q ? q.text : "";
    nowOrigin.textContent = q ? String(q.origin || "") : "";
    nowEl.dataset.id = q ? String(q.id) : "";
    nowEl.hidden = !q;
  }
  socket.on("question.current", stage);

  /* ---------------------------------------------------------------- the question window */

  // whether questions are received now and until when (live/core/window.py): the page came with the
  // periods and the server's time, so the sentence follows the clock by itself, and the admin's
  // changes arrive as window.changed. A question sent while closed is refused with the reason.
  const stateEl = $("window-state");
  const W = P.window || { periods: [], sentences: {} };
  const skew = (W.now || Date.now()) - Date.now(); // the server's clock minus this phone's
  let periods = Array.isArray(W.periods) ? W.periods : [];

  // the server refused a question as outside the window although the periods here said open (the
  // admin changed them while this phone was away): say what the server said until the next change
  let overruled = null;

  function windowClosed(params) {
    const [date, time] = String(params.opens || "").split(" ");
    overruled = params.opens && date && time ? { opens_date: date, opens_time: time } : {};
    showWindow();
  }

  function windowState() {
    const now = Date.now() + skew;
    if (overruled)
      return overruled.opens_date
        ? { open: false, text: String(W.sentences.paused || "").replace("{time}", overruled.opens_time).replace("{date}", overruled.opens_date) }
        : { open: false, text: W.sentences.over || "" };
    const fill2 = (key, p, which) =>
      String(W.sentences[key] || "").replace("{time}", p[which + "_time"]).replace("{date}", p[which + "_date"]);
    if (!periods.length) return { open: true, text: W.sentences.always || "" };
    const on = periods.find((p) => p.start <= now && now < p.end);
    if (on) return { open: true, text: fill2("open", on, "until") };
    const next = periods.filter((p) => p.start > now).sort((a, b) => a.start - b.start)[0];
    if (!next) return { open: false, text: W.sentences.over || "" };
    const begun = periods.some((p) => p.end <= now);
    return { open: false, text: fill2(begun ? "paused" : "not_yet", next, "opens") };
  }

  function showWindow() {
    if (!stateEl || !W.sentences) return;
    const s = windowState();
    if (stateEl.textContent !== s.text) stateEl.textContent = s.text;
    stateEl.className = "window-state " + (s.open ? "is-open" : "is-closed");
  }
  socket.on("window.changed", (change) => {
    if (!change || !Array.isArray(change.periods)) return;
    periods = change.periods;
    overruled = null;
    showWindow();
  });
  showWindow();
  setInterval(showWindow, 15000);

  window.addEventListener("online", () => {
    connection();
    if (socket.connected) pump();
    else socket.connect();
  });
  window.addEventListener("offline", connection);
  window.addEventListener("storage", (e) => {
    if (e.key === OUT || e.key === MINE) {
      render();
      pump();
    }
  });

  /* ---------------------------------------------------------------- the form */

  let lastSent = 0;
  textEl.addEventListener("input", counter);

  /** The name and the group can be filled in only once their consent box is ticked. */
  function consent() {
    nameEl.disabled = !agreeName.checked;
    groupEl.disabled = !agreeGroup.checked;
  }
  agreeName.addEventListener("change", consent);
  agreeGroup.addEventListener("change", consent);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    // what the server said of a question the form posted before this script ran: done with
    for (const id of ["posted", "posted-problem"]) if ($(id)) $(id).remove();
    const text = clean(textEl.value, true);
    const n = length(text);
    const name = agreeName.checked ? clean(nameEl.value, false) : "";
    if (!n && Date.now() - lastSent < 2000) return; // a double tap on Gửi
    let problem = null;
    if (!n) problem = T.empty;
    else if (n > P.limits.text) problem = fill(T.too_long, { n: P.limits.text });
    else if (length(name) > P.limits.name) problem = fill(T.name_too_long, { n: P.limits.name });
    if (problem) {
      say(problem, "err");
      (n && n <= P.limits.text ? nameEl : textEl).focus();
      return;
    }
    const group = agreeGroup.checked ? groupEl.value : "";
    const given = {};
    if (name) given.name = P.notice.version;
    if (group) given.group = P.notice.version;
    const q = { id: newId(), site: P.site.id, text, name, group, consent: given, theme: themeEl ? themeEl.value : "", at: Date.now() };
    save(OUT, load(OUT).concat([q]));
    lastSent = Date.now();
    form.reset();
    consent();
    counter();
    say(online() ? T.pending : T.queued, "wait");
    render();
    pump();
  });

  /** A question the form posted before this script ran (live/web/views/phone.py): the server stored
   * it and sent it back with the page, so it joins "my questions" like one sent by the socket. */
  function posted() {
    const block = $("live-phone-posted");
    let q = null;
    try {
      q = block && JSON.parse(block.textContent);
    } catch (e) {} // a damaged block: the receipt on the page still shows the code
    if (!q || typeof q.id !== "string" || load(MINE).some((m) => m.id === q.id)) return;
    settle(q.id, { id: q.id, site: q.site, text: q.text, code: q.code, status: q.status || "received", at: q.at });
  }

  consent();
  counter();
  connection();
  posted();
  render();
  const note = $("send-note"); // "the page is getting ready": it is, the form now goes through the outbox
  if (note) note.remove();
})();

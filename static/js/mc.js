/* The MC's tablet: run the agenda clock and the speaker timer with big buttons. */
(function () {
  "use strict";
  const { $, setText } = Live.dom;
  const T = Live.T;
  const list = $("#agenda");
  const dialog = $("#confirm");
  const toggle = $("#btn-toggle");
  const prev = $("#btn-prev");
  const next = $("#btn-next");
  const finish = $("#btn-finish");
  const spToggle = $("#btn-speaker-toggle");
  const adjustButtons = document.querySelectorAll("[data-cmd='clock.adjust']");
  const speakerReset = $("[data-cmd='speaker.reset']");
  const speakerStarts = document.querySelectorAll("[data-cmd='speaker.start']");

  // A double tap on a touch screen must not start then pause the clock, or skip two items: the
  // step buttons (start/pause, previous, next, the speaker's stop/resume) rest for a moment after
  // each use, and no button sends while another command still waits for its acknowledgement.
  const STEP_REST_MS = 700;
  const STEP_BUTTONS = new Set([toggle, prev, next, spToggle]);
  let busy = false;
  let stepAt = -Infinity;
  let shownCurrent;

  function resting() {
    return performance.now() - stepAt < STEP_REST_MS;
  }

  async function command(name, payload, button) {
    if (busy || (STEP_BUTTONS.has(button) && resting())) return null;
    busy = true;
    if (STEP_BUTTONS.has(button)) stepAt = performance.now();
    render(Live.state, Live.serverNow());
    try {
      return await Live.send(name, payload || {});
    } finally {
      busy = false;
      render(Live.state, Live.serverNow());
    }
  }

  function confirmThen(text, action) {
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(text)) action();
      return;
    }
    setText("#confirm-text", text);
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok") action();
    };
    dialog.showModal();
  }

  function pick(item) {
    if (item.id === Live.state.clock.current) return;
    confirmThen(T.confirm_jump.replace("{t}", item.title), () => command("clock.jump", { item: item.id }));
  }

  document.querySelectorAll("[data-cmd]").forEach((btn) =>
    btn.addEventListener("click", () => {
      const payload = btn.dataset.seconds ? { seconds: parseInt(btn.dataset.seconds, 10) } : {};
      command(btn.dataset.cmd, payload, btn);
    }),
  );
  toggle.addEventListener("click", () => {
    const st = Live.clock.status(Live.state.clock);
    command(st === "running" ? "clock.pause" : "clock.start", {}, toggle);
  });
  finish.addEventListener("click", () => confirmThen(T.confirm_finish, () => command("clock.finish")));
  spToggle.addEventListener("click", () => {
    const sp = Live.state.speaker;
    command(sp && sp.running_since !== null ? "speaker.stop" : "speaker.start", {}, spToggle);
  });

  /** Scroll the agenda's own box (never the page: on a portrait tablet that would take the
   * buttons away) so the current item is in sight. */
  function keepInSight(li) {
    const box = li && li.closest(".mc-agenda");
    if (!box || box.scrollHeight <= box.clientHeight) return;
    const b = box.getBoundingClientRect();
    const r = li.getBoundingClientRect();
    if (r.top < b.top) box.scrollTop -= b.top - r.top;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom;
  }

  function render(snap, now) {
    const view = Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, pick);
    if (snap.clock.current !== shownCurrent) {
      shownCurrent = snap.clock.current;
      keepInSight(list.querySelector("li.current"));
    }
    const step = busy || resting();
    setText(toggle, view.status === "running" ? T.pause : view.status === "paused" ? T.resume : T.start);
    toggle.dataset.status = view.status;
    toggle.disabled = step || view.status === "finished";
    const i = view.index;
    prev.disabled = step || i <= 0;
    next.disabled = step || view.status === "finished" || (i >= 0 && i >= snap.agenda.length - 1);
    // time can be added or taken only while an item is current; the day ends only once begun
    const noItem = view.item === null;
    adjustButtons.forEach((btn) => (btn.disabled = busy || noItem));
    finish.disabled = busy || noItem;
    const sp = snap.speaker;
    const noSpeaker = !sp || sp.duration <= 0;
    // "Dừng" (stop), not "Tạm dừng" (pause), so the MC never mistakes it for the agenda's button
    setText(spToggle, sp && sp.running_since !== null ? spToggle.dataset.stop : spToggle.dataset.resume);
    spToggle.disabled = step || noSpeaker;
    speakerReset.disabled = busy || noSpeaker;
    speakerStarts.forEach((btn) => (btn.disabled = busy));
    renderFloor(snap);
  }

  /* ---------------------------------------------------------------- the bridge points' floor */

  const F = JSON.parse($("#floor-i18n").textContent);
  const { el } = Live.dom;
  const floorHolder = $("#floor-holder");
  const floorEnd = $("#btn-floor-end");
  const floorEmpty = $("#floor-empty");
  const requestList = $("#floor-requests");
  const callForm = $("#floor-call");
  const callSite = $("#floor-site");
  const callButton = $("#btn-floor-call");

  function floorOf(snap) {
    return snap.floor || { holder: null, requests: [] };
  }

  function siteName(snap, id) {
    const site = (snap.sites || []).find((s) => s.id === id);
    return site ? site.name : id;
  }

  /** Give the floor to ``site``; when another site speaks, ask first (it would be cut off on air). */
  function giveFloor(site) {
    const snap = Live.state;
    const holder = floorOf(snap).holder;
    const go = () => command("floor.give", { site });
    if (holder && holder.site !== site) {
      const text = F.confirm_replace.replace("{a}", siteName(snap, holder.site)).replace("{b}", siteName(snap, site));
      confirmThen(text, go);
    } else go();
  }

  function requestItem(snap, request, index) {
    const li = el("li", { class: "floor-request", "data-site": request.site });
    li.appendChild(el("span", { class: "floor-pos" }, String(index + 1)));
    const who = el("span", { class: "floor-who" });
    who.appendChild(el("span", { class: "floor-name" }, siteName(snap, request.site)));
    who.appendChild(el("span", { class: "floor-at" }, F.asked_at.replace("{t}", Live.format.time(request.at))));
    li.appendChild(who);
    const give = el("button", { type: "button", class: "primary floor-give" }, F.give);
    give.addEventListener("click", () => giveFloor(request.site));
    const dismiss = el("button", { type: "button", class: "floor-dismiss" }, F.dismiss);
    dismiss.addEventListener("click", () => command("floor.dismiss", { site: request.site }));
    li.append(give, dismiss);
    return li;
  }

  function renderFloor(snap) {
    const floor = floorOf(snap);
    const sites = snap.sites || [];
    const holder = floor.holder;
    floorHolder.hidden = !holder;
    if (holder) {
      setText("#floor-holder-name", siteName(snap, holder.site));
      setText("#floor-holder-since", holder.since ? F.since.replace("{t}", Live.format.time(holder.since)) : "");
    }
    floorEmpty.hidden = floor.requests.length > 0;
    const names = sites.map((s) => `${s.id}\u0000${s.name}`).join("\u0001");
    const want = JSON.stringify(floor.requests) + names;
    if (requestList.dataset.shown !== want) {
      requestList.replaceChildren(...floor.requests.map((r, i) => requestItem(snap, r, i)));
      requestList.dataset.shown = want;
    }
    if (callSite.dataset.sites !== names) {
      const keep = callSite.value;
      callSite.replaceChildren(callSite.options[0], ...sites.map((s) => el("option", { value: s.id }, s.name)));
      callSite.value = sites.some((s) => s.id === keep) ? keep : "";
      callSite.dataset.sites = names;
    }
    floorEnd.disabled = busy;
    callButton.disabled = busy || !callSite.value;
    requestList.querySelectorAll("button").forEach((btn) => (btn.disabled = busy));
  }

  floorEnd.addEventListener("click", () => command("floor.end", {}));
  callSite.addEventListener("change", () => renderFloor(Live.state));
  callForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!callSite.value) return;
    const site = callSite.value;
    callSite.value = "";
    giveFloor(site);
  });

  Live.onTick(render);
})();

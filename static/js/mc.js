/* The MC's tablet: run the agenda clock and the speaker timer with big buttons, give bridge points
 * the floor, and put the approved questions on screen theme by theme. */
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

  // the question buttons are steps too: "Đã trả lời" then a second tap must not show the next one
  function isStep(button) {
    return STEP_BUTTONS.has(button) || Boolean(button && button.dataset && button.dataset.step);
  }

  async function command(name, payload, button) {
    if (busy || (isStep(button) && resting())) return null;
    busy = true;
    if (isStep(button)) stepAt = performance.now();
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
    renderQuestionButtons();
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

  /* ---------------------------------------------------------------- the question queue */

  const Q = JSON.parse($("#queue-i18n").textContent);
  const side = $("#mc-side");
  const tabs = document.querySelectorAll("#mc-side [role=tab]");
  const queueBox = $("#queue");
  const queueEmpty = $("#queue-empty");
  const answerBtn = $("#btn-answer");
  const forwardBtn = $("#btn-forward");
  const hideBtn = $("#btn-hide");
  const forwardDialog = $("#forward-dialog");
  const forwardSelect = $("#forward-department");
  const forwardOk = $("#btn-forward-ok");
  [answerBtn, hideBtn].forEach((btn) => (btn.dataset.step = "1"));
  let shownNext = null;

  const TAB_KEY = "live.mc.tab";

  function selectTab(name) {
    side.dataset.tab = name;
    try {
      sessionStorage.setItem(TAB_KEY, name); // a reloaded tablet opens where the MC was
    } catch (e) {
      /* private mode: the agenda after a reload */
    }
    tabs.forEach((tab) => {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $("#" + tab.getAttribute("aria-controls")).hidden = !on;
    });
    if (name === "questions") keepQuestionInSight(queueBox.querySelector(".q-item.is-next"));
    else keepInSight(list.querySelector("li.current"));
  }
  tabs.forEach((tab) => tab.addEventListener("click", () => selectTab(tab.dataset.tab)));

  /** Scroll the question panel's own box so ``li`` is in sight (below the sticky on-screen card). */
  function keepQuestionInSight(li) {
    const box = $("#panel-questions");
    if (!li || box.hidden) return;
    const card = $("#on-screen");
    const b = box.getBoundingClientRect();
    const r = li.getBoundingClientRect();
    const top = b.top + card.offsetHeight;
    if (r.top < top) box.scrollTop -= top - r.top + 8;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + 8;
  }

  function siteNames(ids) {
    return [...ids].map((id) => siteName(Live.state, id)).join(", ");
  }

  /** "Cùng hỏi: Xã Nam Quang, …": the other bridge points whose duplicate was merged into this one. */
  function alsoAsked(q) {
    const others = LiveQueue.sitesOf(q);
    others.delete(q.site);
    return others.size ? Q.also.replace("{sites}", siteNames(others)) : "";
  }

  function departmentLine(q) {
    return q.department ? Q.department.replace("{d}", LiveQueue.departmentName(q.department)) : Q.no_department;
  }

  /** The id of the question it goes after when moved one place up (or down) within its theme. */
  function orderTarget(line, i, step) {
    if (step < 0) return i >= 2 ? line[i - 2].id : null;
    return line[i + 1].id;
  }

  function questionItem(q, line, i, nextId) {
    const li = el("li", { class: "q-item", "data-id": q.id, "data-status": q.status });
    if (q.id === nextId) li.classList.add("is-next");
    const body = el("div", { class: "q-body" });
    const head = el("p", { class: "q-head" });
    if (q.status === "on_screen") head.appendChild(el("span", { class: "q-badge q-badge-live" }, Q.on_screen));
    else if (q.id === nextId) head.appendChild(el("span", { class: "q-badge q-badge-next" }, Q.next));
    head.appendChild(el("span", { class: "q-origin" }, q.origin || siteName(Live.state, q.site)));
    // a department prepared an answer: the chairman has it beside his notes
    if (LiveQueue.prepared(q)) head.appendChild(el("span", { class: "prep-chip", "data-state": q.prep_state }, Q.prepared));
    const n = LiveQueue.supports(q); // "me too": how many young people want to ask it too
    if (n) head.appendChild(el("span", { class: "q-support", title: Q.supports_long.replace("{n}", n) }, Q.supports.replace("{n}", n)));
    body.appendChild(head);
    const also = alsoAsked(q);
    if (also) body.appendChild(el("p", { class: "q-also" }, also));
    body.appendChild(el("p", { class: "q-dept" + (q.department ? "" : " q-dept-none") }, departmentLine(q)));
    body.appendChild(el("p", { class: "q-text" }, q.text));
    li.appendChild(body);
    const actions = el("div", { class: "q-actions" });
    if (q.status !== "on_screen") {
      const show = el("button", { type: "button", class: q.id === nextId ? "primary q-show" : "q-show", "data-step": "1" }, Q.show);
      show.addEventListener("click", () => command("question.show", { id: q.id, version: q.version }, show));
      actions.appendChild(show);
    }
    const up = el("button", { type: "button", class: "q-move q-up", title: Q.up }, "▲");
    up.setAttribute("aria-label", Q.up);
    // moved within the script's order only: while the list shows the most supported first, not at all
    const bySupport = LiveQueue.sortingBySupport();
    up.dataset.edge = i === 0 || bySupport ? "1" : "";
    up.addEventListener("click", () => command("question.order", { id: q.id, version: q.version, after: orderTarget(line, i, -1) }));
    const down = el("button", { type: "button", class: "q-move q-down", title: Q.down }, "▼");
    down.setAttribute("aria-label", Q.down);
    down.dataset.edge = i === line.length - 1 || bySupport ? "1" : "";
    down.addEventListener("click", () => command("question.order", { id: q.id, version: q.version, after: orderTarget(line, i, 1) }));
    actions.append(up, down);
    li.appendChild(actions);
    return li;
  }

  function renderQueue(model) {
    const questions = model.questions;
    const nextQ = LiveQueue.next();
    const nextId = nextQ ? nextQ.id : null;
    queueEmpty.hidden = questions.length > 0;
    setText(queueEmpty, model.loaded ? queueEmpty.dataset.empty || queueEmpty.textContent : Q.loading);
    const waiting = questions.filter((q) => q.status === "approved").length;
    setText("#queue-count", model.loaded ? `(${waiting})` : "");
    queueBox.replaceChildren(
      ...LiveQueue.groups().map((group, g) => {
        const section = el("section", { class: "q-group", "data-theme": group.key });
        const h = el("h3", { class: "q-group-name" });
        h.appendChild(el("span", { class: "q-group-number" }, group.theme ? String(model.themes.indexOf(group.theme) + 1) : "–"));
        h.appendChild(el("span", {}, group.theme ? group.theme.name : Q.no_theme));
        h.appendChild(el("span", { class: "q-group-count" }, Q.count.replace("{n}", String(group.questions.length))));
        section.appendChild(h);
        const ol = el("ol", { class: "q-list" });
        group.questions.forEach((q, i) => ol.appendChild(questionItem(q, group.questions, i, nextId)));
        section.appendChild(ol);
        section.dataset.index = String(g);
        return section;
      }),
    );
    renderOnScreen();
    renderQuestionButtons();
    if (nextId !== shownNext) {
      shownNext = nextId;
      keepQuestionInSight(queueBox.querySelector(".q-item.is-next"));
    }
  }

  function renderOnScreen() {
    const q = LiveQueue.onScreen();
    // what the projector shows comes first; the queue adds the version the buttons need
    const current = Live.state.current_question;
    const shown = q || current;
    $("#on-screen").dataset.state = shown ? "on" : "off";
    $("#on-screen-empty").hidden = Boolean(shown);
    $("#on-screen-body").hidden = !shown;
    $("#tab-live").hidden = !shown;
    setText("#on-screen-origin", shown ? shown.origin || "" : "");
    setText("#on-screen-text", shown ? shown.text : "");
    setText("#on-screen-also", q ? alsoAsked(q) : "");
    setText("#on-screen-dept", q ? departmentLine(q) : "");
    $("#on-screen-prep").hidden = !(q && LiveQueue.prepared(q));
    $("#on-screen-prep").dataset.state = q ? q.prep_state || "" : "";
  }

  function renderQuestionButtons() {
    const q = LiveQueue.onScreen();
    const step = busy || resting();
    answerBtn.disabled = step || !q;
    hideBtn.disabled = step || !q;
    forwardBtn.disabled = busy || !q || !LiveQueue.model.departments.length;
    queueBox.querySelectorAll(".q-show").forEach((btn) => (btn.disabled = step));
    queueBox.querySelectorAll(".q-move").forEach((btn) => (btn.disabled = busy || btn.dataset.edge === "1"));
  }

  function onScreenPayload() {
    const q = LiveQueue.onScreen();
    return q ? { id: q.id, version: q.version } : null;
  }

  answerBtn.addEventListener("click", () => {
    const payload = onScreenPayload();
    if (payload) command("question.answer", payload, answerBtn);
  });
  hideBtn.addEventListener("click", () => {
    const payload = onScreenPayload();
    if (payload) command("question.hide", payload, hideBtn);
  });

  /** "Chuyển văn bản": the department that will reply in writing, the assigned one by default. */
  forwardBtn.addEventListener("click", () => {
    const q = LiveQueue.onScreen();
    if (!q) return;
    const departments = LiveQueue.model.departments;
    forwardSelect.replaceChildren(forwardSelect.options[0], ...departments.map((d) => el("option", { value: d.id }, d.name)));
    forwardSelect.value = departments.some((d) => d.id === q.department) ? q.department : "";
    forwardOk.disabled = !forwardSelect.value;
    setText("#forward-text", q.text);
    forwardDialog.returnValue = "";
    forwardDialog.onclose = () => {
      if (forwardDialog.returnValue !== "ok" || !forwardSelect.value) return;
      command("question.forward", { id: q.id, version: q.version, department: forwardSelect.value }, forwardBtn);
    };
    forwardDialog.showModal();
  });
  forwardSelect.addEventListener("change", () => (forwardOk.disabled = !forwardSelect.value));

  try {
    if (sessionStorage.getItem(TAB_KEY) === "questions") selectTab("questions");
  } catch (e) {
    /* private mode */
  }
  queueEmpty.dataset.empty = queueEmpty.textContent;
  LiveQueue.onChange(renderQueue);
  Live.onState(() => renderOnScreen());

  Live.onTick(render);
})();

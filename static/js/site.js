/* A bridge point's own screen (the TV in the commune hall): its QR code (drawn by the server), the
 * current agenda item and its clock, the speaker timer, the question on screen with its origin,
 * and the technician's "ask to speak" button. The sentences are in the page; this script only
 * shows and hides them. */
(function () {
  "use strict";
  const { $, setText } = Live.dom;
  const site = document.body.dataset.site;
  const panel = $("#floor");
  const position = $("#floor-position");
  const requestBtn = $("#btn-request");
  const cancelBtn = $("#btn-cancel");
  let busy = false;

  /* ---------------------------------------------------------------- the floor */

  function floorOf(snap) {
    const floor = snap.floor || { holder: null, requests: [] };
    if (floor.holder && floor.holder.site === site) return { state: "holding", place: 0 };
    const place = (floor.requests || []).findIndex((r) => r.site === site);
    return place >= 0 ? { state: "requested", place: place + 1 } : { state: "idle", place: 0 };
  }

  function renderFloor(snap) {
    const { state, place } = floorOf(snap);
    if (panel.dataset.floor !== state) panel.dataset.floor = state;
    setText(position, place > 0 ? position.dataset.text.replace("{n}", String(place)) : "");
    requestBtn.disabled = busy;
    cancelBtn.disabled = busy;
  }

  async function ask(event) {
    if (busy) return; // one tap, one request: never two in flight
    busy = true;
    renderFloor(Live.state);
    try {
      await Live.send(event, {}); // a refusal is shown as a toast by Live.send
    } finally {
      busy = false;
      renderFloor(Live.state);
    }
  }

  requestBtn.addEventListener("click", () => ask("floor.request"));
  cancelBtn.addEventListener("click", () => ask("floor.cancel"));

  /* ---------------------------------------------------------------- the question on screen */

  // kept apart from Live.state: common.js re-applies its last snapshot on every clock change, and
  // that snapshot's question may be older than the last question.current
  let question = Live.state.current_question || null;

  function renderQuestion() {
    $("#current-question").hidden = !question;
    setText("#question-text", question ? question.text : "");
    setText("#question-origin", question ? question.origin || "" : "");
    document.getElementById("site").dataset.question = question ? "on" : "off";
  }

  Live.socket.on("state.snapshot", (snap) => {
    question = snap.current_question || null;
    renderQuestion();
  });
  Live.socket.on("question.current", (change) => {
    question = (change && change.question) || null;
    renderQuestion();
  });

  /* ---------------------------------------------------------------- questions asked through the facilitator */

  // A question the facilitator types in goes into an outbox in localStorage before it is sent, under an
  // id made here: sent again until the server acknowledges it (after a reload, a lost acknowledgement,
  // a network gone), the server stores it once and answers the retry with the same tracking code.
  const A = JSON.parse($("#assist-i18n").textContent);
  const OUTBOX = `live.assist.outbox.${site}`;
  const SENT = `live.assist.sent.${site}`;
  const ACK_MS = 8000;
  const dialog = $("#assist");
  const form = $("#assist-form");
  const textEl = $("#assist-text");
  const originalEl = $("#assist-original");
  const languageEl = $("#assist-language");
  const agreedEl = $("#assist-agreed");
  const nameEl = $("#assist-name");
  const themeEl = $("#assist-theme");
  const languageNames = new Map(A.languages.map((l) => [l.id, l.label]));
  const inFlight = new Set();
  let retries = 0;
  let retryTimer = 0;

  function load(key) {
    try {
      const list = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function save(key, list) {
    localStorage.setItem(key, JSON.stringify(list));
  }

  function newId() {
    const c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID(); // only on https or localhost
    const b = new Uint8Array(16);
    c.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

  function say(text, kind) {
    const status = $("#assist-status");
    status.className = `assist-status ${kind || ""}`;
    setText(status, text);
  }

  function renderAssist() {
    const waiting = load(OUTBOX).length;
    const badge = $("#assist-badge");
    badge.hidden = waiting === 0;
    setText(badge, waiting ? fill(badge.dataset.text, { n: waiting }) : "");
    const sent = load(SENT);
    $("#assist-none").hidden = sent.length > 0;
    const rows = sent.map((q) => {
      const li = document.createElement("li");
      const code = document.createElement("strong");
      code.className = "assist-code";
      code.textContent = q.code;
      const text = document.createElement("span");
      text.className = "assist-q";
      const said = q.language && q.language !== "vi" ? ` (${languageNames.get(q.language) || q.language})` : "";
      text.textContent = `${q.text}${said}`;
      li.append(code, " ", text);
      return li;
    });
    $("#assist-list").replaceChildren(...rows);
  }

  function showOriginal() {
    // the original words matter when the young person asked in another language than Vietnamese
    $("#assist-original-box").hidden = languageEl.value === "vi";
    $("#assist-texts").classList.toggle("two", languageEl.value !== "vi");
  }

  function showName() {
    nameEl.disabled = !agreedEl.checked;
    if (!agreedEl.checked) nameEl.value = "";
  }

  function fail(text, focus) {
    setText("#assist-error", text);
    if (focus) focus.focus();
  }

  function enter(event) {
    event.preventDefault();
    fail("");
    if (!textEl.value.trim()) return fail(A.need_text, textEl);
    if (agreedEl.checked && !nameEl.value.trim()) return fail(A.need_name, nameEl);
    const q = {
      id: newId(),
      text: textEl.value,
      language: languageEl.value,
      original: languageEl.value === "vi" ? "" : originalEl.value,
      agreed: agreedEl.checked,
      name: agreedEl.checked ? nameEl.value : "",
      theme: themeEl.value || null,
      at: Date.now(),
    };
    save(OUTBOX, load(OUTBOX).concat([q])); // on this device before anything is sent
    for (const el of [textEl, originalEl, nameEl]) el.value = "";
    agreedEl.checked = false;
    themeEl.value = "";
    showName();
    say(Live.socket.connected ? A.sending : A.queued, "wait");
    renderAssist();
    textEl.focus();
    pump();
  }

  function pump() {
    clearTimeout(retryTimer);
    if (!Live.socket.connected) return;
    for (const q of load(OUTBOX)) if (!inFlight.has(q.id)) send(q);
  }

  function send(q) {
    inFlight.add(q.id);
    const payload = { id: q.id, text: q.text, language: q.language, original: q.original || null, agreed: q.agreed, theme: q.theme };
    if (q.agreed) payload.name = q.name;
    Live.socket.timeout(ACK_MS).emit("question.assist", payload, (err, ack) => {
      inFlight.delete(q.id);
      if (!load(OUTBOX).some((o) => o.id === q.id)) return; // settled meanwhile (another tab)
      if (!err && ack && ack.ok) accepted(q, ack);
      else if (!err && ack && ack.ok === false && !ack.retry) refused(q, ack);
      else {
        // no answer, or the server asks to come back: again after a while, sooner at first
        retries += 1;
        retryTimer = setTimeout(pump, Math.min(30000, 1000 * 2 ** Math.min(retries, 5)));
      }
    });
  }

  function settle(id, record) {
    // into the sent list first: a crash between the two writes shows a code twice, never loses one
    if (record) save(SENT, [record].concat(load(SENT).filter((s) => s.id !== id)).slice(0, 30));
    save(OUTBOX, load(OUTBOX).filter((o) => o.id !== id));
  }

  function accepted(q, ack) {
    retries = 0;
    settle(q.id, { id: q.id, code: ack.code, text: q.text, language: q.language, at: q.at });
    say(fill(ack.repeated ? A.repeated : A.sent, { code: ack.code }), "ok");
    renderAssist();
  }

  function refused(q, ack) {
    settle(q.id, null);
    const message = fill(A.refused, { m: ack.message || ack.code || "" });
    if (!textEl.value.trim()) {
      // back into the form, to correct and send again (a new id: nothing was stored under the old one)
      textEl.value = q.text;
      languageEl.value = q.language;
      originalEl.value = q.original || "";
      agreedEl.checked = Boolean(q.agreed);
      showName();
      nameEl.value = q.name || "";
      themeEl.value = q.theme || "";
      showOriginal();
      say(`${message} ${A.restored}`, "error");
    } else {
      say(`${message} ${A.copy} «${q.text}»`, "error");
    }
    renderAssist();
  }

  function openAssist() {
    if (!dialog.open) dialog.showModal();
    renderAssist();
    textEl.focus();
  }

  $("#assist-open").addEventListener("click", openAssist);
  for (const id of ["#assist-x", "#assist-close"]) $(id).addEventListener("click", () => dialog.close());
  form.addEventListener("submit", enter);
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); // Ctrl+Enter sends, from any field
  });
  languageEl.addEventListener("change", showOriginal);
  for (const el of [textEl, nameEl]) el.addEventListener("input", () => fail("")); // the error goes once it is acted on
  agreedEl.addEventListener("change", () => {
    showName();
    if (agreedEl.checked) nameEl.focus();
  });
  Live.socket.on("connect", pump);
  window.addEventListener("storage", (e) => {
    if (e.key === OUTBOX || e.key === SENT) renderAssist(); // another tab of this site sent or queued one
  });
  showOriginal();
  showName();
  renderAssist();
  pump();
  // the facilitator's own link: the site screen opened with ?nhap, the form open at once
  if (new URLSearchParams(window.location.search).has("nhap")) openAssist();

  /* ---------------------------------------------------------------- the conference and the clock */

  Live.onState((snap) => {
    setText("#site-conf", snap.conference.title);
    setText("#site-theme", snap.conference.theme);
    renderFloor(snap);
  });
  Live.onTick((snap, now) => Live.renderClock(snap, now));
  renderQuestion();
  Live.textSizeControl();
})();

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

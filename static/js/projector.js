/* The projector: the maket when nothing runs; otherwise the current item, its clock turning
 * amber then red, the speaker timer, and the current question with its origin. */
(function () {
  "use strict";
  const { $, setText, el } = Live.dom;
  const root = $("#projector");

  function renderMaket(snap) {
    const list = $("#maket-lines");
    const lines = snap.conference.maket.length ? snap.conference.maket : [snap.conference.title];
    const want = JSON.stringify(lines);
    if (list.dataset.lines === want) return;
    list.replaceChildren(...lines.map((line, i) => el("li", { class: `maket-line maket-line-${i + 1}` }, line)));
    list.dataset.lines = want;
    setText("#stage-title", snap.conference.title);
    setText("#stage-theme", snap.conference.theme);
  }

  Live.onState(renderMaket);
  Live.onTick((snap, now) => {
    const view = Live.renderClock(snap, now);
    const mode = view.item ? "stage" : "maket";
    if (root.dataset.mode !== mode) root.dataset.mode = mode;
  });
  Live.textSizeControl();
})();

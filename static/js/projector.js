/* The projector: the maket when nothing runs; otherwise the current item, its clock turning
 * amber then red, the speaker timer, and the current question with its origin. */
(function () {
  "use strict";
  const { $, setText, el } = Live.dom;
  const root = $("#projector");

  function renderMaket(snap) {
    const conf = snap.conference;
    // the header above the clock follows the conference even when the maket's lines stay the same
    setText("#stage-title", conf.title);
    setText("#stage-theme", conf.theme);
    const list = $("#maket-lines");
    const lines = conf.maket.length ? conf.maket : [conf.title];
    const want = JSON.stringify(lines);
    if (list.dataset.lines === want) return;
    list.replaceChildren(...lines.map((line, i) => el("li", { class: `maket-line maket-line-${i + 1}` }, line)));
    list.dataset.lines = want;
  }

  Live.onState(renderMaket);
  Live.onTick((snap, now) => {
    const view = Live.renderClock(snap, now);
    const mode = view.item ? "stage" : "maket";
    if (root.dataset.mode !== mode) root.dataset.mode = mode;
  });
  Live.textSizeControl();
})();

/* The projector: the maket when nothing runs; otherwise the current item, its clock turning
 * amber then red, the bridge point that has the floor, the speaker timer, and the current
 * question with its origin. */
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

  /** "Điểm cầu Xã Quảng Lâm đang phát biểu": the sentence around the site's name, which stands out. */
  function renderFloor(snap) {
    const banner = $("#floor-banner");
    const holder = snap.floor && snap.floor.holder;
    const site = holder && (snap.sites || []).find((s) => s.id === holder.site);
    const name = holder ? (site ? site.name : holder.site) : "";
    root.dataset.floor = holder ? "held" : "";
    banner.hidden = !holder;
    const line = $("#floor-line");
    if (line.dataset.name === name) return;
    const [before, after] = banner.dataset.template.split("{site}");
    line.replaceChildren(before || "", el("strong", { class: "floor-site" }, name), after || "");
    line.dataset.name = name;
  }

  Live.onState(renderMaket);
  Live.onState(renderFloor);
  Live.onTick((snap, now) => {
    const view = Live.renderClock(snap, now);
    // a bridge point given the floor shows even before the day starts (a rehearsal, a break)
    const mode = view.item || root.dataset.floor === "held" ? "stage" : "maket";
    if (root.dataset.mode !== mode) root.dataset.mode = mode;
    const item = view.item ? "yes" : "none";
    if (root.dataset.item !== item) root.dataset.item = item;
  });
  Live.textSizeControl();
})();

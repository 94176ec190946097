/* The projector: the maket when nothing runs; otherwise the current item, its clock turning
 * amber then red, the bridge point that has the floor, the speaker timer, and the current
 * question with its origin, its text sized to fill its box whatever its length. */
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

  /* ---------------------------------------------------------------- the question on screen */

  const section = $("#current-question");
  const box = $("#question-box");
  const text = $("#question-text");
  const MIN_PX = 14; // below this nobody in the hall reads it; 1000 characters never need it at 1280×720
  const MAX_EM = 4.2; // of the projector's base size: a one-line question as large as a headline
  const SHORT = 140; // characters: a short question is centred, a long one reads from the left

  function fits(px) {
    text.style.fontSize = `${px}px`;
    return box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth;
  }

  /** The largest font size (whole pixels) at which the question fits its box: a binary search
   * between MIN_PX and MAX_EM of the base size, measured by the browser's own layout. */
  function fitQuestion() {
    if (section.hidden || !box.clientHeight || !box.clientWidth) return;
    const base = parseFloat(getComputedStyle(root).fontSize) || 24;
    let lo = MIN_PX;
    let hi = Math.max(MIN_PX, Math.floor(base * MAX_EM));
    if (!fits(hi)) {
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (fits(mid)) lo = mid;
        else hi = mid;
      }
      hi = lo;
      fits(hi);
    }
    box.dataset.fontSize = String(hi);
    box.dataset.overflow = box.scrollHeight > box.clientHeight ? "yes" : "no";
  }

  let fitQueued = false;
  function refit() {
    if (fitQueued) return;
    fitQueued = true;
    requestAnimationFrame(() => {
      fitQueued = false;
      fitQuestion();
    });
  }

  /** "125 bạn trẻ cùng muốn hỏi" under the question on screen, for that question only (the count is
   * looked up by its id whenever the question or a count changes: never the one before's). */
  function renderSupports() {
    const line = $("#question-supports");
    const n = section.dataset.id ? LiveSupports.count(section.dataset.id) : 0;
    const want = n > 0 ? line.dataset.text.replace("{n}", n.toLocaleString("vi-VN")) : "";
    if (line.textContent === want && line.hidden === !want) return;
    setText(line, want);
    line.hidden = !want;
    refit(); // the line takes room from the question's box
  }

  function renderQuestion(snap) {
    const q = snap.current_question || null;
    root.dataset.question = q ? "on" : "off";
    section.hidden = !q;
    const want = q ? `${q.id}\u0000${q.text}\u0000${q.origin || ""}` : "";
    if (section.dataset.shown === want) return;
    section.dataset.shown = want;
    setText("#question-origin", q ? q.origin || q.site_name || "" : "");
    text.textContent = q ? q.text : "";
    text.dataset.short = q && q.text.length <= SHORT ? "yes" : "no";
    section.dataset.id = q ? q.id : "";
    renderSupports();
    fitQuestion();
  }

  // the box changes size with the window, the clock strip above it, the floor banner, the text size
  new ResizeObserver(refit).observe(box);
  window.addEventListener("resize", refit);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(refit);
  document.querySelectorAll("[data-textsize]").forEach((btn) => btn.addEventListener("click", refit));

  Live.onState(renderMaket);
  Live.onState(renderFloor);
  Live.onState(renderQuestion);
  LiveSupports.onChange((ids) => {
    if (ids === null || ids.includes(section.dataset.id)) renderSupports();
  });
  Live.onTick((snap, now) => {
    const view = Live.renderClock(snap, now);
    // a bridge point given the floor, or a question, shows even before the day starts (a rehearsal, a break)
    const mode = view.item || root.dataset.floor === "held" || root.dataset.question === "on" ? "stage" : "maket";
    if (root.dataset.mode !== mode) root.dataset.mode = mode;
    const item = view.item ? "yes" : "none";
    if (root.dataset.item !== item) root.dataset.item = item;
  });
  Live.textSizeControl();
})();

/* "Tôi cũng muốn hỏi" (me too) on the phone page: the approved questions of this site (or of all
 * sites), by theme, each with its count and a button. A press goes into localStorage before it is
 * sent and is sent again until the server acknowledges it (it counts each device once, however
 * often it hears the same press), so a press made offline or just before a reload is never lost.
 * Counts and newly approved questions arrive as "supports.changed", at most once a second.
 * Everything a question says is set as text, never as markup. Shares phone.js's socket. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const shared = window.LivePhone;
  const section = $("supports");
  if (!shared || !section) return;
  const socket = shared.socket;
  const T = JSON.parse($("live-support-i18n").textContent);
  const KEY = "live.supports"; // handle → {text, origin, theme, acked, at}
  const ACK_MS = 10000, MAX_BACKOFF = 30000, KEEP = 200;
  const listEl = $("supports-list"), emptyEl = $("supports-empty"), offEl = $("supports-off");
  const moreEl = $("supports-more"), newsEl = $("supports-news"), mineEl = $("supports-mine");
  const hereBtn = $("supports-here"), allBtn = $("supports-all");

  let all = false; // the switch: this site's questions, or every site's
  let enabled = true;
  let items = []; // the list as the server last gave it, in its order
  const outcomes = {}; // handle → what became of a question this phone supported
  const fill = (s, v) => String(s || "").replace(/\{(\w+)\}/g, (_, k) => (k in v ? v[k] : ""));

  /* ---------------------------------------------------------------- the presses, kept on the phone */

  let memory = {};
  function load() {
    try {
      const found = JSON.parse(localStorage.getItem(KEY) || "{}");
      if (found && typeof found === "object" && !Array.isArray(found)) memory = found;
    } catch (e) {} // forbidden or damaged: the copy in memory goes on
    return memory;
  }
  function save(presses) {
    const handles = Object.keys(presses).sort((a, b) => (presses[b].at || 0) - (presses[a].at || 0));
    const kept = {};
    handles.slice(0, KEEP).forEach((h) => (kept[h] = presses[h]));
    memory = kept;
    try {
      localStorage.setItem(KEY, JSON.stringify(kept));
    } catch (e) {}
  }

  /* ---------------------------------------------------------------- drawing */

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function countText(n) {
    return fill(n === 1 ? T.count_one : T.count, { n: n });
  }

  function button(item, pressed) {
    const b = el("button", "me-too" + (pressed ? " is-pressed" : ""), pressed ? T.pressed : T.press);
    b.type = "button";
    b.dataset.handle = item.handle;
    b.setAttribute("aria-pressed", pressed ? "true" : "false");
    if (pressed) b.disabled = false; // stays focusable; a second press changes nothing
    return b;
  }

  function card(item, presses) {
    const li = el("li", "sq");
    li.dataset.handle = item.handle;
    li.appendChild(el("p", "sqt", item.text));
    const meta = el("p", "sqm");
    meta.appendChild(el("span", "sqo", item.origin));
    if (item.status === "on_screen") meta.appendChild(el("span", "b s-on_screen", T.on_screen));
    const count = el("span", "sqc", countText(item.count || 0));
    count.setAttribute("aria-live", "off");
    meta.appendChild(count);
    li.appendChild(meta);
    if (enabled) li.appendChild(button(item, !!presses[item.handle]));
    return li;
  }

  function render() {
    const presses = load();
    const shown = items.filter((q) => all || q.site === shared.site);
    listEl.textContent = "";
    let group = null, theme = null;
    for (const item of shown) {
      if (group === null || item.theme !== theme) {
        theme = item.theme;
        const box = el("section", "sgroup");
        box.appendChild(el("h3", "sgh", theme || T.theme_other));
        group = el("ol", "list");
        box.appendChild(group);
        listEl.appendChild(box);
      }
      group.appendChild(card(item, presses));
    }
    emptyEl.hidden = shown.length > 0;
    offEl.hidden = enabled;
    hereBtn.setAttribute("aria-pressed", all ? "false" : "true");
    allBtn.setAttribute("aria-pressed", all ? "true" : "false");
    renderMine(presses);
    section.hidden = false;
  }

  /** The questions this phone supported that left the list: what became of them, and the answer. */
  function renderMine(presses) {
    mineEl.textContent = "";
    const listed = new Set(items.map((q) => q.handle));
    for (const handle of Object.keys(presses)) {
      const o = outcomes[handle];
      if (!o || listed.has(handle) || (o.into && listed.has(o.into))) continue;
      const li = el("li", "sq");
      li.appendChild(el("p", "sqt", presses[handle].text || ""));
      const meta = el("p", "sqm");
      meta.appendChild(el("span", "b s-" + o.status, (T.statuses || {})[o.status] || o.status));
      li.appendChild(meta);
      if (o.summary && o.summary.text) answerBox(li, o.summary.published_at ? fill(T.answer_dated, { date: day(o.summary.published_at) }) : T.answer, o.summary.text);
      if (o.reply && o.reply.text) answerBox(li, fill(T.reply, { department: o.reply.department, date: day(o.reply.published_at) }), o.reply.text);
      mineEl.appendChild(li);
    }
    $("supports-mine-box").hidden = !mineEl.children.length;
  }

  function answerBox(li, heading, text) {
    const box = el("div", "msg ok reply");
    box.appendChild(el("p", "rh", heading));
    box.appendChild(el("blockquote", "rt", text));
    li.appendChild(box);
  }

  function day(seconds) {
    const d = new Date((Number(seconds) || 0) * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  function news(text) {
    newsEl.textContent = "";
    setTimeout(() => (newsEl.textContent = text), 50); // a change of text is what a screen reader hears
  }

  /* ---------------------------------------------------------------- asking the server */

  function refresh() {
    const supported = Object.keys(load()).slice(0, KEEP);
    const payload = { site: all ? null : shared.site, supported: supported };
    socket.timeout(ACK_MS).emit("questions.public", payload, (err, ack) => {
      if (err || !ack || !ack.ok) return;
      enabled = ack.enabled !== false;
      items = Array.isArray(ack.questions) ? ack.questions : [];
      (ack.outcomes || []).forEach((o) => (outcomes[o.handle] = o));
      moreEl.hidden = !(ack.total > items.length);
      moreEl.textContent = fill(T.more, { n: (ack.total || 0) - items.length });
      const presses = load();
      let changed = false;
      for (const o of ack.outcomes || []) {
        if (o.into && !presses[o.into]) {
          // merged into another question: this phone supports that one now (the server counts it once)
          presses[o.into] = { text: "", acked: true, at: (presses[o.handle] || {}).at || Date.now() };
          changed = true;
        }
      }
      for (const item of items) {
        const known = presses[item.handle];
        if (known && !known.text) {
          known.text = item.text; // the question it joined: its words, for when it leaves the list
          changed = true;
        }
      }
      if (changed) save(presses);
      render();
      pump();
    });
  }

  const waits = {}; // handle → {tries, at}
  const sending = {};
  let timer = 0;

  function pump() {
    clearTimeout(timer);
    if (!socket.connected || !enabled) return;
    const now = Date.now();
    let next = Infinity;
    const presses = load();
    for (const handle of Object.keys(presses)) {
      if (presses[handle].acked || sending[handle]) continue;
      const w = waits[handle] || (waits[handle] = { tries: 0, at: 0 });
      if (w.at > now) next = Math.min(next, w.at);
      else send(handle, w);
    }
    if (next < Infinity) timer = setTimeout(pump, next - now);
  }

  function send(handle, w) {
    sending[handle] = true;
    socket.timeout(ACK_MS).emit("question.support", { handle: handle }, (err, ack) => {
      delete sending[handle];
      const presses = load();
      if (!presses[handle]) return;
      if (!err && ack && ack.ok) {
        presses[handle].acked = true;
        save(presses);
        setCount(handle, ack.count);
        delete waits[handle];
      } else if (!err && ack && ack.ok === false && !ack.retry) {
        delete presses[handle]; // not open (any more), or switched off: nothing to send again
        save(presses);
        delete waits[handle];
        news(ack.message || "");
        render();
      } else {
        const base = Math.min(MAX_BACKOFF, 1000 * 2 ** w.tries);
        const after = (ack && ack.retry_after) || 0;
        w.tries += 1;
        w.at = Date.now() + (after ? after * 1000 + Math.random() * 1000 : base / 2 + (Math.random() * base) / 2);
      }
      pump();
    });
  }

  function setCount(handle, n) {
    if (typeof n !== "number") return;
    const item = items.find((q) => q.handle === handle);
    if (item) item.count = n;
    const node = listEl.querySelector(`li[data-handle="${CSS.escape(handle)}"] .sqc`);
    if (node) node.textContent = countText(n);
  }

  /* ---------------------------------------------------------------- the page */

  listEl.addEventListener("click", (e) => {
    const b = e.target.closest("button.me-too");
    if (!b || !enabled) return;
    const handle = b.dataset.handle;
    const presses = load();
    if (presses[handle]) return; // pressed before: once per phone
    const item = items.find((q) => q.handle === handle) || {};
    presses[handle] = { text: item.text || "", origin: item.origin || "", theme: item.theme || "", acked: false, at: Date.now() };
    save(presses);
    b.textContent = T.pressed;
    b.classList.add("is-pressed");
    b.setAttribute("aria-pressed", "true");
    setCount(handle, (item.count || 0) + 1); // until the server's count comes back
    news(T.thanks);
    pump();
  });

  function scope(toAll) {
    if (all === toAll) return;
    all = toAll;
    render();
    refresh();
  }
  hereBtn.addEventListener("click", () => scope(false));
  allBtn.addEventListener("click", () => scope(true));

  socket.on("supports.changed", (m) => {
    if (!m || typeof m !== "object") return;
    let redraw = false;
    if (typeof m.enabled === "boolean" && m.enabled !== enabled) {
      enabled = m.enabled;
      redraw = true;
    }
    // what became of questions off the list (answered, its answer published): shown under those this phone supported
    let answered = false;
    for (const o of Array.isArray(m.outcomes) ? m.outcomes : []) {
      if (!o || typeof o.handle !== "string" || !load()[o.handle]) continue;
      outcomes[o.handle] = o;
      answered = true;
    }
    if (answered) render();
    const gone = Array.isArray(m.removed) ? m.removed : [];
    if (gone.length) {
      items = items.filter((q) => !gone.includes(q.handle));
      redraw = true;
      if (gone.some((h) => load()[h])) refresh(); // one this phone supported: what became of it
    }
    for (const q of Array.isArray(m.questions) ? m.questions : []) {
      if (!q || typeof q.handle !== "string") continue;
      const at = items.findIndex((i) => i.handle === q.handle);
      if (at >= 0) items[at] = q;
      else if (all || q.site === shared.site) {
        // newly approved: after the last question of its theme (the end of the list when none)
        let last = -1;
        items.forEach((i, n) => (i.theme === q.theme ? (last = n) : null));
        items.splice(last >= 0 ? last + 1 : items.length, 0, q);
      }
      redraw = true;
    }
    if (redraw) render();
    const counts = m.counts && typeof m.counts === "object" ? m.counts : {};
    for (const handle of Object.keys(counts)) setCount(handle, counts[handle]);
    if (enabled) pump();
  });
  socket.on("connect", refresh);
  socket.on("resync", refresh);
  socket.on("rehearsal.changed", refresh); // a rehearsal began or ended (or was wiped): another day's list
  window.addEventListener("storage", (e) => {
    if (e.key === KEY) render();
  });
  if (socket.connected) refresh();
})();

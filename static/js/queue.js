/* The approved question queue, as the MC's tablet and the chairman's screen hold it.
 *
 * The server sends `queue.snapshot` {seq, questions, answered, themes, departments} right after
 * connecting (and again after every reconnection), then `question.changed` {seq, id, question}
 * for every change: `question` is the queue view, or null when the question left the approved
 * queue. A bulk action's batch comes as one `questions.changed` {seq, changes: [{id, question}]}
 * (each change as the single message carries it), applied together and drawn once. Both screens
 * only ever hold approved or on-screen questions: never unapproved text.
 *
 * Answers per site count a question once, when one that this screen holds leaves the queue as
 * answered or forwarded: a push that the snapshot already counted finds nothing to remove. A
 * question on screen that leaves with a null view was answered or forwarded too: the lifecycle
 * (live/core/questions.py) has no other way out of "on_screen" but back to "approved". */
(function () {
  "use strict";

  const WAITING = "approved";
  const ON_SCREEN = "on_screen";
  const DONE = new Set(["answered", "forwarded"]);
  const PREPARED = new Set(["prepared", "written", "accepted"]); // live/core/questions.py PREP_STATES
  const LAST_THEME_KEY = `live.queue.lastTheme.${document.body.dataset.screen}`;
  const BY_SUPPORT_KEY = `live.queue.bySupport.${document.body.dataset.screen}`;

  const model = {
    loaded: false,
    baseSeq: -1, // the snapshot's seq: pushes up to it are already in the snapshot
    questions: [], // in the conference's theme order, then rank
    answered: {}, // site id → questions answered or forwarded
    themes: [],
    departments: [],
    lastTheme: readLastTheme(), // the theme of the question on screen last (undefined: none yet)
    bySupport: readBySupport(), // the person chose to see the most supported first (the script's order by default)
  };
  // the counts the support order was made with: a count changing later never moves a row under the
  // person's finger; choosing the order again takes the counts of that moment
  let ranked = new Map();
  const listeners = [];

  function readLastTheme() {
    try {
      const raw = sessionStorage.getItem(LAST_THEME_KEY);
      return raw === null ? undefined : JSON.parse(raw);
    } catch (e) {
      return undefined;
    }
  }

  function readBySupport() {
    try {
      return sessionStorage.getItem(BY_SUPPORT_KEY) === "1";
    } catch (e) {
      return false;
    }
  }

  /** How many young people support ``q`` ("me too", static/js/support_counts.js). */
  function supports(q) {
    return window.LiveSupports ? LiveSupports.count(q.id) : 0;
  }

  function supportRank(q) {
    if (!ranked.has(q.id)) ranked.set(q.id, supports(q));
    return ranked.get(q.id);
  }

  function sortingBySupport() {
    return model.bySupport && Boolean(window.LiveSupports) && LiveSupports.enabled;
  }

  /** ``list`` as the person chose to see it: the script's order, or within each theme (in the
   * conference's order) the most supported first, the script's order between equals. */
  function ordered(list) {
    if (!sortingBySupport()) return list;
    const at = new Map(list.map((q, i) => [q.id, i]));
    return list
      .slice()
      .sort((a, b) => themeIndex(a.theme) - themeIndex(b.theme) || supportRank(b) - supportRank(a) || at.get(a.id) - at.get(b.id));
  }

  function setBySupport(on) {
    model.bySupport = on;
    ranked = new Map();
    try {
      sessionStorage.setItem(BY_SUPPORT_KEY, on ? "1" : "0");
    } catch (e) {
      /* private mode: for this page only */
    }
    notify();
  }

  function rememberTheme(theme) {
    model.lastTheme = theme === undefined ? null : theme;
    try {
      sessionStorage.setItem(LAST_THEME_KEY, JSON.stringify(model.lastTheme));
    } catch (e) {
      /* private mode: remembered for this page only */
    }
  }

  function themeIndex(theme) {
    const i = model.themes.findIndex((t) => t.id === theme);
    return i < 0 ? model.themes.length : i;
  }

  /** The server's order (live/services/desk.py Desk.queue): theme order, then rank, then id. */
  function compare(a, b) {
    const ta = themeIndex(a.theme);
    const tb = themeIndex(b.theme);
    if (ta !== tb) return ta - tb;
    const ra = a.rank || 0;
    const rb = b.rank || 0;
    if (ra !== rb) return ra - rb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  function notify() {
    for (const fn of listeners) fn(model);
  }

  function sitesOf(question) {
    const sites = new Set([question.site]);
    for (const o of question.origins || []) if (o && o.site) sites.add(o.site);
    return sites;
  }

  /** The conference's themes or departments ([{id, name}]): from the queue's snapshot, else from
   * the screen's state (wherever the server puts them). */
  function listOf(name, snap) {
    const state = Live.state || {};
    for (const found of [snap[name], state[name], state.conference && state.conference[name]]) {
      if (Array.isArray(found)) return found;
    }
    return model[name];
  }

  Live.socket.on("queue.snapshot", (snap) => {
    model.loaded = true;
    model.baseSeq = typeof snap.seq === "number" ? snap.seq : -1;
    model.themes = listOf("themes", snap);
    model.departments = listOf("departments", snap);
    model.questions = (snap.questions || []).slice().sort(compare);
    model.answered = Object.assign({}, snap.answered || {});
    const shown = model.questions.find((q) => q.status === ON_SCREEN);
    if (shown) rememberTheme(shown.theme);
    notify();
  });

  /** Whether a push is newer than the snapshot the queue was loaded from. */
  function fresh(msg) {
    return model.loaded && Boolean(msg) && typeof msg.seq === "number" && msg.seq > model.baseSeq;
  }

  /** One question's change {id, question} into the queue, unsorted; false when it changed nothing
   * (no id, or older than the version held). */
  function apply(change) {
    const id = change.id || (change.question && change.question.id);
    if (!id) return false;
    const i = model.questions.findIndex((q) => q.id === id);
    const held = i >= 0 ? model.questions[i] : null;
    const view = change.question;
    if (held && view && typeof held.version === "number" && view.version < held.version) return false;
    if (view && (view.status === WAITING || view.status === ON_SCREEN)) {
      if (held) model.questions[i] = view;
      else model.questions.push(view);
      if (view.status === ON_SCREEN) rememberTheme(view.theme);
    } else if (held) {
      model.questions.splice(i, 1);
      // answered or forwarded: said by the view, or implied when the question on screen leaves
      // the queue (an on-screen question can only be answered, forwarded or taken off screen)
      if ((view && DONE.has(view.status)) || (!view && held.status === ON_SCREEN)) {
        const done = view || held;
        for (const site of sitesOf(done)) model.answered[site] = (model.answered[site] || 0) + 1;
        rememberTheme(done.theme);
      }
    }
    return true;
  }

  Live.socket.on("question.changed", (change) => {
    if (!fresh(change) || !apply(change)) return;
    model.questions.sort(compare);
    notify();
  });

  Live.socket.on("questions.changed", (msg) => {
    if (!fresh(msg) || !Array.isArray(msg.changes)) return;
    let applied = false;
    for (const change of msg.changes) applied = (Boolean(change) && apply(change)) || applied;
    if (!applied) return;
    model.questions.sort(compare);
    notify();
  });

  // the admin may rename or reorder themes and departments during the day: follow the state
  Live.onState(() => {
    const themes = listOf("themes", {});
    const departments = listOf("departments", {});
    const same = JSON.stringify([themes, departments]) === JSON.stringify([model.themes, model.departments]);
    if (same) return;
    model.themes = themes;
    model.departments = departments;
    model.questions.sort(compare);
    notify();
  });

  Live.socket.on("disconnect", () => {
    // the snapshot after reconnecting replaces everything; until then the list stays as it was
    model.baseSeq = Infinity;
  });

  /** The question on screen, as the queue holds it (with its version, department and notes). */
  function onScreen() {
    return model.questions.find((q) => q.status === ON_SCREEN) || null;
  }

  /** The question the MC will most likely show next: the first waiting one in the theme on screen
   * (or answered last); when that theme has none left, the first of the themes that follow. */
  function next() {
    const waiting = model.questions.filter((q) => q.status === WAITING);
    if (!waiting.length) return null;
    const shown = onScreen();
    const theme = shown ? shown.theme : model.lastTheme;
    if (theme === undefined) return waiting[0];
    const at = themeIndex(theme);
    return (
      waiting.find((q) => themeIndex(q.theme) === at) || waiting.find((q) => themeIndex(q.theme) > at) || waiting[0]
    );
  }

  /** Up to ``n`` waiting questions from the next one on, in queue order (wrapping to the start);
   * ordered by support, the ``n`` most supported. */
  function upcoming(n) {
    const waiting = model.questions.filter((q) => q.status === WAITING);
    if (sortingBySupport()) {
      const at = new Map(waiting.map((q, i) => [q.id, i]));
      return waiting
        .slice()
        .sort((a, b) => supportRank(b) - supportRank(a) || at.get(a.id) - at.get(b.id))
        .slice(0, n);
    }
    const first = next();
    if (!first) return [];
    const i = waiting.indexOf(first);
    return waiting.slice(i).concat(waiting.slice(0, i)).slice(0, n);
  }

  /** The queue by theme, in the conference's theme order: [{theme: {id, name} | null, questions}]. */
  function groups(list) {
    const out = [];
    for (const q of ordered(list || model.questions)) {
      const last = out[out.length - 1];
      if (last && last.key === (q.theme || "")) last.questions.push(q);
      else out.push({ key: q.theme || "", theme: model.themes.find((t) => t.id === q.theme) || null, questions: [q] });
    }
    return out;
  }

  function themeName(id) {
    const t = model.themes.find((x) => x.id === id);
    return t ? t.name : "";
  }

  /** Whether a department's prepared answer (or its proposal to answer in writing) is there for
   * the chairman: sent, whether or not the secretariat has accepted it yet. */
  function prepared(q) {
    return PREPARED.has(q.prep_state) && Boolean(q.prep_text);
  }

  function departmentName(id) {
    const d = model.departments.find((x) => x.id === id);
    return d ? d.name : id || "";
  }

  // the counts follow "me too" (at most once a second); the screen draws them again
  if (window.LiveSupports) {
    LiveSupports.onChange((ids) => {
      if (ids === null || ids.some((id) => model.questions.some((q) => q.id === id))) notify();
    });
  }
  // the screen's "most supported first" box, when it has one
  const toggle = document.getElementById("support-sort");
  if (toggle) {
    toggle.checked = model.bySupport;
    toggle.addEventListener("change", () => setBySupport(toggle.checked));
    listeners.push(() => {
      toggle.closest("label").hidden = !(window.LiveSupports && LiveSupports.enabled);
    });
  }

  window.LiveQueue = {
    model,
    onChange(fn) {
      listeners.push(fn);
      fn(model);
    },
    onScreen,
    next,
    upcoming,
    groups,
    themeName,
    departmentName,
    sitesOf,
    prepared,
    supports,
    sortingBySupport,
  };
})();

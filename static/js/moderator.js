/* The secretariat's console (tổ thư ký): every question live, filters and a search that ignores
 * diacritics, moderation actions with the version the person saw (a conflict is shown, never
 * overwritten), actions on many questions at once with their undo, duplicates, the approved queue
 * by theme, and questions typed in from the floor.
 *
 * The list is loaded with "questions.get" on every (re)connection and kept current by the
 * "question.added" / "question.changed" pushes and a bulk's "questions.changed" (one per batch); a
 * push older than what we hold is ignored. The list is virtual: only the rows in view (and a few
 * around) are in the page, all of one height, so 20,000 questions scroll and filter as quickly as
 * fifty. Rows never move under the reader's eyes: a question arriving above the rows in view comes in
 * above them unseen (the view keeps its place) and a bar says how many; a question someone else moved
 * out of the filter stays in its place until the person changes the filter. */
(function () {
  "use strict";
  const { $, setText, el } = Live.dom;
  const M = JSON.parse($("#mod-i18n").textContent);
  const languageNames = new Map((M.languages || []).map((l) => [l.id, l.label])); // live/core/languages.py
  const ROW = 44; // px: every row's height (static/css/moderator.css .q), measured again once shown
  const OVERSCAN = 10; // rows made above and below the ones in view
  const MAX_PICK = 2000; // questions in one bulk action (live/services/bulk.py MAX_ITEMS)
  const UNDO_SECONDS = 60; // live/services/bulk.py UNDO_SECONDS
  const ACTIVE = new Set(["received", "approved"]); // statuses that may still be merged or rejected
  const QUEUED = new Set(["approved", "on_screen"]);
  const ASSIGNABLE = new Set(["received", "approved", "on_screen"]);
  const REASONS = ["duplicate", "off_topic", "inappropriate", "other"];

  const byId = new Map(); // id → the staff view of a question
  const keys = new Map(); // id → {version, key}: the folded fields searched
  const similar = new Map(); // id → [{id, score}] likely duplicates of a new question
  const conflicts = new Map(); // id → the message of a refused action, until the next one succeeds
  const busy = new Set(); // ids with an action waiting for its acknowledgement
  const picked = new Map(); // id → the version the person saw when ticking it (the bulk's selection)
  let order = []; // the ids of the list, in order (virtual: only some are rows in the page)
  let orderIndex = new Map(); // id → its place in order
  let rebuild = "filter"; // the list is made again at the next render: "filter" (from the top) | "data" (in place)
  const touched = new Set(); // ids pushed or acted on since the last render
  const leaving = new Set(); // ids the person acted on: they may leave the filtered list at once
  const unseen = new Set(); // ids that came in above the rows in view and were not seen yet
  let selected = null;
  let pickFrom = null; // the last row ticked, for Shift ranges
  let loadState = "loading"; // loading | ready | failed
  let rejectArmed = false; // R pressed: 1–4 choose the reason (for the ticked questions when any)
  let merging = null; // {into, ids}: a bulk merge waiting for its confirmation
  let lastBulk = null; // {bulk, until, action}: what U undoes

  const filters = { status: "all", site: "", theme: "", department: "", query: "", sort: "newest" };
  let lookups = { sites: new Map(), themes: [], themeNames: new Map(), themeOrder: new Map(), departments: [], deptNames: new Map() };
  const groups = new Map(M.groups.map((g) => [g.id, g.label]));

  /* ---------------------------------------------------------------- helpers */

  /** Fold for search: no diacritics, đ → d, lower case ("Học bổng" → "hoc bong"); static/js/search.js. */
  const fold = LiveSearch.fold;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  function siteName(id) {
    return lookups.sites.get(id) || id || "";
  }

  function clip(text, n) {
    const t = String(text || "").replace(/\s+/g, " ");
    return t.length > n ? t.slice(0, n - 1) + "…" : t;
  }

  /** The syllables searched in a question (static/js/search.js), made once per version of it. */
  function searchKey(q) {
    const held = keys.get(q.id);
    if (held && held.version === q.version && held.lookups === lookups) return held.key;
    const origins = (Array.isArray(q.origins) ? q.origins : []).map((o) => ({ ...o, siteName: o && siteName(o.site) }));
    const key = LiveSearch.key({
      text: q.text, original: q.original_text, name: q.name, code: q.code, site: q.site, siteName: siteName(q.site),
      branch: q.branch, origins,
    });
    keys.set(q.id, { version: q.version, lookups, key });
    return key;
  }

  let warming = false;

  /** Make the search keys of every question held, in slices between frames (20,000 take half a second). */
  function warmKeys() {
    if (warming) return;
    warming = true;
    const pending = Array.from(byId.values());
    const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 16));
    const slice = () => {
      for (const q of pending.splice(0, 500)) searchKey(q);
      if (pending.length) later(slice);
      else warming = false;
    };
    later(slice);
  }

  let parsedQuery = { text: null, size: -1, parsed: null };

  /** The search typed, parsed again when it changes or questions arrive (a code may now be held). */
  function searchQuery() {
    if (parsedQuery.text !== filters.query || parsedQuery.size !== byId.size) {
      let codes = null;
      const heldCode = (code) => {
        codes = codes || new Set(Array.from(byId.values(), (q) => String(q.code || "").toUpperCase()));
        return codes.has(code);
      };
      parsedQuery = { text: filters.query, size: byId.size, parsed: LiveSearch.parse(filters.query, heldCode) };
    }
    return parsedQuery.parsed;
  }

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* ---------------------------------------------------------------- state from the server */

  function readLookups(snap) {
    const themes = snap.themes || (snap.conference && snap.conference.themes) || [];
    const departments = snap.departments || (snap.conference && snap.conference.departments) || [];
    lookups = {
      sites: new Map((snap.sites || []).map((s) => [s.id, s.name])),
      siteList: snap.sites || [],
      themes,
      themeNames: new Map(themes.map((t) => [t.id, t.name])),
      themeOrder: new Map(themes.map((t, i) => [t.id, i])),
      departments,
      deptNames: new Map(departments.map((d) => [d.id, d.name])),
    };
  }

  const arriving = new Set(); // for each list on its way, the ids pushed meanwhile

  /** Keep ``q`` unless we already hold a newer version of it. */
  function accept(q) {
    if (!q || typeof q.id !== "string" || !("received_at" in q)) return false; // not a staff view
    const held = byId.get(q.id);
    if (held && typeof held.version === "number" && held.version > q.version) return false;
    if (!held || filters.sort === "queue") base = null; // the queue's order follows status, theme and rank
    byId.set(q.id, q);
    touched.add(q.id);
    for (const seen of arriving) seen.add(q.id);
    return true;
  }

  /** Forget a question deleted at its asker's request (live/services/rights.py). */
  function forget(id) {
    for (const held of [byId, keys, similar, conflicts, picked, unseen]) held.delete(id);
    base = null;
    touched.add(id);
    if (selected === id) selected = null;
  }

  const FIRST_PAGE = 300; // the newest questions, shown at once (also in the page: live/web/views/screens.py FIRST_ROWS)
  const PAGE_SIZE = 4000; // then the older ones, page after page (live/services/desk.py desk_page)
  let loadRun = null; // the load under way: a newer one (a reconnection) stops it

  /** The list, newest first, a page at a time: the first rows show while the rest arrives. */
  async function load() {
    const run = (loadRun = {});
    const pushed = new Set();
    arriving.add(pushed);
    const listed = new Set();
    let before = null;
    try {
      for (;;) {
        const limit = before === null ? FIRST_PAGE : PAGE_SIZE;
        const reply = await Live.send("questions.get", { limit, before }, 30000);
        if (run !== loadRun) return; // a newer load took over
        if (!reply || !reply.ok) {
          loadState = "failed";
          schedule();
          setTimeout(() => Live.socket.connected && loadState === "failed" && load(), 3000);
          return;
        }
        for (const q of reply.questions) {
          listed.add(q.id);
          accept(q);
        }
        if (before === null) rebuild = rebuild || "data"; // in place: a reconnection never moves the rows in view
        if (!reply.more) break;
        before = reply.next;
        loadState = "partial";
        schedule();
      }
    } finally {
      arriving.delete(pushed);
    }
    // a union, since a push may have overtaken the list; but a question the list lacks that no
    // push brought meanwhile was deleted while this console was away (its question.removed missed)
    for (const id of [...byId.keys()]) if (!listed.has(id) && !pushed.has(id)) forget(id);
    loadState = "ready";
    schedule();
    warmKeys(); // the search keys, made in idle moments now, so the first search is as quick as the next
  }

  /** After a conflict the push has normally arrived; if not, fetch the list again. */
  function ensureFresh(id, version) {
    if (typeof version !== "number") return;
    setTimeout(() => {
      const q = byId.get(id);
      if (q && q.version < version && Live.socket.connected) load();
    }, 800);
  }

  /* ---------------------------------------------------------------- filtering and order */

  function matches(q) {
    if (filters.status === "held" ? !held(q) : filters.status !== "all" && q.status !== filters.status) return false;
    if (filters.site && q.site !== filters.site) return false;
    if (filters.theme && (filters.theme === "-" ? q.theme : q.theme !== filters.theme)) return false;
    if (filters.department && (filters.department === "-" ? q.department : q.department !== filters.department)) return false;
    // whole syllables; the words without ten:/xa: in one field: "quang lam" is a site, not "Nam Quang"
    // asking about "việc làm" (static/js/search.js)
    const query = searchQuery();
    if (!query.empty && !LiveSearch.matches(query, searchKey(q))) return false;
    return true;
  }

  const STATUS_RANK = { on_screen: 0, approved: 1, received: 2 };

  function queueKey(q) {
    return [
      STATUS_RANK[q.status] ?? 3,
      QUEUED.has(q.status) ? lookups.themeOrder.get(q.theme) ?? lookups.themes.length : 0,
      QUEUED.has(q.status) ? q.rank || 0 : q.received_at,
    ];
  }

  function compare(a, b) {
    if (filters.sort === "queue") {
      const ka = queueKey(a);
      const kb = queueKey(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      return a.id < b.id ? -1 : 1;
    }
    if (filters.sort === "support") {
      // "me too": the most supported first, the newest first between equals
      const n = LiveSupports.count(b.id) - LiveSupports.count(a.id);
      if (n) return n;
    }
    const d = a.received_at - b.received_at || (a.id < b.id ? -1 : 1);
    return filters.sort === "oldest" ? d : -d;
  }

  /** The approved queue in the conference's theme order, then rank (as the MC sees it). */
  function queueLines() {
    const lines = new Map();
    for (const t of lookups.themes) lines.set(t.id, []);
    lines.set(null, []);
    for (const q of byId.values()) {
      if (!QUEUED.has(q.status)) continue;
      const theme = lookups.themeNames.has(q.theme) ? q.theme : null;
      lines.get(theme).push(q);
    }
    for (const line of lines.values()) line.sort((a, b) => (a.rank || 0) - (b.rank || 0) || (a.id < b.id ? -1 : 1));
    return lines;
  }

  /* ---------------------------------------------------------------- rendering: the feed */

  const feed = $("#feed");
  let frame = 0;
  let rowH = ROW;

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  /** Render now (not at the next frame): before an action that reads the list. */
  function renderNow() {
    if (frame) cancelAnimationFrame(frame);
    render();
  }

  function render() {
    frame = 0;
    $("#desk").dataset.loaded = loadState === "ready" ? "yes" : loadState;
    renderCounts();
    renderFeed();
    renderBulk();
    renderDetail();
    if (!$("#panel-queue").hidden) renderQueue();
    setText("#queue-n", String(countQueued()));
  }

  function countQueued() {
    let n = 0;
    for (const q of byId.values()) if (QUEUED.has(q.status)) n += 1;
    return n;
  }

  function renderCounts() {
    const counts = { all: byId.size, held: 0 };
    for (const q of byId.values()) {
      counts[q.status] = (counts[q.status] || 0) + 1;
      if (held(q)) counts.held += 1;
    }
    for (const chip of document.querySelectorAll("#counts .chip")) {
      const key = chip.dataset.status;
      setText(chip.querySelector(".chip-n"), String(counts[key] || 0));
      chip.setAttribute("aria-pressed", String(filters.status === key));
    }
  }

  /** Waiting with a banned word (live/core/wordlist.py): a person decides, one by one. */
  function held(q) {
    return q.status === "received" && Boolean(q.flags && q.flags.banned);
  }

  /** "Hỏi bằng tiếng Tày" for a question asked in another language than Vietnamese, or "". */
  function askedIn(q) {
    if (!q.language || q.language === "vi") return "";
    if (q.language === "khac") return M.asked_other;
    return fill(M.asked_in, { l: languageNames.get(q.language) || q.language });
  }

  function badge(status) {
    return el("span", { class: `badge st-${status}` }, M.status[status] || status);
  }

  /** One row: tick, time and channel, the text on one line, what it is about on the next, and the
   * two most frequent actions. Every row has the same height (the list is virtual). */
  function rowFor(q, i) {
    const li = el("li", { class: "q", "data-id": q.id, "data-status": q.status });
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(q.id === selected));
    li.setAttribute("aria-posinset", String(i + 1));
    li.setAttribute("aria-setsize", String(order.length));
    if (busy.has(q.id)) li.classList.add("busy");
    if (picked.has(q.id)) li.classList.add("picked");
    if (left.has(q.id)) li.classList.add("left"); // moved out of the filter by someone else: kept in place

    const tick = el("input", { type: "checkbox", class: "q-pick", "data-id": q.id, tabindex: "-1" });
    tick.checked = picked.has(q.id);
    tick.setAttribute("aria-label", fill(M.pick_one, { code: q.code }));
    li.appendChild(tick);

    const when = el("div", { class: "q-when" });
    // before (or after) the conference's day, the day it came matters more than the hour
    const other = q.phase === "before" || q.phase === "after";
    const stamp = el("time", { class: other ? `q-day ph-${q.phase}` : "" }, Live.format[other ? "date" : "time"](q.received_at, true));
    if (other) stamp.title = `${M.phase[q.phase]} · ${Live.format.date(q.received_at)}`;
    when.appendChild(stamp);
    when.appendChild(el("span", { class: `q-ch ch-${q.channel}`, title: M.channel_long[q.channel] || "" }, M.channel[q.channel] || q.channel || ""));
    li.appendChild(when);

    const body = el("div", { class: "q-body" });
    const text = el("p", { class: "q-text", title: q.text }, q.text);
    if (q.original_text) {
      const mark = el("span", { class: "q-edited", title: fill(M.original, { t: q.original_text }) }, M.edited);
      text.appendChild(document.createTextNode(" "));
      text.appendChild(mark);
    }
    body.appendChild(text);

    const line = el("p", { class: "q-line" });
    const meta = el("span", { class: "q-meta" });
    meta.appendChild(badge(q.status));
    const supported = LiveSupports.count(q.id); // "me too"
    if (supported) meta.appendChild(el("span", { class: "q-support", title: fill(M.supports_long, { n: supported }) }, fill(M.supports, { n: supported })));
    const asked = askedIn(q);
    if (asked) meta.appendChild(el("span", { class: "q-lang", title: q.original ? fill(M.said, { t: q.original }) : asked }, asked));
    const flags = q.flags || {};
    // what the word lists found when it arrived (live/core/wordlist.py): held for a person, or to look at
    if (flags.banned) meta.appendChild(el("span", { class: "q-flag flag-banned" }, fill(M.flag_banned, { w: flags.banned.join(", ") })));
    if (flags.suspect) meta.appendChild(el("span", { class: "q-flag flag-suspect" }, fill(M.flag_suspect, { w: flags.suspect.join(", ") })));
    if (conflicts.has(q.id)) meta.appendChild(el("span", { class: "q-conflict", title: conflicts.get(q.id) }, M.row_conflict));
    else if (picked.has(q.id) && picked.get(q.id) !== q.version) meta.appendChild(el("span", { class: "q-conflict", title: M.changed_since_long }, M.changed_since));
    meta.appendChild(el("span", { class: "q-code" }, q.code));
    meta.appendChild(el("span", { class: "q-site" }, siteName(q.site)));
    if (q.group) meta.appendChild(el("span", { class: "q-group" }, groups.get(q.group) || q.group));
    meta.appendChild(el("span", { class: q.name ? "q-name" : "q-name anon" }, q.name || M.anonymous));
    meta.appendChild(el("span", { class: q.theme ? "q-theme" : "q-theme unset" }, lookups.themeNames.get(q.theme) || (q.theme ? q.theme : M.no_theme)));
    if (q.department) meta.appendChild(el("span", { class: "q-dept" }, lookups.deptNames.get(q.department) || q.department));
    if (q.prep_department && q.prep_state) {
      const who = lookups.deptNames.get(q.prep_department) || q.prep_department;
      meta.appendChild(el("span", { class: "prep-chip", "data-state": q.prep_state }, fill(M.prep, { d: who, s: M.prep_state[q.prep_state] || q.prep_state })));
    }
    if (q.origins && q.origins.length) meta.appendChild(el("span", { class: "q-plus" }, fill(M.plus_origins, { n: q.origins.length })));
    if (q.status === "rejected" && q.reason) meta.appendChild(el("span", { class: "q-reason" }, M.reason[q.reason] || q.reason));
    if (q.status === "merged" && q.merged_into) {
      const target = byId.get(q.merged_into);
      meta.appendChild(el("span", { class: "q-reason" }, fill(M.merged_into, { code: target ? target.code : "…" })));
    }
    line.appendChild(meta);
    const dups = duplicatesOf(q);
    if (dups.length) line.appendChild(dupBox(q, dups.slice(0, 1), "q-dup")); // the best; all in the detail
    body.appendChild(line);
    li.appendChild(body);

    const acts = el("div", { class: "q-acts" });
    if (q.status === "received") acts.appendChild(rowButton("approve", q, M.row_approve, "primary"));
    if (ACTIVE.has(q.status)) acts.appendChild(rowButton("reject", q, M.row_reject, "danger"));
    li.appendChild(acts);
    return li;
  }

  function rowButton(act, q, label, cls) {
    const button = el("button", { type: "button", class: `small ${cls}`, "data-row": act, "data-id": q.id, tabindex: "-1" }, label);
    button.setAttribute("aria-label", `${label}: ${q.code}`);
    button.disabled = busy.has(q.id);
    return button;
  }

  /** The likely duplicates still worth merging into: known, and neither rejected nor merged. */
  function duplicatesOf(q) {
    if (!ACTIVE.has(q.status)) return [];
    return (similar.get(q.id) || []).filter((s) => {
      const other = byId.get(s.id);
      return other && other.id !== q.id && other.status !== "rejected" && other.status !== "merged";
    });
  }

  function dupBox(q, dups, cls) {
    const box = el(cls === "q-dup" ? "span" : "div", { class: cls });
    box.appendChild(el("span", { class: "dup-label" }, M.maybe_dup));
    const list = el(cls === "q-dup" ? "span" : "ul", { class: "dup-list" });
    for (const s of dups) {
      const other = byId.get(s.id);
      const item = el(cls === "q-dup" ? "span" : "li", { class: "dup" });
      const what = el("span", { class: "dup-what" });
      what.appendChild(el("q", { class: "dup-text" }, clip(other.text, cls === "q-dup" ? 110 : 240)));
      what.appendChild(el("span", { class: "dup-meta" }, ` ${other.code} · ${siteName(other.site)} · ${M.score} ${Math.round(s.score * 100)}%`));
      item.appendChild(what);
      const button = el("button", { type: "button", class: "small", "data-act": "merge", "data-into": other.id, "data-id": q.id }, M.merge_into);
      button.disabled = busy.has(q.id);
      item.appendChild(button);
      list.appendChild(item);
    }
    box.appendChild(list);
    return box;
  }

  /* The list. Its order is made again from every question only when the person changes the filter,
   * the sort or the search ("filter": back to the top) or after a (re)load ("data": in place); a push
   * only places the questions it brought, so a burst of arrivals costs little with 20,000 held. */

  function setOrder(ids) {
    order = ids;
    orderIndex = new Map(ids.map((id, i) => [id, i]));
  }

  function sorted(ids) {
    return ids.sort((a, b) => compare(byId.get(a), byId.get(b)));
  }

  let base = null; // every id held, in the list's order: filtering it needs no sort

  function baseOrder() {
    if (!base) base = sorted([...byId.keys()]);
    return base;
  }

  /** Where ``q`` goes in the list (binary search by the sort). */
  function placeOf(q) {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(byId.get(order[mid]), q) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The row at the top of the view and how far it is scrolled: what stays put while the list changes. */
  function topOfView() {
    if (!order.length) return null;
    const i = Math.min(order.length - 1, Math.floor(feed.scrollTop / rowH));
    return { id: order[i], offset: feed.scrollTop - i * rowH };
  }

  const left = new Set(); // ids in the list that no longer fit its filter (kept in place until it changes)

  /** Bring the list up to date; returns the scroll position that keeps the rows in view where they were. */
  function updateOrder() {
    const anchor = rebuild === "filter" ? null : topOfView();
    if (rebuild) {
      const kept = rebuild === "data" ? new Set(order) : new Set(); // moved out by others: kept in place
      left.clear();
      setOrder(
        baseOrder().filter((id) => {
          if (matches(byId.get(id))) return true;
          if (!kept.has(id) || leaving.has(id)) return false;
          left.add(id);
          return true;
        }),
      );
      if (rebuild === "filter") unseen.clear();
    } else if (touched.size) {
      let resort = false;
      const add = [];
      for (const id of touched) {
        const q = byId.get(id);
        const at = orderIndex.get(id);
        const fits = Boolean(q) && matches(q);
        if (at !== undefined && (!q || (leaving.has(id) && !fits))) {
          order[at] = null; // gone (deleted at the asker's request), or the person's own action took it out
          left.delete(id);
        } else if (at !== undefined) {
          if (fits) left.delete(id);
          else left.add(id); // moved out of the filter by someone else: kept in place
          if (filters.sort === "queue") resort = true; // its place in the queue may have changed
        } else if (fits) {
          add.push(q);
        }
      }
      const ids = order.filter((id) => id !== null);
      if (add.length > 50 || resort) {
        const keep = new Set(ids);
        for (const q of add) keep.add(q.id);
        setOrder(baseOrder().filter((id) => keep.has(id)));
      } else {
        order = ids;
        for (const q of add) order.splice(placeOf(q), 0, q.id);
        setOrder(order);
      }
      // a question placed above the row at the top of the view comes in unseen: the view keeps its rows
      const top = anchor && loadState !== "partial" && orderIndex.get(anchor.id);
      if (typeof top === "number") for (const q of add) if (orderIndex.get(q.id) < top) unseen.add(q.id);
    }
    rebuild = null;
    touched.clear();
    leaving.clear();
    const at = anchor ? orderIndex.get(anchor.id) : undefined;
    return at === undefined ? null : at * rowH + anchor.offset;
  }

  const padTop = el("li", { class: "pad", "aria-hidden": "true" });
  const padBottom = el("li", { class: "pad", "aria-hidden": "true" });

  function renderFeed() {
    const wasFilter = rebuild === "filter";
    const scrollTo = updateOrder();
    const total = order.length;
    feed.hidden = total === 0;
    if (total) {
      // the whole height first, so the view can be put where it keeps the rows in view in place
      padTop.style.height = "0px";
      padBottom.style.height = `${total * rowH}px`;
      if (!feed.contains(padTop)) feed.replaceChildren(padTop, padBottom);
      if (wasFilter) feed.scrollTop = 0;
      else if (scrollTo !== null) feed.scrollTop = scrollTo;
      renderRows();
    } else {
      feed.replaceChildren();
    }
    const empty = $("#feed-empty");
    empty.hidden = total > 0;
    setText(empty, loadState === "loading" || (loadState === "partial" && !total) ? M.loading : loadState === "failed" ? M.load_failed : byId.size ? M.none_match : M.none);
    setText("#shown", fill(loadState === "partial" ? M.shown_loading : M.shown_all, { n: total.toLocaleString("vi-VN") }));
  }

  /** The rows in view and a few around, between two spacers holding the height of the others. */
  function renderRows() {
    const total = order.length;
    const top = feed.scrollTop; // read before the spacers change, which may clamp it meanwhile
    const view = feed.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + view) / rowH) + OVERSCAN);
    const rows = [];
    for (let i = first; i < last; i++) rows.push(rowFor(byId.get(order[i]), i));
    padTop.style.height = `${first * rowH}px`;
    padBottom.style.height = `${(total - last) * rowH}px`;
    feed.replaceChildren(padTop, ...rows, padBottom);
    if (feed.scrollTop !== top) feed.scrollTop = top;
    const measured = rows.length ? rows[0].offsetHeight : 0;
    if (measured && Math.abs(measured - rowH) > 0.5) {
      // the text size was changed (or the CSS): keep the view on the same row
      const at = feed.scrollTop / rowH;
      rowH = measured;
      feed.scrollTop = at * rowH;
      return renderRows();
    }
    // what came in above is seen once its row is in view
    const seenFrom = Math.floor(feed.scrollTop / rowH);
    for (const id of unseen) {
      const i = orderIndex.get(id);
      if (i === undefined || i >= seenFrom) unseen.delete(id);
    }
    const wrap = $("#fresh-wrap");
    wrap.hidden = unseen.size === 0;
    setText("#fresh", fill(M.fresh, { n: unseen.size }));
  }

  let scrolling = 0;
  feed.addEventListener("scroll", () => {
    if (!scrolling && !frame) scrolling = requestAnimationFrame(() => {
      scrolling = 0;
      if (order.length) renderRows();
    });
  });

  /** Put the row of ``id`` in view (the least scroll that shows it whole). */
  function reveal(id) {
    const i = orderIndex.get(id);
    if (i === undefined) return;
    const top = i * rowH;
    if (top < feed.scrollTop) feed.scrollTop = top;
    else if (top + rowH > feed.scrollTop + feed.clientHeight) feed.scrollTop = top + rowH - feed.clientHeight;
  }

  function showFresh() {
    unseen.clear();
    feed.scrollTop = 0;
    if (order.length) select(order[0], true);
    schedule();
  }

  /* ---------------------------------------------------------------- rendering: the selected question */

  const detail = $("#detail");
  const editForm = $("#d-edit");
  const editText = $("#edit-text");
  const notes = $("#notes");
  // what the person started from when typing, so a change by someone else is noticed, not overwritten
  let editing = null; // {id, version, text}
  let noting = null; // {id, version, notes} once the person has typed in the notes

  function fillSelect(select, items, keep) {
    const want = items.map((i) => `${i.id}\u0000${i.name}`).join("\u0001");
    if (select.dataset.items === want) return;
    const value = select.value;
    const first = keep ? Array.from(select.options).slice(0, keep) : [];
    select.replaceChildren(...first, ...items.map((i) => el("option", { value: i.id }, i.name)));
    select.value = value;
    if (select.value !== value) select.selectedIndex = 0;
    select.dataset.items = want;
  }

  function renderSelects() {
    const themes = lookups.themes;
    const depts = lookups.departments;
    for (const id of ["#floor-theme", "#filter-theme"]) fillSelect($(id), themes, id === "#filter-theme" ? 2 : 1);
    for (const id of ["#forward-dept", "#filter-department"]) fillSelect($(id), depts, id === "#filter-department" ? 2 : 1);
    fillSelect($("#filter-site"), lookups.siteList.map((s) => ({ id: s.id, name: s.name })), 1);
    renderFloorSites();
  }

  function renderDetail() {
    const q = selected ? byId.get(selected) : null;
    $("#detail-empty").hidden = Boolean(q);
    detail.hidden = !q;
    if (!q) return;
    detail.dataset.id = q.id;
    detail.dataset.version = String(q.version);
    detail.dataset.status = q.status;
    const st = $("#d-status");
    st.className = `badge st-${q.status}`;
    setText(st, M.status[q.status] || q.status);
    setText("#d-code", fill(M.code, { code: q.code }));
    setText("#d-version", fill(M.version, { n: q.version }));
    const meta = [siteName(q.site), M.channel_long[q.channel] || q.channel];
    if (q.branch) meta.push(q.branch); // the branch or organisation a Youth Union list names
    const otherDay = q.phase === "before" || q.phase === "after";
    meta.push(fill(M.received_at, { t: Live.format[otherDay ? "date" : "time"](q.received_at) }));
    if (otherDay) meta.push(M.phase[q.phase]); // "Trước ngày hội nghị": collected in the month before
    if (q.group) meta.push(groups.get(q.group) || q.group);
    meta.push(q.name || M.anonymous);
    setText("#d-meta", meta.join(" · "));

    const conflict = $("#d-conflict");
    conflict.hidden = !conflicts.has(q.id);
    setText(conflict, conflicts.get(q.id) || "");
    setText("#d-text", q.text);
    const supported = LiveSupports.count(q.id);
    $("#d-supports").hidden = !supported;
    setText("#d-supports", supported ? fill(M.supports_long, { n: supported }) : "");
    // passed on by a bridge point's facilitator: the language it was asked in, the young person's own words
    const said = [q.assisted_by === "site" ? M.assisted : "", askedIn(q)].filter(Boolean).join(" · ");
    $("#d-said").hidden = !said && !q.original;
    setText("#d-said-head", said);
    $("#d-said-text").hidden = !q.original;
    setText("#d-said-text", q.original || "");
    $("#d-original").hidden = !q.original_text;
    setText("#d-original-text", q.original_text || "");
    if (detail.dataset.shownId !== q.id) $("#d-original").open = false;

    const origins = q.origins || [];
    $("#d-origins").hidden = origins.length === 0;
    setText("#d-origins", origins.length ? fill(M.origins, { n: origins.length, list: origins.map((o) => `${o.code} (${siteName(o.site)}${o.name ? " — " + o.name : ""})`).join("; ") }) : "");
    const reason = q.status === "rejected" ? fill(M.rejected_for, { r: M.reason[q.reason] || q.reason || "" }) : q.status === "merged" ? fill(M.merged_into, { code: (byId.get(q.merged_into) || {}).code || "…" }) : "";
    $("#d-reason").hidden = !reason;
    setText("#d-reason", reason);
    const flagged = q.flags || {};
    const flagText = [flagged.banned && fill(M.flag_banned_long, { w: flagged.banned.join(", ") }), flagged.suspect && fill(M.flag_suspect_long, { w: flagged.suspect.join(", ") })].filter(Boolean).join(" · ");
    $("#d-flags").hidden = !flagText;
    $("#d-flags").className = `d-flags${flagged.banned ? " flag-banned" : flagged.suspect ? " flag-suspect" : ""}`;
    setText("#d-flags", flagText);

    // what each status allows (questions.py TRANSITIONS); the server refuses the rest anyway
    const can = {
      approve: q.status === "received",
      reject: ACTIVE.has(q.status),
      reopen: ["approved", "rejected", "merged"].includes(q.status),
      edit: ACTIVE.has(q.status),
      assign: ["received", "approved", "on_screen"].includes(q.status),
      merge: ACTIVE.has(q.status),
      forward: QUEUED.has(q.status),
    };
    const waiting = busy.has(q.id);
    for (const b of detail.querySelectorAll("[data-do]")) b.disabled = waiting || !can[b.dataset.do];
    $("#d-reject").classList.toggle("armed", rejectArmed && can.reject);
    // theme and department: a button that opens a list filtered as you type (static/js/picker.js)
    for (const [id, value, names, none] of [["#d-theme", q.theme, lookups.themeNames, M.no_theme], ["#d-department", q.department, lookups.deptNames, M.no_department]]) {
      const button = $(id);
      button.disabled = waiting || !can.assign;
      button.dataset.value = value || "";
      setText(button, value ? names.get(value) || value : none);
      button.classList.toggle("unset", !value);
    }
    $("#d-merge").hidden = !can.merge;
    $("#forward-form").hidden = !can.forward;
    for (const b of detail.querySelectorAll("#merge-form button, #forward-form button, #d-notes button, #d-edit button[type=submit]")) b.disabled = waiting;
    if (detail.dataset.shownId !== q.id) $("#forward-dept").value = q.department || "";

    // the text being edited
    if (editing && editing.id !== q.id) closeEdit();
    editForm.hidden = !editing;
    const other = $("#edit-other");
    other.hidden = !(editing && q.text !== editing.text);
    setText(other, editing && q.text !== editing.text ? fill(M.text_changed, { t: q.text }) : "");

    // notes: filled from the question unless the person is typing
    if (noting && noting.id !== q.id) noting = null;
    if (!noting && notes.value !== (q.notes || "")) notes.value = q.notes || "";
    const notesOther = $("#notes-other");
    const changedUnder = noting && (q.notes || "") !== noting.notes;
    notesOther.hidden = !changedUnder;
    setText(notesOther, changedUnder ? fill(M.notes_changed, { t: q.notes || "—" }) : "");
    notes.disabled = !can.assign;
    if (detail.dataset.shownId !== q.id) setText("#notes-state", "");

    // duplicates
    const dups = duplicatesOf(q);
    const list = $("#d-dups");
    list.replaceChildren();
    if (dups.length) list.appendChild(dupBox(q, dups, "d-dup"));
    $("#d-dups-none").hidden = dups.length > 0 || !similar.has(q.id);
    detail.dataset.shownId = q.id;
  }

  /* ---------------------------------------------------------------- rendering: the approved queue */

  function renderQueue() {
    const root = $("#queue");
    const lines = queueLines();
    let total = 0;
    const frag = document.createDocumentFragment();
    const themeOptions = lookups.themes.map((t) => ({ id: t.id, name: t.name }));
    for (const [theme, line] of lines) {
      if (!line.length) continue;
      total += line.length;
      const group = el("section", { class: "qgroup", "data-theme": theme || "" });
      const head = el("h3", {}, theme ? lookups.themeNames.get(theme) : M.no_theme);
      head.appendChild(el("span", { class: "tab-n" }, String(line.length)));
      group.appendChild(head);
      const ol = el("ol", { class: "qline" });
      line.forEach((q, i) => {
        const li = el("li", { class: "qitem", "data-id": q.id, "data-status": q.status });
        if (q.id === selected) li.classList.add("selected");
        li.appendChild(el("span", { class: "qpos", title: fill(M.position, { n: i + 1 }) }, String(i + 1)));
        const main = el("button", { type: "button", class: "qmain", "data-act": "select", "data-id": q.id });
        main.appendChild(el("span", { class: "qtext" }, q.text));
        const meta = el("span", { class: "qmeta" }, `${q.code} · ${siteName(q.site)}`);
        if (q.status === "on_screen") meta.appendChild(badge(q.status));
        main.appendChild(meta);
        li.appendChild(main);
        const tools = el("span", { class: "qtools" });
        const up = el("button", { type: "button", class: "small", "data-act": "up", "data-id": q.id, title: M.up }, "▲");
        up.setAttribute("aria-label", `${M.up}: ${q.code}`);
        up.disabled = i === 0 || busy.has(q.id);
        const down = el("button", { type: "button", class: "small", "data-act": "down", "data-id": q.id, title: M.down }, "▼");
        down.setAttribute("aria-label", `${M.down}: ${q.code}`);
        down.disabled = i === line.length - 1 || busy.has(q.id);
        const move = el("select", { class: "qmove", "data-act": "theme", "data-id": q.id });
        move.setAttribute("aria-label", `${M.move_theme}: ${q.code}`);
        move.appendChild(el("option", { value: "" }, M.no_theme));
        for (const t of themeOptions) move.appendChild(el("option", { value: t.id }, t.name));
        move.value = theme || "";
        move.disabled = busy.has(q.id);
        tools.append(up, down, move);
        li.appendChild(tools);
        ol.appendChild(li);
      });
      group.appendChild(ol);
      frag.appendChild(group);
    }
    root.replaceChildren(frag);
    $("#queue-empty").hidden = total > 0;
  }

  /* ---------------------------------------------------------------- actions */

  /** Send one action with the version the person saw; show a conflict on that question's row. */
  async function act(action, id, extra, version) {
    const q = byId.get(id);
    if (!q || busy.has(id)) return null;
    const at = orderIndex.get(id) ?? -1;
    const next = order[at + 1] || order[at - 1] || null;
    busy.add(id);
    schedule();
    const payload = Object.assign({ id, version: version ?? q.version }, extra || {});
    const reply = await Live.send(`question.${action}`, payload);
    busy.delete(id);
    if (reply && reply.ok) {
      conflicts.delete(id);
      if (reply.question) accept(reply.question);
      leaving.add(id); // the person's own action: the row may leave the filtered list at once
      touched.add(id);
      if (picked.has(id) && reply.question) picked.set(id, reply.question.version); // their own change
      // the question left the filtered list (approved under "Chờ duyệt"): go on with the next one
      if (selected === id && !matches(byId.get(id)) && next && byId.has(next)) select(next, true);
    } else if (reply && reply.code === "question.conflict") {
      conflicts.set(id, reply.message);
      ensureFresh(id, reply.params && reply.params.version);
    }
    schedule();
    return reply;
  }

  function current() {
    return selected ? byId.get(selected) : null;
  }

  function doAction(name, reason) {
    const q = current();
    if (!q || busy.has(q.id)) return;
    rejectArmed = false;
    if (name === "approve") act("approve", q.id);
    else if (name === "reopen") act("reopen", q.id);
    else if (name === "reject") act("reject", q.id, { reason });
    else if (name === "edit") openEdit(q);
    schedule();
  }

  function openEdit(q) {
    if (!ACTIVE.has(q.status)) return;
    editing = { id: q.id, version: q.version, text: q.text };
    editText.value = q.text;
    editForm.hidden = false;
    editText.focus();
    schedule();
  }

  function closeEdit() {
    editing = null;
    editForm.hidden = true;
  }

  async function saveEdit() {
    if (!editing) return;
    const id = editing.id;
    const reply = await act("edit", id, { text: editText.value }, editing.version);
    if (reply && reply.ok) {
      closeEdit();
      feed.focus();
    } else if (reply && reply.code === "question.conflict" && editing) {
      // keep what was typed; a second save (on the version now shown) replaces deliberately
      const q = byId.get(id);
      editing = { id, version: reply.params && typeof reply.params.version === "number" ? reply.params.version : q.version, text: editing.text };
    }
    schedule();
  }

  async function saveNotes() {
    const q = current();
    if (!q) return;
    const base = noting && noting.id === q.id ? noting : { id: q.id, version: q.version, notes: q.notes || "" };
    const reply = await act("note", q.id, { notes: notes.value }, base.version);
    if (reply && reply.ok) {
      noting = null;
      setText("#notes-state", M.notes_saved);
    } else if (reply && reply.code === "question.conflict") {
      const fresh = byId.get(q.id);
      noting = { id: q.id, version: reply.params && typeof reply.params.version === "number" ? reply.params.version : fresh.version, notes: base.notes };
      setText("#notes-state", "");
    }
    schedule();
  }

  function mergeInto(id, into) {
    if (!into || into === id) return;
    act("merge", id, { into });
  }

  function mergeByCode() {
    const q = current();
    const code = $("#merge-code").value.trim().toUpperCase();
    if (!q || !code) return;
    const target = Array.from(byId.values()).find((o) => o.code === code);
    if (!target) return Live.dom.toast(fill(M.merge_unknown, { code }), "error");
    if (target.id === q.id) return Live.dom.toast(M.merge_self, "error");
    act("merge", q.id, { into: target.id }).then((r) => r && r.ok && ($("#merge-code").value = ""));
  }

  /** Ask the server for this question's likely duplicates (quietly when the person did not ask). */
  async function findSimilar(id, quiet) {
    const done = (reply) => {
      if (reply && reply.ok) {
        similar.set(id, reply.similar || []);
        schedule();
      }
    };
    if (!quiet) return done(await Live.send("question.similar", { id }));
    if (Live.socket.connected) Live.socket.timeout(5000).emit("question.similar", { id }, (err, reply) => done(err ? null : reply));
  }

  function forward() {
    const q = current();
    const department = $("#forward-dept").value;
    if (!q) return;
    if (!department) return Live.dom.toast(M.forward_pick, "error");
    act("forward", q.id, { department });
  }

  /** Move an approved question one place up or down within its theme. */
  function move(id, step) {
    const q = byId.get(id);
    if (!q) return;
    const lines = queueLines();
    const line = lines.get(lookups.themeNames.has(q.theme) ? q.theme : null) || [];
    const i = line.findIndex((x) => x.id === id);
    const j = i + step;
    if (i < 0 || j < 0 || j >= line.length) return;
    // "after" names the question it goes after; null puts it first in its theme
    const rest = line.filter((x) => x.id !== id);
    const after = j === 0 ? null : rest[j - 1].id;
    act("order", id, { after });
  }

  function select(id, show) {
    if (!id || !byId.has(id)) return;
    if (selected !== id) {
      rejectArmed = false;
      if (editing && editing.id !== id) closeEdit();
    }
    selected = id;
    if (!similar.has(id) && ACTIVE.has(byId.get(id).status)) findSimilar(id, true);
    showTab("detail");
    if (show) reveal(id);
    for (const row of feed.querySelectorAll("li[aria-selected=true]")) row.setAttribute("aria-selected", "false");
    const row = feed.querySelector(`li[data-id="${id}"]`);
    if (row) row.setAttribute("aria-selected", "true");
    schedule();
  }

  function step(delta, tick) {
    if (!order.length) return;
    let i = selected ? orderIndex.get(selected) ?? -1 : -1;
    if (i < 0) i = delta > 0 ? -1 : order.length;
    const j = Math.max(0, Math.min(order.length - 1, i + delta));
    if (tick) {
      // Shift+↑/↓: the row left and the row reached are both ticked
      if (i >= 0 && i < order.length) pick(order[i], true);
      pick(order[j], true);
    }
    select(order[j], true);
  }

  /* ---------------------------------------------------------------- many questions at once */

  /** Tick (or untick) one question for a bulk action, with the version the person saw. */
  function pick(id, on) {
    const q = byId.get(id);
    if (!q) return;
    const want = on === undefined ? !picked.has(id) : on;
    if (want && !picked.has(id)) {
      if (picked.size >= MAX_PICK) return Live.dom.toast(fill(M.pick_limit, { n: MAX_PICK.toLocaleString("vi-VN") }), "error");
      picked.set(id, q.version);
    } else if (!want) {
      picked.delete(id);
    }
    pickFrom = id;
    schedule();
  }

  /** Tick every question of the filtered list (up to the limit), or untick them when all are. */
  function pickAll() {
    if (rebuild || touched.size) renderNow(); // the list as it is now
    const listed = order.filter((id) => !left.has(id));
    const all = listed.length > 0 && listed.every((id) => picked.has(id));
    if (all) for (const id of listed) picked.delete(id);
    else {
      let room = MAX_PICK - picked.size;
      for (const id of listed) {
        if (picked.has(id)) continue;
        if (room <= 0) {
          Live.dom.toast(fill(M.pick_limit, { n: MAX_PICK.toLocaleString("vi-VN") }), "error");
          break;
        }
        picked.set(id, byId.get(id).version);
        room -= 1;
      }
    }
    schedule();
  }

  function clearPicks() {
    picked.clear();
    rejectArmed = false;
    merging = null;
    schedule();
  }

  function renderBulk() {
    for (const id of [...picked.keys()]) if (!byId.has(id)) picked.delete(id);
    const n = picked.size;
    $("#bulk").hidden = n === 0;
    setText("#bulk-n", fill(M.picked, { n: n.toLocaleString("vi-VN") }));
    $("#bulk-reasons").hidden = !(n && rejectArmed);
    $("#bulk-merge").hidden = !(n && merging);
    if (merging) {
      const into = byId.get(merging.into);
      setText("#bulk-merge-text", into ? fill(M.merge_confirm, { n: merging.ids.length, code: into.code, t: clip(into.text, 90) }) : "");
    }
    // the filtered list: the list but for the rows kept in place after leaving the filter
    const listed = order.length - left.size;
    let ticked = 0;
    for (const id of picked.keys()) if (orderIndex.has(id) && !left.has(id)) ticked += 1;
    const all = $("#pick-all");
    all.checked = listed > 0 && ticked === listed;
    all.indeterminate = ticked > 0 && ticked < listed;
    all.disabled = listed === 0;
    setText("#pick-all-label", fill(M.pick_all, { n: Math.min(listed, MAX_PICK).toLocaleString("vi-VN") }));
    renderUndo();
  }

  /** The ticked questions, each with the version the person saw when ticking it. */
  function pickedItems(ids) {
    return (ids || [...picked.keys()]).filter((id) => byId.has(id)).map((id) => ({ id, version: picked.get(id) }));
  }

  const SKIP_ORDER = ["conflict", "held", "bad_transition", "not_found", "bad_merge"];

  /** Send one bulk action; say what was done and what was skipped, and why, in words. */
  async function bulk(action, args, ids) {
    const items = pickedItems(ids);
    if (!items.length) return null;
    for (const { id } of items) busy.add(id);
    rejectArmed = false;
    merging = null;
    schedule();
    const reply = await Live.send("questions.bulk", Object.assign({ action, items }, args || {}), 30000);
    for (const { id } of items) busy.delete(id);
    if (!reply || !reply.ok) return schedule(), reply;
    for (const id of reply.done) {
      picked.delete(id);
      conflicts.delete(id);
      leaving.add(id);
      touched.add(id);
    }
    // the skipped stay ticked, now with the version shown: a second press is a deliberate one
    for (const s of reply.skipped) if (picked.has(s.id) && byId.has(s.id)) picked.set(s.id, byId.get(s.id).version);
    lastBulk = reply.bulk ? { bulk: reply.bulk, action, until: Date.now() + UNDO_SECONDS * 1000 } : null;
    showResult(reply.done.length ? fill(M.bulk_done[action] || M.bulk_done.other, { n: reply.done.length }) : M.bulk_none, reply.skipped);
    schedule();
    return reply;
  }

  function showResult(head, skipped) {
    const parts = [head];
    const by = new Map();
    for (const s of skipped || []) {
      const reason = SKIP_ORDER.includes(s.reason) ? s.reason : "bad_transition";
      if (!by.has(reason)) by.set(reason, []);
      by.get(reason).push(s.code || "—");
    }
    for (const reason of SKIP_ORDER) {
      const codes = by.get(reason);
      if (!codes) continue;
      const list = codes.slice(0, 8).join(", ") + (codes.length > 8 ? ` +${codes.length - 8}` : "");
      parts.push(fill(M.skipped[reason], { n: codes.length, codes: list }));
    }
    const box = $("#bulk-result");
    box.hidden = false;
    box.classList.toggle("has-skips", Boolean(skipped && skipped.length));
    setText("#bulk-result-text", parts.join(" "));
  }

  let undoTimer = 0;

  function renderUndo() {
    const left = lastBulk ? Math.ceil((lastBulk.until - Date.now()) / 1000) : 0;
    const button = $("#bulk-undo");
    button.hidden = left <= 0;
    setText("#bulk-undo-left", left > 0 ? fill(M.undo_left, { s: left }) : "");
    clearTimeout(undoTimer);
    if (left > 0) undoTimer = setTimeout(renderUndo, 1000);
    else lastBulk = null;
  }

  async function undo() {
    if (!lastBulk || Date.now() > lastBulk.until) return;
    const { bulk: id } = lastBulk;
    lastBulk = null;
    renderUndo();
    const reply = await Live.send("questions.undo", { bulk: id }, 30000);
    if (!reply || !reply.ok) return;
    for (const done of reply.done) {
      leaving.add(done);
      touched.add(done);
    }
    showResult(reply.done.length ? fill(M.undone, { n: reply.done.length }) : M.bulk_none, reply.skipped);
    schedule();
  }

  /** The questions an action is for: the ticked ones, else the one open in the detail. */
  function targets() {
    return picked.size ? null : current();
  }

  /* theme, department, preparation: chosen from a list filtered as you type (static/js/picker.js) */

  function choose(kind, anchor) {
    const single = targets();
    if (!picked.size && !(single && ASSIGNABLE.has(single.status))) return;
    const themes = kind === "theme";
    const items = themes ? lookups.themes : lookups.departments;
    LivePicker.open({
      anchor: anchor || (picked.size ? $(`[data-bulk=${kind}]`) : $(themes ? "#d-theme" : "#d-department")),
      label: kind === "prepare" ? M.pick_prepare : themes ? M.pick_theme : M.pick_department,
      items: items.map((i) => ({ id: i.id, name: i.name })),
      current: picked.size || kind === "prepare" ? null : themes ? single.theme || null : single.department || null,
      none: kind === "prepare" ? null : themes ? M.no_theme : M.no_department,
      placeholder: M.pick_placeholder,
      empty: M.pick_empty,
      onPick: (id) => {
        if (kind === "prepare") {
          const due = $("#bulk-due").value;
          if (picked.size) bulk("prepare", { department: id, due });
          else act("prepare", single.id, { department: id, due });
        } else {
          const args = themes ? { theme: id } : { department: id };
          if (!picked.size && (themes ? single.theme || null : single.department || null) === id) return; // unchanged
          if (picked.size) bulk("assign", args);
          else act("assign", single.id, args);
        }
      },
      onClose: () => feed.focus(),
    });
  }

  /** Merge the ticked questions into one: the one open in the detail when it is not ticked itself,
   * else the first ticked one received; asked once more before it is done. */
  function askMerge() {
    const ids = [...picked.keys()].filter((id) => byId.has(id));
    const open = current();
    let into = open && !picked.has(open.id) && ACTIVE.has(open.status) ? open.id : null;
    if (!into) {
      const first = ids.filter((id) => ACTIVE.has(byId.get(id).status)).sort((a, b) => byId.get(a).received_at - byId.get(b).received_at)[0];
      into = first || null;
    }
    const rest = ids.filter((id) => id !== into);
    if (!into || !rest.length) return Live.dom.toast(M.merge_need, "error");
    merging = { into, ids: rest };
    rejectArmed = false;
    schedule();
    requestAnimationFrame(() => $("#bulk-merge-go").focus());
  }

  /* ---------------------------------------------------------------- tabs */

  const TABS = ["detail", "queue", "floor", "roll", "agenda"];

  function showTab(name) {
    for (const t of TABS) {
      const on = t === name;
      $(`#tab-${t}`).setAttribute("aria-selected", String(on));
      $(`#tab-${t}`).tabIndex = on ? 0 : -1;
      $(`#panel-${t}`).hidden = !on;
    }
    if (name === "queue") renderQueue();
  }

  for (const t of TABS) $(`#tab-${t}`).addEventListener("click", () => showTab(t));
  $(".tabs").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const i = TABS.findIndex((t) => $(`#tab-${t}`).getAttribute("aria-selected") === "true");
    const j = (i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length;
    showTab(TABS[j]);
    $(`#tab-${TABS[j]}`).focus();
  });

  /* ---------------------------------------------------------------- questions from the floor */

  const floorForm = $("#floor-form");
  const floorSite = $("#floor-site");
  const floorSiteQ = $("#floor-site-q");
  let floorPending = null; // {id}: kept until the server acknowledges, so a retry never makes two
  let floorSending = false;

  function renderFloorSites() {
    const terms = fold(floorSiteQ.value).split(/\s+/).filter(Boolean);
    const want = `${terms.join(" ")}\u0001${lookups.siteList.map((s) => s.id).join(",")}`;
    if (floorSite.dataset.want === want) return;
    floorSite.dataset.want = want;
    const keep = floorSite.value;
    const options = lookups.siteList
      .filter((s) => {
        const key = fold(`${s.name} ${s.code}`);
        return terms.every((t) => key.includes(t));
      })
      .map((s) => el("option", { value: s.id }, s.code ? `${s.name} (${s.code})` : s.name));
    floorSite.replaceChildren(...options);
    if (options.some((o) => o.value === keep)) floorSite.value = keep;
    else if (options.length === 1) floorSite.value = options[0].value;
  }

  floorSiteQ.addEventListener("input", renderFloorSites);
  floorSiteQ.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!floorSite.value && floorSite.options.length) floorSite.value = floorSite.options[0].value;
      floorSite.focus();
    }
  });

  async function enterFromFloor() {
    if (floorSending) return; // a double click sends once
    const result = $("#floor-result");
    result.className = "floor-result";
    const payload = {
      site: floorSite.value,
      channel: floorForm.querySelector("input[name=channel]:checked").value,
      text: $("#floor-text").value,
      name: $("#floor-name").value,
      group: $("#floor-group").value || null,
      theme: $("#floor-theme").value || null,
    };
    if (!payload.site) return floorMessage(M.floor_site, "error", floorSiteQ);
    if (!payload.text.trim()) return floorMessage(M.floor_text, "error", $("#floor-text"));
    floorPending = floorPending || { id: newId() };
    payload.id = floorPending.id;
    floorSending = true;
    $("#floor-send").disabled = true;
    setText(result, M.floor_sending);
    const reply = await Live.send("question.enter", payload);
    floorSending = false;
    $("#floor-send").disabled = false;
    if (reply && reply.ok) {
      floorPending = null;
      floorMessage(fill(reply.repeated ? M.floor_repeated : M.floor_ok, { code: reply.code }), "ok");
      // the next paper from the same site is the usual case: keep the site and the channel
      for (const id of ["#floor-text", "#floor-name", "#floor-group", "#floor-theme"]) $(id).value = "";
      $("#floor-text").focus();
    } else {
      // nothing was stored under this id, or it was and the retry will say so: keep the id
      floorMessage((reply && reply.message) || Live.T.failed, "error");
    }
  }

  function floorMessage(text, kind, focus) {
    const result = $("#floor-result");
    result.className = `floor-result ${kind}`;
    setText(result, text);
    if (focus) focus.focus();
  }

  floorForm.addEventListener("submit", (e) => {
    e.preventDefault();
    enterFromFloor();
  });

  /* ---------------------------------------------------------------- events: delegated */

  feed.addEventListener("click", (e) => {
    const button = e.target.closest("[data-act=merge]");
    if (button) return mergeInto(button.dataset.id, button.dataset.into);
    const tick = e.target.closest("input.q-pick");
    if (tick) {
      // Shift+click ticks every row between the last one ticked and this one
      const id = tick.dataset.id;
      const from = orderIndex.get(pickFrom);
      const to = orderIndex.get(id);
      if (e.shiftKey && from !== undefined && to !== undefined) {
        for (let i = Math.min(from, to); i <= Math.max(from, to); i++) pick(order[i], true);
      } else pick(id, tick.checked);
      feed.focus({ preventScroll: true });
      return;
    }
    const rowAct = e.target.closest("[data-row]");
    if (rowAct) {
      select(rowAct.dataset.id, false);
      if (rowAct.dataset.row === "approve") act("approve", rowAct.dataset.id);
      else armReject();
      return;
    }
    const row = e.target.closest("li.q");
    if (row) select(row.dataset.id, false);
  });
  $("#fresh").addEventListener("click", showFresh);
  $("#pick-all").addEventListener("change", pickAll);
  $("#bulk").addEventListener("click", (e) => {
    const reason = e.target.closest("[data-bulk-reason]");
    if (reason) return bulk("reject", { reason: reason.dataset.bulkReason });
    const button = e.target.closest("[data-bulk]");
    if (!button) return;
    bulkCommand(button.dataset.bulk, button);
  });
  $("#bulk-merge-go").addEventListener("click", () => merging && bulk("merge", { into: merging.into }, merging.ids));
  $("#bulk-merge-cancel").addEventListener("click", () => {
    merging = null;
    schedule();
  });
  $("#bulk-undo").addEventListener("click", undo);

  $("#d-dups").addEventListener("click", (e) => {
    const button = e.target.closest("[data-act=merge]");
    if (button) mergeInto(button.dataset.id, button.dataset.into);
  });

  $("#queue").addEventListener("click", (e) => {
    const target = e.target.closest("[data-act]");
    if (!target || target.tagName === "SELECT") return;
    const id = target.dataset.id;
    if (target.dataset.act === "up") move(id, -1);
    else if (target.dataset.act === "down") move(id, 1);
    else if (target.dataset.act === "select") {
      select(id, true);
    }
  });
  $("#queue").addEventListener("change", (e) => {
    const target = e.target.closest("select[data-act=theme]");
    if (target) act("assign", target.dataset.id, { theme: target.value || null });
  });

  detail.addEventListener("click", (e) => {
    const button = e.target.closest("[data-do]");
    if (button && !button.disabled) doAction(button.dataset.do, button.dataset.reason);
  });
  $("#d-theme").addEventListener("click", (e) => current() && chooseFor("theme", e.currentTarget));
  $("#d-department").addEventListener("click", (e) => current() && chooseFor("department", e.currentTarget));
  editForm.addEventListener("submit", (e) => {
    e.preventDefault();
    saveEdit();
  });
  $("#edit-cancel").addEventListener("click", () => {
    closeEdit();
    schedule();
  });
  editText.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      saveEdit();
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeEdit();
      feed.focus();
      schedule();
    }
  });
  notes.addEventListener("input", () => {
    const q = current();
    if (q && !noting) noting = { id: q.id, version: q.version, notes: q.notes || "" };
    setText("#notes-state", "");
  });
  notes.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      saveNotes();
    }
  });
  $("#d-notes").addEventListener("submit", (e) => {
    e.preventDefault();
    saveNotes();
  });
  $("#merge-form").addEventListener("submit", (e) => {
    e.preventDefault();
    mergeByCode();
  });
  $("#find-similar").addEventListener("click", () => selected && findSimilar(selected, false));
  $("#forward-form").addEventListener("submit", (e) => {
    e.preventDefault();
    forward();
  });

  /* filters */
  $("#counts").addEventListener("click", (e) => {
    const chip = e.target.closest(".chip");
    if (!chip) return;
    filters.status = chip.dataset.status;
    rebuild = "filter";
    schedule();
  });
  function applySearch() {
    const typed = $("#search").value;
    if (filters.query !== typed) {
      filters.query = typed;
      rebuild = "filter";
    }
    if (rebuild) renderNow();
  }
  // the keys are made while the person starts typing, a few hundred at a time, not all on the first letter
  $("#search").addEventListener("focus", warmKeys);
  // every key filters at the next frame: keys typed within one frame (a paste, a held key) filter once
  $("#search").addEventListener("input", () => {
    filters.query = $("#search").value;
    rebuild = "filter";
    schedule();
  });
  // leaving the search (Esc, Enter, a click elsewhere) applies what was typed at once: the next key
  // acts on the list the person asked for, never on the one before
  $("#search").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Escape") applySearch();
  });
  $("#search").addEventListener("blur", applySearch);
  for (const [id, key] of [["#filter-site", "site"], ["#filter-theme", "theme"], ["#filter-department", "department"], ["#sort", "sort"]]) {
    $(id).addEventListener("change", (e) => {
      filters[key] = e.target.value;
      if (key === "sort") base = null;
      rebuild = "filter";
      schedule();
    });
  }

  /* keyboard: arrows move between questions and never change a field; letters act (on the ticked
   * questions when there are, else on the one open); nothing happens while the person types */

  function armReject() {
    const q = current();
    if (!picked.size && !(q && ACTIVE.has(q.status))) return;
    if (!picked.size) showTab("detail");
    merging = null;
    rejectArmed = true;
    schedule();
  }

  function chooseFor(kind, anchor) {
    if (!picked.size) showTab("detail");
    choose(kind, anchor);
  }

  /** One command of the bulk bar (or its key). */
  function bulkCommand(name, anchor) {
    if (!picked.size) return;
    if (name === "approve") bulk("approve");
    else if (name === "reject") armReject();
    else if (name === "theme" || name === "department" || name === "prepare") choose(name, anchor);
    else if (name === "merge") askMerge();
    else if (name === "clear") clearPicks();
  }

  // a select in the list's tools or in the queue: ↑/↓ move between questions, never change it
  // (opened with Alt+↓ or the mouse, its own list still takes the arrows)
  const ARROW_SAFE = ".feed-tools select, .feed-line select, #queue select";
  const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (window.LivePicker && LivePicker.isOpen()) return; // the picker has the keys
    const t = e.target;
    if (t && t.tagName === "SELECT" && (e.key === "ArrowDown" || e.key === "ArrowUp") && t.matches(ARROW_SAFE)) {
      e.preventDefault();
      feed.focus({ preventScroll: true });
      return step(e.key === "ArrowDown" ? 1 : -1, e.shiftKey);
    }
    if (t && (TYPING.has(t.tagName) || t.isContentEditable)) {
      if (e.key === "Escape") {
        t.blur();
        if (t.id === "search" || t.id === "bulk-due") feed.focus({ preventScroll: true });
      } else if (e.key === "Enter" && t.id === "search") {
        e.preventDefault();
        feed.focus({ preventScroll: true }); // to the list found, for the arrows and the letters
      }
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (rejectArmed && ["1", "2", "3", "4"].includes(key)) {
      e.preventDefault();
      const reason = REASONS[Number(key) - 1];
      if (picked.size) return bulk("reject", { reason });
      return doAction("reject", reason);
    }
    if (merging && key === "Enter" && (!t || t.tagName !== "BUTTON")) {
      e.preventDefault();
      return bulk("merge", { into: merging.into }, merging.ids);
    }
    const q = current();
    const many = picked.size > 0;
    const handlers = {
      ArrowDown: () => step(1, e.shiftKey),
      j: () => step(1, e.shiftKey),
      ArrowUp: () => step(-1, e.shiftKey),
      k: () => step(-1, e.shiftKey),
      Home: () => showFresh(),
      End: () => order.length && select(order[order.length - 1], true),
      "/": () => $("#search").focus(),
      Escape: () => {
        // one thing at a time: the reasons, the merge question, then the ticks
        if (rejectArmed || merging) {
          rejectArmed = false;
          merging = null;
        } else if (many) clearPicks();
        schedule();
      },
      x: () => (e.shiftKey ? pickAll() : q && pick(q.id)),
      a: () => (many ? bulk("approve") : q && doAction("approve")),
      r: armReject,
      t: () => (many ? choose("theme") : q && chooseFor("theme")),
      d: () => (many ? choose("department") : q && chooseFor("department")),
      p: () => (many ? choose("prepare") : q && chooseFor("prepare", $("#d-department"))),
      m: () => (many ? askMerge() : q && ACTIVE.has(q.status) && (showTab("detail"), ($("#d-dups button") || $("#merge-code")).focus())),
      u: undo,
      o: () => q && doAction("reopen"),
      e: () => q && doAction("edit"),
      n: () => q && (showTab("detail"), notes.focus()),
      f: () => q && QUEUED.has(q.status) && (showTab("detail"), $("#forward-dept").focus()),
    };
    const fn = handlers[key];
    if (!fn) return;
    e.preventDefault();
    fn();
  });

  /* the name that goes into the audit log, sent at the next connection (common.js reads it) */
  const me = $("#me");
  try {
    // a name typed before this script ran (a slow page) is kept, not overwritten
    if (!me.value) me.value = localStorage.getItem("live.name") || "";
  } catch (err) {
    /* storage refused (private mode): the name is typed each time */
  }
  me.addEventListener("change", () => {
    const name = me.value.trim().slice(0, 40);
    me.value = name;
    try {
      if (name) localStorage.setItem("live.name", name);
      else localStorage.removeItem("live.name");
    } catch (err) {
      return;
    }
    // the server reads the name at the handshake: connect again so it applies from now on
    if (Live.socket.connected) {
      Live.socket.disconnect();
      Live.socket.connect();
    }
  });

  /* ---------------------------------------------------------------- wiring */

  Live.socket.on("connect", load);
  Live.socket.on("resync", load); // this server process may have missed changes: load them again
  // a rehearsal began, ended or was wiped: the list is another day's now, loaded afresh (not a union)
  Live.socket.on("rehearsal.changed", () => {
    byId.clear();
    keys.clear();
    similar.clear();
    conflicts.clear();
    picked.clear();
    unseen.clear();
    base = null;
    lastBulk = null;
    selected = null;
    rebuild = "filter";
    load();
  });
  Live.socket.on("question.added", (msg) => {
    if (!msg || !accept(msg.question)) return;
    if (Array.isArray(msg.similar)) similar.set(msg.question.id, msg.similar);
    schedule();
  });
  // a question deleted at its asker's request (live/services/rights.py) leaves the console at once
  Live.socket.on("question.removed", (msg) => {
    if (!msg || typeof msg.id !== "string") return;
    forget(msg.id);
    schedule();
  });
  Live.socket.on("question.similar", (msg) => {
    // a new question's likely duplicates, found after its phone got the acknowledgement
    if (!msg || typeof msg.id !== "string" || !Array.isArray(msg.similar)) return;
    similar.set(msg.id, msg.similar);
    schedule();
  });
  // a bulk action's batch (live/services/bulk.py): up to 200 questions in one message
  Live.socket.on("questions.changed", (msg) => {
    if (!msg || !Array.isArray(msg.questions)) return;
    let any = false;
    for (const q of msg.questions) any = accept(q) || any;
    if (any) schedule();
  });
  Live.socket.on("question.changed", (msg) => {
    // the desk's view only: the MC's queue view (which carries "id" beside it) is not ours
    if (msg && accept(msg.question)) schedule();
  });
  // "me too" counts (static/js/support_counts.js): the rows in view and the detail show the new ones;
  // the list keeps its order (a row never moves under the person) until they choose a sort again
  LiveSupports.onChange((ids) => {
    if (filters.sort === "support") base = null; // the next filter or sort takes the new counts
    if (ids === null || ids.some((id) => orderIndex.has(id) || id === selected)) schedule();
  });

  const agenda = $("#agenda");
  Live.onState((snap) => {
    readLookups(snap);
    renderSelects();
    schedule();
  });
  Live.onTick((snap, now) => {
    Live.renderClock(snap, now);
    if (!$("#panel-agenda").hidden) Live.renderAgenda(agenda, snap, now, null);
  });
  // the newest questions came with the page: shown at once, before the connection is up (its load
  // then brings every page, and forgets any deleted meanwhile)
  try {
    for (const q of JSON.parse($("#mod-first").textContent)) accept(q);
    if (byId.size) {
      loadState = "partial";
      rebuild = "data";
    }
  } catch (err) {
    /* a page without them: the connection brings them */
  }
  if (Live.socket.connected) load();
  renderNow();
})();

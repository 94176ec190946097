/* The chairman's screen: the current item and its clock, the bridge point that has the floor
 * with the speaker timer, the bridge points waiting to speak (read-only: the MC gives the
 * floor), the question on screen with who asked it, who answers it, the prepared notes and the
 * department's prepared answer (marked while the secretariat has not accepted it), the next
 * questions by theme with theirs, how many questions each bridge point has had answered (so that no
 * commune is left unheard), and the agenda. */
(function () {
  "use strict";
  const { $, el, setText } = Live.dom;
  const Q = JSON.parse($("#queue-i18n").textContent);
  const NEXT_SHOWN = 5;
  const list = document.getElementById("agenda");
  const line = $("#floor-line");
  const requests = $("#floor-requests");

  function siteName(snap, id) {
    const site = (snap.sites || []).find((s) => s.id === id);
    return site ? site.name : id;
  }

  function renderFloor(snap) {
    const floor = snap.floor || { holder: null, requests: [] };
    const holder = floor.holder;
    line.hidden = !holder;
    const name = holder ? siteName(snap, holder.site) : "";
    if (line.dataset.name !== name) {
      const [before, after] = line.dataset.template.split("{site}");
      line.replaceChildren(before || "", el("strong", { class: "floor-site" }, name), after || "");
      line.dataset.name = name;
    }
    $("#floor-empty").hidden = floor.requests.length > 0;
    const want = JSON.stringify(floor.requests) + (snap.sites || []).map((s) => s.name).join("|");
    if (requests.dataset.shown === want) return;
    requests.replaceChildren(
      ...floor.requests.map((r) => {
        const li = el("li", { class: "floor-request", "data-site": r.site });
        li.appendChild(el("span", { class: "floor-name" }, siteName(snap, r.site)));
        li.appendChild(el("span", { class: "floor-at" }, requests.dataset.askedAt.replace("{t}", Live.format.time(r.at))));
        return li;
      }),
    );
    requests.dataset.shown = want;
  }

  /* ---------------------------------------------------------------- the question on screen */

  function alsoAsked(q) {
    const others = LiveQueue.sitesOf(q);
    others.delete(q.site);
    return others.size ? Q.also.replace("{sites}", [...others].map((id) => siteName(Live.state, id)).join(", ")) : "";
  }

  function renderQuestion() {
    // the projector's question (question.current) decides what is on screen; the queue adds
    // what only the chairman sees: the answering department and the prepared notes
    const current = Live.state.current_question;
    const held = LiveQueue.onScreen();
    const q = current ? (held && held.id === current.id ? held : null) : null;
    $(".chair-question").dataset.state = current ? "on" : "off";
    $("#chair-question-empty").hidden = Boolean(current);
    $("#chair-question").hidden = !current;
    setText("#question-origin", current ? current.origin || current.site_name || "" : "");
    setText("#question-text", current ? current.text : "");
    // read from the chairman's seat: the longer the question, the smaller its letters (in steps)
    const length = current ? current.text.length : 0;
    $("#question-text").dataset.length = length > 600 ? "long" : length > 250 ? "medium" : "short";
    const also = q ? alsoAsked(q) : "";
    $("#question-also").hidden = !also;
    setText("#question-also", also);
    $("#question-dept-line").hidden = !q;
    setText("#question-dept", q ? (q.department ? LiveQueue.departmentName(q.department) : Q.no_department) : "");
    $("#question-dept").classList.toggle("none", Boolean(q && !q.department));
    const notes = q && q.notes ? q.notes : "";
    $("#question-notes-box").hidden = !notes;
    setText("#question-notes", notes);
    // beside the notes, the department's prepared answer (or why it proposes a written reply)
    const prep = q && LiveQueue.prepared(q) ? q : null;
    $("#question-prep-box").hidden = !prep;
    $("#question-prep-box").dataset.state = prep ? prep.prep_state : "";
    setText("#question-prep-title", prep ? prepTitle(prep) : "");
    $("#question-prep-unreviewed").hidden = !prep || prep.prep_state === "accepted";
    setText("#question-prep", prep ? prep.prep_text : "");
  }

  function prepTitle(q) {
    const name = LiveQueue.departmentName(q.prep_department || q.department);
    return (q.prep_written ? Q.prep_written : Q.prep).replace("{d}", () => name);
  }

  /** The prepared answer of a question coming up, a few lines of it (all of it once on screen). */
  function nextPrep(q) {
    const p = el("p", { class: "next-prep", "data-state": q.prep_state });
    p.appendChild(el("span", { class: "next-prep-h" }, prepTitle(q)));
    if (q.prep_state !== "accepted") p.appendChild(el("span", { class: "prep-unreviewed" }, Q.unreviewed));
    p.appendChild(document.createTextNode(": " + q.prep_text));
    return p;
  }

  /* ---------------------------------------------------------------- the next questions */

  function nextItem(q, first) {
    const li = el("li", { class: "next-item" + (first ? " is-next" : ""), "data-id": q.id });
    const head = el("p", { class: "next-head" });
    if (first) head.appendChild(el("span", { class: "q-badge q-badge-next" }, Q.next));
    head.appendChild(el("span", { class: "next-origin" }, q.origin || siteName(Live.state, q.site)));
    const n = LiveQueue.supports(q); // "me too": how many young people want to ask it too
    if (n) head.appendChild(el("span", { class: "q-support", title: Q.supports_long.replace("{n}", n) }, Q.supports.replace("{n}", n)));
    li.appendChild(head);
    li.appendChild(el("p", { class: "next-text" }, q.text));
    const dept = q.department ? Q.department.replace("{d}", LiveQueue.departmentName(q.department)) : Q.no_department;
    li.appendChild(el("p", { class: "next-dept" + (q.department ? "" : " none") }, dept));
    if (LiveQueue.prepared(q)) li.appendChild(nextPrep(q));
    return li;
  }

  function renderNext(model) {
    const box = $("#next");
    const coming = LiveQueue.upcoming(NEXT_SHOWN);
    const waiting = model.questions.filter((q) => q.status === "approved").length;
    $("#next-empty").hidden = coming.length > 0;
    if (!model.loaded) setText("#next-empty", Q.loading);
    else if (box.dataset.empty !== undefined) setText("#next-empty", box.dataset.empty);
    const groups = LiveQueue.groups(coming).map((group) => {
      const section = el("section", { class: "next-group", "data-theme": group.key });
      section.appendChild(el("h3", { class: "next-theme" }, group.theme ? group.theme.name : Q.no_theme));
      const ol = el("ol", { class: "next-list" });
      // "Tiếp theo" is the script's next, also while the most supported are listed first
      group.questions.forEach((q) => ol.appendChild(nextItem(q, q === LiveQueue.next())));
      section.appendChild(ol);
      return section;
    });
    if (waiting > coming.length) groups.push(el("p", { class: "next-more" }, Q.more.replace("{n}", String(waiting - coming.length))));
    box.replaceChildren(...groups);
  }

  /* ---------------------------------------------------------------- answers per bridge point */

  function renderSites(model) {
    const sites = Live.state.sites || [];
    const counted = sites.map((site, i) => ({ site, i, n: model.answered[site.id] || 0 }));
    // the fewest answers first: the sites still waiting to be heard are at the top
    counted.sort((a, b) => a.n - b.n || a.i - b.i);
    const heard = counted.filter((c) => c.n > 0).length;
    setText("#sites-summary", model.loaded ? Q.summary.replace("{n}", String(heard)).replace("{total}", String(sites.length)) : Q.loading);
    $("#sites-summary").dataset.unheard = String(sites.length - heard);
    const box = $("#sites-answered");
    const want = counted.map((c) => `${c.site.id}:${c.site.name}:${c.n}`).join("|");
    if (box.dataset.shown === want) return;
    box.replaceChildren(
      ...counted.map((c) => {
        const li = el("li", { class: "site-answered" + (c.n === 0 ? " unheard" : ""), "data-site": c.site.id, "data-count": String(c.n) });
        li.appendChild(el("span", { class: "site-answered-name", title: c.site.name }, c.site.name));
        li.appendChild(el("span", { class: "site-answered-count" }, String(c.n)));
        return li;
      }),
    );
    box.dataset.shown = want;
  }

  $("#next").dataset.empty = $("#next-empty").textContent;
  Live.onState((snap) => {
    renderFloor(snap);
    renderQuestion();
    renderSites(LiveQueue.model);
  });
  LiveQueue.onChange((model) => {
    renderQuestion();
    renderNext(model);
    renderSites(model);
  });
  Live.onTick((snap, now) => {
    Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, null);
  });
})();

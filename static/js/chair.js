/* The chairman's screen: the current item and its clock, the bridge point that has the floor
 * with the speaker timer, the bridge points waiting to speak (read-only: the MC gives the
 * floor), the agenda. */
(function () {
  "use strict";
  const { $, el } = Live.dom;
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

  Live.onState(renderFloor);
  Live.onTick((snap, now) => {
    Live.renderClock(snap, now);
    Live.renderAgenda(list, snap, now, null);
  });
})();

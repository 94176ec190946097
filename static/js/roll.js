/* The roll call of the bridge points (templates/_roll.html): one cell per site, in the
 * conference's order, with a dot and words for connected or not (never colour alone), when it was
 * lost, and how many questions it sent. The list of sites comes with the state; who is connected
 * comes from "roll.get" on every (re)connection, then from each "roll.changed". */
(function () {
  "use strict";
  const root = document.getElementById("roll");
  if (!root) return;
  const { $, setText, el } = Live.dom;
  const R = JSON.parse($("#roll-i18n", root).textContent);
  const grid = $("#roll-grid", root);
  const count = $("#roll-count", root);
  const onlyLost = $("#roll-only-lost", root);
  const noneLost = $("#roll-none-lost", root);

  // site id → {connected, last_seen, questions}; null until the server has answered
  let roll = null;
  let failed = false;

  function fetchRoll() {
    Live.socket.timeout(5000).emit("roll.get", {}, (err, reply) => {
      failed = Boolean(err || !reply || !reply.ok);
      if (!failed) roll = Object.assign({}, reply.roll);
      render(Live.state);
    });
  }

  function fill(n, text) {
    return text.replace("{n}", String(n));
  }

  function describe(entry) {
    if (!entry) return "";
    if (entry.connected > 0) return entry.connected > 1 ? `${R.connected} · ${fill(entry.connected, R.screens)}` : R.connected;
    if (entry.last_seen !== null && entry.last_seen !== undefined) return R.lost_at.replace("{t}", Live.format.time(entry.last_seen));
    return R.never;
  }

  function build(sites) {
    grid.replaceChildren(
      ...sites.map((site) => {
        const li = el("li", { class: "roll-site", "data-site": site.id, "data-kind": site.kind || "" });
        const dot = el("span", { class: "roll-dot" });
        dot.setAttribute("aria-hidden", "true"); // the words next to it say the same
        li.appendChild(dot);
        li.appendChild(el("span", { class: "roll-name", title: site.name }, site.name));
        li.appendChild(el("span", { class: "roll-state" }));
        li.appendChild(el("span", { class: "roll-questions" }));
        return li;
      }),
    );
  }

  function render(snap) {
    const sites = snap.sites || [];
    const want = sites.map((s) => `${s.id}\u0000${s.name}`).join("\u0001");
    if (grid.dataset.sites !== want) {
      build(sites);
      grid.dataset.sites = want;
    }
    root.dataset.loaded = roll ? "yes" : failed ? "failed" : "no";
    let up = 0;
    let lost = 0;
    for (const li of grid.children) {
      const entry = roll ? roll[li.dataset.site] || { connected: 0, last_seen: null, questions: 0 } : null;
      const on = Boolean(entry && entry.connected > 0);
      if (on) up += 1;
      const state = !entry ? "unknown" : on ? "connected" : entry.last_seen ? "lost" : "never";
      if (li.dataset.state !== state) li.dataset.state = state;
      setText(li.querySelector(".roll-dot"), on ? "●" : "○");
      setText(li.querySelector(".roll-state"), describe(entry));
      setText(li.querySelector(".roll-questions"), entry ? fill(entry.questions || 0, R.questions) : "");
      const hide = onlyLost.checked && (on || !entry);
      if (li.hidden !== hide) li.hidden = hide;
      if (!hide && entry && !on) lost += 1;
    }
    setText(count, roll ? R.count.replace("{n}", String(up)).replace("{total}", String(sites.length)) : failed ? R.unavailable : R.loading);
    count.dataset.connected = roll ? String(up) : "";
    noneLost.hidden = !(onlyLost.checked && roll && lost === 0);
  }

  Live.socket.on("connect", fetchRoll);
  Live.socket.on("resync", fetchRoll);
  Live.socket.on("disconnect", () => {
    roll = null; // what we knew is stale until the server answers again
    render(Live.state);
  });
  Live.socket.on("roll.changed", (change) => {
    if (!roll || !change || typeof change.site !== "string") return;
    const entry = Object.assign({ connected: 0, last_seen: null, questions: 0 }, roll[change.site]);
    for (const key of ["connected", "last_seen", "questions"]) if (key in change) entry[key] = change[key];
    roll[change.site] = entry;
    render(Live.state);
  });
  onlyLost.addEventListener("change", () => render(Live.state));
  Live.onState(render);
  if (Live.socket.connected) fetchRoll();
})();

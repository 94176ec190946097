/* Asking from home: filter the communes and wards as the young person types, without diacritics
 * or case ("quang lam" finds "Xã Quảng Lâm"), by code too. The page already works without this
 * script (a GET form the server filters the same way, live/web/views/dialogue.py); each result
 * is a link to the same question form a hall's QR code opens. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const D = JSON.parse($("ask-home-data").textContent);
  const T = D.strings;
  const input = $("tim"), list = $("site-links"), count = $("result-count");

  /** As live.core.text.fold (the console's LiveSearch.fold, static/js/search.js), single spaces. */
  function fold(text) {
    return LiveSearch.fold(text).split(/\s+/).filter(Boolean).join(" ");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  const sites = D.sites.map(([id, name, code, kind]) => ({ id, name, code, kind, key: fold(name) + " " + fold(code) }));

  function item(site) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = D.ask_url.replace("SITE", encodeURIComponent(site.id));
    a.dataset.id = site.id;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = site.name;
    a.append(name);
    const meta = site.kind === "hall" ? T.hall : site.code ? fill(T.code, { code: site.code }) : "";
    if (meta) {
      const small = document.createElement("span");
      small.className = "meta";
      small.textContent = meta;
      a.append(small);
    }
    li.append(a);
    return li;
  }

  function show() {
    const typed = input.value.trim().split(/\s+/).join(" ");
    const words = fold(typed).split(" ").filter(Boolean);
    const found = sites.filter((s) => words.every((w) => s.key.includes(w)));
    const shown = found.length > D.list_limit ? found.slice(0, D.first) : found;
    list.replaceChildren(...shown.map(item));
    count.replaceChildren();
    if (!found.length) {
      const none = document.createElement("span");
      none.className = "none";
      none.textContent = fill(T.none, { q: typed });
      count.append(none);
    } else if (shown.length < found.length) {
      count.textContent = fill(T.more, { n: found.length, shown: shown.length });
    } else {
      count.textContent = fill(T.count, { n: found.length });
    }
  }

  if (!sites.length) return; // no bridge point yet: the server's sentence stays
  input.addEventListener("input", show);
  const error = $("search-error");
  if (error) input.addEventListener("input", () => error.remove(), { once: true });
})();

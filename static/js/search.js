/* The console's search (templates/moderator.html "Cách tìm", docs/guide.md): whole syllables, never a
 * piece of one, so "hoa" finds "Hoa", "Hòa" and "văn hóa" but not "kế hoạch".
 *
 * - A word typed without diacritics matches a syllable with any marks ("hoa" → hoa, hòa, hóa); typed
 *   with them, only the same marks ("hòa" → hòa, hoà; not hóa). The old and new placement of the
 *   tone ("hoà"/"hòa", "thuý"/"thúy") count as the same marks.
 * - "hoc*" is a prefix of a syllable ("học", "học sinh"); "..." a phrase (consecutive syllables).
 * - Words without a qualifier must all be found in one field (the text, the original text, the name,
 *   the code, the site, the branch, a merged asker's name or site): "quang lam" is the site Quảng Lâm,
 *   not Nam Quang asking about "việc làm".
 * - ten: (tên:) the asker's names; xa: (xã:, diem:, điểm:) the site's name or code; ma: (mã:) the
 *   tracking code. A qualifier holds every word after it, up to the next qualifier.
 * - A bare 6-character tracking code finds that question alone when the console holds it.
 *
 * Pure: LiveSearch.parse(query, heldCode) → parsed; LiveSearch.key(fields) → key (computed once per
 * question version); LiveSearch.matches(parsed, key) → boolean. */
(function (root) {
  "use strict";
  const CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/; // live/core/questions.py CODE_ALPHABET, CODE_LENGTH
  const SEPARATOR = /[^\p{L}\p{N}\p{M}]+/u;
  const MARKS = /\p{M}/gu;
  const SCOPES = new Map([["ten", "name"], ["xa", "site"], ["diem", "site"], ["ma", "code"]]);
  // the tone of "oa", "oe", "uy" closing a syllable, written on its second vowel (old style): moved to the first
  const OLD_TONE = /([ou])([aey])([\u0300\u0301\u0303\u0309\u0323])(?![\p{L}\p{N}\p{M}])/gu;
  const QUOTES = { '"': '"', "“": "”", "”": "”", "„": "“" };

  /** No diacritics, đ → d, lower case ("Học bổng" → "hoc bong"). */
  function fold(text) {
    return String(text ?? "")
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase();
  }

  /** Lower case with its marks, one spelling for the tone's place ("Hoà" → "hòa"). */
  function marked(text) {
    return String(text ?? "").toLowerCase().normalize("NFD").replace(OLD_TONE, "$1$3$2").normalize("NFC");
  }

  function split(text) {
    return String(text ?? "")
      .normalize("NFC")
      .split(SEPARATOR)
      .filter(Boolean);
  }

  /** One field as syllables: folded and marked, and the folded ones joined for a quick first look. */
  function field(text) {
    // decomposed once, then folded and marked as whole strings (word by word costs three times as
    // much over 20,000 questions)
    const d = String(text ?? "")
      .toLowerCase()
      .normalize("NFD");
    let f = d.replace(MARKS, "").replace(/đ/g, "d").split(SEPARATOR).filter(Boolean);
    let k = d.replace(OLD_TONE, "$1$3$2").normalize("NFC").split(SEPARATOR).filter(Boolean);
    if (f.length !== k.length) {
      // a word of marks alone folded to nothing: word by word, so that the two lists stay side by side
      const words = split(text);
      f = words.map(fold);
      k = words.map(marked);
    }
    // joined by Array.join, a flat string: a concatenation would be flattened by the first search
    return { f, k, joined: ["", ...f, ""].join(" "), kjoined: ["", ...k, ""].join(" ") };
  }

  const siteFields = new Map(); // the same few thousand sites for every question

  function siteField(text) {
    let held = siteFields.get(text);
    if (!held) {
      if (siteFields.size > 10000) siteFields.clear();
      held = field(text);
      siteFields.set(text, held);
    }
    return held;
  }

  /**
   * The searchable key of a question, from plain values: text, original, name, code, site (id),
   * siteName, branch, origins [{name, site, siteName}] (the askers merged into it).
   */
  function key(q) {
    const origins = Array.isArray(q.origins) ? q.origins.filter((o) => o && typeof o === "object") : [];
    const names = [q.name, ...origins.map((o) => o.name)].filter(Boolean).map(field);
    const sites = [
      [q.siteName, q.site],
      ...origins.map((o) => [o.siteName, o.site]),
    ]
      .filter(([name, id]) => name || id)
      .map(([name, id]) => siteField(`${name || ""} ${id || ""}`));
    const code = String(q.code || "").toUpperCase();
    const others = [q.text, q.original, code, q.branch].filter(Boolean).map(field);
    const all = [...others, ...names, ...sites];
    // every field in one string (joined, so flat): a word found nowhere is refused in one look
    return { code, names, sites, all, everything: all.map((fld) => fld.joined).join("") };
  }

  function term(words, prefix) {
    const parts = words.map((w) => {
      const f = fold(w);
      const k = marked(w);
      return { f, k: k === f ? null : k };
    });
    const last = parts.length - 1;
    const needle = ` ${parts.map((p) => p.f).join(" ")}${prefix ? "" : " "}`;
    // every word typed with its marks: the marked syllables joined answer alone
    const all = parts.every((p) => p.k !== null);
    const kneedle = all ? ` ${parts.map((p) => p.k).join(" ")}${prefix ? "" : " "}` : null;
    return { parts, prefix, needle, kneedle, last, bare: parts.every((p) => p.k === null) };
  }

  /**
   * The query typed → {groups: [{scope, terms, codes}]}; ``heldCode(code)`` says whether the
   * console holds a question with that tracking code (then a bare code finds it alone).
   */
  function parse(query, heldCode) {
    const text = String(query ?? "").normalize("NFC");
    const groups = [];
    let group = null;
    const into = (scope) => {
      group = { scope, terms: [], codes: [] };
      groups.push(group);
    };
    const add = (token, quoted) => {
      const prefix = /\*+$/.test(token);
      const words = split(token.replace(/\*+$/, ""));
      if (!words.length) return;
      if (!group) into("all");
      const upper = words.length === 1 && !prefix && !quoted ? words[0].toUpperCase() : "";
      if (group.scope === "code") {
        group.codes.push(words.join("").toUpperCase());
      } else if (upper && CODE.test(upper) && group.scope === "all" && heldCode && heldCode(upper)) {
        group.codes.push(upper);
      } else {
        group.terms.push(term(words, prefix));
      }
    };
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (/\s/u.test(c)) {
        i += 1;
      } else if (c in QUOTES) {
        const end = text.indexOf(QUOTES[c], i + 1);
        const stop = end < 0 ? text.length : end;
        add(text.slice(i + 1, stop), true);
        i = stop + 1;
      } else {
        let j = i;
        while (j < text.length && !/\s/u.test(text[j]) && !(text[j] in QUOTES)) j += 1;
        const token = text.slice(i, j);
        const colon = token.indexOf(":");
        const scope = colon > 0 ? SCOPES.get(fold(token.slice(0, colon))) : undefined;
        if (scope) {
          into(scope);
          add(token.slice(colon + 1), false);
        } else {
          add(token, false);
        }
        i = j;
      }
    }
    const kept = groups.filter((g) => g.terms.length || g.codes.length);
    return { groups: kept, empty: kept.length === 0 };
  }

  function partMatches(p, f, k, prefix) {
    if (prefix ? !f.startsWith(p.f) : f !== p.f) return false;
    return p.k === null || (prefix ? k.startsWith(p.k) : k === p.k);
  }

  function termIn(t, fld) {
    if (!fld.joined.includes(t.needle)) return false;
    if (t.kneedle !== null) return fld.kjoined.includes(t.kneedle);
    if (t.bare) return true;
    const n = t.parts.length;
    for (let i = 0; i + n <= fld.f.length; i++) {
      let ok = true;
      for (let j = 0; j < n && ok; j++) ok = partMatches(t.parts[j], fld.f[i + j], fld.k[i + j], t.prefix && j === t.last);
      if (ok) return true;
    }
    return false;
  }

  function inField(terms, fld) {
    for (const t of terms) if (!termIn(t, fld)) return false;
    return true;
  }

  function groupMatches(g, k) {
    for (const c of g.codes) if (c !== k.code) return false;
    if (!g.terms.length) return true;
    for (const t of g.terms) if (!k.everything.includes(t.needle)) return false;
    const fields = g.scope === "name" ? k.names : g.scope === "site" ? k.sites : k.all;
    for (const fld of fields) if (inField(g.terms, fld)) return true;
    return false;
  }

  /** Whether the question whose key is ``k`` answers the parsed query (an empty query: every one). */
  function matches(parsed, k) {
    for (const g of parsed.groups) if (!groupMatches(g, k)) return false;
    return true;
  }

  root.LiveSearch = Object.freeze({ fold, marked, parse, key, matches });
})(window);

/* A list filtered as you type (issue 25 item 3): the console's theme and department are chosen by
 * typing a few words without diacritics ("y te" → Sở Y tế) and confirmed with Enter, never by an
 * arrow key alone as a native <select> does.
 *
 * LivePicker.open({anchor, label, items: [{id, name}], current, none, placeholder, empty, onPick, onClose})
 * pops a dialog up below ``anchor``: a combobox input over a listbox. Each word typed must begin a
 * word of an item's name, in any order, diacritics or not (LiveSearch.fold, static/js/search.js).
 * ↑ ↓ Home End move the active option; Enter or a click picks it (onPick(id), then onClose());
 * Esc, Tab or a click outside close without picking (onClose() alone). The focus returns to
 * ``anchor`` (a click outside then puts it where it would anyway). Every text shown comes from the
 * options: the console passes its translated strings. */
(function (root) {
  "use strict";
  const WORD = /[^\p{L}\p{N}]+/u;
  const GAP = 4; // px between the anchor and the popup
  const MARGIN = 8; // px kept free at the window's edges
  const ROOM_BELOW = 280; // px, the input and some seven rows: with less below (and more above), it opens above
  let serial = 0;
  let shown = null; // the picker open now: {options, box, input, list, empty, entries, matches, active}

  function words(text) {
    return root.LiveSearch.fold(text).split(WORD).filter(Boolean);
  }

  /** Whether every word typed begins some word of the entry's name. */
  function matches(typed, entry) {
    return typed.every((w) => entry.words.some((own) => own.startsWith(w)));
  }

  function make(tag, props, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function optionOf(node) {
    const option = node instanceof Element ? node.closest("[role=option]") : null;
    return option && shown && shown.list.contains(option) ? shown.entries[Number(option.dataset.index)] : null;
  }

  function filter() {
    const typed = words(shown.input.value);
    shown.matches = shown.entries.filter((entry) => matches(typed, entry));
    // typed words: the first real match (not "none" unless alone); nothing typed: the current one
    const start = typed.length
      ? shown.matches.find((entry) => !entry.none) || shown.matches[0]
      : shown.matches.find((entry) => entry.current) || shown.matches[0];
    render(start || null);
  }

  function render(active) {
    const { list, input, empty } = shown;
    shown.active = active;
    list.replaceChildren(
      ...shown.matches.map((entry) => {
        entry.node.setAttribute("aria-selected", entry === active ? "true" : "false");
        return entry.node;
      }),
    );
    list.hidden = shown.matches.length === 0;
    empty.hidden = shown.matches.length !== 0;
    if (active) input.setAttribute("aria-activedescendant", active.node.id);
    else input.removeAttribute("aria-activedescendant");
    if (active) reveal(active.node);
  }

  /** Scroll the list (and nothing else: the popup is fixed over the page) to show ``node``. */
  function reveal(node) {
    const list = shown.list;
    const top = node.offsetTop;
    const bottom = top + node.offsetHeight;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
  }

  function move(to) {
    const list = shown.matches;
    if (!list.length) return;
    const at = to === "first" ? 0 : to === "last" ? list.length - 1 : list.indexOf(shown.active) + to;
    render(list[Math.min(list.length - 1, Math.max(0, at))]);
  }

  /** Below the anchor, inside the window; above it when the room below is too small. */
  function place() {
    const { box, options } = shown;
    const rect = options.anchor.getBoundingClientRect();
    const width = Math.min(Math.max(rect.width, 320), window.innerWidth - 2 * MARGIN);
    box.style.width = `${width}px`;
    box.style.left = `${Math.max(MARGIN, Math.min(rect.left, window.innerWidth - MARGIN - width))}px`;
    const below = window.innerHeight - rect.bottom - GAP - MARGIN;
    const above = rect.top - GAP - MARGIN;
    if (below >= ROOM_BELOW || below >= above) {
      box.style.top = `${rect.bottom + GAP}px`;
      box.style.bottom = "";
      box.style.maxHeight = `${Math.max(below, 0)}px`;
    } else {
      // anchored by its bottom edge, so that a shorter list shrinks towards the anchor
      box.style.top = "";
      box.style.bottom = `${window.innerHeight - rect.top + GAP}px`;
      box.style.maxHeight = `${above}px`;
    }
  }

  function onKey(e) {
    if (e.isComposing || e.keyCode === 229) return; // an input method still composing the word
    const moves = { ArrowDown: 1, ArrowUp: -1, Home: "first", End: "last", PageDown: 10, PageUp: -10 };
    if (e.key in moves) {
      e.preventDefault();
      e.stopPropagation();
      move(moves[e.key]);
    } else if (e.key === "Enter") {
      e.preventDefault();
      e.stopPropagation();
      if (shown.active) finish(true, shown.active.id);
    } else if (e.key === "Escape") {
      // the console's own Escape (leave the field, disarm the rejection) must not run as well
      e.preventDefault();
      e.stopPropagation();
      finish(false);
    } else if (e.key === "Tab") {
      finish(false); // not prevented: Tab then goes on from the anchor to the next field
    }
  }

  function onPointerOutside(e) {
    if (shown && !shown.box.contains(e.target)) finish(false);
  }

  function onFocusOut(e) {
    // focus gone elsewhere (a click outside, a script): closed without picking, the focus left there
    if (shown && e.relatedTarget && !shown.box.contains(e.relatedTarget)) finish(false);
  }

  function onScroll(e) {
    if (shown && !shown.box.contains(e.target)) place();
  }

  /** Close, ``picked`` or not; the focus, if it was inside, goes back to the anchor. */
  function finish(picked, id) {
    if (!shown) return;
    const { options, box } = shown;
    const focus = box.contains(document.activeElement);
    shown = null;
    document.removeEventListener("pointerdown", onPointerOutside, true);
    document.removeEventListener("scroll", onScroll, true);
    window.removeEventListener("resize", place);
    box.remove();
    if (focus && options.anchor.isConnected) options.anchor.focus();
    try {
      if (picked && typeof options.onPick === "function") options.onPick(id);
    } finally {
      if (typeof options.onClose === "function") options.onClose();
    }
  }

  /** Open the picker (closing one already open); see the comment at the top for ``options``. */
  function open(options) {
    close();
    const n = ++serial;
    const headId = `live-picker-${n}-label`;
    const listId = `live-picker-${n}-list`;
    const box = make("div", { class: "picker", role: "dialog", "aria-labelledby": headId });
    const head = make("p", { class: "picker-label", id: headId }, options.label || "");
    const input = make("input", {
      class: "picker-input",
      type: "text",
      role: "combobox",
      autocomplete: "off",
      spellcheck: "false",
      "aria-autocomplete": "list",
      "aria-expanded": "true",
      "aria-controls": listId,
      "aria-labelledby": headId,
    });
    if (options.placeholder) input.placeholder = options.placeholder;
    const list = make("ul", { class: "picker-list", id: listId, role: "listbox", "aria-labelledby": headId });
    const empty = make("p", { class: "picker-empty", role: "status" }, options.empty || "");
    empty.hidden = true;

    const choices = (options.none ? [{ id: null, name: options.none, none: true }] : []).concat(
      Array.from(options.items || [], (item) => ({ id: item.id, name: String(item.name ?? "") })),
    );
    const current = options.current ?? null;
    const entries = choices.map((choice, index) => {
      const isCurrent = choice.none ? current === null : current !== null && String(choice.id) === String(current);
      const node = make("li", {
        class: `picker-option${choice.none ? " picker-none" : ""}${isCurrent ? " picker-current" : ""}`,
        id: `live-picker-${n}-option-${index}`,
        role: "option",
        "aria-selected": "false",
        "data-index": String(index),
      });
      node.append(
        make("span", { class: "picker-check", "aria-hidden": "true" }, isCurrent ? "✓" : ""),
        make("span", { class: "picker-name" }, choice.name),
      );
      const none = Boolean(choice.none);
      return { id: choice.id, name: choice.name, none, current: isCurrent, words: words(choice.name), node };
    });

    box.append(head, input, list, empty);
    // a press inside keeps the focus in the input (an option is picked by the click that follows)
    box.addEventListener("mousedown", (e) => {
      if (e.target !== input) e.preventDefault();
    });
    list.addEventListener("click", (e) => {
      const entry = optionOf(e.target);
      if (entry) finish(true, entry.id);
    });
    input.addEventListener("input", filter);
    input.addEventListener("keydown", onKey);
    box.addEventListener("focusout", onFocusOut);

    shown = { options, box, input, list, empty, entries, matches: entries, active: null };
    document.body.append(box);
    document.addEventListener("pointerdown", onPointerOutside, true);
    document.addEventListener("scroll", onScroll, true);
    window.addEventListener("resize", place);
    place();
    filter();
    input.focus();
  }

  /** Close the picker open now, if any, without picking (its onClose is called). */
  function close() {
    finish(false);
  }

  function isOpen() {
    return shown !== null;
  }

  root.LivePicker = Object.freeze({ open, close, isOpen });
})(window);

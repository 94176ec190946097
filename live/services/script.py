"""The script (kịch bản) read from the day: the MC's lines per agenda item, the script page's
themes, and the three documents (live/formats/script.py).

The MC's lines are one document, ``mc-lines``: ``{"lines": {agenda item id: text}, "set_at", "by"}``,
replaced whole by the admin. The script itself is no document of its own: it is the questions
selected into it (``script``), in the queue's order (``rank``), changed through ``Desk.act``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from live.core import questions
from live.core.errors import DomainError
from live.core.text import clean, fold
from live.formats import script as documents

log = logging.getLogger("live.script")

KEY = "mc-lines"
LINE_LIMIT = documents.LINE_LIMIT
OTHERS_SHOWN = 20  # the approved questions outside the script shown per theme; a search finds the rest
SEARCH_LIMIT = 200
QUEUE = documents.IN_SCRIPT


# ---------------------------------------------------------------- the MC's lines


def lines(store) -> dict[str, str]:
    """agenda item id → the MC's lines for it (items without lines are absent)."""
    found = (store.get(KEY) or {}).get("lines")
    return dict(found) if isinstance(found, dict) else {}


def save_lines(store, typed: Mapping[str, object], agenda: list[dict], *, now: float, by: str) -> dict[str, str]:
    """Replace the MC's lines with ``typed`` (agenda item id → text): each cleaned (NFC, line
    breaks kept), at most ``LINE_LIMIT`` characters; blank ones dropped. An item the agenda no
    longer has is refused, so is a line too long: nothing is stored then."""
    items = {item["id"]: item for item in agenda}
    kept: dict[str, str] = {}
    for ident, raw in typed.items():
        if ident not in items:
            raise DomainError("script.unknown_item")
        text = clean(raw if isinstance(raw, str) else "", multiline=True)
        text = re.sub(r"\n{3,}", "\n\n", text)
        if len(text) > LINE_LIMIT:
            raise DomainError("script.line_too_long", item=items[ident]["title"][:80], limit=LINE_LIMIT)
        if text:
            kept[ident] = text
    doc = {"lines": kept, "set_at": now, "by": by}
    store.transact((KEY,), lambda _docs: {KEY: doc})
    log.info("mc lines saved items=%d", len(kept))
    return kept


def agenda_rows(day) -> list[dict]:
    """The agenda as the admin edits the MC's lines: id, title, start, duration, the lines."""
    doc = day.conference() or {}
    said = lines(day.store)
    rows = documents.agenda(doc, said)
    return [
        {
            "id": item["id"],
            "title": row.title,
            "start": row.start,
            "minutes": row.minutes,
            "line": said.get(item["id"], ""),
        }
        for item, row in zip(doc.get("agenda", []), rows, strict=True)
    ]


# ---------------------------------------------------------------- the script page


def _card(question: dict, names: documents.Names, number: int | None = None) -> dict:
    shown = documents.entry(question, number or 0, names)
    return {
        "id": question["id"],
        "code": question["code"],
        "version": question["version"],
        "text": question["text"],
        "status": question["status"],
        "origin": shown.origin,
        "asker": shown.asker,
        "department": shown.department,
        "prep_state": question.get("prep_state"),
        "number": number,
    }


def _matches(card: dict, needle: str) -> bool:
    return needle in fold(card["text"]) or needle in fold(card["origin"]) or needle == fold(card["code"])


def board(day, search: str = "") -> dict:
    """The script page: per theme (the conference's order, no theme last) the script's questions
    in order, each with the ``after`` its up and down buttons send (``order``), then the other
    approved questions (at most ``OTHERS_SHOWN``, or those ``search`` finds) and how many wait
    for approval."""
    doc = day.conference() or {}
    names = documents.Names.of(doc)
    themes = names.themes
    everything = day.desk.all()
    needle = fold(clean(search[:SEARCH_LIMIT]))
    groups = {ident: {"script": [], "others": [], "received": 0} for ident in [*themes, None]}
    waiting = [q for q in everything if q["status"] in QUEUE]
    number = 0
    for theme, items in documents.by_theme(doc, waiting):
        group = groups[theme]
        for q in (q for q in items if q.get("script")):
            number += 1
            card = _card(q, names, number)
            # the queue line of its theme as Desk._rank_after sees it (an unknown theme id is a
            # line of its own, though shown under "Chưa phân nhóm")
            line = [x for x in items if x.get("theme") == q.get("theme")]
            chosen = [x for x in line if x.get("script")]
            i = chosen.index(q)
            if i > 0:  # up: after the question just before the previous one of the script
                j = line.index(chosen[i - 1])
                card["up"] = line[j - 1]["id"] if j > 0 else ""
            if i + 1 < len(chosen):  # down: after the next one of the script
                card["down"] = chosen[i + 1]["id"]
            group["script"].append(card)
        others = [_card(q, names) for q in items if not q.get("script")]
        group["others_total"] = len(others)
        if needle:
            others = [c for c in others if _matches(c, needle)]
        group["others_found"] = len(others)
        group["others"] = others[:OTHERS_SHOWN]
    for q in everything:
        if q["status"] == questions.RECEIVED:
            groups[q.get("theme") if q.get("theme") in themes else None]["received"] += 1
    out = []
    for ident, group in groups.items():
        group.setdefault("others_total", 0)
        group.setdefault("others_found", 0)
        if ident is None and not (group["script"] or group["others_total"] or group["received"]):
            continue  # no "Chưa phân nhóm" section when every question has a theme
        out.append({"id": ident or "", "name": themes.get(ident) if ident else None, **group})
    return {"themes": out, "count": number, "searched": bool(needle)}


def departments_with_questions(day) -> list[dict]:
    """The conference's departments that have questions to prepare or answer, in its order."""
    doc = day.conference() or {}
    everything = day.desk.all()
    return [
        {"id": d["id"], "name": d["name"]}
        for d in doc.get("departments", [])
        if any(documents.belongs_to(q, d["id"]) for q in everything)
    ]


# ---------------------------------------------------------------- the documents


def script_docx(day, kind: str = documents.SCRIPT) -> bytes:
    """The script (with the MC's lines) or the chairman's pack, as a .docx file."""
    plan = documents.script_outline(day.conference(), lines(day.store), day.desk.all(), kind)
    return documents.render(plan, day.now())


def department_docx(day, department: str) -> bytes:
    """A department's pack, as a .docx file; an unknown department is refused."""
    if department not in {d["id"] for d in (day.conference() or {}).get("departments", [])}:
        raise DomainError("question.bad_department")
    return documents.render(documents.department_outline(day.conference(), department, day.desk.all()), day.now())


def slug(text: str) -> str:
    """A file name's part without diacritics: "Sở Giáo dục và Đào tạo" → "so-giao-duc-va-dao-tao"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "hoi-nghi"


def file_name(day, stem: str) -> str:
    """``kich-ban-hoi-nghi-doi-thoai-2025.docx``: ASCII, named by the conference's year."""
    date = (day.conference() or {}).get("date") or ""
    year = f"-{date[:4]}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else ""
    return f"{stem}-hoi-nghi-doi-thoai{year}.docx"

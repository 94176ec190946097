"""The script (kịch bản) of the conference and its two packs, as Word documents.

The Youth Union secretary selects approved questions into the script and orders them within each
theme (``question.script`` and ``question.order``: the script's order is the MC's queue order).
Three documents come out of it, in the layout of the conclusion notice (Decree 30/2020: A4, Times
New Roman 14, the same margins and header, ``live/formats/notice.py``):

- the script: the agenda with start times and durations and the MC's lines under each item, then
  for each theme the selected questions with their site and group, the department that answers
  and the prepared answer;
- the chairman's briefing pack: the same without the MC's lines, with the secretariat's notes;
- a department's pack: the questions it prepares or answers, each with its due date, its state
  and what it has prepared so far.

Pure code: ``script_outline``, ``department_outline`` say what a document holds; ``render`` lays it
out with python-docx. The documents are Vietnamese whatever the screen's language (official papers).
A name is read aloud only with its asker's consent; a group only with its own consent.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from live.core import questions
from live.core.conference import planned_starts
from live.formats.notice import DOTS, TEXT_MM, Writer, iso_date, issuer_lines, masthead, xml_safe

SCRIPT, CHAIR, DEPARTMENT = "script", "chair", "department"
IN_SCRIPT = (questions.APPROVED, questions.ON_SCREEN)  # the script is the MC's queue: Desk.QUEUE_STATUSES
NO_THEME = "Chưa phân nhóm"
LINE_LIMIT = 2000  # one agenda item's MC lines
# a prepared answer's state, as the packs say it (live/core/questions.py PREP_STATES)
PREP_STATES = {
    questions.ASSIGNED: "đã giao, chưa có trả lời",
    questions.PREPARED: "chờ tổ thư ký duyệt",
    questions.WRITTEN: "cơ quan đề nghị trả lời bằng văn bản",
    questions.ACCEPTED: "đã duyệt",
    questions.RETURNED: "trả lại để sửa",
}
STATUSES = {
    questions.RECEIVED: "chờ duyệt",
    questions.APPROVED: "đã duyệt",
    questions.ON_SCREEN: "đang trình chiếu",
    questions.ANSWERED: "đã trả lời tại hội nghị",
    questions.FORWARDED: "chuyển trả lời bằng văn bản",
}
TITLES = {
    SCRIPT: "KỊCH BẢN",
    CHAIR: "TÀI LIỆU PHỤC VỤ CHỦ TỊCH",
    DEPARTMENT: "TÀI LIỆU CHUẨN BỊ TRẢ LỜI",
}


@dataclass(frozen=True)
class AgendaRow:
    """One agenda item: when it starts (HH:MM, or "" without a start time), how long, the MC's lines."""

    start: str
    minutes: str  # "15 phút", "1,5 phút"
    title: str
    line: str


@dataclass(frozen=True)
class Entry:
    """One question as a document reads it."""

    number: int
    code: str
    text: str
    origin: str  # "Xã Quảng Lâm — học sinh, sinh viên"; the duplicates' sites after "cùng ý kiến"
    asker: str  # the name, only with its asker's consent
    theme: str
    department: str
    prepared: str
    prep_state: str
    written: bool  # the department proposes a written reply instead: ``prepared`` says why
    notes: str = ""
    status: str = ""
    due: str = ""  # dd/mm/yyyy: the due date of the prepared answer
    deadline: str = ""  # dd/mm/yyyy: the deadline of a written reply


@dataclass(frozen=True)
class Outline:
    """What one document says, before it is laid out."""

    kind: str  # SCRIPT, CHAIR or DEPARTMENT
    issuer: list[str]
    place: str
    year: str
    title: str  # the conference's title
    about: list[str]  # theme, time, venue lines under the title
    agenda: list[AgendaRow] = field(default_factory=list)
    themes: list[tuple[str, list[Entry]]] = field(default_factory=list)
    department: str = ""  # a department's pack: whose
    entries: list[Entry] = field(default_factory=list)  # a department's pack: its questions


# ---------------------------------------------------------------- what the documents say


def _duration(minutes: float) -> str:
    text = f"{minutes:g}".replace(".", ",")
    return f"{text} phút"


def agenda(doc: Mapping | None, lines: Mapping[str, str] | None) -> list[AgendaRow]:
    """The agenda with each item's start time worked out from the conference's start time and the
    durations before it, and the MC's lines of each item."""
    doc, lines = dict(doc or {}), lines or {}
    starts, _end = planned_starts(doc)
    return [
        AgendaRow(
            start=start,
            minutes=_duration(item.get("minutes") or 0),
            title=item.get("title", ""),
            line=lines.get(item.get("id"), "") or "",
        )
        for item, start in zip(doc.get("agenda", []), starts, strict=True)
    ]


def in_script(found: Sequence[dict]) -> list[dict]:
    """The script's questions in the MC's queue statuses."""
    return [q for q in found if q.get("script") and q.get("status") in IN_SCRIPT]


def by_theme(doc: Mapping | None, found: Sequence[dict]) -> list[tuple[str | None, list[dict]]]:
    """``found`` grouped by theme in the conference's order (a question without a known theme
    last, under None), each group in the queue's order: rank, then id (live/services/desk.py)."""
    themes = [t["id"] for t in (doc or {}).get("themes", [])]
    groups: dict[str | None, list[dict]] = {}
    for q in found:
        groups.setdefault(q.get("theme") if q.get("theme") in themes else None, []).append(q)
    ordered = [(t, groups[t]) for t in themes if t in groups]
    if None in groups:
        ordered.append((None, groups[None]))
    for _theme, items in ordered:
        items.sort(key=lambda q: (q.get("rank") or 0, q["id"]))
    return ordered


def origin(question: Mapping, site_names: Mapping[str, str]) -> str:
    """Where a question came from as it is read aloud: its site, its group with consent, and the
    sites of the same questions merged into it."""

    def one(q: Mapping) -> str:
        return questions.public_origin(site_names.get(q.get("site"), q.get("site") or ""), dict(q))

    mine = one(question)
    others = [o for o in dict.fromkeys(one(o) for o in question.get("origins") or []) if o and o != mine]
    return f"{mine}; cùng ý kiến: {', '.join(others)}" if others else mine


def _date(iso: str | None) -> str:
    date = iso_date(iso)
    return date.strftime("%d/%m/%Y") if date else ""


@dataclass(frozen=True)
class Names:
    """The conference's names by id: sites, themes, departments."""

    sites: dict[str, str]
    themes: dict[str, str]
    departments: dict[str, str]

    @classmethod
    def of(cls, doc: Mapping | None) -> Names:
        doc = doc or {}
        return cls(
            sites={s["id"]: s["name"] for s in doc.get("sites", [])},
            themes={t["id"]: t["name"] for t in doc.get("themes", [])},
            departments={d["id"]: d["name"] for d in doc.get("departments", [])},
        )


def entry(question: Mapping, number: int, names: Names, *, notes: bool = False, asker: bool = True) -> Entry:
    """One question as the documents read it: the name only with its asker's consent, and only
    where ``asker`` (read aloud in the hall; a department never gets it, as on its page)."""
    department = question.get("department") or question.get("prep_department") or ""
    name = question.get("name") or ""
    return Entry(
        number=number,
        code=question.get("code", ""),
        text=question.get("text", ""),
        origin=origin(question, names.sites),
        asker=name if asker and name and questions.consented(dict(question), "name") else "",
        theme=names.themes.get(question.get("theme"), NO_THEME),
        department=names.departments.get(department, department),
        prepared=question.get("prep_text") or "",
        prep_state=PREP_STATES.get(question.get("prep_state"), ""),
        written=bool(question.get("prep_written")),
        notes=(question.get("notes") or "") if notes else "",
        status=STATUSES.get(question.get("status"), ""),
        due=_date(question.get("prep_due")),
        deadline=_date(question.get("deadline")) if question.get("status") == questions.FORWARDED else "",
    )


def _head(doc: Mapping | None) -> dict:
    doc = doc or {}
    issuer, place, _level = issuer_lines(doc.get("organiser") or "")
    date = iso_date(doc.get("date"))
    about = []
    if (doc.get("theme") or "").strip():
        about.append(f"Chủ đề: “{doc['theme'].strip()}”")
    when = ", ".join(x for x in (doc.get("start_time") or "", f"ngày {date.strftime('%d/%m/%Y')}" if date else "") if x)
    if when:
        about.append(f"Thời gian: {when}")
    if (doc.get("venue") or "").strip():
        about.append(f"Địa điểm: {doc['venue'].strip()}")
    return {
        "issuer": issuer,
        "place": place or DOTS,
        "year": str(date.year) if date else DOTS,
        "title": " ".join((doc.get("title") or "Hội nghị đối thoại với thanh niên").split()),
        "about": about,
    }


def script_outline(
    doc: Mapping | None, lines: Mapping[str, str] | None, found: Sequence[dict], kind: str = SCRIPT
) -> Outline:
    """The script (``SCRIPT``: with the MC's lines) or the chairman's pack (``CHAIR``: without
    them, with the secretariat's notes) of this conference."""
    if kind not in (SCRIPT, CHAIR):
        raise ValueError(kind)
    names = Names.of(doc)
    groups, number = [], 0
    for theme, items in by_theme(doc, in_script(found)):
        entries = []
        for q in items:
            number += 1
            entries.append(entry(q, number, names, notes=kind == CHAIR))
        groups.append((names.themes[theme] if theme is not None else NO_THEME, entries))
    rows = agenda(doc, lines if kind == SCRIPT else None)
    return Outline(kind=kind, agenda=rows, themes=groups, **_head(doc))


def belongs_to(question: Mapping, department: str) -> bool:
    """Whether ``question`` is ``department``'s to prepare or to answer (on the day or in writing)."""
    if question.get("status") in (questions.REJECTED, questions.MERGED):
        return False
    return department in (question.get("prep_department"), question.get("department"))


def department_outline(doc: Mapping | None, department: str, found: Sequence[dict]) -> Outline:
    """A department's pack: its questions, the nearest due date first, each with what it prepared."""
    names = Names.of(doc)
    mine = [q for q in found if belongs_to(q, department)]
    far = "9999-99-99"
    mine.sort(key=lambda q: (q.get("prep_due") or q.get("deadline") or far, q.get("code", "")))
    entries = [entry(q, n, names, asker=False) for n, q in enumerate(mine, start=1)]
    name = names.departments.get(department, department)
    return Outline(kind=DEPARTMENT, department=name, entries=entries, **_head(doc))


# ---------------------------------------------------------------- layout


class _Script(Writer):
    """The notice's writer, with a ruled table for the agenda."""

    def grid(self, widths_mm: Sequence[float], rows: int):
        """A table with single borders and fixed column widths; its rows' cells, emptied."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        table = self.document.add_table(rows=rows, cols=len(widths_mm))
        if self._last is not None:
            self._last.addnext(table._tbl)
        self._last = table._tbl
        table.autofit = False
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            edge = OxmlElement(f"w:{side}")
            for name, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
                edge.set(qn(name), value)
            borders.append(edge)
        table._tbl.tblPr.append(borders)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        out = []
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
                cell._tc.remove(cell.paragraphs[0]._p)
            out.append(row.cells)
        return out


def _header(w: _Script, plan: Outline) -> None:
    """The issuing body | the national motto and the place-and-date line, as on the notice."""
    masthead(w, plan.issuer, plan.place, plan.year)
    w.paragraph([(TITLES[plan.kind], "b")], align="center", indent=False, before=18)
    w.paragraph([(plan.title, "b")], align="center", indent=False, before=0)
    if plan.kind == DEPARTMENT:
        w.paragraph([(f"Cơ quan: {plan.department}", "b")], align="center", indent=False, before=0)
    w.rule(None, 45, TEXT_MM, before=2)
    for line in plan.about:
        w.paragraph(line, align="center", indent=False, before=0)


def _agenda(w: _Script, plan: Outline) -> None:
    w.paragraph([("I. CHƯƠNG TRÌNH", "b")], keep=True, before=12)
    if not plan.agenda:
        w.paragraph("Hội nghị chưa có chương trình.")
        return
    widths = (22.0, 27.0, TEXT_MM - 49.0)
    cells = w.grid(widths, len(plan.agenda) + 1)
    cell = {"size": 13, "indent": False, "before": 2, "after": 2}
    for where, text in zip(cells[0], ("Thời gian", "Thời lượng", "Nội dung"), strict=True):
        w.paragraph([(text, "b")], where=where, align="center", **cell)
    for row, item in zip(cells[1:], plan.agenda, strict=True):
        w.paragraph(item.start or DOTS, where=row[0], align="center", **cell)
        w.paragraph(item.minutes, where=row[1], align="center", **cell)
        w.paragraph([(item.title, "b")], where=row[2], align="left", **cell)
        if plan.kind == SCRIPT and item.line:
            w.paragraph([("MC: ", "bi"), (item.line, "i")], where=row[2], align="left", **cell)


def _question(w: _Script, e: Entry, *, pack: bool = False) -> None:
    w.paragraph([(f"Câu {e.number} ", "b"), (f"(mã {e.code}): ", ""), (e.text, "")], keep=True)
    w.paragraph([("Điểm cầu: ", "i"), (e.origin or DOTS, "")], keep=True, before=2)
    if e.asker:
        w.paragraph([("Người hỏi: ", "i"), (e.asker, "")], keep=True, before=2)
    if pack:
        w.paragraph([("Nhóm vấn đề: ", "i"), (e.theme, "")], keep=True, before=2)
        state = f"Trạng thái: {e.status}" + (f"; trả lời chuẩn bị: {e.prep_state}" if e.prep_state else "")
        w.paragraph([(state, "i")], keep=True, before=2)
        if e.due:
            w.paragraph([("Hạn chuẩn bị trả lời: ", "b"), (e.due, "b")], keep=True, before=2)
        if e.deadline:
            w.paragraph([("Hạn trả lời bằng văn bản: ", "b"), (e.deadline, "b")], keep=True, before=2)
    else:
        w.paragraph([("Cơ quan trả lời: ", "i"), (e.department or "(chưa phân công)", "")], keep=True, before=2)
    label = "Cơ quan đề nghị trả lời bằng văn bản, lý do" if e.written else "Trả lời chuẩn bị"
    said_state = e.prep_state if e.prep_state != PREP_STATES[questions.WRITTEN] else ""  # the label says it
    said = f"{label} ({said_state}): " if said_state and e.prepared else f"{label}: "
    w.paragraph([(said, "i"), (e.prepared or "(chưa có)", "")], before=2)
    if e.notes:
        w.paragraph([("Ghi chú của tổ thư ký: ", "bi"), (e.notes, "")], before=2)


def render(plan: Outline, now: float | None = None) -> bytes:
    """One of the three documents as a .docx file."""
    w = _Script()
    _header(w, plan)
    if plan.kind == DEPARTMENT:
        w.paragraph(
            f"Các câu hỏi, ý kiến của thanh niên giao {plan.department} chuẩn bị trả lời tại {plan.title} "
            f"hoặc trả lời bằng văn bản: {len(plan.entries)} câu hỏi.",
            before=12,
        )
        if not plan.entries:
            w.paragraph("Chưa có câu hỏi nào giao cho cơ quan.")
        for e in plan.entries:
            _question(w, e, pack=True)
    else:
        _agenda(w, plan)
        w.paragraph([("II. CÁC CÂU HỎI THEO NHÓM VẤN ĐỀ", "b")], keep=True, before=12)
        if not plan.themes:
            w.paragraph("Chưa có câu hỏi nào được chọn vào kịch bản.")
        for n, (theme, entries) in enumerate(plan.themes, start=1):
            heading = f"Nhóm vấn đề “{theme}”" if theme != NO_THEME else NO_THEME
            w.paragraph([(f"{n}. {heading}: {len(entries)} câu hỏi", "b")], keep=True, before=10)
            for e in entries:
                _question(w, e)
    props = w.document.core_properties
    props.title = xml_safe(f"{TITLES[plan.kind].capitalize()} {plan.title}")[:255]
    props.language = "vi-VN"
    props.author = xml_safe(" ".join(plan.issuer).title())[:255]
    if now is not None:
        props.created = props.modified = dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    w.document.save(out)
    return out.getvalue()

"""The draft of the chairman's conclusion notice (Thông báo kết luận), as a Word document.

Decree 13/2021/NĐ-CP (Article 11) asks for the notice within 10 days of the dialogue (15 if
complex): the issues raised, those answered on the spot, those forwarded and to which agency.
The draft follows the administrative format of Decree 30/2020/NĐ-CP (Appendix I): A4, Times New
Roman, margins 20/20/30/15 mm, the issuing body and "Số: …/TB-UBND" at the top left, the national
motto and the italic place-and-date line at the top right, the title, the body, "Nơi nhận:" and
the signature. What the secretariat still has to write (the number, the day, the participants,
an answer not yet summarised, the signer) is left as dots for Word.

Pure code: ``outline`` turns the conference and its questions into what the notice says;
``render`` writes it with python-docx. The notice is an official Vietnamese document: it is
Vietnamese whatever the language of the screen that asks for it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from live.core import questions

DOTS = "…" * 3  # a short blank to fill in Word: "Số: ………/TB-UBND"
PLACEHOLDER = "…" * 30  # a missing summary: a line of dots at 14 pt, written over in Word
FONT = "Times New Roman"
BODY_PT = 14
# Decree 30/2020, Appendix I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)  # A4 portrait

# XML 1.0 allows tab, line feed, carriage return and these ranges; anything else breaks the file
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UBND = re.compile(r"^\s*(?:ủy|uỷ)\s+ban\s+nhân\s+dân\s+|^\s*ubnd\s+", re.IGNORECASE)
_LEVELS = ("thành phố", "tỉnh", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")
_KIND_WORDS = {"commune": "xã", "ward": "phường"}


def xml_safe(text: object) -> str:
    """``text`` without the characters XML 1.0 forbids (they would make Word refuse the file)."""
    return _NOT_XML.sub("", "" if text is None else str(text))


@dataclass(frozen=True)
class Issue:
    """One issue as the notice lists it: the question, where it was asked, who answers, by when."""

    code: str
    text: str
    sites: list[str]  # the asking site first, then those of the duplicates merged into it
    theme: str
    department: str
    deadline: str  # dd/mm/yyyy or ""
    summary: str


@dataclass(frozen=True)
class Outline:
    """What the notice says, before it is laid out."""

    issuer: list[str]  # the issuing body, line by line: ["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG"]
    place: str  # "Cao Bằng"
    year: str  # "2025"
    chair: str  # "Chủ tịch UBND tỉnh"
    subject: str  # the line under "THÔNG BÁO"
    opening: list[str]  # the paragraphs before section I
    raised: list[tuple[str, list[Issue]]]  # theme → issues
    answered: list[Issue]
    forwarded: list[tuple[str, list[Issue]]]  # department → issues
    pending: list[Issue]  # approved, neither answered nor forwarded: the secretariat decides
    closing: str
    recipients: list[str] = field(default_factory=list)


def iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def issuer_lines(organiser: str) -> tuple[list[str], str, str]:
    """The header lines, the place and the level of the People's Committee from the organiser.

    "Ủy ban nhân dân tỉnh Cao Bằng" → (["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG"], "Cao Bằng", "tỉnh");
    another organiser is one line in capitals, and the place is found elsewhere.
    """
    organiser = " ".join(organiser.split())
    match = _UBND.match(organiser)
    if not match:
        return ([organiser.upper()] if organiser else [DOTS]), "", "tỉnh"
    rest = organiser[match.end() :]
    level = next((w for w in _LEVELS if rest.lower().startswith(w + " ")), "")
    place = rest[len(level) :].strip() if level else rest
    return ["ỦY BAN NHÂN DÂN", rest.upper()], place, level.lower() or "tỉnh"


def _sites_of(question: dict, site_names: dict[str, str]) -> list[str]:
    ids = [question.get("site"), *(o.get("site") for o in question.get("origins") or [])]
    return list(dict.fromkeys(site_names.get(i, i or "") for i in ids))


def outline(doc: dict | None, found: Sequence[dict]) -> Outline:
    """What the notice says about this conference and its questions."""
    doc = doc or {}
    sites = doc.get("sites", [])
    site_names = {s["id"]: s["name"] for s in sites}
    themes = {t["id"]: t["name"] for t in doc.get("themes", [])}
    departments = {d["id"]: d["name"] for d in doc.get("departments", [])}
    issuer, place, level = issuer_lines(doc.get("organiser") or "")
    chair = f"Chủ tịch UBND {level}"
    if not place:  # the venue's last words name the province: "…, tỉnh Cao Bằng)"
        match = re.search(r"(?:tỉnh|thành phố)\s+([^,()]+)\)?\s*$", doc.get("venue") or "", re.IGNORECASE)
        place = match.group(1).strip() if match else DOTS
    date = iso_date(doc.get("date"))
    title = " ".join((doc.get("title") or "Hội nghị đối thoại với thanh niên").split())

    def issue(q: dict) -> Issue:
        deadline = iso_date(q.get("deadline"))
        return Issue(
            code=q.get("code", ""),
            text=q.get("text", ""),
            sites=_sites_of(q, site_names),
            theme=themes.get(q.get("theme"), "") if q.get("theme") else "",
            department=departments.get(q.get("department"), q.get("department") or ""),
            deadline=deadline.strftime("%d/%m/%Y") if deadline else "",
            summary=q.get("summary") or "",
        )

    passed = [q for q in found if q.get("status") in (questions.APPROVED, questions.ON_SCREEN, *_DONE)]
    theme_order = {t: n for n, t in enumerate(themes)}
    passed.sort(key=lambda q: (theme_order.get(q.get("theme"), len(theme_order)), q.get("received_at") or 0))
    raised: dict[str, list[Issue]] = {}
    for q in passed:
        raised.setdefault(themes.get(q.get("theme"), "") if q.get("theme") else "", []).append(issue(q))
    answered = [issue(q) for q in passed if q.get("status") == questions.ANSWERED]
    forwarded: dict[str, list[Issue]] = {}
    department_order = {d: n for n, d in enumerate(departments)}
    for q in sorted(
        (q for q in passed if q.get("status") == questions.FORWARDED),
        key=lambda q: (department_order.get(q.get("department"), len(department_order)), q.get("deadline") or ""),
    ):
        item = issue(q)
        forwarded.setdefault(item.department, []).append(item)
    pending = [issue(q) for q in passed if q.get("status") not in _DONE]

    bridge = [s for s in sites if s.get("kind") != "hall"]
    kinds = [w for k, w in _KIND_WORDS.items() if any(s.get("kind") == k for s in bridge)]
    where = f", tại {doc['venue'].strip()}" if (doc.get("venue") or "").strip() else ""
    when = f"Ngày {date.strftime('%d/%m/%Y')}" if date else f"Ngày {DOTS}"
    form = (
        f" theo hình thức trực tiếp kết hợp trực tuyến tới {len(bridge)} điểm cầu"
        + (f" {', '.join(kinds)}" if kinds else "")
        + " trên địa bàn"
        if bridge
        else ""
    )
    theme = (doc.get("theme") or "").strip()
    about = f", với chủ đề “{theme}”" if theme else ""
    asked = sum(1 + len(q.get("origins") or []) for q in passed)
    opening = [
        f"{when}{where}, {chair} chủ trì {title}{form}{about}. Tham dự Hội nghị có {DOTS}{DOTS} "
        f"cùng đoàn viên, thanh niên tại {len(sites)} điểm cầu.",
        f"Hội nghị đã tiếp nhận {len(found)} câu hỏi, ý kiến của thanh niên gửi qua mã QR, phiếu giấy và "
        f"phát biểu trực tiếp; sau khi tổng hợp, gộp các ý kiến trùng nhau ({asked} lượt ý kiến), "
        f"{len(passed)} vấn đề được đưa ra đối thoại, trong đó {len(answered)} vấn đề được trả lời trực tiếp "
        f"tại Hội nghị, {sum(len(v) for v in forwarded.values())} vấn đề được chuyển cơ quan có thẩm quyền "
        f"trả lời bằng văn bản.",
        f"Sau khi nghe ý kiến, kiến nghị của đoàn viên, thanh niên và ý kiến trả lời của lãnh đạo các sở, "
        f"ban, ngành, {chair} kết luận như sau:",
    ]
    organiser = " ".join((doc.get("organiser") or "").split()) or "Cơ quan tổ chức"
    level_body = f"Ủy ban nhân dân {level}" if issuer[0] == "ỦY BAN NHÂN DÂN" else organiser
    local = f"; UBND các {', '.join(kinds)} thông tin kết quả đến đoàn viên, thanh niên trên địa bàn" if kinds else ""
    closing = f"{level_body} thông báo để các cơ quan, đơn vị, địa phương biết, thực hiện{local}./."
    recipients = ["- Như trên;", f"- {chair.replace('Chủ tịch', 'Chủ tịch, các PCT')};"]
    if kinds:
        recipients.append(f"- UBND các {', '.join(kinds)};")
    recipients.append(f"- Lưu: VT, {DOTS}.")
    subject = f"Kết luận của {chair} tại {title}"
    return Outline(
        issuer=issuer,
        place=place,
        year=str(date.year) if date else DOTS,
        chair=chair,
        subject=subject,
        opening=opening,
        raised=list(raised.items()),
        answered=answered,
        forwarded=list(forwarded.items()),
        pending=pending,
        closing=closing,
        recipients=recipients,
    )


_DONE = (questions.ANSWERED, questions.FORWARDED)


# ---------------------------------------------------------------- layout


def _where(issue: Issue) -> str:
    """ "(Xã Quảng Lâm)", or "(Xã Quảng Lâm; cùng ý kiến: Phường Thục Phán, Xã Hòa An)"."""
    if not issue.sites:
        return ""
    first, others = issue.sites[0], issue.sites[1:]
    return f" ({first}; cùng ý kiến: {', '.join(others)})" if others else f" ({first})"


def _twips(mm: float):
    from docx.shared import Twips

    return Twips(math.ceil(mm * 1440 / 25.4))


class Writer:
    """A python-docx document in the Decree 30 layout, with the few paragraph kinds the notice uses."""

    def __init__(self) -> None:
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Cm, Mm, Pt, Twips

        self.document = document = docx.Document()
        section = document.sections[0]
        section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word writes it
        # rounded up to whole twips: 15 mm must not become 14.99 mm
        section.top_margin, section.bottom_margin = _twips(MARGINS_MM["top"]), _twips(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = _twips(MARGINS_MM["left"]), _twips(MARGINS_MM["right"])
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        normal = document.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        self._fonts(normal.element.get_or_add_rPr())
        fmt = normal.paragraph_format  # a body paragraph (Decree 30: indent 1–1.27 cm, 6 pt apart)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1.27)
        fmt.space_before, fmt.space_after = Pt(6), Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        fmt.line_spacing = 1.1
        self._page_numbers(section)
        self._compat(document)
        self._last = None  # the body's last block, where the next paragraph goes

    @staticmethod
    def _fonts(rpr) -> None:
        """Times New Roman for every script, and Vietnamese as the language (spelling in Word)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for name in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(name), FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "vi-VN")

    def _body_paragraph(self):
        """A new paragraph at the end of the body. python-docx's own ``add_paragraph`` looks for
        the section properties among every paragraph each time: 10,000 questions took minutes."""
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        if self._last is None:
            paragraph = self.document.add_paragraph()
        else:
            element = OxmlElement("w:p")
            self._last.addnext(element)
            paragraph = Paragraph(element, self.document._body)
        self._last = paragraph._p
        return paragraph

    @staticmethod
    def _compat(document) -> None:
        """A line ended by a line break (a question typed on two lines) is not stretched to the
        margin in a justified paragraph, in Word as in LibreOffice."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        settings = document.settings.element
        compat = settings.find(qn("w:compat"))
        if compat is None:
            compat = OxmlElement("w:compat")
            settings.append(compat)
        compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))

    @staticmethod
    def _page_numbers(section) -> None:
        """The page number at the top centre from page 2 on (Decree 30: not on the first page)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        number = OxmlElement("w:fldSimple")
        number.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        number.append(run)
        paragraph._p.append(number)

    def paragraph(
        self,
        parts: Sequence[tuple[str, str]] | str = (),
        *,
        where=None,
        align: str = "justify",
        size: float = BODY_PT,
        indent: bool = True,
        before: float = 6,
        after: float = 0,
        keep: bool = False,
    ):
        """A paragraph of runs; ``parts`` are (text, style) with style letters b, i.

        Only what differs from the Normal style (a justified 14 pt body paragraph, first line
        indented 1.27 cm, 6 pt before) is written: python-docx takes about a millisecond for each
        property, and a national conference's notice has thousands of paragraphs.
        """
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Pt

        if isinstance(parts, str):
            parts = [(parts, "")]
        paragraph = where.add_paragraph() if where is not None else self._body_paragraph()
        fmt = paragraph.paragraph_format
        if align != "justify":
            paragraph.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
            }[align]
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if not indent:
            fmt.first_line_indent = Pt(0)
        if before != 6:
            fmt.space_before = Pt(before)
        if after:
            fmt.space_after = Pt(after)
        if keep:
            fmt.keep_with_next = True
        for text, style in parts:
            run = paragraph.add_run(xml_safe(text))
            if size != BODY_PT:
                run.font.size = Pt(size)
            if "b" in style:
                run.bold = True
            if "i" in style:
                run.italic = True
        return paragraph

    def rule(self, where, length_mm: float, width_mm: float, before: float = 0) -> None:
        """A centred horizontal line ``length_mm`` long in a block ``width_mm`` wide (an empty
        paragraph with a bottom border and indents: it moves with the text, Word and LibreOffice
        draw it alike, and it never crosses the dots under ạ, ộ, ự as an underline would)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        paragraph = where.add_paragraph() if where is not None else self._body_paragraph()
        fmt = paragraph.paragraph_format
        side = max((width_mm - length_mm) / 2, 0)
        fmt.left_indent, fmt.right_indent, fmt.first_line_indent = Mm(side), Mm(side), Pt(0)
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        fmt.line_spacing = Pt(2)
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(name), value)
        border.append(bottom)
        paragraph._p.get_or_add_pPr().append(border)
        paragraph.add_run("").font.size = Pt(2)

    def table(self, widths_mm: Sequence[float]):
        """A borderless table laid out with fixed column widths (the header and the signature)."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        table = self.document.add_table(rows=1, cols=len(widths_mm))
        if self._last is not None:  # after the paragraphs written so far
            self._last.addnext(table._tbl)
        self._last = table._tbl
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        for cell, width in zip(table.rows[0].cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell._tc.remove(cell.paragraphs[0]._p)  # cells start with an empty paragraph
        return table.rows[0].cells


TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165 mm of text per line
CELL_PADDING_MM = 2 * 1.9  # Word's default cell margins, left and right


def masthead(w: Writer, issuer: list[str], place: str, year: str, number: str = "") -> None:
    """The top of an administrative document (Decree 30/2020, Appendix I): the issuing body (and its
    number line) on the left, the national motto and the italic place-and-date line on the right."""
    left_mm, right_mm = 62.0, TEXT_MM - 62.0
    left, right = w.table((left_mm, right_mm))
    for line in issuer:
        w.paragraph([(line, "b")], where=left, align="center", size=13, indent=False, before=0)
    w.rule(left, 22, left_mm - CELL_PADDING_MM, before=1)
    if number:
        w.paragraph(number, where=left, align="center", size=13, indent=False, before=6)
    w.paragraph(
        [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b")], where=right, align="center", size=13, indent=False, before=0
    )
    w.paragraph([("Độc lập - Tự do - Hạnh phúc", "b")], where=right, align="center", size=14, indent=False, before=0)
    w.rule(right, 61, right_mm - CELL_PADDING_MM, before=1)
    w.paragraph(
        [(f"{place}, ngày {DOTS} tháng {DOTS} năm {year}", "i")],
        where=right,
        align="center",
        size=14,
        indent=False,
        before=6,
    )


def render(plan: Outline, now: float | None = None) -> bytes:
    """The notice as a .docx file."""
    w = Writer()
    document = w.document
    masthead(w, plan.issuer, plan.place, plan.year, number=f"Số: {DOTS}/TB-UBND")

    # the title
    w.paragraph([("THÔNG BÁO", "b")], align="center", indent=False, before=18)
    w.paragraph([(plan.subject, "b")], align="center", indent=False, before=0)
    w.rule(None, 45, TEXT_MM, before=2)
    w.paragraph("", indent=False, before=0)

    for text in plan.opening:
        w.paragraph(text)

    # I. the issues raised, by theme
    w.paragraph([("I. CÁC VẤN ĐỀ THANH NIÊN NÊU TẠI HỘI NGHỊ", "b")], keep=True, before=12)
    if not plan.raised:
        w.paragraph("Không có vấn đề nào được đưa ra đối thoại.")
    for n, (theme, issues) in enumerate(plan.raised, start=1):
        heading = f"Nhóm vấn đề “{theme}”" if theme else "Các vấn đề khác"
        w.paragraph([(f"{n}. {heading}: {len(issues)} vấn đề", "b")], keep=True)
        for issue in issues:
            w.paragraph([("- ", ""), (issue.text, ""), (_where(issue) + ".", "")])

    # II. answered on the spot, each with its summary
    w.paragraph([("II. CÁC VẤN ĐỀ ĐÃ ĐƯỢC TRẢ LỜI TRỰC TIẾP TẠI HỘI NGHỊ", "b")], keep=True, before=12)
    if not plan.answered:
        w.paragraph("Không có vấn đề nào được trả lời trực tiếp tại Hội nghị.")
    for n, issue in enumerate(plan.answered, start=1):
        w.paragraph([(f"{n}. Ý kiến: ", "b"), (issue.text, "i"), (_where(issue) + ".", "")], keep=True)
        who = f" ({issue.department})" if issue.department else ""
        if issue.summary:
            w.paragraph([(f"Nội dung trả lời{who}: ", "b"), (issue.summary, "")])
        else:  # the secretariat has not summarised this answer yet: a line to write on in Word
            w.paragraph([(f"Nội dung trả lời{who}:", "b")], keep=True)
            w.paragraph(PLACEHOLDER, align="left", indent=False, before=0)
            w.paragraph(PLACEHOLDER, align="left", indent=False, before=0)

    # III. forwarded, by agency, with the deadline
    w.paragraph([("III. CÁC VẤN ĐỀ CHUYỂN CƠ QUAN CÓ THẨM QUYỀN TRẢ LỜI BẰNG VĂN BẢN", "b")], keep=True, before=12)
    if not plan.forwarded:
        w.paragraph("Không có vấn đề nào phải trả lời bằng văn bản.")
    else:
        w.paragraph(
            "Giao các cơ quan, đơn vị sau nghiên cứu, trả lời bằng văn bản các ý kiến của thanh niên, "
            "gửi về Sở Nội vụ để tổng hợp, thông tin đến thanh niên:"
        )
    for n, (department, issues) in enumerate(plan.forwarded, start=1):
        w.paragraph([(f"{n}. {department or 'Cơ quan chưa xác định'}:", "b")], keep=True)
        for issue in issues:
            deadline = f"trước ngày {issue.deadline}" if issue.deadline else DOTS
            w.paragraph([("- ", ""), (issue.text, ""), (_where(issue) + ". ", ""), (f"Thời hạn: {deadline}.", "i")])
    if plan.pending:
        codes = ", ".join(i.code for i in plan.pending)
        note = w.paragraph(
            [
                (
                    f"[Ghi chú cho tổ thư ký, xóa trước khi ban hành: còn {len(plan.pending)} vấn đề đã duyệt nhưng "
                    f"chưa trả lời hoặc chuyển cơ quan (mã {codes}).]",
                    "i",
                )
            ]
        )
        from docx.enum.text import WD_COLOR_INDEX

        for run in note.runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    w.paragraph(plan.closing, before=12)

    # "Nơi nhận:" | the signature
    w.paragraph("", indent=False, before=0)
    left, right = w.table((80.0, TEXT_MM - 80.0))
    w.paragraph([("Nơi nhận:", "bi")], where=left, align="left", size=12, indent=False, before=0)
    for line in plan.recipients:
        w.paragraph(line, where=left, align="left", size=11, indent=False, before=0)
    for line in ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"):
        w.paragraph([(line, "b")], where=right, align="center", size=14, indent=False, before=0)
    for _ in range(4):
        w.paragraph("", where=right, align="center", indent=False, before=0)
    w.paragraph([(DOTS * 3, "b")], where=right, align="center", size=14, indent=False, before=0)

    props = document.core_properties
    props.title = xml_safe(f"Thông báo {plan.subject}")[:255]
    props.language = "vi-VN"
    props.author = xml_safe(" ".join(plan.issuer).title())[:255]
    if now is not None:
        props.created = props.modified = dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def draft(doc: dict | None, found: Sequence[dict], now: float | None = None) -> bytes:
    """The conclusion notice draft of this conference, as a .docx file."""
    return render(outline(doc, found), now)

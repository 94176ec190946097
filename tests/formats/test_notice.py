"""The conclusion notice draft: what it says after a day, and that it is laid out as Decree 30/2020
asks (A4, Times New Roman, margins, the header with the national motto, the three sections),
read back with python-docx. Hostile text stays the text that was stored."""

from __future__ import annotations

import io

import docx
import pytest
from afterday import FORMULA, XML_FORBIDDEN, hostile_strings, scripted_day
from docx.shared import Pt

from live.core import questions
from live.core.errors import DomainError
from live.formats import notice
from live.services import demo


@pytest.fixture
def story(tmp_path):
    return scripted_day(tmp_path)


def read(body: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(body))


def body_texts(document) -> list[str]:
    """The paragraphs of the body (outside the header and signature tables), in order."""
    return [p.text for p in document.paragraphs]


def test_the_outline_lists_the_issues_by_theme_then_those_answered_and_those_forwarded(story):
    plan = notice.outline(story.day.conference(), story.day.desk.all())
    assert plan.issuer == ["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG"]
    assert plan.place == "Cao Bằng" and plan.year == "2025" and plan.chair == "Chủ tịch UBND tỉnh"
    assert plan.subject == (
        "Kết luận của Chủ tịch UBND tỉnh tại Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025"
    )
    # approved questions only, by theme in the conference's order; the rejected, the merged and the
    # unscreened are not issues raised
    themes = [(theme, [i.code for i in issues]) for theme, issues in plan.raised]
    q = {name: story.fresh(name) for name in story.q}
    assert themes == [
        ("Giáo dục, đào tạo nghề và học bổng", [q["scholarship"]["code"]]),
        ("Việc làm, khởi nghiệp và vốn vay", [q["loan"]["code"], q["jobs"]["code"]]),
        ("Chuyển đổi số, khoa học và công nghệ", [q["digital"]["code"]]),
    ]
    scholarship = plan.raised[0][1][0]
    # the duplicate merged into it is mentioned once, by its site
    assert scholarship.sites == ["Xã Quảng Lâm", "Phường Thục Phán"]
    assert [i.code for i in plan.answered] == [q["scholarship"]["code"], q["jobs"]["code"]]
    assert plan.answered[0].summary.startswith("Năm học 2025–2026") and plan.answered[1].summary == ""
    assert plan.forwarded == [
        ("Ngân hàng Chính sách xã hội tỉnh", [notice.Issue(
            code=q["loan"]["code"], text=q["loan"]["text"], sites=["Trung tâm Hội nghị tỉnh (điểm cầu chính)"],
            theme="Việc làm, khởi nghiệp và vốn vay", department="Ngân hàng Chính sách xã hội tỉnh",
            deadline="15/09/2025", summary="",
        )]),
    ]  # fmt: skip
    assert [i.code for i in plan.pending] == [q["digital"]["code"]]
    assert "tiếp nhận 7 câu hỏi" in plan.opening[1] and "4 vấn đề được đưa ra đối thoại" in plan.opening[1]
    assert "2 vấn đề được trả lời trực tiếp" in plan.opening[1] and "1 vấn đề được chuyển" in plan.opening[1]
    assert "Ngày 28/08/2025, tại Phòng họp tầng 2" in plan.opening[0]
    assert "56 điểm cầu xã, phường" in plan.opening[0] and "tại 57 điểm cầu" in plan.opening[0]


def test_the_draft_is_an_a4_times_new_roman_document_with_decree_30_margins(story):
    document = read(notice.draft(story.day.conference(), story.day.desk.all(), story.clock()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 (in twips)
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{k}") for k in ("ascii", "hAnsi", "cs", "eastAsia")} == {
        "Times New Roman"
    }
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs if run.font.size and run.text}
    assert sizes <= {13, 14}, sizes  # the body: 13–14 pt
    # no page number on the first page, the number at the top from the second (Decree 30)
    assert section.different_first_page_header_footer
    assert 'instr="PAGE"' in section.header._element.xml.replace("w:instr", "instr")
    assert document.core_properties.language == "vi-VN"


def test_the_header_has_the_issuing_body_the_number_the_motto_and_the_date_line(story):
    document = read(notice.draft(story.day.conference(), story.day.desk.all()))
    header = document.tables[0]
    left, right = header.rows[0].cells
    left_lines = [p.text for p in left.paragraphs if p.text]
    assert left_lines == ["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG", "Số: ………/TB-UBND"]
    assert all(run.bold for p in left.paragraphs[:2] for run in p.runs)
    right_lines = [p.text for p in right.paragraphs if p.text]
    assert right_lines == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Cao Bằng, ngày ……… tháng ……… năm 2025",
    ]
    paragraphs = right.paragraphs
    motto = next(n for n, p in enumerate(paragraphs) if p.text == "Độc lập - Tự do - Hạnh phúc")
    assert all(run.bold for run in paragraphs[motto].runs)
    # the rule under the motto (not an underline, which would cross the dots under ộ, ậ, ự, ạ)
    rules = [n for n, p in enumerate(paragraphs) if "w:pBdr" in p._p.xml]
    assert rules == [motto + 1] and not any(run.underline for run in paragraphs[motto].runs)
    date_line = paragraphs[-1]
    assert all(run.italic for run in date_line.runs)
    assert [p for p in left.paragraphs if "w:pBdr" in p._p.xml]  # the short rule under the body's name


def test_the_body_has_the_title_the_opening_and_the_three_sections_in_order(story):
    document = read(notice.draft(story.day.conference(), story.day.desk.all()))
    texts = body_texts(document)
    q = {name: story.fresh(name) for name in story.q}
    title = texts.index("THÔNG BÁO")
    assert texts[title + 1].startswith("Kết luận của Chủ tịch UBND tỉnh tại Hội nghị đối thoại")
    headings = [t for t in texts if t[:3] in ("I. ", "II.", "III")]
    assert headings == [
        "I. CÁC VẤN ĐỀ THANH NIÊN NÊU TẠI HỘI NGHỊ",
        "II. CÁC VẤN ĐỀ ĐÃ ĐƯỢC TRẢ LỜI TRỰC TIẾP TẠI HỘI NGHỊ",
        "III. CÁC VẤN ĐỀ CHUYỂN CƠ QUAN CÓ THẨM QUYỀN TRẢ LỜI BẰNG VĂN BẢN",
    ]
    one, two, three = (texts.index(h) for h in headings)
    section_one, section_two, section_three = texts[one:two], texts[two:three], texts[three:]
    assert "1. Nhóm vấn đề “Giáo dục, đào tạo nghề và học bổng”: 1 vấn đề" in section_one
    assert "2. Nhóm vấn đề “Việc làm, khởi nghiệp và vốn vay”: 2 vấn đề" in section_one
    # the merged duplicate is mentioned once, with its site; its own text is not repeated
    assert f"- {q['scholarship']['text']} (Xã Quảng Lâm; cùng ý kiến: Phường Thục Phán)." in section_one
    assert not any(q["scholarship_again"]["text"] in t for t in texts)
    assert not any(q["formula"]["text"] in t for t in texts)  # rejected: not an issue raised
    # a question typed on two lines keeps its line break
    assert f"- {q['loan']['text']} (Trung tâm Hội nghị tỉnh (điểm cầu chính))." in section_one
    assert "\n" in q["loan"]["text"]
    # II: each answer with its summary; the one not summarised yet is a line of dots to fill in
    assert f"1. Ý kiến: {q['scholarship']['text']} (Xã Quảng Lâm; cùng ý kiến: Phường Thục Phán)." in section_two
    assert f"Nội dung trả lời (Sở Giáo dục và Đào tạo): {q['scholarship']['summary']}" in section_two
    jobs = section_two.index(f"2. Ý kiến: {q['jobs']['text']} (Phường Nùng Trí Cao).")
    assert section_two[jobs + 1] == "Nội dung trả lời (Sở Tài chính):"
    assert section_two[jobs + 2] == notice.PLACEHOLDER and set(notice.PLACEHOLDER) == {"…"}
    # III: by agency, with the deadline dd/mm/yyyy
    agency = section_three.index("1. Ngân hàng Chính sách xã hội tỉnh:")
    assert section_three[agency + 1] == (
        f"- {q['loan']['text']} (Trung tâm Hội nghị tỉnh (điểm cầu chính)). Thời hạn: trước ngày 15/09/2025."
    )
    # the approved question neither answered nor forwarded: a highlighted note for the secretariat
    note = next(p for p in document.paragraphs if p.text.startswith("[Ghi chú cho tổ thư ký"))
    assert q["digital"]["code"] in note.text and note.runs[0].font.highlight_color is not None
    assert texts[-2].endswith("thông tin kết quả đến đoàn viên, thanh niên trên địa bàn./.")


def test_the_recipients_and_the_signature_close_the_notice(story):
    document = read(notice.draft(story.day.conference(), story.day.desk.all()))
    left, right = document.tables[-1].rows[0].cells
    recipients = [p for p in left.paragraphs if p.text]
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].bold and recipients[0].runs[0].italic
    assert recipients[0].runs[0].font.size == Pt(12)
    assert [p.text for p in recipients[1:]] == [
        "- Như trên;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- UBND các xã, phường;",
        "- Lưu: VT, ……….",
    ]
    assert all(p.runs[0].font.size == Pt(11) for p in recipients[1:])
    signature = [p.text for p in right.paragraphs if p.text]
    assert signature[:2] == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"] and set(signature[-1]) == {"…"}


@pytest.mark.parametrize(
    ("organiser", "issuer", "place", "chair"),
    [
        ("Ủy ban nhân dân phường Bạch Sam", ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẠCH SAM"], "Bạch Sam", "Chủ tịch UBND phường"),
        ("UBND thành phố Cần Thơ", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"], "Cần Thơ", "Chủ tịch UBND thành phố"),
        ("Uỷ ban nhân dân tỉnh Cà Mau", ["ỦY BAN NHÂN DÂN", "TỈNH CÀ MAU"], "Cà Mau", "Chủ tịch UBND tỉnh"),
        # another body: one line in capitals; the place then comes from the venue
        ("Tỉnh đoàn Cao Bằng", ["TỈNH ĐOÀN CAO BẰNG"], "Cao Bằng", "Chủ tịch UBND tỉnh"),
    ],
)
def test_the_issuer_and_the_place_come_from_the_organiser(organiser, issuer, place, chair):
    plan = notice.outline({**demo.conference(), "organiser": organiser}, [])
    assert (plan.issuer, plan.place, plan.chair) == (issuer, place, chair)


def test_a_day_without_questions_still_makes_a_notice_that_says_so():
    document = read(notice.draft({**demo.conference(), "date": None, "venue": ""}, []))
    texts = body_texts(document)
    assert "Không có vấn đề nào được đưa ra đối thoại." in texts
    assert "Không có vấn đề nào được trả lời trực tiếp tại Hội nghị." in texts
    assert "Không có vấn đề nào phải trả lời bằng văn bản." in texts
    assert next(t for t in texts if t.startswith("Ngày")).startswith("Ngày ………, Chủ tịch UBND tỉnh chủ trì Hội nghị")


def hostile_records() -> list[dict]:
    """Every hostile string of the corpora that a phone may send, stored as the desk stores it,
    answered with the string (cleaned) as the secretariat's summary."""
    doc = demo.conference()
    sites = [s["id"] for s in doc["sites"]]
    records = []
    for n, raw in enumerate(hostile_strings()):
        try:
            record = questions.validate_submission(
                {"id": f"hostile-{n:010d}-xxxxxx", "site": sites[n % len(sites)], "text": raw, "name": raw[:80],
                 "consent": {"name": "1"}},
                sites=set(sites), themes={"t1"}, now=1756342800.0 + n,
            )  # fmt: skip
        except DomainError:
            continue  # refused at the door (empty, no letters, too long): never stored
        status = questions.ANSWERED if n % 2 else questions.FORWARDED
        summary = questions.long_text(raw, questions.SUMMARY_LIMIT, "question.bad_summary")
        records.append(
            {
                **record,
                "status": status,
                "theme": "t1",
                "department": "d5",
                "summary": summary,
                "deadline": "2025-09-15",
            }
        )
    return records


def test_every_hostile_string_is_in_the_notice_exactly_as_stored():
    records = hostile_records()
    assert len(records) > 8000
    document = read(notice.draft(demo.conference(), records))
    texts = body_texts(document)
    site_names = {s["id"]: s["name"] for s in demo.conference()["sites"]}
    section_one = set(texts[: texts.index("II. CÁC VẤN ĐỀ ĐÃ ĐƯỢC TRẢ LỜI TRỰC TIẾP TẠI HỘI NGHỊ")])
    everything = set(texts)
    for record in records:
        text = XML_FORBIDDEN.sub("", record["text"])
        assert f"- {text} ({site_names[record['site']]})." in section_one, record["text"]
        if record["status"] == questions.ANSWERED and record["summary"]:
            summary = XML_FORBIDDEN.sub("", record["summary"])
            assert f"Nội dung trả lời (Sở Giáo dục và Đào tạo): {summary}" in everything, record["summary"]
    assert sum(record["text"].startswith(FORMULA) for record in records) > 20  # plain text in Word too

"""The script (kịch bản), the chairman's pack and a department's pack, read back with python-docx.

The Cao Bằng demo conference on a real SQLite store, the clock passed in: questions from phones
(names and groups with and without consent), approved, assigned to departments to prepare by a due
date, one prepared answer written, five selected into the script and reordered through the desk
(``question.script``, ``question.order``), the MC's lines saved for two agenda items. The documents
say what the day holds, in the notice's layout (A4, Times New Roman, Decree 30 margins); hostile
text never breaks the file."""

from __future__ import annotations

import io
import uuid

import docx
import pytest
from afterday import START, XML_FORBIDDEN, Clock
from docx.shared import Mm

from live.formats import notice
from live.formats import script as documents
from live.services import script as service
from live.services.day import Day
from live.store import SqliteStore

AGREED = {"name": "1", "group": "1"}
SCHOLARSHIP = "Tỉnh có học bổng cho sinh viên dân tộc thiểu số học đại học không ạ?"
DORMITORY = "Trường cao đẳng nghề có ký túc xá cho học sinh ở xã xa không?"
TEACHERS = "Khi nào các điểm trường vùng cao có đủ giáo viên tiếng Anh?"
LOAN = "Thủ tục vay vốn khởi nghiệp cho thanh niên ở vùng cao như thế nào?"
JOBS = "Tỉnh có chương trình giới thiệu việc làm cho bộ đội xuất ngũ không?"
LEFT_OUT = "Câu hỏi đã duyệt nhưng không chọn vào kịch bản."
WAITING = "Câu hỏi chưa được duyệt."
PREPARED = "Ý chính:\n- 200 suất học bổng mỗi năm\n- mỗi suất 5 triệu đồng"
LINES = {
    "a2": "Kính thưa các đồng chí lãnh đạo, thưa toàn thể các bạn đoàn viên, thanh niên!",
    "a5": "Xin mời các bạn thanh niên tại các điểm cầu đặt câu hỏi.\nXin mời Chủ tịch UBND tỉnh trả lời.",
}


class Story:
    """A conference a week before the day, moved on through the real desk."""

    def __init__(self, tmp_path) -> None:
        self.clock = Clock(START - 7 * 86400)
        self.day = Day(SqliteStore(str(tmp_path)), now=self.clock)
        self.day.setup(demo=True)
        self.q: dict[str, str] = {}

    def ask(self, story: str, site: str, text: str, **extra) -> None:
        record, _retry, _change = self.day.desk.submit(
            {"id": str(uuid.uuid4()), "site": site, "text": text, **extra}, device=f"dev-{story}", address="10.0.0.1"
        )
        self.q[story] = record["id"]
        self.clock.advance(1)

    def get(self, story: str) -> dict:
        return self.day.desk.get(self.q[story])

    def act(self, story: str, action: str, role: str = "moderator", **args) -> dict:
        current = self.get(story)
        done, _change = self.day.desk.act(
            action, {"id": current["id"], "version": current["version"], **args}, role=role, name="Lan"
        )
        return done

    def approve(self, story: str, theme: str, department: str | None = None) -> None:
        self.act(story, "assign", theme=theme, **({"department": department} if department else {}))
        self.act(story, "approve")


@pytest.fixture
def story(tmp_path) -> Story:
    return told(tmp_path)


def told(tmp_path) -> Story:
    """The week before the day, as the module's docstring tells it."""
    s = Story(tmp_path)
    s.ask(
        "scholarship", "1304", SCHOLARSHIP, name="Nông Thị Hoa", group="hoc_sinh_sinh_vien", theme="t1", consent=AGREED
    )
    # a name without its consent is never stored; a group without its consent neither
    s.ask("dormitory", "1297", DORMITORY, name="Hoàng Văn Nam", group="cong_nhan")
    s.ask("teachers", "hall", TEACHERS, group="cong_nhan", consent={"group": "1"})
    s.ask("loan", "1279", LOAN, name="Lý Văn Tú", consent={"name": "1"})
    s.ask("jobs", "1279", JOBS)
    s.ask("left_out", "1304", LEFT_OUT)
    s.ask("waiting", "1297", WAITING)
    for name, theme in (("scholarship", "t1"), ("dormitory", "t1"), ("teachers", "t1"), ("loan", "t2"), ("jobs", "t2")):
        s.approve(name, theme)
    s.approve("left_out", "t1")
    s.act("scholarship", "prepare", department="d5", due="20/08/2025")
    s.act("dormitory", "prepare", department="d5", due="18/08/2025")
    s.act("loan", "prepare", department="d16", due="21/08/2025")
    s.act("scholarship", "draft", role="department", text=PREPARED, department="d5")
    s.act("scholarship", "note", notes="Nghị quyết 12/2024 của HĐND tỉnh.")
    for name in ("scholarship", "dormitory", "teachers", "jobs", "loan"):
        s.act(name, "script", selected=True)
    # the secretary puts the teachers first in their theme, and the loan before the jobs
    s.act("teachers", "order", after=None)
    s.act("loan", "order", after=None)
    agenda = s.day.conference()["agenda"]
    service.save_lines(s.day.store, {**LINES, "a3": "   "}, agenda, now=s.clock(), by="admin")
    return s


def read(body: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(body))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def everything(document) -> str:
    """Every text of the document: its paragraphs and its tables' cells."""
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(texts(document) + cells)


def agenda_table(document) -> list[list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Thời gian")
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_agenda_starts_each_item_after_those_before_it():
    doc = {
        "start_time": "07:30",
        "agenda": [
            {"id": "a", "title": "Đón tiếp", "minutes": 15},
            {"id": "b", "title": "Khai mạc", "minutes": 1.5},
            {"id": "c", "title": "Đối thoại", "minutes": 120},
            {"id": "d", "title": "Bế mạc", "minutes": 10},
        ],
    }
    rows = documents.agenda(doc, {"c": "Lời dẫn"})
    assert [(r.start, r.minutes, r.line) for r in rows] == [
        ("07:30", "15 phút", ""),
        ("07:45", "1,5 phút", ""),
        ("07:46", "120 phút", "Lời dẫn"),  # 07:46:30, read as the minute it falls in
        ("09:46", "10 phút", ""),
    ]
    assert [r.start for r in documents.agenda({**doc, "start_time": ""}, {})] == ["", "", "", ""]


def test_the_script_holds_the_agenda_with_the_mcs_lines_and_the_questions_in_script_order(story):
    document = read(service.script_docx(story.day))
    paragraphs = texts(document)
    assert "KỊCH BẢN" in paragraphs
    assert "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025" in paragraphs
    assert "Thời gian: 08:00, ngày 28/08/2025" in paragraphs
    assert paragraphs.index("I. CHƯƠNG TRÌNH") < paragraphs.index("II. CÁC CÂU HỎI THEO NHÓM VẤN ĐỀ")

    rows = agenda_table(document)
    assert rows[0] == ["Thời gian", "Thời lượng", "Nội dung"]
    assert [r[0] for r in rows[1:]] == ["08:00", "08:15", "08:20", "08:30", "08:40", "10:40", "10:55", "11:00"]
    assert rows[1][1] == "15 phút" and rows[5][1] == "120 phút"
    # the MC's lines under their item, italic; an item without lines has none
    assert rows[2][2] == "Tuyên bố lý do, giới thiệu đại biểu\nMC: " + LINES["a2"]
    assert rows[5][2].endswith("MC: " + LINES["a5"])
    assert rows[3][2] == "Phát biểu khai mạc Hội nghị"
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Thời gian")
    line = table.rows[2].cells[2].paragraphs[1]
    assert all(run.italic for run in line.runs)

    # the questions by theme in the conference's order, in the script's order, numbered through
    first = paragraphs.index("1. Nhóm vấn đề “Giáo dục, đào tạo nghề và học bổng”: 3 câu hỏi")
    second = paragraphs.index("2. Nhóm vấn đề “Việc làm, khởi nghiệp và vốn vay”: 2 câu hỏi")
    asked = [p for p in paragraphs if p.startswith("Câu ")]
    code = {name: story.get(name)["code"] for name in story.q}
    assert asked == [
        f"Câu 1 (mã {code['teachers']}): {TEACHERS}",
        f"Câu 2 (mã {code['scholarship']}): {SCHOLARSHIP}",
        f"Câu 3 (mã {code['dormitory']}): {DORMITORY}",
        f"Câu 4 (mã {code['loan']}): {LOAN}",
        f"Câu 5 (mã {code['jobs']}): {JOBS}",
    ]
    assert first < paragraphs.index(asked[0]) < second < paragraphs.index(asked[3])
    text = "\n".join(paragraphs)
    assert LEFT_OUT not in text and WAITING not in text
    # each question: where from (the group only with consent), who answers, what was prepared
    at = paragraphs.index(asked[1])
    assert paragraphs[at + 1 : at + 5] == [
        "Điểm cầu: Xã Quảng Lâm — học sinh, sinh viên",
        "Người hỏi: Nông Thị Hoa",
        "Cơ quan trả lời: Sở Giáo dục và Đào tạo",
        "Trả lời chuẩn bị (chờ tổ thư ký duyệt): " + PREPARED,
    ]
    at = paragraphs.index(asked[2])
    assert paragraphs[at + 1 : at + 4] == [
        "Điểm cầu: Xã Nam Quang",
        "Cơ quan trả lời: Sở Giáo dục và Đào tạo",
        "Trả lời chuẩn bị: (chưa có)",
    ]
    at = paragraphs.index(asked[0])
    assert paragraphs[at + 1 : at + 3] == [
        "Điểm cầu: Trung tâm Hội nghị tỉnh (điểm cầu chính) — công nhân",
        "Cơ quan trả lời: (chưa phân công)",
    ]
    assert "Người hỏi: Lý Văn Tú" in paragraphs  # a name read aloud with its consent
    assert "Hoàng Văn Nam" not in everything(document)
    # the secretariat's notes are the chairman's
    assert "Nghị quyết 12/2024" not in everything(document)


def test_the_chairmans_pack_is_the_script_without_the_mcs_lines_with_the_notes(story):
    script = read(service.script_docx(story.day))
    chair = read(service.script_docx(story.day, documents.CHAIR))
    assert "TÀI LIỆU PHỤC VỤ CHỦ TỊCH" in texts(chair) and "KỊCH BẢN" not in texts(chair)
    whole = everything(chair)
    for line in LINES.values():
        assert line.split("\n")[0] not in whole
    assert "MC:" not in whole
    assert [r[0] for r in agenda_table(chair)] == [r[0] for r in agenda_table(script)]
    assert [p for p in texts(chair) if p.startswith("Câu ")] == [p for p in texts(script) if p.startswith("Câu ")]
    assert "Ghi chú của tổ thư ký: Nghị quyết 12/2024 của HĐND tỉnh." in texts(chair)


def test_a_department_pack_has_only_its_questions_with_their_due_dates(story):
    code = {name: story.get(name)["code"] for name in story.q}
    pack = read(service.department_docx(story.day, "d5"))
    paragraphs = texts(pack)
    assert "TÀI LIỆU CHUẨN BỊ TRẢ LỜI" in paragraphs and "Cơ quan: Sở Giáo dục và Đào tạo" in paragraphs
    asked = [p for p in paragraphs if p.startswith("Câu ")]
    # the nearest due date first
    assert asked == [f"Câu 1 (mã {code['dormitory']}): {DORMITORY}", f"Câu 2 (mã {code['scholarship']}): {SCHOLARSHIP}"]
    assert "Hạn chuẩn bị trả lời: 18/08/2025" in paragraphs and "Hạn chuẩn bị trả lời: 20/08/2025" in paragraphs
    assert "Trạng thái: đã duyệt; trả lời chuẩn bị: chờ tổ thư ký duyệt" in paragraphs
    assert "Trả lời chuẩn bị (chờ tổ thư ký duyệt): " + PREPARED in paragraphs
    assert "Trả lời chuẩn bị: (chưa có)" in paragraphs
    whole = everything(pack)
    for other in (LOAN, JOBS, TEACHERS, LEFT_OUT):
        assert other not in whole
    assert "Nghị quyết 12/2024" not in whole and "MC:" not in whole
    assert "Nông Thị Hoa" not in whole  # a department never gets the asker's name, as on its page

    bank = texts(read(service.department_docx(story.day, "d16")))
    assert [p for p in bank if p.startswith("Câu ")] == [f"Câu 1 (mã {code['loan']}): {LOAN}"]
    assert "Hạn chuẩn bị trả lời: 21/08/2025" in bank
    nobody = texts(read(service.department_docx(story.day, "d1")))
    assert "Chưa có câu hỏi nào giao cho cơ quan." in nobody


def test_the_documents_are_laid_out_as_the_notice(story):
    for body in (
        service.script_docx(story.day),
        service.script_docx(story.day, documents.CHAIR),
        service.department_docx(story.day, "d5"),
    ):
        document = read(body)
        section = document.sections[0]
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        assert section.left_margin >= Mm(30) and section.right_margin >= Mm(15)
        assert document.styles["Normal"].font.name == notice.FONT
        header = [c.text for c in document.tables[0].rows[0].cells]
        assert header[0].startswith("ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG")
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in header[1]
        assert document.core_properties.language == "vi-VN"


def test_no_script_yet_says_so(tmp_path):
    day = Day(SqliteStore(str(tmp_path)), now=Clock())
    day.setup(demo=True)
    paragraphs = texts(read(service.script_docx(day)))
    assert "Chưa có câu hỏi nào được chọn vào kịch bản." in paragraphs
    with pytest.raises(Exception) as caught:
        service.department_docx(day, "d999")
    assert getattr(caught.value, "code", "") == "question.bad_department"


def test_hostile_text_does_not_break_the_documents():
    """Text no store would keep (XML-forbidden characters) and very long text still make a file
    Word opens, holding the text without the forbidden characters."""
    hostile = "A\x00B\x0bC\ud800D\ufffeE <w:p>&amp; ]]> {{x}} " + "Ạ" * 20_000
    doc = {
        "title": "Hội nghị\x01 đối thoại",
        "organiser": "Ủy ban nhân dân tỉnh Cao Bằng\x1f",
        "date": "2025-08-28",
        "start_time": "08:00",
        "agenda": [{"id": "a1", "title": hostile, "minutes": 5}],
        "themes": [{"id": "t1", "name": hostile}],
        "departments": [{"id": "d1", "name": hostile}],
        "sites": [{"id": "s1", "name": hostile}],
    }
    question = {
        "id": "q1", "code": "ABC234", "text": hostile, "site": "s1", "theme": "t1", "department": "d1",
        "status": "approved", "script": True, "rank": 1.0, "name": hostile, "consent": {"name": {"at": 1}},
        "notes": hostile, "prep_text": hostile, "prep_state": "prepared", "prep_department": "d1",
        "prep_due": "2025-08-20",
    }  # fmt: skip
    clean = XML_FORBIDDEN.sub("", hostile)
    for plan in (
        documents.script_outline(doc, {"a1": hostile}, [question]),
        documents.script_outline(doc, {"a1": hostile}, [question], documents.CHAIR),
        documents.department_outline(doc, "d1", [question]),
    ):
        document = read(documents.render(plan, now=START))
        whole = everything(document)
        assert f"(mã ABC234): {clean}" in whole
        assert clean in whole and "\x00" not in whole

"""The demo conference: Cao Bằng's 2025 youth dialogue (plan 2334/KH-UBND, 29/07/2025).

The provincial hall plus the 56 communes and wards that Cao Bằng has since the 2025 reform
(``data/cao-bang-2025-communes.csv``, official administrative codes).

``conference()`` is the plan as it was (28/08/2025). ``live serve --demo`` shows a newcomer the
month before the day as well: the same plan dated two weeks after the day it is loaded
(``conference(on=…)``), and ``month_before`` brings the questions a province would have by then,
through the same code the real ones go through, on a clock set back to when each would have come:
questions from home, two branches' lists, the secretariat's screening, departments assigned to
prepare answers (one late, one due soon, some prepared, one proposing a written reply), the
question window and a script.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from importlib import resources
from zoneinfo import ZoneInfo

from live.core.conference import TIMEZONE, validate

log = logging.getLogger("live.demo")
DATE = dt.date(2025, 8, 28)  # the plan's day
DAYS_AHEAD = 14  # the demo of the month before: the day is two weeks after the day it is loaded

THEME = "Nâng cao chất lượng nguồn nhân lực trẻ trên địa bàn tỉnh Cao Bằng"

AGENDA = [
    ("Đón tiếp đại biểu", 15),
    ("Tuyên bố lý do, giới thiệu đại biểu", 5),
    ("Phát biểu khai mạc Hội nghị", 10),
    (f"Phóng sự tổng quan: “{THEME}”", 10),
    ("Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề", 120),
    ("Phát biểu kết luận của Chủ tịch UBND tỉnh", 15),
    ("Bí thư Tỉnh đoàn tiếp thu, cảm ơn", 5),
    ("Bế mạc, chụp ảnh lưu niệm", 10),
]

THEMES = [
    "Giáo dục, đào tạo nghề và học bổng",
    "Việc làm, khởi nghiệp và vốn vay",
    "Chuyển đổi số, khoa học và công nghệ",
    "Nông nghiệp, môi trường và kinh tế nông thôn",
    "Văn hóa, thể thao và đời sống tinh thần",
    "Y tế và chăm sóc sức khỏe thanh niên",
]

DEPARTMENTS = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Khoa học và Công nghệ",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Xây dựng",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Ngoại vụ",
    "Sở Tư pháp",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Ngân hàng Chính sách xã hội tỉnh",
    "Tỉnh đoàn Cao Bằng",
]

_KIND = {"xã": "commune", "phường": "ward"}


def communes() -> list[dict]:
    """Cao Bằng's 56 communes and wards as sites, with their administrative codes."""
    text = resources.files("live").joinpath("data/cao-bang-2025-communes.csv").read_text(encoding="utf-8")
    return [
        {"id": row["admin_code"], "code": row["admin_code"], "name": row["name"], "kind": _KIND[row["kind"]]}
        for row in csv.DictReader(text.splitlines())
    ]


def conference(on: dt.date = DATE) -> dict:
    """The whole demo conference, validated like any imported file, on the plan's day or ``on``."""
    hall = {"id": "hall", "code": "", "name": "Trung tâm Hội nghị tỉnh (điểm cầu chính)", "kind": "hall"}
    return validate(
        {
            "title": f"Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm {on.year}",
            "organiser": "Ủy ban nhân dân tỉnh Cao Bằng",
            "theme": THEME,
            "date": on.strftime("%d/%m/%Y"),
            "start_time": "08:00",
            "venue": "Phòng họp tầng 2, Trung tâm Hội nghị tỉnh (Km5, phường Thục Phán, tỉnh Cao Bằng)",
            "maket": [
                "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
                "HỘI NGHỊ",
                "ĐỐI THOẠI GIỮA CHỦ TỊCH UBND TỈNH",
                f"VỚI THANH NIÊN NĂM {on.year}",
                f"Chủ đề: “{THEME}”",
                f"Cao Bằng, ngày {on.day} tháng {on.month} năm {on.year}",
            ],
            "agenda": [{"id": f"a{n}", "title": title, "minutes": m} for n, (title, m) in enumerate(AGENDA, 1)],
            "themes": [{"id": f"t{n}", "name": name} for n, name in enumerate(THEMES, 1)],
            "departments": [{"id": f"d{n}", "name": name} for n, name in enumerate(DEPARTMENTS, 1)],
            "sites": [hall, *communes()],
        }
    )


# ---------------------------------------------------------------- the month before the day

SECRETARIAT = "Tổ thư ký (mẫu)"
ADMIN = "Quản trị (mẫu)"
# (theme, site, text, name given with consent, group given with consent); the asker typed them at home
FROM_HOME = [
    (
        "t2",
        "1304",
        "Thanh niên vùng cao muốn vay vốn nuôi bò sinh sản thì thủ tục ở Ngân hàng Chính sách xã hội thế nào, có cần tài sản thế chấp không ạ?",
        "Nông Văn Hải",
        "kinh_te_gioi",
    ),
    (
        "t1",
        "1273",
        "Năm nay tỉnh có chính sách học bổng nào cho sinh viên học ngành kỹ thuật và công nghệ thông tin không ạ?",
        "",
        "hoc_sinh_sinh_vien",
    ),
    (
        "t3",
        "1279",
        "Khi nào sóng 4G và internet cáp quang phủ đến các thôn xa để thanh niên học trực tuyến được ạ?",
        "",
        None,
    ),
    (
        "t6",
        "1297",
        "Trạm y tế xã em thiếu bác sĩ, thanh niên đi khám sức khỏe sinh sản phải xuống tận thành phố. Tỉnh có kế hoạch gì không ạ?",
        "",
        None,
    ),
    (
        "t2",
        "1288",
        "Em tốt nghiệp đại học hai năm vẫn chưa có việc làm đúng ngành. Tỉnh có chương trình nào kết nối thanh niên với doanh nghiệp không?",
        "Hoàng Thị Mai",
        "chua_co_viec_lam",
    ),
    (
        "t4",
        "1294",
        "Thanh niên trồng cây ăn quả muốn đưa sản phẩm lên sàn thương mại điện tử thì được hỗ trợ đào tạo và chứng nhận OCOP thế nào?",
        "",
        "kinh_te_gioi",
    ),
    (
        "t5",
        "1290",
        "Xã em chưa có sân bóng và nhà văn hóa cho thanh niên sinh hoạt buổi tối. Bao giờ tỉnh đầu tư ạ?",
        "",
        None,
    ),
    (
        "t1",
        "1318",
        "Học nghề ngắn hạn ở trung tâm giáo dục nghề nghiệp có được hỗ trợ tiền ăn ở cho thanh niên nhà xa không?",
        "",
        "chua_co_viec_lam",
    ),
    (
        "t3",
        "1360",
        "Tỉnh có cuộc thi hay quỹ nào hỗ trợ thanh niên có ý tưởng khởi nghiệp công nghệ không ạ?",
        "",
        "hoc_sinh_sinh_vien",
    ),
    (
        "t2",
        "1351",
        "Đi làm việc ở Nhật Bản, Hàn Quốc theo hợp đồng thì thanh niên được vay vốn bao nhiêu và làm sao để không bị lừa?",
        "",
        None,
    ),
    (
        "t6",
        "1321",
        "Học sinh hút thuốc lá điện tử trong trường học ngày càng nhiều. Ngành y tế và giáo dục sẽ làm gì?",
        "",
        None,
    ),
    ("t1", "1273", "Sinh viên ngành CNTT có được tỉnh cấp học bổng không ạ?", "", None),  # the same as the second
    ("", "1288", "Cho em hỏi đội tuyển nào sẽ vô địch bóng đá năm sau ạ?", "", None),  # not for this dialogue
]
BRANCHES = [
    (
        "Chi đoàn Trường THPT Chuyên Cao Bằng",
        "Phường Thục Phán",
        [
            (
                "Tỉnh có chính sách thu hút học sinh giỏi về làm việc ở tỉnh sau khi tốt nghiệp đại học không?",
                "",
                "Học sinh, sinh viên",
                "Giáo dục, đào tạo nghề và học bổng",
            ),
            (
                "Trường em cần thêm phòng máy tính và giáo viên tin học; tỉnh có hỗ trợ các trường vùng cao không?",
                "",
                "",
                "Chuyển đổi số, khoa học và công nghệ",
            ),
            (
                "Tỉnh có tổ chức giải thể thao điện tử cho học sinh, sinh viên không?",
                "",
                "",
                "Văn hóa, thể thao và đời sống tinh thần",
            ),
            (
                "Khi nào các trường có phòng tư vấn tâm lý cho học sinh?",
                "",
                "Học sinh, sinh viên",
                "Y tế và chăm sóc sức khỏe thanh niên",
            ),
        ],
    ),
    (
        "Đoàn xã Quảng Lâm",
        "Xã Quảng Lâm",
        [
            (
                "Hợp tác xã của thanh niên trồng dược liệu cần thuê đất dài hạn; thủ tục thuê đất thế nào?",
                "Lục Văn Tiến",
                "Thanh niên làm kinh tế giỏi",
                "Nông nghiệp, môi trường và kinh tế nông thôn",
            ),
            (
                "Thanh niên xuất ngũ trở về địa phương được hỗ trợ học nghề và tìm việc làm ra sao?",
                "",
                "Lực lượng vũ trang",
                "Việc làm, khởi nghiệp và vốn vay",
            ),
            (
                "Rác thải ở các chợ phiên vùng cao được thu gom, xử lý thế nào để giữ môi trường?",
                "",
                "",
                "Nông nghiệp, môi trường và kinh tế nông thôn",
            ),
            (
                "Thanh niên muốn mở homestay, làm du lịch cộng đồng có được hỗ trợ vốn và đào tạo không?",
                "",
                "",
                "Văn hóa, thể thao và đời sống tinh thần",
            ),
        ],
    ),
]
# question (its place: "h<n>" from home, "b<branch><row>" from a list) → (department, due: days before
# the day or None for "today + n", its preparation: None, "prepared", "accepted", "written", "returned")
PREPARATION = {
    "h2": (
        "d5",
        4,
        "accepted",
        "- Năm học này tỉnh dành 120 suất học bổng cho sinh viên ngành kỹ thuật, công nghệ thông tin.\n- Mỗi suất 10 triệu đồng; xét theo kết quả học tập và hoàn cảnh gia đình.\n- Hồ sơ nộp qua Đoàn trường trước ngày 30/9.",
    ),
    "h1": (
        "d16",
        4,
        "accepted",
        "- Vay tối đa 100 triệu đồng với hộ thanh niên sản xuất, kinh doanh; dưới 100 triệu không cần tài sản bảo đảm.\n- Hồ sơ qua Tổ tiết kiệm và vay vốn ở thôn, do Đoàn xã nhận ủy thác.",
    ),
    "h5": (
        "d1",
        4,
        "prepared",
        "- Sàn giao dịch việc làm mỗi tháng tại Trung tâm Dịch vụ việc làm tỉnh.\n- Chương trình thực tập có lương tại 35 doanh nghiệp năm nay.",
    ),
    "h6": (
        "d6",
        4,
        "accepted",
        "- Hỗ trợ 100% học phí lớp bán hàng trực tuyến cho thanh niên.\n- Tư vấn hồ sơ OCOP miễn phí tại Sở.",
    ),
    "h4": ("d7", 4, "written", "Cần số liệu nhân lực của 56 trạm y tế; Sở đề nghị trả lời bằng văn bản sau hội nghị."),
    "b21": (
        "d4",
        4,
        "returned",
        "Thuê đất theo hình thức trả tiền hằng năm, nộp hồ sơ tại Trung tâm Phục vụ hành chính công.",
    ),
    "h10": ("d1", 16, None, ""),  # due two days ago, nothing written yet: late
    "h3": ("d3", None, None, ""),  # due in two days
    "b14": ("d5", 4, None, ""),
}
SCRIPT = {  # in the order the script reads them, theme by theme
    "t1": ["h2", "b11", "h8"],
    "t2": ["h5", "h1", "b22"],
    "t3": ["h3", "h9"],
    "t4": ["h6", "b21"],
    "t5": ["h7"],
    "t6": ["b14", "h11"],
}
MC_LINES = {  # the MC's lines for some agenda items, as the Youth Union's secretary writes them in the script
    "a2": "Kính thưa các đồng chí lãnh đạo, thưa toàn thể các bạn đoàn viên, thanh niên tại điểm cầu chính và "
    "các điểm cầu xã, phường! Hôm nay, Ủy ban nhân dân tỉnh tổ chức Hội nghị đối thoại giữa Chủ tịch UBND tỉnh "
    "với thanh niên. Xin trân trọng giới thiệu các đại biểu dự Hội nghị.",
    "a3": "Xin trân trọng kính mời đồng chí Chủ tịch UBND tỉnh phát biểu khai mạc Hội nghị.",
    "a5": "Sau đây, xin mời các bạn thanh niên đặt câu hỏi theo từng nhóm vấn đề. Câu hỏi gửi qua mã QR tại "
    "các điểm cầu sẽ được tổ thư ký tổng hợp và chuyển lên màn hình.",
    "a6": "Xin trân trọng kính mời đồng chí Chủ tịch UBND tỉnh phát biểu kết luận Hội nghị.",
}
NOTES = {"h2": "Năm trước có 98 suất; Chủ tịch có thể nhắc đến kết quả này."}


def ahead(now: float, zone: str = TIMEZONE) -> dt.date:
    """The demo's day when it is loaded at ``now``: two weeks later."""
    return dt.datetime.fromtimestamp(now, ZoneInfo(zone)).date() + dt.timedelta(days=DAYS_AHEAD)


def month_before(day, zone: str = TIMEZONE) -> None:
    """Bring ``day`` (the demo just loaded, no question yet, its day two weeks ahead) to where a
    province would be by now: each step by the code that takes it on the real day, on a clock set
    back to when it would have happened (never later than now)."""
    from live.core.privacy import NOTICE_VERSION
    from live.formats import branchfile
    from live.services import branches, window
    from live.services import script as scripts

    real_now = day.now()
    date = dt.date.fromisoformat(day.conference()["date"])
    clock = [real_now]
    desk = day.desk

    def at(days_before: float, hour: float) -> float:
        moment = dt.datetime.combine(date - dt.timedelta(days=days_before), dt.time(0), ZoneInfo(zone))
        return min(moment.timestamp() + hour * 3600, real_now - 60)

    def when(days: int) -> str:
        return (date - dt.timedelta(days=days)).strftime("%d/%m/%Y")

    def act(place: str, action: str, role: str = "moderator", name: str = SECRETARIAT, **args) -> None:
        current = desk.get(made[place]["id"])
        payload = {"id": current["id"], "version": current["version"], **args}
        made[place], _ = desk.act(action, payload, role=role, name=name)

    def screen(places: list[str]) -> None:
        for place in places:
            if place == "h12":
                act(place, "merge", into=made["h2"]["id"])
            elif place == "h13":
                act(place, "reject", reason="off_topic")
            else:
                act(place, "approve")

    def prepare(places: list[str]) -> None:
        today = dt.datetime.fromtimestamp(real_now, ZoneInfo(zone)).date()
        for place in places:
            department, days, _, _ = PREPARATION[place]
            due = when(days) if days is not None else (today + dt.timedelta(days=2)).strftime("%d/%m/%Y")
            act(place, "prepare", department=department, due=due)

    made: dict[str, dict] = {}
    saved = day.now, desk.now
    day.now = desk.now = lambda: clock[0]
    try:
        clock[0] = at(30, 8)  # the plan is published: questions are received until the branches' deadline
        periods = f"{when(30)} 08:00 - {when(7)} 16:00\n{when(0)} 07:00 - {when(0)} 11:30"
        window.set_periods(day.store, periods, now=clock[0], by=ADMIN)
        for n, (theme, site, text, name, group) in enumerate(FROM_HOME, 1):
            clock[0] = at(30 - n, 20.5)
            consent = {purpose: NOTICE_VERSION for purpose, value in (("name", name), ("group", group)) if value}
            payload = {"id": f"demo-from-home-{n:04d}", "site": site, "text": text, "theme": theme or None}
            payload.update({k: v for k, v in (("name", name), ("group", group), ("consent", consent)) if v})
            made[f"h{n}"], _, _ = desk.submit(payload, device=f"demo-device-{n}", address=f"10.0.0.{n}")
        clock[0] = at(17, 21)  # the secretariat screens them and asks departments to prepare
        screen([place for place in made])
        prepare([place for place in PREPARATION if place.startswith("h")])
        for b, (branch, commune, rows) in enumerate(BRANCHES, 1):
            clock[0] = at(17 - b, 15)  # the branches' lists come in
            out = io.StringIO()
            out.write(",".join(f'"{h}"' for h in branchfile.HEADERS) + "\n")
            for text, name, group, theme in rows:
                out.write(",".join(f'"{v}"' for v in (commune, branch, text, name, group, theme)) + "\n")
            branches.import_file(day, out.getvalue().encode("utf-8"), "danh-sach.csv", by=f"{branch} (mẫu)")
            listed = {q["text"]: q for q in desk.all() if q.get("branch") == branch}
            for r, (text, *_rest) in enumerate(rows, 1):
                made[f"b{b}{r}"] = listed[text]
        clock[0] = at(15, 17)
        screen([place for place in made if place.startswith("b")])
        prepare([place for place in PREPARATION if place.startswith("b")])
        names = {d["id"]: d["name"] for d in day.conference()["departments"]}
        clock[0] = at(15, 20)  # the departments write through their links
        for place, (department, _, state, text) in PREPARATION.items():
            if state is not None:
                written = state == "written"
                act(
                    place,
                    "draft",
                    role="department",
                    name=names[department],
                    text=text,
                    written=written,
                    department=department,
                )
        clock[0] = at(14, 8)  # the secretariat reviews, notes, and the Youth Union's secretary picks the script
        for place, (_, _, state, _) in PREPARATION.items():
            if state == "accepted":
                act(place, "review", accept=True)
            elif state == "returned":
                act(place, "review", accept=False, note="Cần nêu rõ thời hạn thuê tối đa và số ngày giải quyết hồ sơ.")
        for place, notes in NOTES.items():
            act(place, "note", notes=notes)
        for places in SCRIPT.values():
            for place in places:
                act(place, "script", selected=True)
        scripts.save_lines(day.store, MC_LINES, day.conference()["agenda"], now=clock[0], by=SECRETARIAT)
    finally:
        day.now, desk.now = saved
    log.info("demo: the month before the day loaded (%d questions)", len(made))

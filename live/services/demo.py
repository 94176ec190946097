"""The demo conference: Cao Bằng's 2025 youth dialogue (plan 2334/KH-UBND, 29/07/2025).

The provincial hall plus the 56 communes and wards that Cao Bằng has since the 2025 reform
(``data/cao-bang-2025-communes.csv``, official administrative codes).
"""

from __future__ import annotations

import csv
from importlib import resources

from live.core.conference import validate

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


def conference() -> dict:
    """The whole demo conference, validated like any imported file."""
    hall = {"id": "hall", "code": "", "name": "Trung tâm Hội nghị tỉnh (điểm cầu chính)", "kind": "hall"}
    return validate(
        {
            "title": "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025",
            "organiser": "Ủy ban nhân dân tỉnh Cao Bằng",
            "theme": THEME,
            "date": "28/08/2025",
            "start_time": "08:00",
            "venue": "Phòng họp tầng 2, Trung tâm Hội nghị tỉnh (Km5, phường Thục Phán, tỉnh Cao Bằng)",
            "maket": [
                "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
                "HỘI NGHỊ",
                "ĐỐI THOẠI GIỮA CHỦ TỊCH UBND TỈNH",
                "VỚI THANH NIÊN NĂM 2025",
                f"Chủ đề: “{THEME}”",
                "Cao Bằng, ngày 28 tháng 8 năm 2025",
            ],
            "agenda": [{"id": f"a{n}", "title": title, "minutes": m} for n, (title, m) in enumerate(AGENDA, 1)],
            "themes": [{"id": f"t{n}", "name": name} for n, name in enumerate(THEMES, 1)],
            "departments": [{"id": f"d{n}", "name": name} for n, name in enumerate(DEPARTMENTS, 1)],
            "sites": [hall, *communes()],
        }
    )

"""The survey's results and the participation page as tables, in the reader's language.

No I/O, like live/web/report.py: the conference document, the counts (live/core/outcomes.py), the
survey's results (live/core/survey.py) and the attendance totals (live/core/participation.py) come
in; headers and rows come out, for the pages and the XLSX. Free texts come in already released by
the secretariat: a pending one is never passed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from live.core import outcomes
from live.core import survey as rules
from live.web.report import Names, Table

KIND_NAMES = {rules.RATING: _l("Chấm điểm từ 1 đến 5"), rules.TEXT: _l("Ý kiến tự do")}


def count_headers() -> list[str]:
    """The participation page's counts, in the order of ``outcomes.COLUMNS``."""
    return [
        _("Câu hỏi nhận được"),
        _("Được duyệt"),
        _("Trả lời tại hội nghị"),
        _("Chuyển trả lời bằng văn bản"),
        _("Lượt “Tôi cũng muốn hỏi”"),
    ]


def _values(row: Mapping[str, int]) -> list[int]:
    return [row.get(column, 0) for column in outcomes.COLUMNS]


def sites_table(doc: dict | None, rows: Mapping[str, Mapping[str, int]]) -> Table:
    """Per site (every one, 0 included), then the total."""
    names = Names.of(doc)
    body = [[names.site_code(site), names.site(site), *_values(row)] for site, row in rows.items()]
    body.append(["", _("Tổng cộng"), *_values(outcomes.total(rows.values()))])
    headers = [_("Mã điểm cầu"), _("Điểm cầu"), *count_headers()]
    return Table(_("Tham gia theo điểm cầu"), headers, body, (12, 44, 12, 12, 14, 16, 16), slug="tham-gia-diem-cau")


def themes_table(doc: dict | None, rows: Mapping[str | None, Mapping[str, int]]) -> Table:
    """Per theme, in the conference's order, then the questions given none; then the total."""
    names = Names.of(doc)
    body = [[names.theme(theme) if theme else _("Chưa xếp nhóm"), *_values(row)] for theme, row in rows.items()]
    body.append([_("Tổng cộng"), *_values(outcomes.total(rows.values()))])
    headers = [_("Nhóm vấn đề"), *count_headers()]
    return Table(_("Tham gia theo nhóm vấn đề"), headers, body, (48, 12, 12, 14, 16, 16), slug="tham-gia-nhom-van-de")


def unheard_table(doc: dict | None, silent: Sequence[str], unanswered: Sequence[str]) -> Table:
    """The sites never heard: none asked, or none of their questions answered."""
    names = Names.of(doc)
    body = [[names.site_code(s), names.site(s), _("Không có câu hỏi nào")] for s in silent]
    body += [[names.site_code(s), names.site(s), _("Có câu hỏi nhưng chưa câu nào được trả lời")] for s in unanswered]
    headers = [_("Mã điểm cầu"), _("Điểm cầu"), _("Tình trạng")]
    return Table(_("Điểm cầu chưa được lắng nghe"), headers, body, (12, 44, 44), slug="chua-duoc-lang-nghe")


def question_label(number: int, question: Mapping) -> str:
    """``Câu 2. Nội dung …``"""
    return _("Câu %(n)s. %(text)s", n=number, text=question.get("text", ""))


def survey_tables(doc: dict | None, questions: Sequence[Mapping], results: Mapping) -> list[Table]:
    """The survey's results (overall, then each site that answered: a row per rating question with
    how many rated it, the mean and the distribution 1–5), and its released free texts."""
    names = Names.of(doc)
    headers = [
        _("Mã điểm cầu"),
        _("Điểm cầu"),
        _("Số phiếu"),
        _("Câu hỏi"),
        _("Số người chấm"),
        _("Điểm trung bình"),
        *(_("Số người chấm %(n)s", n=n) for n in rules.SCALE),
    ]
    numbered = [(n, q) for n, q in enumerate(questions, start=1) if q.get("kind") == rules.RATING]
    parts = [("", _("Toàn tỉnh"), results["overall"])]
    parts += [(names.site_code(s), names.site(s), t) for s, t in results["sites"].items() if t["count"]]
    body = []
    for code, name, found in parts:
        for number, question in numbered:
            rated = found["ratings"].get(question["id"]) or {"n": 0, "mean": None, "spread": [0] * 5}
            mean = rated["mean"] if rated["mean"] is not None else ""
            body.append(
                [code, name, found["count"], question_label(number, question), rated["n"], mean, *rated["spread"]]
            )
    results_table = Table(_("Khảo sát"), headers, body, (12, 36, 10, 50, 12, 14, 9, 9, 9, 9, 9), slug="khao-sat")
    texts = []
    for site, found in results["sites"].items():
        texts += [[names.site_code(site), names.site(site), text] for text in found["texts"]]
    texts_table = Table(
        _("Ý kiến khảo sát"),
        [_("Mã điểm cầu"), _("Điểm cầu"), _("Ý kiến (đã được tổ thư ký đọc)")],
        texts,
        (12, 36, 90),
        slug="khao-sat-y-kien",
    )
    return [results_table, texts_table]


def attendance_table(rows: Sequence[Mapping], sums: Mapping[str, int], labels: Sequence[tuple[str, str]]) -> Table:
    """The attendance totals by group entered on /tham-gia (live/core/participation.py)."""
    headers = [_("Mã điểm cầu"), _("Điểm cầu"), *(label for _c, label in labels)]
    body = [
        [
            r["site"]["id"],
            r["site"]["name"],
            *(r["counts"][c] if r["counts"][c] is not None else "" for c, _l in labels),
        ]
        for r in rows
    ]
    body.append(["", _("Tổng cộng"), *(sums[c] for c, _l in labels)])
    return Table(_("Số thanh niên dự"), headers, body, slug="so-thanh-nien-du")

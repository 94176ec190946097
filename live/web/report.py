"""The record of the day as tables: every question, counts per site and per theme, the agenda
planned against actual, the audit log. The exports (XLSX, CSV) and the reports page read them.

No I/O: the conference document, the questions, the audit entries and the agenda report come in,
with the time zone; headers and rows come out. It belongs to the web adapter because its headers
and status names are in the reader's language (Flask-Babel's lazy strings, Vietnamese outside a
request); what people typed is never translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from live.core import languages, personal, questions
from live.core import window as windows
from live.formats.exports import TIMEZONE, Sheet, local_time
from live.web import messages
from live.web.i18n import ROLE_NAMES

CHANNEL_NAMES = {"qr": _l("Gửi qua mã QR"), "paper": _l("Phiếu giấy"), "spoken": _l("Phát biểu trực tiếp")}
CHANNEL_NAMES["branch"] = _l("Danh sách chi đoàn")  # the branches' lists (live/services/branches.py)
CHANNEL_NAMES["facilitator"] = _l("Qua cán bộ hỗ trợ ở điểm cầu")
# a question's phase (live/core/window.py); one stored before phases existed is placed by when it came
PHASE_NAMES = {"before": _l("Trước hội nghị"), "day": _l("Tại hội nghị"), "after": _l("Sau hội nghị")}
REASON_NAMES = {
    "duplicate": _l("Trùng lặp"),
    "off_topic": _l("Không đúng chủ đề"),
    "inappropriate": _l("Không phù hợp"),
    "other": _l("Khác"),
}
# a question the secretariat let through: it reached the queue, whatever happened to it next
PASSED = (questions.APPROVED, questions.ON_SCREEN, questions.ANSWERED, questions.FORWARDED)


@dataclass(frozen=True)
class Table(Sheet):
    """One table of the day: a sheet of the workbook, and a CSV file named ``slug``."""

    slug: str = ""  # the file name without extension: "cau-hoi"


@dataclass(frozen=True)
class Names:
    """The conference's names for the ids a question carries."""

    sites: dict[str, dict]
    themes: dict[str, str]
    departments: dict[str, str]

    @classmethod
    def of(cls, doc: dict | None) -> Names:
        doc = doc or {}
        return cls(
            sites={s["id"]: s for s in doc.get("sites", [])},
            themes={t["id"]: t["name"] for t in doc.get("themes", [])},
            departments={d["id"]: d["name"] for d in doc.get("departments", [])},
        )

    def site(self, site_id: str | None) -> str:
        site = self.sites.get(site_id or "")
        return site["name"] if site else site_id or ""

    def site_code(self, site_id: str | None) -> str:
        site = self.sites.get(site_id or "")
        return (site.get("code") or "") if site else site_id or ""

    def theme(self, theme_id: str | None) -> str:
        return self.themes.get(theme_id, theme_id) if theme_id else ""

    def department(self, department_id: str | None) -> str:
        return self.departments.get(department_id, department_id) if department_id else ""


def day_month_year(iso: str | None) -> str:
    """``2025-09-15`` → ``15/09/2025``; "" for None; anything else as it is."""
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(iso)


def _text(value: object) -> str:
    return str(value) if value else ""


# ---------------------------------------------------------------- every question


def _merged_ones(question: dict, names: Names) -> str:
    """The duplicates merged into ``question``: "K7Q2MX (Xã Quảng Lâm); …"."""
    return "; ".join(f"{o.get('code', '')} ({names.site(o.get('site'))})" for o in question.get("origins") or [])


def describe_fields(fields: dict, names: Names, zone: str, codes: dict[str, str] | None = None) -> str:
    """Changed fields as a person reads them: "trạng thái: đã duyệt; nhóm vấn đề: Việc làm".

    ``codes`` (question id → tracking code) names the question a merge went into.
    """
    parts = []
    for name, value in fields.items():
        if personal.is_removed(value):  # a purge or a deletion took it out (live/core/personal.py)
            value = _("(đã xoá)")
        elif name == "status":
            value = messages.STATUS_NAMES.get(value, value)
        elif name == "reply_state":
            value = messages.REPLY_STATE_NAMES.get(value, value)
        elif name == "reason":
            value = REASON_NAMES.get(value, value)
        elif name == "theme":
            value = names.theme(value)
        elif name == "prep_state":
            value = messages.PREP_STATE_NAMES.get(value, value)
        elif name in ("department", "reply_by", "prep_department"):
            value = names.department(value)
        elif name in ("deadline", "prep_due"):
            value = day_month_year(value)
        elif name == "rank":
            continue  # a position between two others, meaningless to read: the action says what moved
        elif isinstance(value, bool):
            value = _("có") if value else _("không")
        elif name == "merged_into" and value:
            value = (codes or {}).get(value, value)
        elif name.endswith("_at"):
            value = local_time(value, zone)
        elif name == "origins":
            value = ", ".join(o.get("code", "") for o in value or [])
        parts.append(f"{messages.QUESTION_FIELDS.get(name, name)}: {'' if value is None else value}")
    return "; ".join(parts)


def _who(entry: dict) -> str:
    role = str(ROLE_NAMES.get(entry.get("role"), entry.get("role") or ""))
    return f"{role} ({entry['name']})" if entry.get("name") else role


# what a history line leaves out: the time is the line's own, the text has its columns, the rank is noise
_NOT_IN_HISTORY = ("text", "original_text", "rank", "shown_at", "answered_at", "forwarded_at", "reply_at")


def history(entries: Iterable[dict], names: Names, zone: str, codes: dict[str, str] | None = None) -> str:
    """A question's moderation history as one cell: a line per action, oldest first."""
    lines = []
    for entry in entries:
        after = {k: v for k, v in (entry.get("after") or {}).items() if k not in _NOT_IN_HISTORY}
        what = str(messages.ACTION_NAMES.get(entry.get("action"), entry.get("action")))
        line = f"{local_time(entry.get('at'), zone)} — {what} — {_who(entry)}"
        if after:
            line += f" — {describe_fields(after, names, zone, codes)}"
        lines.append(" ".join(line.split("\n")))  # one line per action, whatever a summary holds
    return "\n".join(lines)


def questions_table(doc: dict | None, found: Sequence[dict], audit: Sequence[dict] = (), zone: str = TIMEZONE) -> Table:
    """Every question with its origin, its path through the day and its written reply."""
    names = Names.of(doc)
    codes = {q["id"]: q.get("code", "") for q in found}
    by_question: dict[str, list[dict]] = {}
    for entry in audit:
        for ident in entry.get("questions") or [entry.get("question")]:  # a bulk action's: each of its questions
            by_question.setdefault(ident, []).append(entry)
    headers = [
        _("Mã theo dõi"),
        _("Mã điểm cầu"),
        _("Điểm cầu"),
        _("Kênh"),
        _("Nhóm thanh niên"),
        _("Người hỏi"),
        _("Nhóm vấn đề"),
        _("Cơ quan trả lời"),
        _("Trạng thái"),
        _("Lý do từ chối"),
        _("Nhận lúc"),
        _("Trình chiếu lúc"),
        _("Trả lời lúc"),
        _("Chuyển văn bản lúc"),
        _("Nội dung"),
        _("Nội dung gốc"),
        _("Gộp vào câu hỏi"),
        _("Câu hỏi trùng đã gộp"),
        _("Tóm tắt trả lời"),
        _("Hạn trả lời"),
        _("Trạng thái văn bản trả lời"),
        _("Văn bản trả lời"),
        _("Công bố lúc"),
        _("Lịch sử xử lý"),
        _("Sự đồng ý của người hỏi"),  # last, so the columns before keep their places
        _("Giai đoạn"),  # before, on or after the conference's day (live/core/window.py): appended after
        _("Ngôn ngữ hỏi"),  # a question a bridge point's facilitator passed on (Desk.assist): appended after
        _("Lời gốc của người hỏi"),
    ]
    rows = []
    for q in found:
        group = questions.group_label(q.get("group"))
        rows.append(
            [
                q.get("code", ""),
                names.site_code(q.get("site")),
                names.site(q.get("site")),
                _text(CHANNEL_NAMES.get(q.get("channel"), q.get("channel"))),
                _(group) if group else "",
                q.get("name") or _("Ẩn danh"),
                names.theme(q.get("theme")),
                names.department(q.get("department")),
                _text(messages.STATUS_NAMES.get(q.get("status"), q.get("status"))),
                _text(REASON_NAMES.get(q.get("reason"), q.get("reason"))),
                local_time(q.get("received_at"), zone),
                local_time(q.get("shown_at"), zone),
                local_time(q.get("answered_at"), zone),
                local_time(q.get("forwarded_at"), zone),
                q.get("text", ""),
                q.get("original_text") or "",
                codes.get(q.get("merged_into"), q.get("merged_into") or "") if q.get("merged_into") else "",
                _merged_ones(q, names),
                q.get("summary") or "",
                day_month_year(q.get("deadline")),
                _text(messages.REPLY_STATE_NAMES.get(q.get("reply_state"), q.get("reply_state"))),
                q.get("reply_text") or "",
                local_time(q.get("published_at"), zone),
                history(by_question.get(q["id"], ()), names, zone, codes),
                consents(q, zone),
                _text(
                    PHASE_NAMES.get(
                        q.get("phase") or windows.phase(q.get("received_at"), (doc or {}).get("date"), zone)
                    )
                ),
                _(languages.label(q["language"])) if q.get("language") else "",
                q.get("original") or "",
            ]
        )
    widths = (10, 10, 26, 16, 20, 20, 28, 26, 18, 16, 19, 19, 19, 19, 60, 40, 12, 30, 50, 12, 16, 50, 19, 70, 40, 16)
    widths += (14, 60)  # the language asked in, the asker's own words
    return Table(_("Câu hỏi"), headers, rows, widths, slug="cau-hoi")


def consents(question: dict, zone: str) -> str:
    """What the asker agreed to, as the controller shows it: each purpose with the notice version and
    the time ("họ tên: phiên bản 2, 07/12/2026 18:08:01"), given through the secretariat or not; or
    when the purge removed them."""
    given = question.get("consent") if isinstance(question.get("consent"), dict) else {}
    purposes = {"name": _("họ tên"), "group": _("đối tượng")}
    said = []
    for purpose, label in purposes.items():
        found = given.get(purpose)
        if not isinstance(found, dict):
            continue
        when = local_time(found.get("at"), zone)
        text = _("%(what)s: phiên bản %(version)s, %(at)s", what=label, version=found.get("version", "?"), at=when)
        if found.get("via") == "secretariat":
            text += " " + _("(qua tổ thư ký)")
        said.append(text)
    if said:
        return "; ".join(said)
    if question.get("purged_at"):
        return _("đã xoá dữ liệu người hỏi lúc %(at)s", at=local_time(question["purged_at"], zone))
    return ""


# ---------------------------------------------------------------- statistics


def _count_headers(first: list[str]) -> list[str]:
    return first + [
        _("Đã nhận"),
        _("Được duyệt"),
        _("Trả lời tại hội nghị"),
        _("Chuyển trả lời bằng văn bản"),
        _("Từ chối"),
        _("Gộp (trùng)"),
        _("Chờ duyệt"),
    ]


def _counts(found: Iterable[dict]) -> list[int]:
    """received, passed moderation, answered, forwarded, rejected, merged, still waiting."""
    statuses = [q.get("status") for q in found]
    return [
        len(statuses),
        sum(s in PASSED for s in statuses),
        statuses.count(questions.ANSWERED),
        statuses.count(questions.FORWARDED),
        statuses.count(questions.REJECTED),
        statuses.count(questions.MERGED),
        statuses.count(questions.RECEIVED),
    ]


def _grouped(found: Sequence[dict], key: str, order: Iterable[str]) -> list[tuple[str | None, list[dict]]]:
    groups: dict[str | None, list[dict]] = {k: [] for k in order}
    for q in found:
        groups.setdefault(q.get(key), []).append(q)
    return list(groups.items())


def sites_table(doc: dict | None, found: Sequence[dict]) -> Table:
    """Per bridge point, every one of them (0 included): how many questions and what became of them.

    Each question counts once, at the site it was sent from; "được duyệt" includes those answered
    and forwarded afterwards.
    """
    names = Names.of(doc)
    rows = []
    for site_id, mine in _grouped(found, "site", names.sites):
        rows.append([names.site_code(site_id), names.site(site_id), *_counts(mine)])
    rows.append(["", _("Tổng cộng"), *_counts(found)])
    headers = _count_headers([_("Mã điểm cầu"), _("Điểm cầu")])
    return Table(_("Theo điểm cầu"), headers, rows, (12, 44, 10, 12, 14, 16, 10, 12, 11), slug="theo-diem-cau")


def themes_table(doc: dict | None, found: Sequence[dict]) -> Table:
    """Per theme (nhóm vấn đề), in the conference's order, then the questions given none."""
    names = Names.of(doc)
    rows = []
    for theme_id, mine in _grouped(found, "theme", names.themes):
        if theme_id is None and not mine:
            continue
        rows.append([names.theme(theme_id) if theme_id else _("Chưa xếp nhóm"), *_counts(mine)])
    rows.append([_("Tổng cộng"), *_counts(found)])
    headers = _count_headers([_("Nhóm vấn đề")])
    return Table(_("Theo nhóm vấn đề"), headers, rows, (48, 10, 12, 14, 16, 10, 12, 11), slug="theo-nhom-van-de")


def _minutes(seconds: float | None) -> float:
    return round((seconds or 0) / 60, 1)


def agenda_table(report: Sequence[dict], zone: str = TIMEZONE) -> Table:
    """Planned against actual per agenda item (``Day.agenda_report()``), in minutes, with the total."""
    headers = [
        _("STT"),
        _("Nội dung"),
        _("Kế hoạch (phút)"),
        _("Thêm (phút)"),
        _("Thực tế (phút)"),
        _("Chênh lệch so với kế hoạch (phút)"),
        _("Bắt đầu"),
        _("Kết thúc"),
    ]
    rows = []
    planned_total = actual_total = extra_total = difference_total = 0.0
    for n, item in enumerate(report, start=1):
        planned, actual, extra = (
            _minutes(item.get("planned")),
            _minutes(item.get("actual")),
            _minutes(item.get("extra")),
        )
        started = item.get("started_at") is not None
        # an item never started has no difference to show: the day may have ended early or not yet
        difference = round(actual - planned, 1) if started else ""
        planned_total, actual_total, extra_total = planned_total + planned, actual_total + actual, extra_total + extra
        difference_total += difference if started else 0.0
        rows.append(
            [
                n,
                item.get("title", ""),
                planned,
                extra,
                actual,
                difference,
                local_time(item.get("started_at"), zone),
                local_time(item.get("ended_at"), zone),
            ]
        )
    rows.append(
        [
            "",
            _("Tổng cộng"),
            round(planned_total, 1),
            round(extra_total, 1),
            round(actual_total, 1),
            round(difference_total, 1),
            "",
            "",
        ]
    )
    return Table(_("Chương trình"), headers, rows, (6, 60, 14, 11, 13, 18, 19, 19), slug="chuong-trinh")


# ---------------------------------------------------------------- the audit log


def audit_table(
    audit: Sequence[dict], doc: dict | None = None, zone: str = TIMEZONE, found: Sequence[dict] = ()
) -> Table:
    """The audit log as a person reads it, newest first: when, who, what, before → after.

    ``found`` (every question) lets a merge name the question it went into by its tracking code.
    """
    names = Names.of(doc)
    codes = {q["id"]: q.get("code", "") for q in found}
    headers = [
        _("Thời gian"),
        _("Vai trò"),
        _("Người thao tác"),
        _("Thao tác"),
        _("Mã câu hỏi"),
        _("Trước"),
        _("Sau"),
    ]
    rows = []
    for entry in reversed(audit):
        rows.append(
            [
                local_time(entry.get("at"), zone),
                _text(ROLE_NAMES.get(entry.get("role"), entry.get("role"))),
                entry.get("name") or "",
                _text(messages.ACTION_NAMES.get(entry.get("action"), entry.get("action"))),
                _("(đã xoá)")
                if personal.is_removed(entry.get("code"))  # a deletion
                else entry.get("code") or ", ".join(entry.get("codes") or []),  # a bulk action: every code
                describe_fields(entry.get("before") or {}, names, zone, codes),
                describe_fields(entry.get("after") or {}, names, zone, codes),
            ]
        )
    return Table(_("Nhật ký thao tác"), headers, rows, (19, 22, 20, 26, 11, 60, 60), slug="nhat-ky")


def day_tables(
    doc: dict | None, found: Sequence[dict], audit: Sequence[dict], agenda: Sequence[dict], zone: str = TIMEZONE
) -> list[Table]:
    """Every table of the day, in the order of the workbook's sheets."""
    return [
        questions_table(doc, found, audit, zone),
        sites_table(doc, found),
        themes_table(doc, found),
        agenda_table(agenda, zone),
        audit_table(audit, doc, zone, found),
    ]

"""The conference document: validation, normalisation, and its human-editable file form.

Pure code. A conference is one JSON-able dict; ``validate`` takes what a person wrote (an admin
form, a YAML or JSON file) and returns the clean document or raises ``DomainError`` naming the
field and the problem. Unknown keys are refused, never copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from typing import Any

import yaml

from live.core.clock import DEFAULT_SPEAKER_WARNING, DEFAULT_WARNING, Item
from live.core.errors import DomainError
from live.core.text import clean

SITE_KINDS = ("hall", "commune", "ward")
TIMEZONE = "Asia/Ho_Chi_Minh"  # the conference's time zone: every date and time a person reads
LIMITS = {"agenda": 200, "themes": 100, "departments": 200, "sites": 10_000, "maket": 12}
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

TOP_FIELDS = (
    "title",
    "organiser",
    "theme",
    "date",
    "start_time",
    "venue",
    "maket",
    "warning_seconds",
    "speaker_warning_seconds",
    "agenda",
    "themes",
    "departments",
    "sites",
)
LIST_FIELDS = {
    "agenda": ("id", "title", "minutes"),
    "themes": ("id", "name"),
    "departments": ("id", "name"),
    "sites": ("id", "code", "name", "kind"),
}


def _text(value: Any, field: str, *, required: bool = False, limit: int = 300) -> str:
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise DomainError("conference.not_text", field=field)
    text = clean(value)
    if required and not text:
        raise DomainError("conference.required", field=field)
    if len(text) > limit:
        raise DomainError("conference.too_long", field=field, limit=limit)
    return text


YEARS = (1900, 2100)  # "28/08/0205" is a slip of the finger, not the year 205


def _date(value: Any, field: str) -> str:
    """Accept dd/mm/yyyy (as people write it) or yyyy-mm-dd; store ISO."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = clean(value)
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                value = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if not isinstance(value, dt.date) or not YEARS[0] <= value.year <= YEARS[1]:
        raise DomainError("conference.bad_date", field=field)
    return value.isoformat()


def day_month_year(iso: str) -> str:
    """``2025-08-28`` → ``28/08/2025``, the way the date is written in Vietnam."""
    date = dt.date.fromisoformat(iso)
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


def _time(value: Any, field: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 08:00 as a sexagesimal number of minutes
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str) or not _TIME.match(clean(value)):
        raise DomainError("conference.bad_time", field=field)
    hours, minutes = clean(value).split(":")
    return f"{int(hours):02d}:{minutes}"


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, str):
        value = value.strip()
        if re.fullmatch(r"-?\d+", value):
            value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError("conference.bad_number", field=field, low=low, high=high)
    return value


def _minutes(value: Any, field: str) -> float | int:
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise DomainError("conference.bad_minutes", field=field) from None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise DomainError("conference.bad_minutes", field=field)
    # round first: 0.001 minutes must not slip through as an item of 0 minutes
    value = int(value) if float(value).is_integer() else round(float(value), 2)
    if not 0 < value <= 600:
        raise DomainError("conference.bad_minutes", field=field)
    return value


def _rows(data: dict, name: str) -> list[dict]:
    rows = data.get(name)
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise DomainError("conference.not_a_list", field=name)
    if len(rows) > LIMITS[name]:
        raise DomainError("conference.too_many", field=name, limit=LIMITS[name])
    allowed = set(LIST_FIELDS[name])
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise DomainError("conference.bad_row", field=name, row=n)
        unknown = sorted(set(map(str, row)) - allowed)
        if unknown:
            raise DomainError("conference.unknown_field", field=f"{name}[{n}].{unknown[0][:60]}")
    return rows


def _ids(rows: list[dict], name: str, prefix: str, preferred: list[str]) -> list[str]:
    """Each row's id: as given, else ``preferred`` (a site's code), else ``prefix`` + number."""
    ids: list[str] = []
    for n, row in enumerate(rows, start=1):
        raw = row.get("id")
        ident = _text(raw, f"{name}[{n}].id", limit=40) if raw not in (None, "") else ""
        if ident and not _ID.match(ident):
            raise DomainError("conference.bad_id", field=f"{name}[{n}].id")
        if ident and ident in ids:
            raise DomainError("conference.duplicate_id", field=f"{name}[{n}].id", id=ident)
        ids.append(ident)
    taken = set(ids)
    for n, ident in enumerate(ids):
        if ident:
            continue
        candidate = preferred[n] if _ID.match(preferred[n] or "") and preferred[n] not in taken else ""
        k = n + 1
        while not candidate or candidate in taken:
            candidate, k = f"{prefix}{k}", k + 1
        ids[n] = candidate
        taken.add(candidate)
    return ids


def validate(data: Any) -> dict:
    """Return the clean conference document for ``data`` or raise ``DomainError``."""
    if not isinstance(data, dict):
        raise DomainError("conference.not_a_document")
    unknown = sorted(set(map(str, data)) - set(TOP_FIELDS))
    if unknown:
        raise DomainError("conference.unknown_field", field=unknown[0][:60])
    doc: dict[str, Any] = {
        "title": _text(data.get("title"), "title", required=True),
        "organiser": _text(data.get("organiser"), "organiser"),
        "theme": _text(data.get("theme"), "theme", limit=500),
        "date": _date(data.get("date"), "date"),
        "start_time": _time(data.get("start_time"), "start_time"),
        "venue": _text(data.get("venue"), "venue", limit=500),
        "warning_seconds": _int(data.get("warning_seconds", DEFAULT_WARNING), "warning_seconds", 0, 3600),
        "speaker_warning_seconds": _int(
            data.get("speaker_warning_seconds", DEFAULT_SPEAKER_WARNING), "speaker_warning_seconds", 0, 600
        ),
    }
    maket = data.get("maket")
    if maket is None:
        maket = []
    if isinstance(maket, str):
        maket = maket.splitlines()
    if not isinstance(maket, list):
        raise DomainError("conference.not_a_list", field="maket")
    lines = [_text(line, f"maket[{n}]", limit=300) for n, line in enumerate(maket, start=1)]
    lines = [line for line in lines if line]
    if len(lines) > LIMITS["maket"]:
        raise DomainError("conference.too_many", field="maket", limit=LIMITS["maket"])
    doc["maket"] = lines

    agenda = _rows(data, "agenda")
    ids = _ids(agenda, "agenda", "item", [""] * len(agenda))
    doc["agenda"] = [
        {
            "id": ids[n - 1],
            "title": _text(row.get("title"), f"agenda[{n}].title", required=True),
            "minutes": _minutes(row.get("minutes"), f"agenda[{n}].minutes"),
        }
        for n, row in enumerate(agenda, start=1)
    ]
    for name, prefix in (("themes", "theme"), ("departments", "dept")):
        rows = _rows(data, name)
        ids = _ids(rows, name, prefix, [""] * len(rows))
        doc[name] = [
            {"id": ids[n - 1], "name": _text(row.get("name"), f"{name}[{n}].name", required=True)}
            for n, row in enumerate(rows, start=1)
        ]
    sites = _rows(data, "sites")
    codes = [_text(row.get("code"), f"sites[{n}].code", limit=20) for n, row in enumerate(sites, start=1)]
    ids = _ids(sites, "sites", "site", codes)
    doc["sites"] = []
    for n, row in enumerate(sites, start=1):
        kind = _text(row.get("kind") or "commune", f"sites[{n}].kind", limit=20)
        if kind not in SITE_KINDS:
            raise DomainError("conference.bad_kind", field=f"sites[{n}].kind", kinds=", ".join(SITE_KINDS))
        doc["sites"].append(
            {
                "id": ids[n - 1],
                "code": codes[n - 1],
                "name": _text(row.get("name"), f"sites[{n}].name", required=True),
                "kind": kind,
            }
        )
    return doc


def fingerprint(doc: dict | None) -> str:
    """A short digest of a conference, to notice that someone else saved it meanwhile."""
    canonical = json.dumps(doc or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def agenda_items(doc: dict) -> list[Item]:
    """The agenda as the clock sees it: ids, titles, planned seconds."""
    return [Item(id=row["id"], title=row["title"], planned=round(row["minutes"] * 60)) for row in doc.get("agenda", [])]


def planned_starts(doc: dict) -> tuple[list[str], str]:
    """Each agenda item's planned start (``HH:MM``, 24-hour: the start time plus the planned
    seconds of the items before it, to the minute below) and the planned end; all "" without a
    start time. The public page, the admin page and the script read the same times."""
    start = doc.get("start_time") or ""
    items = agenda_items(doc)
    if not start:
        return [""] * len(items), ""
    hours, minutes = start.split(":")
    at = int(hours) * 3600 + int(minutes) * 60
    starts = []
    for item in items:
        starts.append(_clock(at))
        at += item.planned
    return starts, (_clock(at) if items else "")


def _clock(seconds: int) -> str:
    minutes = (seconds // 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---------------------------------------------------------------- the file form

FILE_HEADER = """\
# Hội nghị đối thoại — tệp cấu hình hội nghị (conference file)
# Sửa bằng trình soạn thảo văn bản bất kỳ, lưu UTF-8, rồi nhập lại trên trang Quản trị.
# Ngày viết dd/mm/yyyy, giờ 24h (HH:MM), thời lượng mục chương trình tính bằng phút.
# kind của điểm cầu: hall (hội trường chính), commune (xã), ward (phường).
"""


def to_file(doc: dict, fmt: str = "yaml") -> str:
    """Serialise a conference to the file people edit: YAML (default) or JSON."""
    out = dict(doc)
    if out.get("date"):
        out["date"] = day_month_year(out["date"])
    ordered = {key: out.get(key) for key in TOP_FIELDS}
    if fmt == "json":
        return json.dumps(ordered, ensure_ascii=False, indent=2) + "\n"
    body = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000)
    return FILE_HEADER + body


class _TextLoader(yaml.SafeLoader):
    """YAML as people write it: every unquoted value is text, only an empty value is null.

    YAML 1.1 would read ``code: 01273`` as the octal number 699, ``minutes: 1:30`` as 90,
    ``title: yes`` as true and ``date: 2025-02-31`` as a crash; validation parses text instead.
    """


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(text: str) -> Any:
    """The file's data: JSON when it is JSON (numbers and ``\\uD83D\\uDE00`` pairs as JSON means
    them), YAML otherwise; a syntax error names its line."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass  # perhaps YAML's flow style; YAML says where it breaks
    try:
        return yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = getattr(mark, "line", None)
        raise DomainError("conference.bad_file", line=(line + 1) if line is not None else "?") from None
    except (ValueError, TypeError, OverflowError, RecursionError):
        # an explicit tag with a bad value (``!!timestamp 2025-02-31``, ``!!int x``) or absurd nesting
        raise DomainError("conference.bad_file", line="?") from None


def from_file(text: str | bytes) -> dict:
    """Parse a YAML or JSON conference file and validate it."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError("conference.not_utf8") from None
    if len(text) > 5_000_000:
        raise DomainError("conference.file_too_large")
    return validate(_parse(text.removeprefix("\ufeff")))

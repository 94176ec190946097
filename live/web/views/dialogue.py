"""The dialogue's public page (linkable from the province's portal) and asking from home.

``/doi-thoai`` says what the dialogue is (title, theme, date, place, agenda with start times, the
bridge points), whether questions are received now, how to ask, and the newest published answers.
``/hoi`` lists the communes and wards, searchable without diacritics, each a link to the same
intake a hall's QR code opens (``/q/<site_id>``): one form, one outbox, one window, one receipt.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_decimal, gettext

from live.core.conference import planned_starts
from live.core.text import clean, fold
from live.formats import exports
from live.services import replies
from live.services.day import public_conference
from live.web.auth import day
from live.web.views import window

bp = Blueprint("dialogue", __name__)

LIST_LIMIT = 200  # up to this many bridge points (or matches) are listed whole
FIRST = 50  # beyond it: the first ones, and "type to narrow"
NEWEST = 20  # published answers on the dialogue's page; all of them at /tra-loi
SEARCH_LIMIT = 100  # characters of a search; a commune's name is far shorter


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or exports.TIMEZONE


def agenda(doc: dict) -> tuple[list[dict], str]:
    """The agenda as people read it, and the time it ends: each item's planned start
    (``conference.planned_starts``; empty when the start time is unknown) and its minutes."""
    starts, ends = planned_starts(doc)
    rows = [
        {"title": item["title"], "minutes": item["minutes"], "at": at}
        for item, at in zip(doc.get("agenda", []), starts, strict=True)
    ]
    return rows, ends


def _sort_key(site: dict) -> tuple[str, str]:
    return fold(site["name"]), site["name"]


def bridge_points(doc: dict) -> tuple[list[dict], list[dict]]:
    """(the halls, the communes and wards), each sorted by name as Vietnamese reads without marks."""
    sites = doc.get("sites", [])
    halls = sorted((s for s in sites if s["kind"] == "hall"), key=_sort_key)
    others = sorted((s for s in sites if s["kind"] != "hall"), key=_sort_key)
    return halls, others


def for_home(doc: dict) -> list[dict]:
    """The sites a young person may ask from at home: the communes and wards by name, then the
    hall(s) last. The hall stays on the list: with a conference of the hall alone it is the only
    way in, and someone who belongs to no listed commune still has somewhere to ask."""
    halls, others = bridge_points(doc)
    return [{"id": s["id"], "name": s["name"], "code": s.get("code", ""), "kind": s["kind"]} for s in others + halls]


def search(sites: list[dict], typed: str) -> list[dict]:
    """The sites whose name or code holds every word typed, without diacritics or case."""
    words = fold(typed).split()
    if not words:
        return list(sites)
    found = []
    for site in sites:
        key = f"{fold(site['name'])} {fold(site['code'])}"
        if all(word in key for word in words):
            found.append(site)
    return found


def newest_answers(groups: list[dict], limit: int = NEWEST) -> tuple[list[dict], int]:
    """The ``limit`` newest published answers, still grouped by theme in the conference's order,
    and how many there are in all."""
    everything = [(a, index) for index, group in enumerate(groups) for a in group["answers"]]
    kept = sorted(everything, key=lambda pair: (-pair[0]["at"], pair[0]["code"]))[:limit]
    chosen = {id(a) for a, _ in kept}
    out = []
    for group in groups:
        answers = [a for a in group["answers"] if id(a) in chosen]
        if answers:
            out.append({**group, "answers": answers})
    return out, len(everything)


def _minutes(value: float) -> str:
    return gettext("%(n)s phút", n=format_decimal(value))


@bp.get("/doi-thoai")
def page():
    """The dialogue's public page: what, when, where, the agenda, how to ask, the answers."""
    doc = day().conference() or {}
    rows, ends = agenda(doc)
    for row in rows:
        row["duration"] = _minutes(row["minutes"])
    halls, others = bridge_points(doc)
    answers, total = newest_answers(replies.public_answers(day(), _zone()))
    return render_template(
        "dialogue.html",
        screen="dialogue",
        snapshot={"conference": public_conference(doc)},
        agenda=rows,
        ends=ends,
        halls=halls,
        others=others,
        list_limit=LIST_LIMIT,
        window=window.public_state(day().now()),
        groups=answers,
        shown=sum(len(group["answers"]) for group in answers),
        total=total,
    )


@bp.get("/hoi")
def ask_home():
    """Asking from home: choose one's commune or ward (searchable without diacritics), which
    opens the same question form as the hall's QR code. Works as a plain GET form without JS."""
    doc = day().conference() or {}
    sites = for_home(doc)
    raw = request.args.get("tim", "")
    error = None
    if len(raw) > SEARCH_LIMIT:
        error = gettext("Từ khóa tìm kiếm quá dài: tối đa %(n)s ký tự.", n=SEARCH_LIMIT)
        typed = ""
    else:
        typed = " ".join(clean(raw).split())
    found = search(sites, typed)
    shown = found if len(found) <= LIST_LIMIT else found[:FIRST]
    ask_url = url_for("phone.ask", site_id="SITE")
    body = render_template(
        "ask_home.html",
        screen="ask_home",
        snapshot={"conference": public_conference(doc)},
        typed=typed,
        error=error,
        found=found,
        shown=shown,
        total=len(sites),
        window=window.public_state(day().now()),
        data={
            "sites": [[s["id"], s["name"], s["code"], s["kind"]] for s in sites],
            "ask_url": ask_url,
            "list_limit": LIST_LIMIT,
            "first": FIRST,
            "strings": {
                "count": gettext("Tìm thấy {n} kết quả."),
                "more": gettext("Có {n} kết quả: đây là {shown} kết quả đầu, gõ thêm để thu hẹp."),
                "none": gettext("Không tìm thấy xã, phường nào khớp với “{q}”. Hãy gõ ít chữ hơn, hoặc gõ mã xã."),
                "code": gettext("Mã {code}"),
                "hall": gettext("Hội trường chính: dành cho người dự tại hội trường"),
            },
        },
    )
    return body, (400 if error else 200)

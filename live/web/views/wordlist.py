"""The secretariat's page of the word lists (/tu-khoa/): the banned words that hold a question for
a person's decision, the suspect words that flag it, the allow-list, and a sentence to try
(live/services/wordlist.py; the matching in live/core/wordlist.py)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import window as windows
from live.core import wordlist as rules
from live.core.errors import DomainError
from live.formats import exports
from live.services import wordlist as service
from live.web import forms, messages
from live.web.auth import day, screen

bp = Blueprint("wordlist", __name__, url_prefix="/tu-khoa")
log = logging.getLogger("live.wordlist")

TRIAL_LIMIT = 2000  # the sentence to try: a question is at most 1,000 characters
TIER_NAMES = {"banned": _l("Từ cấm"), "suspect": _l("Từ cần xem"), "allow": _l("Từ được phép")}


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or exports.TIMEZONE


def _staff_name() -> str:
    return forms.staff_name() or forms.staff_role()


def _render(*, error: str | None = None, typed: dict | None = None, status: int = 200):
    store = day().store
    setting = service.setting(store)
    compiled = service.compiled(store)
    trial = request.args.get("thu", "")[:TRIAL_LIMIT]
    body = render_template(
        "wordlist.html",
        screen="wordlist",
        snapshot=day().snapshot(),
        texts=typed or {tier: "\n".join(setting[tier]) for tier in rules.TIERS},
        counts=compiled.counts(),
        tiers=rules.TIERS,
        tier_names=TIER_NAMES,
        shipped=setting["shipped"],
        set_at=windows.moment_text(setting["set_at"], _zone()) if setting.get("set_at") else "",
        set_by=setting.get("by") or "",
        trial=trial,
        found=compiled.match(trial) if trial.strip() else None,
        limits={"entries": rules.MAX_ENTRIES, "chars": rules.MAX_ENTRY_CHARS, "words": rules.MAX_ENTRY_WORDS},
        error=error,
    )
    return body, status


@bp.get("/")
@screen("wordlist")
def page():
    """The three lists, how many entries each holds, and what a typed sentence would match."""
    return _render()


@bp.post("/")
@screen("wordlist")
def save():
    """Replace the three lists (all checked first: all saved, or nothing and the line at fault)."""
    typed = {tier: request.form.get(tier, "") for tier in rules.TIERS}
    try:
        doc = service.save(day().store, typed, now=day().now(), by=_staff_name())
    except DomainError as error:
        if "tier" in error.params:
            error.params["tier"] = str(TIER_NAMES.get(str(error.params["tier"]), error.params["tier"]))
        return _render(error=messages.describe(error), typed=typed, status=400)
    flash(
        gettext(
            "Đã lưu danh sách: %(banned)s từ cấm, %(suspect)s từ cần xem, %(allow)s từ được phép. "
            "Câu hỏi mới được kiểm tra theo danh sách này; câu hỏi đã nhận không được kiểm tra lại.",
            **{tier: len(doc[tier]) for tier in rules.TIERS},
        )
    )
    return redirect(url_for("wordlist.page"), code=303)


@bp.post("/ban-dau")
@screen("wordlist")
def reset():
    """Back to the list the product ships."""
    service.reset(day().store, now=day().now(), by=_staff_name())
    flash(gettext("Đã dùng lại danh sách ban đầu."))
    return redirect(url_for("wordlist.page"), code=303)

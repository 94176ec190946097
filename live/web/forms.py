"""What the staff pages made of plain forms read from a POST alike: who acts (their role, and the
name typed in "Tên người duyệt" for the audit log), which question at which version, and the
conference's title and organiser every page of the family shows at its top."""

from __future__ import annotations

from flask import request

from live.core import questions
from live.core.errors import DomainError
from live.core.text import clean
from live.web.auth import current_roles, day

STAFF_NAME_LIMIT = 40
_RAW_LIMIT = 1000  # longer than any name: not cleaned, read as no name


def staff_name(field: str = "by") -> str:
    """The name typed in ``field``, cleaned and cut to 40 characters; "" when none (or absurd)."""
    raw = request.form.get(field, "")
    return " ".join(clean(raw).split())[:STAFF_NAME_LIMIT] if len(raw) < _RAW_LIMIT else ""


def staff_role() -> str:
    """The secretariat's role the audit log records: the admin's when the session holds it."""
    return "admin" if "admin" in current_roles() else "moderator"


def actor() -> tuple[str, str]:
    """(role, name) of whoever sent the form."""
    return staff_role(), staff_name()


def question_id() -> str:
    """The form's question id; ``question.not_found`` when it cannot be one."""
    ident = request.form.get("id", "")
    if not questions.valid_id(ident):
        raise DomainError("question.not_found")
    return ident


def question_version() -> int:
    """The version of the question the person saw; ``question.bad_version`` when missing."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise DomainError("question.bad_version") from None


def page_info() -> dict:
    """What every page of this family shows at its top: the conference's title and organiser."""
    doc = day().conference() or {}
    return {"conference": {"title": doc.get("title", ""), "organiser": doc.get("organiser", "")}}

"""What live tells a young person about their data, and what it keeps of their consent.

The privacy notice (``/quyen-rieng-tu``, templates/privacy.html) is versioned: ``NOTICE_VERSION``
names the text a person read when they agreed, and is stored with what they agreed to. Change the
version whenever the notice's text changes: ``NOTICES`` records, for each version, its date and the
sha256 of templates/privacy.html as published, and tests/web/test_privacy.py fails when the
template no longer matches the current version's hash.

To publish a new text: edit templates/privacy.html (its version line reads ``NOTICE_VERSION`` and
the date from here), raise ``NOTICE_VERSION``, add its entry to ``NOTICES`` with the new date and
``sha256sum templates/privacy.html``, and keep the old entries: a consent stored with version "1"
must still say which text it was given under.
"""

from __future__ import annotations

from typing import NamedTuple

NOTICE_VERSION = "2"  # the notice of 07/12/2026 with retention, rights by tracking code, rehearsals
NOTICE_PATH = "/quyen-rieng-tu"


class Notice(NamedTuple):
    """One published version of the notice: its date (dd/mm/yyyy) and its template's sha256."""

    date: str
    sha256: str


NOTICES: dict[str, Notice] = {
    "1": Notice("07/12/2026", "a8192d39ab3ce8b2453260cca9e6a09b97766d47ec296f4efdad507754253eeb"),
    # automatic deletion after the retention period; see, withdraw and delete by tracking code;
    # participation only as totals per site; rehearsal questions deleted after the rehearsal
    "2": Notice("07/12/2026", "b6880aa275b6a01df38f56b275e4853781f1bab3b4c18ffc50f52adc509d5e7c"),
}

# who answers for the data when the conference file names no organiser
FALLBACK_CONTROLLER = {
    "vi": "Ban tổ chức hội nghị",
    "en": "the conference's organising committee",
}


def controller(doc: dict | None, language: str = "vi") -> str:
    """Who is responsible for the data (the controller): the conference's organiser, else a
    general wording in ``language`` ("vi" or "en")."""
    organiser = " ".join(str((doc or {}).get("organiser") or "").split())
    return organiser or FALLBACK_CONTROLLER.get(language, FALLBACK_CONTROLLER["vi"])


def facts(doc: dict | None, language: str = "vi") -> dict:
    """What the notice's page fills in: the controller, whether the conference file named it,
    the conference's title, and the notice's version and date."""
    doc = doc or {}
    return {
        "controller": controller(doc, language),
        "named": bool(" ".join(str(doc.get("organiser") or "").split())),
        "title": doc.get("title") or "",
        "version": NOTICE_VERSION,
        "date": NOTICES[NOTICE_VERSION].date,
    }

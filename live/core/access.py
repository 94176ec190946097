"""Roles, screens and secret links (who may send each event: live/core/events.py).

Staff screens open through a secret link per role (``/k/<token>``, 192 bits from ``secrets``).
Following a link records a *grant* in the signed session cookie and redirects to the screen, so
the secret leaves the address bar at once. A grant is a fingerprint of the token it came from:
regenerating a role's token revokes every grant made with the old one.

A role may also have a PIN set by the admin (``/dang-nhap``). Only a salted hash of it is stored;
a grant made with a PIN is a fingerprint of that hash (``pin_mark``), so changing or clearing the
PIN revokes every session opened with the old one, and a link and a PIN revoke independently.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets

PUBLIC = "public"  # the pseudo-role of every visitor: a phone needs no link

ROLES = ("admin", "moderator", "mc", "chair", "projector", "site", "qr-sheet")

# the page each role's link opens
HOME = {
    "admin": "admin.page",
    "moderator": "screens.moderator",
    "mc": "screens.mc",
    "chair": "screens.chair",
    "projector": "screens.projector",
    "site": "sites.screens",
    "qr-sheet": "sites.sheet",
}

# which roles may open each screen (the admin may open every staff screen, to rehearse)
SCREENS = {
    "admin": {"admin"},
    "moderator": {"moderator", "admin"},
    "mc": {"mc", "admin"},
    "chair": {"chair", "admin"},
    "projector": {"projector", "admin"},
    # a bridge point's own display (one link for every technician; the page lists the sites)
    "site": {"site", "admin"},
    # the printable A4 sheet of QR posters, and the QR images themselves
    "qr-sheet": {"qr-sheet", "site", "admin"},
    # a young person's phone: public, no link needed
    "phone": {PUBLIC},
    # after the day: the exports, the conclusion notice draft and the answers' summaries
    "reports": {"moderator", "admin"},
    # written replies (live/web/views/replies.py): the secretariat approves them. The public answers
    # page (/tra-loi) and the lookup by tracking code (/tra-cuu) need no link, and a department's
    # page (/co-quan/<token>) checks its own link on every request: none of them is a screen here,
    # because a PUBLIC screen would let any visitor's socket join the staff screens' room
    "replies": {"moderator", "admin"},
    # the register of requests about personal data (live/web/views/rights.py); the asker's own page
    # (/du-lieu-cua-toi) needs no link and is no screen, like the lookup by tracking code
    "rights": {"moderator", "admin"},
    # participation by group as totals per site (never per person): the facilitators and the secretariat
    "participation": {"site", "moderator", "admin"},
    # the branches' lists of questions collected before the day (live/web/views/branches.py)
    "branches": {"moderator", "admin"},
    # departments preparing answers before the day: the secretariat assigns and reviews
    # (live/web/views/preparation.py); a department writes through its own link, which is no screen
    "preparation": {"moderator", "admin"},
    # the script (kịch bản): the Youth Union secretary selects and orders questions, downloads the
    # script, the chairman's pack and each department's pack (live/web/views/script.py)
    "script": {"moderator", "admin"},
    # the word lists that hold or flag a question at intake (live/web/views/wordlist.py)
    "wordlist": {"moderator", "admin"},
    # the survey after the day (live/web/views/survey.py): the admin sets its questions, opens and
    # closes it; the secretariat reads each free text before it reaches the results. A phone answers
    # at /khao-sat/<site>, which needs no link and is no screen
    "survey": {"admin"},
    "survey-review": {"moderator", "admin"},
}


def may_open(roles: set[str] | frozenset[str], screen: str) -> bool:
    return bool(SCREENS.get(screen, set()) & (set(roles) | {PUBLIC}))


def new_token() -> str:
    """A fresh secret for a role link: 192 bits, URL-safe."""
    return _secrets.token_urlsafe(24)


def fingerprint(token: str) -> str:
    """What a session keeps of a token: enough to check it, useless to open a link."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


PIN_MARK = "pin:"  # how a grant made with a PIN starts (a link's grant is plain hex)


def pin_mark(pin_hash: str) -> str:
    """What a session keeps of a PIN sign-in: a fingerprint of the stored hash (a new salt each
    time the PIN is set, so setting it again, even to the same digits, revokes the old sessions)."""
    return PIN_MARK + hashlib.sha256(("pin:" + pin_hash).encode()).hexdigest()[:32]


def role_for_token(tokens: dict[str, str], token: str) -> str | None:
    """The role whose link carries ``token``, compared in constant time."""
    found = None
    for role, secret in tokens.items():
        if hmac.compare_digest(secret.encode(), token.encode()):
            found = role
    return found


def uses_pin(grants: dict[str, str]) -> bool:
    """Whether any grant came from a PIN (only then do its holder's roles depend on the PINs)."""
    return any(isinstance(mark, str) and mark.startswith(PIN_MARK) for mark in (grants or {}).values())


def valid_roles(grants: dict[str, str], tokens: dict[str, str], pins: dict[str, str] | None = None) -> set[str]:
    """The roles whose grants still match the current tokens or PIN hashes (``role → hash``):
    revoked links and changed or cleared PINs drop out."""
    valid = set()
    for role, mark in (grants or {}).items():
        if not isinstance(mark, str):
            continue
        if mark.startswith(PIN_MARK):
            current = (pins or {}).get(role)
            if isinstance(current, str) and hmac.compare_digest(mark, pin_mark(current)):
                valid.add(role)
        elif role in tokens and hmac.compare_digest(mark, fingerprint(tokens[role])):
            valid.add(role)
    return valid


def links(base_url: str, tokens: dict[str, str]) -> list[tuple[str, str]]:
    """One (role, URL) per staff screen, in a stable order."""
    base = base_url.rstrip("/")
    return [(role, f"{base}/k/{tokens[role]}") for role in ROLES if role in tokens]

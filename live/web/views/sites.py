"""The bridge points' pages: each site's QR code, the printable A4 sheet of QR posters, the list of
sites for the technicians, and the site screen a commune hall shows on its own display.

Every QR code encodes ``PUBLIC_URL/q/<site id>`` (``live.formats.qr.site_url``), never an address taken
from the request: a code printed from a laptop that opened the server as ``localhost`` must still
work on every phone. A loopback ``PUBLIC_URL`` is not refused here (a rehearsal on one machine
needs the pages) but every page that shows a code says loudly that phones cannot reach it.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from live.core.errors import DomainError
from live.core.text import clean, fold
from live.formats import qr
from live.web import messages
from live.web.auth import day, screen

bp = Blueprint("sites", __name__)
log = logging.getLogger("live.sites")

# a QR image changes only with the public address or the site: a client may keep it a while,
# and revalidates it cheaply (ETag) after that
IMAGE_MAX_AGE = 300
PNG_BOX = 12  # pixels per module: about 500 px for a typical site address, sharp on a slide
SEARCH_LIMIT = 100


@functools.lru_cache(maxsize=2048)
def _svg(url: str) -> str:
    # pure and deterministic: the sheet draws 57 codes on every load, the site screen one per reload
    return qr.qr_svg(url)


def _sites() -> list[dict]:
    return list((day().conference() or {}).get("sites") or [])


def _site(site_id: str) -> dict:
    for site in _sites():
        if site["id"] == site_id:
            return site
    abort(404)


def _phone_url(site_id: str) -> str:
    """The address of a site's phone page, as its QR code encodes it."""
    return qr.site_url(current_app.config["PUBLIC_URL"], site_id, allow_local=True)


def _unreachable() -> bool:
    """Whether the public address is this machine's loopback, which no phone can reach."""
    try:
        qr.site_url(current_app.config["PUBLIC_URL"], "site")
    except DomainError as error:
        if error.code == "qr.local_url":
            return True
        raise
    return False


def _poster(site: dict) -> dict:
    """What a poster or a site screen shows of one site: its name, address and inline QR code."""
    url = _phone_url(site["id"])
    # safe to mark: qrcode built this SVG, and the only text in it is the escaped, percent-encoded URL
    return {**site, "url": url, "svg": Markup(_svg(url))}


@bp.errorhandler(DomainError)
def bad_public_url(error: DomainError):
    # only a PUBLIC_URL that is not an http(s) address gets here: say so instead of a bare 500
    log.error("cannot draw QR codes: %s public_url=%r", error.code, current_app.config["PUBLIC_URL"])
    heading = _("Không tạo được mã QR")
    return render_template("error.html", code=500, heading=heading, message=messages.describe(error)), 500


# ---------------------------------------------------------------- the images


def _image(site_id: str, kind: str, mimetype: str, make):
    site = _site(site_id)
    url = _phone_url(site["id"])
    response = current_app.response_class(make(url), mimetype=mimetype)
    response.set_etag(hashlib.sha256(f"{kind}|{url}".encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = f"private, max-age={IMAGE_MAX_AGE}"
    response.headers["Content-Disposition"] = f'inline; filename="qr-{site["id"]}.{kind}"'
    return response.make_conditional(request)


@bp.get("/qr/<site_id>.svg")
@screen("qr-sheet")
def qr_svg(site_id: str):
    """The QR code of a site's phone page, as SVG."""
    return _image(site_id, "svg", "image/svg+xml", _svg)


@bp.get("/qr/<site_id>.png")
@screen("qr-sheet")
def qr_png(site_id: str):
    """The QR code of a site's phone page, as PNG."""
    return _image(site_id, "png", "image/png", functools.partial(qr.qr_png, box_size=PNG_BOX))


# ---------------------------------------------------------------- the printable sheet


@bp.get("/qr")
@screen("qr-sheet")
def sheet():
    """One A4 poster per site (or only ``?site=<id>``), to print and put on the wall."""
    only = request.args.get("site")
    sites = [_site(only)] if only else _sites()
    return render_template(
        "qr_sheet.html",
        screen="qr-sheet",
        snapshot=day().snapshot(),
        posters=[_poster(site) for site in sites],
        base_url=current_app.config["PUBLIC_URL"],
        unreachable=_unreachable(),
        only=only,
    )


# ---------------------------------------------------------------- the technicians' pages


def _matches(site: dict, query: str) -> bool:
    return query in fold(site["name"]) or query in fold(site.get("code") or "") or query in fold(site["id"])


@bp.get("/site")
@screen("site")
def screens():
    """Every site with a link to its site screen; ``?q=`` searches names without regard to diacritics."""
    query = clean(request.args.get("q"))[:SEARCH_LIMIT]
    folded = fold(query)
    sites = _sites()
    found = [site for site in sites if _matches(site, folded)] if folded else sites
    return render_template(
        "site_list.html",
        screen="site-list",
        snapshot=day().snapshot(),
        sites=found,
        total=len(sites),
        query=query,
        unreachable=_unreachable(),
        base_url=current_app.config["PUBLIC_URL"],
    )


@bp.get("/site/<site_id>")
@screen("site")
def site_screen(site_id: str):
    """A bridge point's own display: its QR code, the agenda clock, the current question, the floor."""
    site = _poster(_site(site_id))
    # where a young person looks up the question a facilitator passed on for them, by its code
    lookup_url = site["url"].rsplit("/q/", 1)[0] + "/tra-cuu"  # the public address, as the QR code's
    return render_template(
        "site.html",
        screen="site",
        snapshot=day().snapshot(),
        site=site,
        unreachable=_unreachable(),
        lookup_url=lookup_url,
    )

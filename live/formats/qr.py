"""QR codes that take a young person from a hall's screen to that hall's question page.

Pure code: no Flask, Socket.IO or storage import. The URL is built from the public address the
organisers configured, never from the request, and a loopback address is refused: a QR printed
or projected in a commune hall that points at ``localhost`` would fail on every phone.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import urllib.parse

import qrcode
import qrcode.constants
import qrcode.image.pure
import qrcode.image.svg

from live.core.errors import DomainError

# Q restores up to 25% of the symbol: glare on a projector screen, a thumb over a printed sheet.
ERROR_CORRECTION = "Q"
_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
URL_LIMIT = 1000
BOX_SIZES = range(1, 51)


def _is_local(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # browsers also read shorthand IPv4 such as 127.1 or 2130706433 as 127.0.0.1
        if not all(ch in "0123456789abcdefx." for ch in host):
            return False
        try:
            address = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def site_url(public_url: str, site_id: str, *, allow_local: bool = False) -> str:
    """The absolute address of a site's question page: ``{public_url}/q/{site_id}``."""
    if not isinstance(public_url, str) or not isinstance(site_id, str) or not site_id:
        raise DomainError("qr.bad_url")
    try:
        parts = urllib.parse.urlsplit(public_url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise DomainError("qr.bad_url") from None
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise DomainError("qr.bad_url")
    if parts.username is not None or parts.password is not None:
        raise DomainError("qr.bad_url")
    if not allow_local and _is_local(host):
        raise DomainError("qr.local_url", host=host)
    base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    url = f"{base}/q/{urllib.parse.quote(site_id, safe='')}"
    if len(url) > URL_LIMIT:
        raise DomainError("qr.bad_url")
    return url


def _qr(url: str, image_factory: type, box_size: int = 10) -> qrcode.QRCode:
    if not isinstance(url, str) or not url or len(url) > URL_LIMIT:
        raise DomainError("qr.bad_url")
    if not isinstance(box_size, int) or isinstance(box_size, bool) or box_size not in BOX_SIZES:
        raise DomainError("qr.bad_size")
    code = qrcode.QRCode(
        error_correction=_LEVELS[ERROR_CORRECTION], box_size=box_size, border=4, image_factory=image_factory
    )
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_svg(url: str) -> str:
    """An SVG QR code for ``url`` (one path, white background, a title), ready to inline in HTML."""
    image = _qr(url, qrcode.image.svg.SvgPathFillImage).make_image()
    svg = image.get_image()  # an ElementTree or lxml element, whichever qrcode found
    svg.set("role", "img")
    title = svg.makeelement("title", {})
    title.text = url
    svg.insert(0, title)
    for path in svg.iter("path"):
        path.attrib.pop("id", None)  # two QR codes on one page must not share an id
        path.set("shape-rendering", "crispEdges")  # no hairlines between neighbouring modules
    # encoding="unicode" writes no XML declaration, so the text can sit inside an HTML page
    return image.to_string(encoding="unicode")


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG QR code for ``url``, ``box_size`` pixels per module."""
    out = io.BytesIO()
    # PyPNGImage needs only the pure-Python pypng, not Pillow
    _qr(url, qrcode.image.pure.PyPNGImage, box_size).make_image().save(out)
    return out.getvalue()

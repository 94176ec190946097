"""The QR code on a commune hall's screen: it must take a phone to that hall's question page.

Every code is read back by an independent decoder (zxing-cpp, from a test dependency): the PNG
as pypng reads it, the SVG as its one path draws it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import png
import pytest
import zxingcpp

from live.core.errors import DomainError
from live.formats import qr

PUBLIC = "https://doithoai.caobang.gov.vn"
SVG = "{http://www.w3.org/2000/svg}"


def decode(pixels: list[list[int]]) -> list[zxingcpp.Barcode]:
    """Decode a greyscale image given as rows of 0..255 values."""
    height, width = len(pixels), len(pixels[0])
    view = memoryview(bytes(v for row in pixels for v in row)).cast("B", (height, width))
    return zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)


def png_pixels(data: bytes) -> list[list[int]]:
    width, height, rows, info = png.Reader(bytes=data).read()
    assert info["greyscale"] and not info["alpha"]
    top = (1 << info["bitdepth"]) - 1
    pixels = [[255 * v // top for v in row] for row in rows]
    assert len(pixels) == height and all(len(row) == width for row in pixels)
    return pixels


_SQUARE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def svg_pixels(text: str, scale: int = 8) -> list[list[int]]:
    """Draw the SVG's path the way a browser would: unit squares, black on the white background."""
    root = ET.fromstring(text)
    _, _, width, height = (int(float(v)) for v in root.get("viewBox").split())
    (path,) = root.iter(f"{SVG}path")
    d = path.get("d")
    squares = _SQUARE.findall(d)
    assert "".join(f"M{x},{y}H{x2}V{y2}H{x3}z" for x, y, x2, y2, x3 in squares) == d, "unexpected path commands"
    dark = set()
    for x, y, x2, y2, x3 in squares:
        assert (int(x2) - int(x), int(y2) - int(y), x3) == (1, 1, x)
        dark.add((int(x), int(y)))
    return [
        [0 if (col // scale, row // scale) in dark else 255 for col in range(width * scale)]
        for row in range(height * scale)
    ]


# ---------------------------------------------------------------- the address


@pytest.mark.parametrize(
    ("public", "site", "url"),
    [
        (PUBLIC, "xa-quang-lam", f"{PUBLIC}/q/xa-quang-lam"),
        (PUBLIC + "/", "xa-quang-lam", f"{PUBLIC}/q/xa-quang-lam"),
        (PUBLIC + "/doi-thoai/", "1304", f"{PUBLIC}/doi-thoai/q/1304"),
        ("http://192.168.1.20:8000", "hall", "http://192.168.1.20:8000/q/hall"),
        ("  https://DoiThoai.example.vn:8443  ", "s1", "https://DoiThoai.example.vn:8443/q/s1"),
        (PUBLIC, "xã 1/2?#", f"{PUBLIC}/q/x%C3%A3%201%2F2%3F%23"),
    ],
)
def test_a_site_url_is_absolute_under_the_public_url(public, site, url):
    assert qr.site_url(public, site) == url


LOCAL = [
    "http://localhost:5000",
    "http://LOCALHOST",
    "http://localhost./",
    "http://app.localhost",
    "http://127.0.0.1:5000",
    "http://127.8.9.10",
    "http://127.1",
    "http://2130706433",
    "http://0x7f.0.0.1",
    "http://[::1]:5000",
    "http://[::ffff:127.0.0.1]",
    "http://0.0.0.0:8000",
    "http://[::]",
]


@pytest.mark.parametrize("public", LOCAL)
def test_a_qr_never_points_at_localhost_by_accident(public):
    with pytest.raises(DomainError) as info:
        qr.site_url(public, "xa-quang-lam")
    assert info.value.code == "qr.local_url"
    assert qr.site_url(public, "xa-quang-lam", allow_local=True).endswith("/q/xa-quang-lam")


@pytest.mark.parametrize(
    ("public", "site"),
    [
        ("", "s1"),
        ("doithoai.caobang.gov.vn", "s1"),
        ("ftp://doithoai.caobang.gov.vn", "s1"),
        ("javascript:alert(1)", "s1"),
        ("https://", "s1"),
        ("https://doithoai.caobang.gov.vn/?site=1", "s1"),
        ("https://doithoai.caobang.gov.vn/#top", "s1"),
        ("https://admin:secret@doithoai.caobang.gov.vn", "s1"),
        ("https://doithoai.caobang.gov.vn:port", "s1"),
        ("https://[::1", "s1"),
        (None, "s1"),
        (PUBLIC, ""),
        (PUBLIC, None),
        (PUBLIC, "x" * 2000),
    ],
)
def test_a_bad_public_url_or_site_is_refused(public, site):
    with pytest.raises(DomainError) as info:
        qr.site_url(public, site)
    assert info.value.code == "qr.bad_url"


# ---------------------------------------------------------------- the images


URLS = [
    f"{PUBLIC}/q/xa-quang-lam",
    f"{PUBLIC}/q/x%C3%A3%201",
    "http://192.168.1.20:8000/q/hall",
    "https://example.vn/q/a?b=1&c=<2>",
]


@pytest.mark.parametrize("url", URLS)
def test_the_png_decodes_to_exactly_the_url(url):
    data = qr.qr_png(url)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    (code,) = decode(png_pixels(data))
    assert code.text == url
    assert code.bytes == url.encode("ascii")
    assert code.ec_level == qr.ERROR_CORRECTION == "Q"


@pytest.mark.parametrize("url", URLS)
def test_the_svg_is_inlinable_xml_that_decodes_to_exactly_the_url(url):
    text = qr.qr_svg(url)
    assert text.startswith("<svg") and "<?xml" not in text
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == url
    assert list(root)[0] is title  # the accessible name comes first
    assert [el.tag for el in root] == [f"{SVG}title", f"{SVG}rect", f"{SVG}path"]  # one path, white ground
    assert root.find(f"{SVG}rect").get("fill") == "white"
    assert not [el for el in root.iter() if el.get("id")]  # several on one page share no id
    (code,) = decode(svg_pixels(text))
    assert code.text == url
    assert code.ec_level == "Q"


def test_png_size_follows_the_box_size():
    url = f"{PUBLIC}/q/xa-quang-lam"
    small, large = png_pixels(qr.qr_png(url, box_size=4)), png_pixels(qr.qr_png(url, box_size=12))
    assert len(large) == 3 * len(small)
    assert len(small) == 4 * (33 + 2 * 4)  # version 4 at level Q: 33 modules, and a 4-module quiet zone
    for pixels in (small, large):
        assert all(v == 255 for v in pixels[0]) and all(row[0] == 255 for row in pixels)
        (code,) = decode(pixels)
        assert code.text == url


@pytest.mark.parametrize("box_size", [0, -1, 51, 2.5, True, "10"])
def test_a_bad_box_size_is_refused(box_size):
    with pytest.raises(DomainError) as info:
        qr.qr_png(f"{PUBLIC}/q/s1", box_size=box_size)
    assert info.value.code == "qr.bad_size"


@pytest.mark.parametrize("url", ["", None, 42, "https://x.vn/" + "a" * 1000])
def test_a_bad_url_makes_no_image(url):
    for make in (qr.qr_png, qr.qr_svg):
        with pytest.raises(DomainError) as info:
            make(url)
        assert info.value.code == "qr.bad_url"


def test_the_same_url_gives_the_same_images():
    url = f"{PUBLIC}/q/xa-quang-lam"
    assert qr.qr_svg(url) == qr.qr_svg(url)
    assert qr.qr_png(url) == qr.qr_png(url)


def test_a_site_url_goes_straight_into_a_qr():
    url = qr.site_url(PUBLIC, "phuong-thuc-phan")
    (code,) = decode(png_pixels(qr.qr_png(url, box_size=3)))
    assert code.text == "https://doithoai.caobang.gov.vn/q/phuong-thuc-phan"

"""The QR codes of the bridge points and the printable A4 sheet, as the organisers print them.

The day before, the Youth Union's secretary opens the qr-sheet link, prints one A4 poster per site
from Chromium and sends each commune its page; a technician downloads his site's PNG for a slide.
Every code is read back by an independent decoder (zxing-cpp) and must open that site's phone page
under the public address; the printout is checked as Chromium prints it (57 pages, one poster per
page, nothing cut) and as a phone would see it (a code decoded from a print-media screenshot).

Real ``live serve`` processes for what a browser or a client reaches; Flask's test client only for
the configurations a test server cannot have (a LAN public address, a broken one).
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import png
import pytest
from browser import screenshot
from conftest import session_cookie
from playwright.sync_api import expect
from test_qr import decode, png_pixels, svg_pixels

import live
from live.services import demo

SITES = demo.conference()["sites"]
A4_MM = (210, 297)
PX_PER_MM = 96 / 25.4  # CSS pixels
SVG = "{http://www.w3.org/2000/svg}"


def fetch(server, path: str, cookie: str | None = None, headers: dict | None = None):
    """GET ``path`` like a browser holding ``cookie``: (status, headers, body); errors are answers too."""
    request = urllib.request.Request(server.url + path, headers={"Accept": "text/html", **(headers or {})})
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def grey_pixels(data: bytes) -> list[list[int]]:
    """A screenshot (RGB or RGBA PNG) as rows of 0..255 grey values, for the decoder."""
    width, height, rows, _ = png.Reader(bytes=data).asRGBA8()
    return [
        [(row[i] * 299 + row[i + 1] * 587 + row[i + 2] * 114) // 1000 for i in range(0, 4 * width, 4)] for row in rows
    ]


def pdf_pages(data: bytes) -> int:
    """Pages in a PDF as Chromium writes it: its page objects, checked against the page tree's count."""
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    assert counts and max(counts) == pages, (pages, counts)
    return pages


@pytest.fixture
def day_server(make_server):
    return make_server()


@pytest.fixture
def cookies(day_server):
    """One session cookie per role, as each role's secret link sets it."""
    return {role: session_cookie(day_server.link(role)) for role in ("qr-sheet", "site", "admin", "mc", "projector")}


# ---------------------------------------------------------------- the images


def test_every_sites_png_opens_its_phone_page(day_server, cookies):
    assert len(SITES) == 57
    etags = set()
    for site in SITES:
        status, headers, body = fetch(day_server, f"/qr/{site['id']}.png", cookies["qr-sheet"])
        assert status == 200, site
        assert headers["Content-Type"] == "image/png"
        assert "private" in headers["Cache-Control"] and "max-age=" in headers["Cache-Control"]
        assert headers["ETag"] and f"qr-{site['id']}.png" in headers["Content-Disposition"]
        etags.add(headers["ETag"])
        (code,) = decode(png_pixels(body))
        assert code.text == f"{day_server.url}/q/{site['id']}"
        assert code.ec_level in ("M", "Q", "H")
    assert len(etags) == 57
    # a browser that has the image already is told it has not changed
    status, _, body = fetch(day_server, "/qr/1304.png", cookies["qr-sheet"], {"If-None-Match": headers["ETag"]})
    assert status == 200  # that ETag was the last site's, not 1304's
    status, headers, _ = fetch(day_server, "/qr/1304.png", cookies["qr-sheet"])
    status, _, body = fetch(day_server, "/qr/1304.png", cookies["qr-sheet"], {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


def test_every_sites_svg_is_valid_and_opens_its_phone_page(day_server, cookies):
    for site in SITES:
        status, headers, body = fetch(day_server, f"/qr/{site['id']}.svg", cookies["qr-sheet"])
        assert status == 200, site
        assert headers["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(body)
        assert root.tag == f"{SVG}svg" and root.get("viewBox")
        (code,) = decode(svg_pixels(body.decode()))
        assert code.text == f"{day_server.url}/q/{site['id']}"
        assert code.ec_level in ("M", "Q", "H")


def test_the_qr_pages_need_a_qr_sheet_site_or_admin_link(day_server, cookies):
    for path in ("/qr", "/qr/1304.png", "/qr/1304.svg", "/qr?site=1304"):
        for role in ("qr-sheet", "site", "admin"):
            assert fetch(day_server, path, cookies[role])[0] == 200, (path, role)
        for cookie in (None, cookies["mc"], cookies["projector"]):
            status, headers, body = fetch(day_server, path, cookie)
            assert status == 403, path
            assert "Không có quyền truy cập" in body.decode()
            assert not re.search(rb"<svg|\x89PNG", body)  # nothing of the code leaks


def test_an_unknown_site_is_not_found_in_vietnamese(day_server, cookies):
    for path in ("/qr/xa-khong-co.png", "/qr/xa-khong-co.svg", "/qr?site=xa-khong-co", "/qr/1304.gif"):
        status, headers, body = fetch(day_server, path, cookies["qr-sheet"])
        assert status == 404, path
        assert headers["Content-Type"].startswith("text/html")
        page = body.decode()
        assert "Không tìm thấy" in page and "Traceback" not in page


# ---------------------------------------------------------------- the sheet as HTML


def test_the_sheet_has_one_poster_per_site_and_warns_about_a_loopback_address(day_server, cookies):
    status, _, body = fetch(day_server, "/qr", cookies["qr-sheet"])
    assert status == 200
    page = body.decode()
    assert page.count('<article class="poster"') == 57
    for site in SITES:
        assert f"{day_server.url}/q/{site['id']}</p>" in page
    assert demo.THEME in page
    assert "Quét mã QR bằng điện thoại để gửi câu hỏi tới Chủ tịch" in page
    # the test server's public address is 127.0.0.1: every phone would fail, and the sheet says so
    assert 'id="unreachable"' in page and "điện thoại sẽ không mở được" in page
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


def test_one_sites_poster_alone(day_server, cookies):
    status, _, body = fetch(day_server, "/qr?site=1304", cookies["site"])
    assert status == 200
    page = body.decode()
    assert page.count('<article class="poster"') == 1
    assert "Xã Quảng Lâm" in page and f"{day_server.url}/q/1304" in page


@pytest.fixture
def lan_app(tmp_path):
    return live.create_app(
        {"DATA_DIR": tmp_path, "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": "http://192.168.1.10:5000/"}
    )


def sign_in(app, role: str):
    client = app.test_client()
    token = app.extensions["live.day"].tokens()[role]
    assert client.get(f"/k/{token}").status_code == 303
    return client


def test_a_lan_address_goes_into_the_codes_without_a_warning(lan_app):
    client = sign_in(lan_app, "qr-sheet")
    page = client.get("/qr").get_data(as_text=True)
    assert "http://192.168.1.10:5000/q/1304</p>" in page
    assert 'id="unreachable"' not in page
    (code,) = decode(png_pixels(client.get("/qr/hall.png").get_data()))
    assert code.text == "http://192.168.1.10:5000/q/hall"
    # the address comes from the configuration, never from the request that asked for the code
    response = client.get("/qr/hall.png", headers={"Host": "localhost:5000"}, base_url="http://localhost:5000")
    (code,) = decode(png_pixels(response.get_data()))
    assert code.text == "http://192.168.1.10:5000/q/hall"


def test_a_broken_public_address_is_explained_not_a_crash(tmp_path):
    app = live.create_app({"DATA_DIR": tmp_path, "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": "ftp://x"})
    client = sign_in(app, "admin")
    for path in ("/qr", "/qr/hall.png", "/site/hall"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Không tạo được mã QR" in page and "http://192.168.1.10:5000" in page
        assert "Traceback" not in page


# ---------------------------------------------------------------- the sheet as Chromium prints it


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_chromium_prints_57_a4_posters_with_decodable_codes(day_server, screens, artifacts):
    sheet = screens.open(day_server, "qr-sheet", {"width": 1280, "height": 900}, wait=False)
    page = sheet.page
    expect(page.locator("article.poster")).to_have_count(57)
    expect(page.locator("#base-url")).to_have_text(day_server.url)
    expect(page.locator("#unreachable")).to_be_visible()
    screenshot(sheet, artifacts, "qr-sheet-screen.png")

    # the Print button prints (window.print replaced before the page's script runs)
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = 'yes'; }; }")
    page.get_by_role("button", name="In bảng mã QR").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (artifacts / "qr-sheet.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 57
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+59[45](?:\.\d+)?\s+84[12](?:\.\d+)?\s*\]", pdf), "not A4"

    # as printed: no toolbar, and each poster fits its page with nothing cut
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(A4_MM[0] * PX_PER_MM), "height": round(A4_MM[1] * PX_PER_MM)})
    expect(page.locator("#toolbar")).to_be_hidden()
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('article.poster')].map((poster) => {
             const qr = poster.querySelector('svg').getBoundingClientRect();
             const inside = [...poster.querySelectorAll('*')].every((el) => {
               const r = el.getBoundingClientRect(), p = poster.getBoundingClientRect();
               return r.bottom <= p.bottom + 0.5 && r.right <= p.right + 0.5 && r.left >= p.left - 0.5;
             });
             return {id: poster.dataset.site, height: poster.getBoundingClientRect().height,
                     scroll: poster.scrollHeight, client: poster.clientHeight, qr: qr.width, inside};
           })"""
    )
    page_height = (A4_MM[1] - 2 * 12) * PX_PER_MM
    for box in boxes:
        assert box["height"] <= page_height and box["scroll"] <= box["client"], box
        assert box["inside"], box
        assert box["qr"] >= 120 * PX_PER_MM, box  # the code is at least 12 cm wide on paper

    for site_id in ("hall", "1304", SITES[-1]["id"]):
        poster = page.locator(f"#poster-{site_id}")
        poster.scroll_into_view_if_needed()
        shot = poster.screenshot(animations="disabled")
        (code,) = decode(grey_pixels(shot))
        assert code.text == f"{day_server.url}/q/{site_id}"
    (artifacts / "qr-sheet-poster.png").write_bytes(page.locator("#poster-1304").screenshot())
    screens.assert_clean()


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_printed_posters_code_opens_its_sites_page_and_the_question_reaches_the_secretariat(
    day_server, screens, browser, connect_staff
):
    """The day as the issue puts it: poster → phone camera → question → the secretariat's feed."""
    moderator = connect_staff(day_server, "moderator")
    sheet = screens.open(day_server, "qr-sheet", {"width": 1280, "height": 900}, wait=False)
    sheet.page.emulate_media(media="print")
    for site in (SITES[0], next(s for s in SITES if s["id"] == "1304"), SITES[-1]):
        poster = sheet.page.locator(f"#poster-{site['id']}")
        poster.scroll_into_view_if_needed()
        (code,) = decode(grey_pixels(poster.screenshot(animations="disabled")))
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.goto(code.text)  # what the phone's camera app opens
        expect(page.locator("#conn")).to_have_text("Đã kết nối")
        expect(page.locator("body")).to_contain_text(site["name"])
        text = f"Câu hỏi từ {site['name']} qua mã QR"
        page.get_by_label("Câu hỏi của bạn").fill(text)
        page.get_by_role("button", name="Gửi câu hỏi").click()
        expect(page.locator("#result .msg.ok")).to_contain_text("Mã theo dõi")
        added = moderator.wait_for(lambda e, d, t=text: e == "question.added" and d["question"]["text"] == t)
        assert added["question"]["site"] == site["id"] and added["question"]["channel"] == "qr"
        phone.close()
    screens.assert_clean()


# ---------------------------------------------------------------- the technicians' pages


def test_the_site_pages_need_a_site_or_admin_link(day_server, cookies):
    for path in ("/site", "/site/1304", "/site?q=quang"):
        for role in ("site", "admin"):
            assert fetch(day_server, path, cookies[role])[0] == 200, (path, role)
        for cookie in (None, cookies["qr-sheet"], cookies["mc"]):
            status, _, body = fetch(day_server, path, cookie)
            assert status == 403, path
            assert "Không có quyền truy cập" in body.decode()
    status, _, body = fetch(day_server, "/site/xa-khong-co", cookies["site"])
    assert status == 404 and "Không tìm thấy" in body.decode()


def rows(page: str) -> list[str]:
    return re.findall(r'<span class="site-row-name">([^<]*)</span>', page)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("quang lam", ["Xã Quảng Lâm"]),
        ("QUẢNG LÂM", ["Xã Quảng Lâm"]),
        ("Qua\u0309ng La\u0302m", ["Xã Quảng Lâm"]),  # typed on a phone with a decomposing keyboard
        ("1304", ["Xã Quảng Lâm"]),
        ("  thuc   phan ", ["Phường Thục Phán"]),
        ("trung tam hoi nghi", ["Trung tâm Hội nghị tỉnh (điểm cầu chính)"]),
    ],
)
def test_a_technician_finds_his_site_without_diacritics(lan_app, query, found):
    client = sign_in(lan_app, "site")
    response = client.get("/site", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert [html.unescape(name) for name in rows(page)] == found
    assert "Tìm thấy 1 trong 57 điểm cầu" in page


def test_the_list_shows_every_site_and_survives_any_query(lan_app):
    client = sign_in(lan_app, "site")
    page = client.get("/site").get_data(as_text=True)
    assert len(rows(page)) == 57 and "57 điểm cầu" in page
    assert 'href="/site/1304"' in page and 'href="/qr?site=1304"' in page and 'href="/qr/1304.png"' in page
    # control characters alone are no query at all
    assert len(rows(client.get("/site", query_string={"q": "\x00\u202e "}).get_data(as_text=True))) == 57
    for query in ("<script>alert(1)</script>", "x" * 5000, "\x00zzq\u202e", "%"):
        response = client.get("/site", query_string={"q": query})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert rows(page) == [] and "<script>alert" not in page
        assert "Không có điểm cầu nào khớp với" in page

"""The secretariat's sites spreadsheet against a real ``live serve``: download it, fill it in, import it.

The admin opens the admin link in a browser session (real HTTP, real cookies, the page's CSRF
token), imports an XLSX or CSV, and every connected screen receives the new sites. A broken file
changes nothing and the page says which Excel row is wrong; only the admin may do any of it.
"""

from __future__ import annotations

import html
import io
import re
from importlib import resources

import openpyxl
import pytest
import requests
from test_admin import form_fields, rows_of
from test_sitefile import hostile_names

from live.formats import sitefile

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NEW_SITES = [
    {"id": "hall", "code": "", "name": "Hội trường UBND tỉnh", "kind": "hall"},
    {"id": "01273", "code": "01273", "name": "Phường Thục Phán", "kind": "ward"},
    {"id": "1304", "code": "1304", "name": "Xã Quảng Lâm", "kind": "commune"},
]


# ---------------------------------------------------------------- a browser session over real HTTP


def open_link(server, role: str) -> requests.Session:
    """A browser that followed ``role``'s secret link."""
    browser = requests.Session()
    response = browser.get(server.link(role), allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.status_code
    return browser


def admin_page(browser, server) -> str:
    response = browser.get(server.url + "/admin/", timeout=10)
    assert response.status_code == 200
    return response.text


def import_sites(browser, server, content: bytes, filename: str, page: str | None = None) -> requests.Response:
    """Choose a file in the sites form of the admin page (as rendered) and press Import."""
    fields = form_fields(page or admin_page(browser, server), "sites-import-form")
    assert set(fields) == {"csrf_token", "base"}
    response = browser.post(
        server.url + "/admin/sites/import",
        data=fields,
        files={"file": (filename, content)},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code < 500 and "Traceback" not in response.text, response.text[:2000]
    return response


def stored_sites(browser, server) -> list[dict]:
    """The sites as they are now, read back through the CSV download."""
    response = browser.get(server.url + "/admin/sites.csv", timeout=10)
    assert response.status_code == 200
    return sitefile.read_sites(response.content, "diem-cau.csv")


def alert(page: str) -> str:
    match = re.search(r'role="alert" id="form-error">(.*?)</p>', page, re.S)
    assert match, "the refusal is shown above the form"
    return html.unescape(match.group(1))


def workbook(rows: list[list], errors=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for r, c in errors:
        sheet.cell(row=r, column=c).data_type = "e"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshots_after(staff, seq: int):
    return staff.wait_for(lambda name, data: name == "state.snapshot" and data["seq"] > seq)


# ---------------------------------------------------------------- importing


def test_a_workbook_replaces_the_sites_and_every_screen_hears_it(server, connect_staff):
    projector = connect_staff(server, "projector")
    mc = connect_staff(server, "mc")
    first = projector.wait_for(lambda name, data: name == "state.snapshot")
    assert len(first["sites"]) == 57

    admin = open_link(server, "admin")
    rows = [["STT", "Mã", "Mã hành chính", "Tên điểm cầu", "Loại"]]
    rows += [[n, s["id"], s["code"], s["name"], sitefile.KIND_WORDS[s["kind"]]] for n, s in enumerate(NEW_SITES, 1)]
    response = import_sites(admin, server, workbook(rows), "diem-cau-2026.xlsx")
    assert response.status_code == 303
    landed = admin.get(server.url + response.headers["Location"], timeout=10).text
    assert "Đã nhập 3 điểm cầu từ tệp diem-cau-2026.xlsx." in html.unescape(landed)
    assert "Điểm cầu (3)" in landed

    assert stored_sites(admin, server) == NEW_SITES
    for screen in (projector, mc):
        assert snapshots_after(screen, first["seq"])["sites"] == NEW_SITES
    # the rest of the conference is untouched
    fields = form_fields(landed, "conference-form")
    assert fields["title"] == "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025"
    assert len([r for r in rows_of(fields, "agenda").values() if r.get("id")]) == 8


def test_the_cao_bang_communes_file_imports_as_it_is(make_server):
    server = make_server()
    admin = open_link(server, "admin")
    with resources.files("live").joinpath("data/cao-bang-2025-communes.csv").open("rb") as f:
        response = import_sites(admin, server, f.read(), "cao-bang-2025-communes.csv")
    assert response.status_code == 303
    sites = stored_sites(admin, server)
    assert len(sites) == 56 and sites[0] == {"id": "1273", "code": "1273", "name": "Phường Thục Phán", "kind": "ward"}


BROKEN = [
    (
        "thieu-ten.csv",
        "mã hành chính;tên điểm cầu;loại\n1304;Xã Quảng Lâm;xã\n1297;Xã Nam Quang;xã\n1294;;xã\n".encode(),
        "Dòng 4, cột B (tên điểm cầu): chưa có tên điểm cầu.",
    ),
    (
        "sai-loai.xlsx",
        workbook([["Tên điểm cầu", "Loại"], ["Xã Quảng Lâm", "xã"], ["Thị trấn Thông Nông", "thị trấn"]]),
        "Dòng 3, cột B (Loại): loại “thị trấn” không hợp lệ; dùng hội trường, xã hoặc phường.",
    ),
    (
        "trung-ma.csv",
        "tên,mã hành chính\nXã Quảng Lâm,1304\nXã Nam Quang,01304\n".encode(),
        "Dòng 3: mã hành chính “01304” trùng với dòng 2.",
    ),
    (
        "loi-cong-thuc.xlsx",
        workbook([["tên điểm cầu", "mã hành chính"], ["Xã A", "1"], ["Xã B", "#REF!"]], errors=[(3, 2)]),
        "Dòng 3, cột B (mã hành chính): ô có lỗi công thức (#REF!).",
    ),
    ("danh-sach.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Excel 97–2003 (.xls)"),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "phải là tệp Excel (.xlsx) hoặc CSV (.csv)"),
    ("ansi.csv", "tên\nXa Hoa An\nX\xe3 B\n".encode("cp1252"), "Tệp CSV phải được lưu với mã UTF-8"),
    ("hong.xlsx", b"PK\x03\x04 broken", "Không đọc được tệp Excel"),
    ("chi-tieu-de.csv", "mã,mã hành chính,tên điểm cầu,loại\n".encode(), "Tệp không có điểm cầu nào"),
]


def test_a_broken_file_changes_nothing_and_says_which_row(make_server, connect_staff):
    server = make_server()
    projector = connect_staff(server, "projector")
    first = projector.wait_for(lambda name, data: name == "state.snapshot")
    admin = open_link(server, "admin")
    before, seq = stored_sites(admin, server), server.health()["seq"]

    for filename, content, says in BROKEN:
        response = import_sites(admin, server, content, filename)
        assert response.status_code == 400, filename
        assert says in alert(response.text), (filename, alert(response.text))
        assert "Điểm cầu (57)" in response.text  # the page behind the message shows the sites as they are
    no_file = admin.post(
        server.url + "/admin/sites/import", data=form_fields(admin_page(admin, server), "sites-import-form"), timeout=10
    )
    assert no_file.status_code == 400 and alert(no_file.text) == "Chưa chọn tệp danh sách điểm cầu."

    assert stored_sites(admin, server) == before
    assert server.health()["seq"] == seq
    assert not [d for name, d in projector.received if name == "state.snapshot" and d["seq"] > first["seq"]]


def test_the_refusal_is_in_english_for_an_english_admin(make_server):
    server = make_server()
    admin = open_link(server, "admin")
    admin.get(server.url + "/lang/en", params={"next": "/admin/"}, timeout=10)
    response = import_sites(admin, server, BROKEN[0][1], BROKEN[0][0])
    assert response.status_code == 400
    assert alert(response.text) == "Row 4, column B (tên điểm cầu): the site has no name."


# ---------------------------------------------------------------- the template, both ways


@pytest.mark.parametrize("fmt, mime", [("xlsx", XLSX_MIME), ("csv", "text/csv")])
def test_download_then_import_gives_the_same_sites(make_server, fmt, mime):
    server = make_server()
    admin = open_link(server, "admin")
    page = admin_page(admin, server)
    assert f'href="/admin/sites.{fmt}"' in page
    before = stored_sites(admin, server)

    download = admin.get(f"{server.url}/admin/sites.{fmt}", timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Type"].split(";")[0] == mime
    assert download.headers["Content-Disposition"] == f"attachment; filename=diem-cau.{fmt}"
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == ["mã", "mã hành chính", "tên điểm cầu", "loại"]
        assert [c.value for c in sheet[2]] == ["hall", None, "Trung tâm Hội nghị tỉnh (điểm cầu chính)", "hội trường"]
    else:
        assert download.content.decode("utf-8").startswith("\ufeffmã,mã hành chính,tên điểm cầu,loại\r\n")

    response = import_sites(admin, server, download.content, f"diem-cau.{fmt}", page)
    assert response.status_code == 303
    assert stored_sites(admin, server) == before
    assert len(before) == 57


def test_an_import_from_a_page_that_is_no_longer_current_is_refused(make_server):
    server = make_server()
    admin = open_link(server, "admin")
    stale = admin_page(admin, server)
    other = open_link(server, "admin")
    assert import_sites(other, server, sitefile.write_csv(NEW_SITES), "moi.csv").status_code == 303

    response = import_sites(admin, server, sitefile.write_csv(NEW_SITES[:1]), "cu.csv", page=stale)
    assert response.status_code == 409
    assert "hội nghị vừa được người khác lưu" in alert(response.text)
    assert stored_sites(admin, server) == NEW_SITES
    # the page that explained it is current: importing from it works
    assert import_sites(admin, server, sitefile.write_csv(NEW_SITES[:1]), "cu.csv", response.text).status_code == 303
    assert stored_sites(admin, server) == NEW_SITES[:1]


# ---------------------------------------------------------------- who may


def test_only_the_admin_may_download_or_import(make_server):
    server = make_server()
    admin = open_link(server, "admin")
    page = admin_page(admin, server)
    seq = server.health()["seq"]
    upload = {"file": ("x.csv", sitefile.write_csv(NEW_SITES))}
    for browser in [open_link(server, role) for role in ("mc", "projector", "chair", "moderator")] + [
        requests.Session()
    ]:
        for fmt in ("xlsx", "csv"):
            assert browser.get(f"{server.url}/admin/sites.{fmt}", timeout=10).status_code == 403
        # without the admin page there is no CSRF token: refused before anything is read
        assert browser.post(server.url + "/admin/sites/import", files=upload, timeout=10).status_code == 400
    # without the token, even the admin is refused
    assert admin.post(server.url + "/admin/sites/import", files=upload, timeout=10).status_code == 400

    # an admin whose link was renewed meanwhile holds a valid token but no longer the role
    other = open_link(server, "admin")
    renew = form_fields(admin_page(other, server), action="/admin/links/admin")
    assert other.post(server.url + "/admin/links/admin", data=renew, timeout=10).status_code in (200, 303)
    refused = admin.post(
        server.url + "/admin/sites/import", data=form_fields(page, "sites-import-form"), files=upload, timeout=10
    )
    assert refused.status_code == 403
    assert server.health()["seq"] == seq + 1  # the renewed link, nothing else
    server.links()
    assert stored_sites(open_link(server, "admin"), server)[0]["name"] == "Trung tâm Hội nghị tỉnh (điểm cầu chính)"


# ---------------------------------------------------------------- hostile names


def test_hostile_names_are_stored_exactly_and_shown_literally(make_server, connect_staff):
    names = hostile_names()
    server = make_server()
    projector = connect_staff(server, "projector")
    first = projector.wait_for(lambda name, data: name == "state.snapshot")
    admin = open_link(server, "admin")
    content = sitefile.write_xlsx([{"id": "", "code": "", "name": n, "kind": "commune"} for n in names])
    response = import_sites(admin, server, content, "naughty.xlsx")
    assert response.status_code == 303

    # stored exactly: the downloads and the screens' snapshot carry the very same text
    assert [s["name"] for s in stored_sites(admin, server)] == names
    xlsx = admin.get(server.url + "/admin/sites.xlsx", timeout=10).content
    assert [s["name"] for s in sitefile.read_sites(xlsx, "x.xlsx")] == names
    assert [s["name"] for s in snapshots_after(projector, first["seq"])["sites"]] == names

    # shown literally: every name comes back from the page's form as typed; no markup got through
    page = admin_page(admin, server)
    shown = rows_of(form_fields(page, "conference-form"), "sites")
    assert [shown[i]["name"] for i in range(len(names))] == names
    assert "<script>alert(" not in page and "<img src=x onerror" not in page.lower()

"""The script page over HTTP (Flask's test client, a real SQLite store, the Cao Bằng demo conference):
who may open it and download the packs, a department's own pack through its link, selecting and
ordering questions (a question not yet approved refused with its reason, an old version refused),
the MC's queue following the script, the search among many questions, and the MC's lines on the
admin page. Never a 500."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid

import docx
import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link

import live
from live.services import replies
from live.services import script as service

PAGE = "/kich-ban"
DOWNLOADS = ("/kich-ban/kich-ban.docx", "/kich-ban/chu-tich.docx", "/kich-ban/co-quan/d5.docx")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


def desk(app):
    return app.extensions["live.day"].desk


def ask(app, text: str, theme: str = "t1", site: str = "1304", approve: bool = True, **extra) -> str:
    record, _retry, _change = desk(app).submit(
        {"id": str(uuid.uuid4()), "site": site, "text": text, "theme": theme, **extra},
        device=f"dev-{uuid.uuid4()}",
        address=f"10.0.{len(text) % 200}.{uuid.uuid4().int % 250}",
    )
    if approve:
        desk(app).act("approve", {"id": record["id"], "version": record["version"]}, role="moderator")
    return record["id"]


def post(client, path: str, ident: str, app, **fields):
    token = csrf_of(client.get("/nhap-danh-sach/").get_data(as_text=True))  # a page with a form
    version = desk(app).get(ident)["version"]
    return client.post(path, data={"csrf_token": token, "id": ident, "version": version, "by": "Lan", **fields})


def select(client, app, ident: str, selected: bool = True):
    return post(client, "/kich-ban/chon", ident, app, selected="1" if selected else "0")


def queue_texts(app, theme: str = "t1") -> list[str]:
    return [q["text"] for q in desk(app).queue()["questions"] if q.get("theme") == theme]


def alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


def test_only_the_secretariat_opens_the_page_and_downloads(app):
    anonymous = app.test_client()
    for path in (PAGE, *DOWNLOADS):
        assert anonymous.get(path).status_code == 403, path
    for role in ("mc", "chair", "projector", "site"):
        client = open_link(app, role)
        for path in (PAGE, *DOWNLOADS):
            assert client.get(path).status_code == 403, (role, path)
    for role in ("moderator", "admin"):
        client = open_link(app, role)
        assert client.get(PAGE).status_code == 200, role
        for path in DOWNLOADS:
            response = client.get(path)
            assert response.status_code == 200, (role, path)
            assert response.mimetype == DOCX and response.headers["Cache-Control"] == "no-store"
    assert open_link(app, "moderator").get("/kich-ban/co-quan/khong-co.docx").status_code == 404
    # the POSTs too: nothing changes without a link
    ident = ask(app, "Tỉnh có học bổng cho sinh viên nghèo không?")
    assert anonymous.post("/kich-ban/chon", data={"id": ident, "version": 2, "selected": "1"}).status_code in (400, 403)
    assert not desk(app).get(ident).get("script")


def test_the_files_are_named_in_vietnamese_without_diacritics(app):
    client = open_link(app, "moderator")
    names = [client.get(path).headers["Content-Disposition"] for path in DOWNLOADS]
    assert names == [
        "attachment; filename=kich-ban-hoi-nghi-doi-thoai-2025.docx",
        "attachment; filename=tai-lieu-chu-tich-hoi-nghi-doi-thoai-2025.docx",
        "attachment; filename=tai-lieu-so-giao-duc-va-dao-tao-hoi-nghi-doi-thoai-2025.docx",
    ]


def test_a_department_downloads_its_own_pack_through_its_link_and_a_wrong_token_finds_nothing(app):
    day = app.extensions["live.day"]
    ident = ask(app, "Trường nghề có ký túc xá cho học sinh xã xa không?")
    current = desk(app).get(ident)
    desk(app).act(
        "prepare",
        {"id": ident, "version": current["version"], "department": "d5", "due": "20/08/2025"},
        role="moderator",
    )
    token = replies.tokens(day)["d5"]
    anonymous = app.test_client()
    page = anonymous.get(f"/co-quan/{token}").get_data(as_text=True)
    assert f'href="/co-quan/{token}/tai-lieu.docx"' in page  # the department's page links its pack
    response = anonymous.get(f"/co-quan/{token}/tai-lieu.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert "Cơ quan: Sở Giáo dục và Đào tạo" in paragraphs
    assert "Hạn chuẩn bị trả lời: 20/08/2025" in paragraphs
    for wrong in (
        "x" * 32,
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "a" * 400,
        replies.tokens(day)["d4"] + "x",
    ):
        assert anonymous.get(f"/co-quan/{wrong}/tai-lieu.docx").status_code == 404
    # a renewed link: the old one finds nothing
    replies.regenerate(day, "d5")
    assert anonymous.get(f"/co-quan/{token}/tai-lieu.docx").status_code == 404


def test_selecting_and_ordering_the_script_orders_the_mcs_queue(app):
    first = ask(app, "Câu một: học bổng cho sinh viên nghèo?")
    second = ask(app, "Câu hai: ký túc xá trường nghề?")
    third = ask(app, "Câu ba: giáo viên tiếng Anh vùng cao?")
    other = ask(app, "Câu bốn: chưa chọn vào kịch bản.")
    elsewhere = ask(app, "Câu năm: vay vốn khởi nghiệp?", theme="t2")
    client = open_link(app, "moderator")

    for ident in (third, first, second):
        response = select(client, app, ident)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/kich-ban#q-")
    # the script's part of the theme comes first, in the order chosen; the others after it
    assert queue_texts(app)[:3] == [
        "Câu ba: giáo viên tiếng Anh vùng cao?",
        "Câu một: học bổng cho sinh viên nghèo?",
        "Câu hai: ký túc xá trường nghề?",
    ]
    assert queue_texts(app)[3] == "Câu bốn: chưa chọn vào kịch bản."
    assert desk(app).get(third)["script"] and not desk(app).get(other).get("script")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đã chọn câu hỏi" in page and "Kịch bản có 3 câu hỏi." in page
    script_part = page.split('class="s-list s-script"')[1].split("</ol>")[0]
    assert [unicodedata.normalize("NFC", t) for t in re.findall(r'class="s-text">([^<]*)<', script_part)] == [
        "Câu ba: giáo viên tiếng Anh vùng cao?",
        "Câu một: học bổng cho sinh viên nghèo?",
        "Câu hai: ký túc xá trường nghề?",
    ]

    # "Lên" on the last: it goes before the one before it; "Xuống" on the first: after the next
    up = re.search(rf'name="id" value="{second}".*?name="after" value="([^"]*)"', script_part, re.S)
    assert up.group(1) == third  # after the question just before the previous one
    assert post(client, "/kich-ban/thu-tu", second, app, after=up.group(1)).status_code == 303
    assert queue_texts(app)[:3] == [
        "Câu ba: giáo viên tiếng Anh vùng cao?",
        "Câu hai: ký túc xá trường nghề?",
        "Câu một: học bổng cho sinh viên nghèo?",
    ]
    assert post(client, "/kich-ban/thu-tu", third, app, after="").status_code == 303  # first of its theme, still
    assert post(client, "/kich-ban/thu-tu", third, app, after=first).status_code == 303
    assert queue_texts(app)[:4] == [
        "Câu hai: ký túc xá trường nghề?",
        "Câu một: học bổng cho sinh viên nghèo?",
        "Câu ba: giáo viên tiếng Anh vùng cao?",
        "Câu bốn: chưa chọn vào kịch bản.",
    ]
    # taken out, it leaves the script's part
    assert select(client, app, second, selected=False).status_code == 303
    assert queue_texts(app)[:2] == ["Câu một: học bổng cho sinh viên nghèo?", "Câu ba: giáo viên tiếng Anh vùng cao?"]
    assert not desk(app).get(second)["script"]
    # another theme is another line: the first theme's order is untouched by its script
    assert select(client, app, elsewhere).status_code == 303
    assert queue_texts(app, "t2") == ["Câu năm: vay vốn khởi nghiệp?"]
    # the audit log names who chose
    entries = [e for e in desk(app).audit() if e["action"] == "script"]
    assert len(entries) == 5 and {e["name"] for e in entries} == {"Lan"}


def test_a_question_not_approved_is_refused_with_its_reason_and_nothing_changes(app):
    waiting = ask(app, "Câu hỏi đang chờ duyệt về học bổng?", approve=False)
    client = open_link(app, "moderator")
    before = desk(app).get(waiting)
    response = select(client, app, waiting)
    assert response.status_code == 409
    code = before["code"]
    assert alert(response.get_data(as_text=True)) == (
        f"Câu hỏi {code} chưa được duyệt. Hãy duyệt câu hỏi trên màn hình Tổ thư ký trước khi chọn vào kịch bản."
    )
    assert desk(app).get(waiting) == before
    # the page says how many wait for approval, and offers no button for them
    page = client.get(PAGE).get_data(as_text=True)
    assert "1 câu hỏi của nhóm này đang chờ duyệt" in page and waiting not in page
    # ordering a question that is not in the script, an old version, a made-up id: refused
    approved = ask(app, "Câu hỏi đã duyệt về ký túc xá?")
    response = post(client, "/kich-ban/thu-tu", approved, app, after="")
    assert response.status_code == 400 and "không có trong kịch bản" in alert(response.get_data(as_text=True))
    token = csrf_of(client.get("/nhap-danh-sach/").get_data(as_text=True))  # a page with a form
    stale = client.post("/kich-ban/chon", data={"csrf_token": token, "id": approved, "version": 1, "selected": "1"})
    assert stale.status_code == 409 and not desk(app).get(approved).get("script")
    for bad in ({"id": "nope", "version": "1"}, {"id": approved, "version": "x"}, {}):
        response = client.post("/kich-ban/chon", data={"csrf_token": token, "selected": "1", **bad})
        assert response.status_code == 400
    assert (
        client.post("/kich-ban/chon", data={"id": approved, "version": 2, "selected": "1"}).status_code == 400
    )  # CSRF


def test_many_questions_are_capped_per_theme_and_found_by_a_search_without_diacritics(app):
    for n in range(service.OTHERS_SHOWN + 5):
        ask(app, f"Câu hỏi số {n} về đường giao thông nông thôn?", theme="t4")
    special = ask(app, "Thanh niên muốn học nghề sửa máy nông nghiệp ở đâu?", theme="t4")
    client = open_link(app, "moderator")
    page = client.get(PAGE).get_data(as_text=True)
    section = page.split('data-theme="t4"')[1].split("</section>")[0]
    assert "Câu hỏi đã duyệt khác (26)" in section
    assert section.count("Chọn vào kịch bản") == service.OTHERS_SHOWN
    assert "… và 6 câu hỏi khác: dùng ô tìm kiếm để tìm." in section
    found = client.get(PAGE, query_string={"tim": "SUA MAY nong nghiep"}).get_data(as_text=True)
    section = found.split('data-theme="t4"')[1].split("</section>")[0]
    assert "1 câu hỏi khớp với từ tìm kiếm." in section and special in section
    assert section.count("Chọn vào kịch bản") == 1
    code = desk(app).get(special)["code"]
    assert f'data-code="{code}"' in client.get(PAGE, query_string={"tim": code.lower()}).get_data(as_text=True)
    assert client.get(PAGE, query_string={"tim": "x" * 5000}).status_code == 200


def test_the_console_and_the_admin_page_link_to_it(app):
    assert f'href="{PAGE}"' in open_link(app, "moderator").get("/moderator").get_data(as_text=True)
    assert f'href="{PAGE}"' in open_link(app, "admin").get("/admin/").get_data(as_text=True)


def test_the_admin_writes_the_mcs_lines_per_agenda_item(app):
    admin = open_link(app, "admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert "Lời dẫn của MC theo chương trình" in page
    assert "08:15 · Tuyên bố lý do, giới thiệu đại biểu" in page and "10:40 · Phát biểu kết luận" in page
    token = csrf_of(page)
    decomposed = unicodedata.normalize("NFD", "Kính thưa các vị đại biểu,\r\n\r\n\r\n\r\nxin mời khai mạc.\x07")
    response = admin.post("/kich-ban/loi-dan", data={"csrf_token": token, "line-a2": decomposed, "line-a3": "  "})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/#mc-lines")
    day = app.extensions["live.day"]
    assert service.lines(day.store) == {"a2": "Kính thưa các vị đại biểu,\n\nxin mời khai mạc."}
    page = admin.get("/admin/").get_data(as_text=True)
    assert "Đã lưu lời dẫn của MC." in page and "xin mời khai mạc.</textarea>" in page

    # too long: refused with the item named, what was typed kept, nothing stored
    long = "Lời dẫn rất dài. " * 200
    response = admin.post("/kich-ban/loi-dan", data={"csrf_token": token, "line-a2": "Mới", "line-a5": long})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        "Lời dẫn của mục “Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề” dài quá 2000 ký tự."
        in html
    )
    assert ">Mới</textarea>" in html
    assert service.lines(day.store) == {"a2": "Kính thưa các vị đại biểu,\n\nxin mời khai mạc."}
    # an item the agenda no longer has: refused
    response = admin.post("/kich-ban/loi-dan", data={"csrf_token": token, "line-a99": "x"})
    assert response.status_code == 400 and "Chương trình vừa được thay đổi" in response.get_data(as_text=True)
    # only the admin writes them; not without the CSRF token
    moderator = open_link(app, "moderator")
    assert moderator.post("/kich-ban/loi-dan", data={"csrf_token": token, "line-a2": "x"}).status_code in (400, 403)
    assert admin.post("/kich-ban/loi-dan", data={"line-a2": "x"}).status_code == 400
    assert service.lines(day.store)["a2"].startswith("Kính thưa")
    # and the script carries them
    body = admin.get("/kich-ban/kich-ban.docx").data
    cells = [c.text for t in docx.Document(io.BytesIO(body)).tables for row in t.rows for c in row.cells]
    assert "Tuyên bố lý do, giới thiệu đại biểu\nMC: Kính thưa các vị đại biểu,\n\nxin mời khai mạc." in cells

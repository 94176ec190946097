"""The admin page as the provincial youth union's secretary uses it, through Flask's test client.

The secretary opens the admin link, edits the Cao Bằng demo conference in the form, exports it,
imports a file, rotates a leaked screen link and resets the clock after the rehearsal. Every
response is checked: never a 500, never a traceback.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

import live
from live.core import conference as conf

PUBLIC_URL = "http://127.0.0.1:5000"


# ---------------------------------------------------------------- helpers


class CheckedClient(FlaskClient):
    """A test client that fails the test on any 500 or stack trace."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        body = response.get_data()
        assert response.status_code < 500, (response.status_code, body[:2000])
        assert b"Traceback" not in body
        return response


class Form(HTMLParser):
    """The fields one ``<form>`` would submit, as a browser fills them in."""

    def __init__(self, form_id: str | None = None, action: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.action = form_id, action
        self.inside = False
        self.fields: dict[str, str] = {}
        self.order: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""

    def _set(self, name: str, value: str) -> None:
        if name not in self.fields:
            self.order.append(name)
        self.fields[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (self.form_id and a.get("id") == self.form_id) or (
                self.action is not None and a.get("action") == self.action
            )
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self._set(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._set(name, "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data
        elif self._option_value is not None or (self._select and self._option_text is not None):
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if self._first_option is None:
                self._first_option = value
                self._set(self._select, value)
            if self._option_selected:
                self._set(self._select, value)
            self._option_value, self._option_selected = None, False
        elif tag == "select":
            self._select = None


def form_fields(html: str, form_id: str | None = None, action: str | None = None) -> dict[str, str]:
    parser = Form(form_id, action)
    parser.feed(html)
    assert parser.fields, f"form {form_id or action} not found"
    return dict(parser.fields)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page must carry a CSRF token"
    return match.group(1)


def rows_of(fields: dict[str, str], name: str) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for key, value in fields.items():
        m = re.fullmatch(rf"{name}-(\d+)-(\w+)", key)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return rows


def row_index(fields: dict[str, str], name: str, column: str, value: str) -> int:
    for index, row in rows_of(fields, name).items():
        if row.get(column) == value:
            return index
    raise AssertionError(f"no {name} row with {column}={value!r}")


def first_blank(fields: dict[str, str], name: str, column: str) -> int:
    for index, row in sorted(rows_of(fields, name).items()):
        if row.get(column, None) == "" and not row.get("id"):
            return index
    raise AssertionError(f"no blank {name} row")


def marked_invalid(html: str) -> list[str]:
    """The inputs the page marks as the one at fault (focused, described by the message)."""
    return re.findall(r'<(?:input|select|textarea) name="([^"]+)" [^>]*aria-invalid="true"', html)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


def open_link(app, role: str) -> FlaskClient:
    """A browser that followed ``role``'s secret link."""
    client = app.test_client()
    token = app.extensions["live.day"].tokens()[role]
    response = client.get(f"/k/{token}")
    assert response.status_code == 303, response.status_code
    return client


@pytest.fixture
def admin(app) -> FlaskClient:
    return open_link(app, "admin")


@pytest.fixture
def page(admin):
    """``page()`` → the admin page's HTML, fetched afresh."""

    def fetch() -> str:
        response = admin.get("/admin/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return fetch


# ---------------------------------------------------------------- opening the page


def test_admin_link_leads_to_the_admin_page(app, day):
    client = app.test_client()
    response = client.get(f"/k/{day.tokens()['admin']}")
    assert response.status_code == 303
    assert response.headers["Location"].rstrip("/").endswith("/admin")
    assert day.tokens()["admin"] not in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200


def test_admin_page_lists_the_conference_and_the_links(page, day):
    html = page()
    doc = day.conference()
    fields = form_fields(html, "conference-form")
    assert fields["title"] == doc["title"]
    assert fields["date"] == "28/08/2025"
    assert fields["start_time"] == "08:00"
    assert fields["maket"].splitlines()[0] == "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG"
    agenda = rows_of(fields, "agenda")
    assert [agenda[i]["title"] for i in range(8)] == [row["title"] for row in doc["agenda"]]
    assert [agenda[i]["minutes"] for i in range(8)] == [str(row["minutes"]) for row in doc["agenda"]]
    assert len([r for r in rows_of(fields, "themes").values() if r.get("id")]) == 6
    assert len([r for r in rows_of(fields, "departments").values() if r.get("id")]) == 17
    sites = [r for r in rows_of(fields, "sites").values() if r.get("id")]
    assert len(sites) == 57
    assert {"code": "1273", "name": "Phường Thục Phán", "kind": "ward"}.items() <= next(
        r for r in sites if r["code"] == "1273"
    ).items()
    assert "Điểm cầu (57)" in html
    for role, token in day.tokens().items():
        assert f"{PUBLIC_URL}/k/{token}" in html, role
    assert "Phường Thục Phán" in html and "Nâng cao chất lượng nguồn nhân lực trẻ" in html
    assert marked_invalid(html) == [] and 'id="form-error"' not in html


def test_the_page_renders_the_report_and_the_reset_button(page):
    html = page()
    assert 'id="report"' in html and 'id="reset-form"' in html
    assert "Đón tiếp đại biểu" in html.split('id="report"')[1]


@pytest.mark.parametrize("role", ["mc", "projector", "chair", "moderator"])
def test_other_roles_are_refused_the_admin_page(app, role):
    client = open_link(app, role)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/conference.yaml").status_code == 403


def test_a_stranger_is_refused(app):
    client = app.test_client()
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/conference.json").status_code == 403
    assert client.get("/k/not-a-real-token").status_code == 404


# ---------------------------------------------------------------- CSRF


def test_save_without_csrf_token_is_refused_and_changes_nothing(admin, page, day):
    fields = form_fields(page(), "conference-form")
    fields["title"] = "Tiêu đề giả mạo"
    seq = day.store.seq()
    before = day.conference()
    for data in ({k: v for k, v in fields.items() if k != "csrf_token"}, {**fields, "csrf_token": "forged"}):
        response = admin.post("/admin/", data=data)
        assert response.status_code == 400
        assert "Tiêu đề giả mạo" not in response.get_data(as_text=True)
    assert day.conference() == before
    assert day.store.seq() == seq


def test_other_admin_posts_without_csrf_token_are_refused(admin, day):
    seq = day.store.seq()
    tokens = day.tokens()
    assert admin.post("/admin/links/mc").status_code == 400
    assert admin.post("/admin/clock/reset").status_code == 400
    upload = {"file": (io.BytesIO("title: Giả mạo\n".encode()), "x.yaml")}
    assert admin.post("/admin/import", data=upload, content_type="multipart/form-data").status_code == 400
    assert day.tokens() == tokens
    assert day.store.seq() == seq
    assert day.conference()["title"] != "Giả mạo"


# ---------------------------------------------------------------- editing


def test_saving_an_edited_conference_persists_it(admin, page, day, app):
    fields = form_fields(page(), "conference-form")
    fields["title"] = "Hội nghị đối thoại với thanh niên Cao Bằng năm 2026"
    fields["date"] = "27/08/2026"
    fields["start_time"] = "7:30"
    fields["maket"] = "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG\r\nHỘI NGHỊ 2026\r\n"
    # change minutes of "Chủ tịch UBND tỉnh … trả lời"
    answers = row_index(fields, "agenda", "id", "a5")
    fields[f"agenda-{answers}-minutes"] = "90"
    # delete "Tuyên bố lý do"
    fields[f"agenda-{row_index(fields, 'agenda', 'id', 'a2')}-delete"] = "1"
    # add an item, placed between the opening speech (3) and the report (4)
    new = first_blank(fields, "agenda", "title")
    fields[f"agenda-{new}-title"] = "Văn nghệ chào mừng"
    fields[f"agenda-{new}-minutes"] = "7,5"
    fields[f"agenda-{new}-order"] = "3.5"
    # move the closing to the very top (odd, but what the order fields say)
    fields[f"agenda-{row_index(fields, 'agenda', 'id', 'a8')}-order"] = "0"

    response = admin.post("/admin/", data=fields)
    assert response.status_code == 303
    landed = admin.get(response.headers["Location"])
    assert "Đã lưu hội nghị." in landed.get_data(as_text=True)

    doc = day.conference()
    assert doc["title"] == "Hội nghị đối thoại với thanh niên Cao Bằng năm 2026"
    assert doc["date"] == "2026-08-27"
    assert doc["start_time"] == "07:30"
    assert doc["maket"] == ["ỦY BAN NHÂN DÂN TỈNH CAO BẰNG", "HỘI NGHỊ 2026"]
    titles = [row["title"] for row in doc["agenda"]]
    assert titles == [
        "Bế mạc, chụp ảnh lưu niệm",
        "Đón tiếp đại biểu",
        "Phát biểu khai mạc Hội nghị",
        "Văn nghệ chào mừng",
        "Phóng sự tổng quan: “Nâng cao chất lượng nguồn nhân lực trẻ trên địa bàn tỉnh Cao Bằng”",
        "Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề",
        "Phát biểu kết luận của Chủ tịch UBND tỉnh",
        "Bí thư Tỉnh đoàn tiếp thu, cảm ơn",
    ]
    by_title = {row["title"]: row for row in doc["agenda"]}
    assert by_title["Văn nghệ chào mừng"]["minutes"] == 7.5
    assert by_title["Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề"]["id"] == "a5"
    assert by_title["Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề"]["minutes"] == 90
    assert len({row["id"] for row in doc["agenda"]}) == 8
    # the rest of the conference is as it was
    assert len(doc["sites"]) == 57 and len(doc["departments"]) == 17 and len(doc["themes"]) == 6

    # the page now shows what was saved, in the saved order
    fields = form_fields(page(), "conference-form")
    assert fields["title"] == "Hội nghị đối thoại với thanh niên Cao Bằng năm 2026"
    assert fields["date"] == "27/08/2026"
    assert [rows_of(fields, "agenda")[i]["title"] for i in range(8)] == titles


def test_saving_the_form_unchanged_keeps_the_conference_identical(admin, page, day):
    before = day.conference()
    response = admin.post("/admin/", data=form_fields(page(), "conference-form"))
    assert response.status_code == 303
    assert day.conference() == before


def test_two_admins_saving_at_once_never_overwrite_each_other_silently(app, admin, page, day):
    other = open_link(app, "admin")
    mine = form_fields(page(), "conference-form")
    theirs = form_fields(other.get("/admin/").get_data(as_text=True), "conference-form")
    theirs["title"] = "Bản của quản trị viên thứ hai"
    assert other.post("/admin/", data=theirs).status_code == 303

    mine["title"] = "Bản của tôi"
    refused = admin.post("/admin/", data=mine)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "vừa được người khác lưu" in html
    assert 'value="Bản của tôi"' in html  # what I typed is still on the page
    assert day.conference()["title"] == "Bản của quản trị viên thứ hai"

    # saving again from the page that explained the conflict is a deliberate overwrite
    assert admin.post("/admin/", data=form_fields(html, "conference-form")).status_code == 303
    assert day.conference()["title"] == "Bản của tôi"


def test_nfd_typed_text_is_stored_composed(admin, page, day):
    import unicodedata

    fields = form_fields(page(), "conference-form")
    fields["title"] = unicodedata.normalize("NFD", "Hội nghị đối thoại")
    assert admin.post("/admin/", data=fields).status_code == 303
    assert day.conference()["title"] == "Hội nghị đối thoại"


def test_a_new_site_typed_with_only_its_name_is_a_commune(admin, page, day):
    """The kind select of a blank row must not default to the main hall."""
    fields = form_fields(page(), "conference-form")
    n = first_blank(fields, "sites", "name")
    assert fields[f"sites-{n}-kind"] == "commune"
    fields[f"sites-{n}-name"] = "Xã Mới"
    assert admin.post("/admin/", data=fields).status_code == 303
    doc = day.conference()
    assert doc["sites"][-1]["name"] == "Xã Mới" and doc["sites"][-1]["kind"] == "commune"
    assert [s["id"] for s in doc["sites"] if s["kind"] == "hall"] == ["hall"]


def test_adding_a_site_and_a_theme(admin, page, day):
    fields = form_fields(page(), "conference-form")
    n = first_blank(fields, "sites", "name")
    fields.update(
        {f"sites-{n}-name": "Điểm cầu Trường Cao đẳng Cao Bằng", f"sites-{n}-code": "", f"sites-{n}-kind": "hall"}
    )
    t = first_blank(fields, "themes", "name")
    fields[f"themes-{t}-name"] = "Nhà ở cho thanh niên"
    assert admin.post("/admin/", data=fields).status_code == 303
    doc = day.conference()
    assert doc["sites"][-1]["name"] == "Điểm cầu Trường Cao đẳng Cao Bằng"
    assert doc["sites"][-1]["kind"] == "hall"
    assert len(doc["sites"]) == 58 and len({s["id"] for s in doc["sites"]}) == 58
    assert doc["themes"][-1]["name"] == "Nhà ở cho thanh niên"


def test_a_bad_date_is_explained_keeps_the_form_and_stores_nothing(admin, page, day):
    fields = form_fields(page(), "conference-form")
    before, seq = day.conference(), day.store.seq()
    fields["title"] = "Tên mới đang gõ dở"
    fields["date"] = "31/02/2025"
    new = first_blank(fields, "agenda", "title")
    fields[f"agenda-{new}-title"] = "Mục mới chưa lưu"
    fields[f"agenda-{new}-minutes"] = "12"

    response = admin.post("/admin/", data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ngày phải có dạng dd/mm/yyyy, ví dụ 28/08/2025." in html
    assert 'role="alert"' in html
    assert marked_invalid(html) == ["date"]
    assert re.search(r'<input name="date" aria-invalid="true" autofocus aria-describedby="form-error"', html)
    kept = form_fields(html, "conference-form")
    assert kept["date"] == "31/02/2025"
    assert kept["title"] == "Tên mới đang gõ dở"
    assert "Mục mới chưa lưu" in [row.get("title") for row in rows_of(kept, "agenda").values()]
    assert day.conference() == before
    assert day.store.seq() == seq

    # fixing the date and saving again from the re-shown form works
    kept["date"] = "28/02/2025"
    assert admin.post("/admin/", data=kept).status_code == 303
    assert day.conference()["title"] == "Tên mới đang gõ dở"
    assert day.conference()["agenda"][-1]["title"] == "Mục mới chưa lưu"


@pytest.mark.parametrize(
    "change, message, marked",
    [
        ({"title": "  "}, "Chưa nhập Tên hội nghị.", "title"),
        ({"start_time": "25:00"}, "Giờ bắt đầu phải có dạng giờ 24h HH:MM", "start_time"),
        ({"warning_seconds": "nhiều"}, "Thời gian cảnh báo (giây) phải là số nguyên từ 0 đến 3600.", "warning_seconds"),
        (
            {"agenda-2-minutes": "0"},
            ("Chương trình, dòng 3", "thời lượng phải là số phút lớn hơn 0"),
            "agenda-2-minutes",
        ),
        ({"agenda-2-minutes": "abc"}, ("Chương trình, dòng 3", "số phút"), "agenda-2-minutes"),
        ({"agenda-2-minutes": "700"}, ("Chương trình, dòng 3", "không quá 600"), "agenda-2-minutes"),
        ({"agenda-3-title": ""}, ("Chưa nhập", "Chương trình, dòng 4"), "agenda-3-title"),  # minutes, no title
        ({"sites-40-name": ""}, ("Chưa nhập", "Điểm cầu, dòng 41"), "sites-40-name"),
        ({"sites-2-kind": "city"}, ("Điểm cầu, dòng 3", "ward"), "sites-2-kind"),
    ],
)
def test_each_bad_field_is_named_in_vietnamese(admin, page, day, change, message, marked):
    fields = form_fields(page(), "conference-form")
    before = day.conference()
    fields.update(change)
    response = admin.post("/admin/", data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    alert = re.search(r'<p class="flash error" role="alert" id="form-error">(.*?)</p>', html, re.S)
    assert alert, "the error is shown above the form"
    for fragment in (message,) if isinstance(message, str) else message:
        assert fragment in alert.group(1), alert.group(1)
    assert marked_invalid(html) == [marked], "the input at fault is marked and focused"
    assert day.conference() == before


@pytest.mark.parametrize("typed", ["2025-02-31", "0000-01-01", "28/08/2025 08:00", "٢٨/٠٨/٢٠٢٥", "31/02/2025"])
def test_an_impossible_date_typed_in_any_form_is_refused_and_kept(admin, page, day, typed):
    fields = form_fields(page(), "conference-form")
    before = day.conference()
    response = admin.post("/admin/", data={**fields, "date": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ngày phải có dạng dd/mm/yyyy" in html
    assert form_fields(html, "conference-form")["date"] == typed
    assert day.conference() == before


def test_hostile_text_in_the_form_is_escaped_on_the_page(admin, page, day):
    fields = form_fields(page(), "conference-form")
    fields["title"] = '"><script>alert(1)</script>'
    fields["date"] = "xx"  # refused, so the typed title comes back in the form
    html = admin.post("/admin/", data=fields).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert form_fields(html, "conference-form")["title"] == '"><script>alert(1)</script>'
    fields["date"] = "28/08/2025"
    assert admin.post("/admin/", data=fields).status_code == 303
    assert "<script>alert(1)</script>" not in page()


def test_unknown_form_fields_are_not_copied(admin, page, day):
    fields = form_fields(page(), "conference-form")
    fields["agenda-0-speaker"] = "Chủ tịch"
    fields["password"] = "x"
    assert admin.post("/admin/", data=fields).status_code == 303
    doc = day.conference()
    assert set(doc) == set(conf.TOP_FIELDS)
    assert set(doc["agenda"][0]) == {"id", "title", "minutes"}


@pytest.mark.parametrize("order", ["nan", "inf", "-inf", "một", ""])
def test_odd_order_values_do_not_break_saving(admin, page, day, order):
    fields = form_fields(page(), "conference-form")
    fields["agenda-4-order"] = order
    assert admin.post("/admin/", data=fields).status_code == 303
    assert len(day.conference()["agenda"]) == 8


# ---------------------------------------------------------------- the file


@pytest.mark.parametrize("fmt, mime", [("yaml", "application/yaml"), ("json", "application/json")])
def test_export_downloads_the_conference(admin, day, fmt, mime):
    response = admin.get(f"/admin/conference.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mime
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith(f".{fmt}")
    text = response.get_data(as_text=True)
    assert "28/08/2025" in text and "Phường Thục Phán" in text
    assert conf.from_file(response.get_data()) == day.conference()


def test_export_of_an_unknown_format_is_404(admin):
    assert admin.get("/admin/conference.xml").status_code == 404


def test_the_page_links_to_both_exports(page):
    html = page()
    assert 'href="/admin/conference.yaml"' in html and 'href="/admin/conference.json"' in html


def _import(admin, page, content: bytes, name: str = "hoi-nghi-2026.yaml"):
    token = csrf_of(page())
    return admin.post(
        "/admin/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_importing_a_good_file_replaces_the_conference(admin, page, day, fmt):
    doc = day.conference()
    doc = {**doc, "title": "Hội nghị đối thoại năm 2026", "date": "2026-08-27", "sites": doc["sites"][:5]}
    doc["agenda"] = doc["agenda"][:3] + [{"id": "vn", "title": "Văn nghệ", "minutes": 10}]
    content = conf.to_file(doc, fmt).encode()
    response = _import(admin, page, content, f"hoi-nghi-2026.{fmt}")
    assert response.status_code == 303
    landed = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "hoi-nghi-2026" in landed and "Đã nhập hội nghị" in landed
    stored = day.conference()
    assert stored == conf.validate(doc)
    assert len(stored["sites"]) == 5
    assert [row["id"] for row in stored["agenda"]] == ["a1", "a2", "a3", "vn"]
    assert form_fields(page(), "conference-form")["title"] == "Hội nghị đối thoại năm 2026"


def test_a_hand_written_yaml_file_imports(admin, page, day):
    text = """\
title: Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2026
date: 27/08/2026
start_time: 14:00
agenda:
  - title: Khai mạc
    minutes: 10
  - title: Đối thoại
    minutes: 120
sites:
  - {name: Hội trường tỉnh, kind: hall}
  - {name: Xã Hòa An, code: 01336}
"""
    assert _import(admin, page, text.encode()).status_code == 303
    doc = day.conference()
    assert doc["start_time"] == "14:00"
    assert doc["date"] == "2026-08-27"
    assert doc["sites"][1]["code"] == "01336"
    assert [row["minutes"] for row in doc["agenda"]] == [10, 120]


@pytest.mark.parametrize(
    "content, says",
    [
        (
            "title: Hội nghị\nagenda:\n  - title: Khai mạc\n    minutes: 5\n  - title: Bế mạc\n    minutes: 5\n    speaker: Chủ tịch\n",
            "Trường không được hỗ trợ: Chương trình, dòng 2, speaker.",
        ),
        ("title: Hội nghị\npassword: x\n", "Trường không được hỗ trợ: password."),
        ("title: Hội nghị\nagenda:\n  - title: Khai mạc\n    minutes: 5\n   - title: Bế mạc\n", "lỗi cú pháp ở dòng 5"),
        ("title: Hội nghị\ndate: 31/02/2025\n", "Ngày phải có dạng dd/mm/yyyy"),
        ("title: Hội nghị\ndate: 2025-02-31\n", "Ngày phải có dạng dd/mm/yyyy"),
        ("title: Hội nghị\nsites:\n  - name: Xã A\n    kind: city\n", ("Điểm cầu, dòng 1", "hall", "commune", "ward")),
        ("- title: Hội nghị\n", "Tệp không chứa một hội nghị"),
        ("title: Hội nghị\nagenda: Khai mạc\n", "Chương trình phải là một danh sách."),
    ],
    ids=[
        "unknown-row-field",
        "unknown-field",
        "bad-yaml",
        "bad-date",
        "bad-iso-date",
        "bad-kind",
        "a-list",
        "not-a-list",
    ],
)
def test_importing_a_bad_file_explains_and_changes_nothing(admin, page, day, content, says):
    before, seq = day.conference(), day.store.seq()
    response = _import(admin, page, content.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    alert = re.search(r'role="alert" id="form-error">(.*?)</p>', html, re.S)
    assert alert, "the error is shown above the form"
    for fragment in (says,) if isinstance(says, str) else says:
        assert fragment in alert.group(1), alert.group(1)
    assert day.conference() == before
    assert day.store.seq() == seq
    # the page behind the message still shows the conference as it is
    assert form_fields(html, "conference-form")["title"] == before["title"]
    assert marked_invalid(html) == []


def test_importing_a_file_not_saved_as_utf8_says_so(admin, page, day):
    before = day.conference()
    response = _import(admin, page, "title: Hội nghị đối thoại\n".encode("utf-16"))
    assert response.status_code == 400
    assert "Tệp phải được lưu với mã UTF-8." in response.get_data(as_text=True)
    assert day.conference() == before


def test_importing_without_a_file_says_so(admin, page, day):
    response = admin.post("/admin/import", data={"csrf_token": csrf_of(page())}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Chưa chọn tệp để nhập." in response.get_data(as_text=True)


# ---------------------------------------------------------------- role links


def test_regenerating_a_role_link_revokes_the_old_link_and_sessions(app, admin, page, day):
    old = day.tokens()["mc"]
    mc = open_link(app, "mc")
    assert mc.get("/mc").status_code == 200

    response = admin.post("/admin/links/mc", data={"csrf_token": csrf_of(page())})
    assert response.status_code == 303
    new = day.tokens()["mc"]
    assert new != old
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{PUBLIC_URL}/k/{new}" in html and old not in html

    assert app.test_client().get(f"/k/{old}").status_code == 404
    assert mc.get("/mc").status_code == 403
    assert open_link(app, "mc").get("/mc").status_code == 200
    # the other roles' links are untouched
    assert app.test_client().get(f"/k/{day.tokens()['chair']}").status_code == 303


def test_regenerating_the_admin_link_keeps_this_admin_signed_in(app, admin, page, day):
    old = day.tokens()["admin"]
    other_admin = open_link(app, "admin")
    assert admin.post("/admin/links/admin", data={"csrf_token": csrf_of(page())}).status_code == 303
    assert admin.get("/admin/").status_code == 200
    assert other_admin.get("/admin/").status_code == 403
    assert app.test_client().get(f"/k/{old}").status_code == 404


def test_regenerating_an_unknown_role_is_refused(admin, page, day):
    tokens = day.tokens()
    response = admin.post("/admin/links/president", data={"csrf_token": csrf_of(page())})
    assert response.status_code == 400
    assert "Vai trò không tồn tại." in response.get_data(as_text=True)
    assert day.tokens() == tokens


# ---------------------------------------------------------------- the clock


def test_the_reset_button_clears_the_clock(admin, page, day):
    day.command("clock.start", {})
    day.command("clock.next", {})
    day.command("speaker.start", {"seconds": 120})
    assert day.snapshot()["clock"]["current"] == "a2"

    response = admin.post("/admin/clock/reset", data={"csrf_token": csrf_of(page())})
    assert response.status_code == 303
    assert "Đã đặt lại đồng hồ" in admin.get(response.headers["Location"]).get_data(as_text=True)
    snap = day.snapshot()
    assert snap["clock"]["current"] is None
    assert snap["clock"]["day_started_at"] is None
    assert not any(run.get("started_at") for run in snap["clock"]["runs"].values())
    assert snap["speaker"]["running_since"] is None
    assert day.conference()["agenda"][0]["id"] == "a1", "the conference itself is untouched"


def test_a_saved_conference_keeps_the_clock_on_items_that_remain(admin, page, day):
    day.command("clock.start", {})
    fields = form_fields(page(), "conference-form")
    fields["title"] = "Tên mới"
    assert admin.post("/admin/", data=fields).status_code == 303
    assert day.snapshot()["clock"]["current"] == "a1"


# ---------------------------------------------------------------- screens hear about it


def test_saving_sends_every_screen_the_new_state(app, admin, page, day):
    socketio = app.extensions["live.socketio"]
    projector = open_link(app, "projector")
    screen = socketio.test_client(app, flask_test_client=projector, auth={"screen": "projector"})
    assert screen.is_connected()
    screen.get_received()

    fields = form_fields(page(), "conference-form")
    fields["title"] = "Hội nghị đối thoại — bản sửa"
    new = first_blank(fields, "agenda", "title")
    fields[f"agenda-{new}-title"] = "Giao lưu văn nghệ"
    fields[f"agenda-{new}-minutes"] = "15"
    assert admin.post("/admin/", data=fields).status_code == 303

    snapshots = [m["args"][0] for m in screen.get_received() if m["name"] == "state.snapshot"]
    assert snapshots, "the projector was told"
    assert snapshots[-1]["conference"]["title"] == "Hội nghị đối thoại — bản sửa"
    assert snapshots[-1]["agenda"][-1]["title"] == "Giao lưu văn nghệ"
    assert snapshots[-1]["agenda"][-1]["planned"] == 15 * 60
    screen.disconnect()

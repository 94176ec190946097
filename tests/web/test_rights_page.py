"""The asker's page (/du-lieu-cua-toi) and the secretariat's register (/yeu-cau-du-lieu/) over HTTP:
an unknown code and a deleted one answered alike, lookups that find nothing rate-limited per
address, CSRF on every form, and no input that makes a 500."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import uuid

import pytest
from flask.testing import FlaskClient

import live
from live.core import rights as rules
from live.services import replies, rights

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"
NAME = "Đàm Thị Thuỷ"
TEXT = "Xin hỏi khi nào xã có sân bóng cho thanh niên tập luyện?"
PAGE = "/du-lieu-cua-toi"


class CheckedClient(FlaskClient):
    """A test client that fails the test on any 500 or stack trace."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        body = response.get_data()
        assert response.status_code < 500, (response.status_code, body[:2000])
        assert b"Traceback" not in body
        return response


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "DEMO": True,
            "ASYNC_MODE": "threading",
            "PUBLIC_URL": "http://127.0.0.1:5000",
            "RATE_LIMITS": LIMITS,
        }
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


def ask(day, name=NAME, text=TEXT) -> dict:
    ident = str(uuid.uuid4())
    payload = {"id": ident, "site": "1304", "text": text, "name": name, "consent": {"name": "1"}}
    return day.desk.submit(payload, device="phone-1", address="10.0.0.9")[0]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page must carry a CSRF token"
    return match.group(1)


def post(client, data, address="10.1.1.1"):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE, data={"csrf_token": token, **data}, environ_base={"REMOTE_ADDR": address})


def test_the_page_shows_everything_held_and_records_the_request(app, day):
    mine = ask(day)
    client = app.test_client()
    form = client.get(PAGE)
    assert form.status_code == 200 and "Mã theo dõi" in text_of(form)
    assert form.headers["X-Robots-Tag"] == "noindex, nofollow"
    seen = post(client, {"ma": mine["code"].lower()[:3] + " " + mine["code"].lower()[3:]})
    page = text_of(seen)
    assert seen.status_code == 200
    for held in (TEXT, NAME, "phiên bản 1", "Xã Quảng Lâm", replies.local_date(time.time()).strftime("%d/%m/%Y")):
        assert held in page, held
    assert "Rút tên khỏi câu hỏi" in page and "Xoá câu hỏi…" in page
    requests = list(day.store.scan(rights.PREFIX).values())
    assert [(r["kind"], r["via"], r["code"]) for r in requests] == [(rules.SEE, rules.SELF, mine["code"])]
    assert requests[0]["done_at"]


def test_withdraw_then_delete_with_a_confirmation(app, day):
    mine = ask(day)
    client = app.test_client()
    withdrawn = text_of(post(client, {"ma": mine["code"], "id": mine["id"], "action": "rut_ten"}))
    assert "Đã rút tên" in withdrawn and NAME not in withdrawn and "Không lưu (ẩn danh)" in withdrawn
    assert day.desk.get(mine["id"])["name"] is None

    asked = text_of(post(client, {"ma": mine["code"], "id": mine["id"], "action": "xoa"}))
    assert "Xoá câu hỏi này?" in asked and TEXT in asked
    assert day.desk.get(mine["id"]) is not None, "asking to delete deletes nothing before the confirmation"
    done = post(client, {"ma": mine["code"], "id": mine["id"], "action": "xoa_xac_nhan"})
    assert done.status_code == 200 and "Đã xoá câu hỏi có mã" in text_of(done)
    assert day.desk.get(mine["id"]) is None
    kinds = sorted(r["kind"] for r in day.store.scan(rights.PREFIX).values())
    assert kinds == sorted([rules.WITHDRAW, rules.DELETE])


def test_an_unknown_code_and_a_deleted_one_look_the_same(app, day):
    mine = ask(day)
    rights.delete(day, mine["code"], mine["id"])
    unknown = next(c for c in ("P3W8RT", "ABCDEF") if c != mine["code"])
    client = app.test_client()
    gone, never = post(client, {"ma": mine["code"]}), post(client, {"ma": unknown})
    assert gone.status_code == never.status_code == 200
    cut = lambda r, code: re.sub(r'name="csrf_token" value="[^"]+"', "", text_of(r)).replace(code, "CODE")  # noqa: E731
    assert cut(gone, mine["code"]) == cut(never, unknown)


def test_lookups_that_find_nothing_are_limited_per_address(app, day):
    mine = ask(day)
    client = app.test_client()
    misses = ["K7Q2MX", "P3W8RT", "ABCDEF", "HJKMNP", "QRSTUV", "WXYZ23", "456789", "22222A", "33333B", "44444C"]
    for code in [c for c in misses if c != mine["code"]][: rules.LOOKUP_RULE.burst]:
        assert "Không có câu hỏi nào với mã" in text_of(post(client, {"ma": code}))
    limited = post(client, {"ma": mine["code"]})
    assert limited.status_code == 429 and "thử lại sau" in text_of(limited) and TEXT not in text_of(limited)
    # another address is not slowed by this one
    assert post(client, {"ma": mine["code"]}, address="10.2.2.2").status_code == 200


def test_a_known_code_is_never_counted(app, day):
    mine = ask(day)
    client = app.test_client()
    for _ in range(rules.LOOKUP_RULE.burst + 5):
        assert post(client, {"ma": mine["code"]}).status_code == 200


def test_every_form_needs_its_csrf_token(app, day):
    mine = ask(day)
    client = app.test_client()
    client.get(PAGE)
    for action in ("xem", "rut_ten", "xoa_xac_nhan"):
        refused = client.post(PAGE, data={"ma": mine["code"], "id": mine["id"], "action": action})
        assert refused.status_code == 400
    assert day.desk.get(mine["id"])["name"] == NAME
    assert day.store.scan(rights.PREFIX) == {}
    staff = app.test_client()
    staff.get(f"/k/{day.tokens()['moderator']}")
    assert staff.post("/yeu-cau-du-lieu/", data={"kind": "khac", "via": "giay"}).status_code == 400


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "K7Q2M0",
        "x" * 5000,
        "\x00\x01",
        "<script>alert(1)</script>",
        "K7Q2MX\u202e",
        "ＫＷＱ２ＭＸ",
        "🙂" * 6,
    ],
)
def test_bad_input_is_answered_never_a_500(app, day, typed):
    client = app.test_client()
    answer = post(client, {"ma": typed})
    assert answer.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in answer.get_data(as_text=True)
    for action in ("rut_ten", "xoa", "xoa_xac_nhan", "boom"):
        mine = ask(day)
        assert post(client, {"ma": mine["code"], "id": typed, "action": action}).status_code in (200, 400, 404)
        assert day.desk.get(mine["id"]) is not None


def test_the_register_is_the_secretariats_and_shows_deadlines_in_words(app, day):
    assert app.test_client().get("/yeu-cau-du-lieu/").status_code == 403
    staff = app.test_client()
    staff.get(f"/k/{day.tokens()['moderator']}")
    page = staff.get("/yeu-cau-du-lieu/").get_data(as_text=True)
    mine = ask(day)
    received = (replies.local_date(time.time()) - dt.timedelta(days=20)).strftime("%d/%m/%Y")
    form = {"csrf_token": csrf_of(page), "kind": "xoa", "code": mine["code"], "via": "dien_thoai",
            "received": received, "note": "", "by": "Chị Mai"}  # fmt: skip
    saved = staff.post("/yeu-cau-du-lieu/", data=form)
    assert saved.status_code == 303
    register = text_of(staff.get("/yeu-cau-du-lieu/"))
    assert "QUÁ HẠN" in register and "1 quá hạn" in register and mine["code"] in register
    assert TEXT not in register and NAME not in register

    one = staff.get(saved.headers["Location"])
    assert one.status_code == 200 and TEXT in text_of(one)  # the secretariat reads it to the asker
    token = csrf_of(one.get_data(as_text=True))
    request_id = saved.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    asked = staff.post(f"/yeu-cau-du-lieu/{request_id}/delete", data={"csrf_token": token, "id": mine["id"]})
    assert asked.status_code == 200 and "Không thể hoàn tác" in text_of(asked)
    assert day.desk.get(mine["id"]) is not None
    done = staff.post(
        f"/yeu-cau-du-lieu/{request_id}/delete",
        data={"csrf_token": token, "id": mine["id"], "confirm": "1", "by": "Chị Mai"},
    )
    assert done.status_code == 303 and day.desk.get(mine["id"]) is None
    after = text_of(staff.get("/yeu-cau-du-lieu/"))
    assert "0 yêu cầu chưa xong" in after and "Đã xong lúc" in after
    steps = re.search(r'<ol class="steps" id="steps">(.*?)</ol>', text_of(staff.get(saved.headers["Location"])), re.S)
    assert [re.sub(r"^\S+ \S+ · ", "", li) for li in re.findall(r"<li>(.*?)</li>", steps.group(1))] == [
        "ghi vào sổ · Chị Mai",
        "xoá câu hỏi · Chị Mai",
    ]
    audit = [e for e in day.desk.audit() if e["question"] == mine["id"]]
    assert [(e["action"], e["role"], e["name"]) for e in audit] == [("delete", "moderator", "Chị Mai")]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/yeu-cau-du-lieu/nope", 404), ("/yeu-cau-du-lieu/nope/done", 404), ("/yeu-cau-du-lieu/x/boom", 404)],
)
def test_unknown_requests_and_actions_are_404(app, day, path, status):
    staff = app.test_client()
    staff.get(f"/k/{day.tokens()['moderator']}")
    token = csrf_of(staff.get("/yeu-cau-du-lieu/").get_data(as_text=True))
    response = staff.get(path) if path.count("/") == 2 else staff.post(path, data={"csrf_token": token})
    assert response.status_code == status


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "xoa", "code": "", "via": "giay"},
        {"kind": "", "code": "K7Q2MX", "via": "giay"},
        {"kind": "khac", "via": "tu_thuc_hien"},
        {"kind": "khac", "via": "giay", "received": "32/13/2026"},
        {"kind": "khac", "via": "giay", "received": "x" * 5000},
        {"kind": "khac", "via": "giay", "note": "ghi chú " * 3000},
        {"kind": "<script>", "code": "<img src=x>", "via": "giay"},
    ],
)
def test_a_bad_record_is_explained_never_a_500(app, day, form):
    staff = app.test_client()
    staff.get(f"/k/{day.tokens()['moderator']}")
    token = csrf_of(staff.get("/yeu-cau-du-lieu/").get_data(as_text=True))
    answer = staff.post("/yeu-cau-du-lieu/", data={"csrf_token": token, **form})
    assert answer.status_code == 400 and 'id="form-error"' in answer.get_data(as_text=True)
    assert "<img src=x>" not in answer.get_data(as_text=True)
    assert day.store.scan(rights.PREFIX) == {}


def test_register_actions_with_a_bad_question_are_explained(app, day):
    mine = ask(day)
    staff = app.test_client()
    staff.get(f"/k/{day.tokens()['moderator']}")
    token = csrf_of(staff.get("/yeu-cau-du-lieu/").get_data(as_text=True))
    saved = staff.post(
        "/yeu-cau-du-lieu/", data={"csrf_token": token, "kind": "rut_ten", "code": mine["code"], "via": "giay"}
    )
    request_id = saved.headers["Location"].rsplit("/", 1)[1]
    for ident in ("", "x" * 5000, str(uuid.uuid4()), "../../etc"):
        for action in ("withdraw", "delete"):
            answer = staff.post(
                f"/yeu-cau-du-lieu/{request_id}/{action}", data={"csrf_token": token, "id": ident, "confirm": "1"}
            )
            assert answer.status_code in (200, 404), (ident, action)
    assert day.desk.get(mine["id"])["name"] == NAME


def test_the_audit_log_reads_the_deletion_with_nothing_of_the_question(app, day):
    mine = ask(day)
    current = day.desk.get(mine["id"])
    day.desk.act(
        "edit", {"id": mine["id"], "version": current["version"], "text": TEXT + " Xin cảm ơn."}, role="moderator"
    )
    client = app.test_client()
    post(client, {"ma": mine["code"], "id": mine["id"], "action": "xoa_xac_nhan"})
    admin = app.test_client()
    admin.get(f"/k/{day.tokens()['admin']}")
    for path in ("/admin/audit", "/admin/audit.csv"):
        page = admin.get(path)
        assert page.status_code == 200, path
        shown = text_of(page) if path == "/admin/audit" else page.get_data().decode("utf-8-sig")
        assert "Người hỏi (bằng mã theo dõi)" in shown and "Xoá câu hỏi theo yêu cầu của người hỏi" in shown
        assert "(đã xoá)" in shown and "removed" not in shown
        assert TEXT not in shown and mine["code"] not in shown, path


def test_the_log_holds_no_code_name_or_text(app, day, caplog):
    mine = ask(day)
    client = app.test_client()
    with caplog.at_level("DEBUG"):
        post(client, {"ma": mine["code"]})
        post(client, {"ma": mine["code"], "id": mine["id"], "action": "rut_ten"})
        post(client, {"ma": mine["code"], "id": mine["id"], "action": "xoa_xac_nhan"})
        for _ in range(rules.LOOKUP_RULE.burst + 1):
            post(client, {"ma": mine["code"]})
    assert "a question deleted on the asker's page" in caplog.text and "lookups refused" in caplog.text
    for secret in (mine["code"], NAME, TEXT, mine["id"]):
        assert secret not in caplog.text

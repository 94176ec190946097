"""Written replies after the day: a department answers through its own link, the secretariat
publishes, sends back or withdraws, and only a published reply reaches the asker's phone, the lookup
by tracking code and the public answers page.

The pages are driven through Flask's test client (as tests/web/test_admin.py does), the pure deadline
rules with ``now`` passed in, and the phones' events through a real ``live serve`` with real
Socket.IO clients.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import urllib.request
import uuid

import pytest
from flask.testing import FlaskClient

import live
from live.services import demo as DEMO
from live.services import replies

PUBLIC_URL = "http://127.0.0.1:5000"
LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"
TOKEN = re.compile(r"/co-quan/([A-Za-z0-9_-]{32})")
QUANG_LAM = "Xã Quảng Lâm — học sinh, sinh viên"
VN = dt.timezone(dt.timedelta(hours=7))


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
            "PUBLIC_URL": PUBLIC_URL,
            "RATE_LIMITS": LIMITS,
        }
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


def open_link(app, role: str) -> FlaskClient:
    client = app.test_client()
    assert client.get(f"/k/{app.extensions['live.day'].tokens()[role]}").status_code == 303
    return client


@pytest.fixture
def secretariat(app) -> FlaskClient:
    return open_link(app, "moderator")


def ask(day, text: str, *, site="1304", group="hoc_sinh_sinh_vien", theme="t1", name="Nguyễn Văn An", device=None):
    """A question from a phone, approved by the secretariat."""
    qid = str(uuid.uuid4())
    payload = {"id": qid, "site": site, "text": text, "name": name, "group": group, "theme": theme}
    payload["consent"] = {"name": "1", "group": "1"}  # both boxes ticked: still never shown to a department
    question, _, _ = day.desk.submit(payload, device=device or f"phone-{qid[:8]}", address="10.0.0.9")
    question, _ = day.desk.act("approve", {"id": qid, "version": question["version"]}, role="moderator")
    return question


def forward(day, question, department="d1", deadline=None):
    payload = {"id": question["id"], "version": question["version"], "department": department}
    if deadline is not None:
        payload["deadline"] = deadline
    return day.desk.act("forward", payload, role="mc")[0]


def today() -> dt.date:
    return replies.local_date(time.time())


def in_days(n: int) -> str:
    return (today() + dt.timedelta(days=n)).strftime("%d/%m/%Y")


def dept_link(day, department="d1") -> str:
    return f"/co-quan/{replies.tokens(day)[department]}"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page must carry a CSRF token"
    return match.group(1)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def write_reply(client, day, question, text, department="d1", **extra):
    link = dept_link(day, department)
    page = client.get(link).get_data(as_text=True)
    current = day.desk.get(question["id"]) or question
    form = {"csrf_token": csrf_of(page), "id": question["id"], "version": current["version"], "text": text, **extra}
    return client.post(link, data=form)


def secretariat_does(client, day, action, question, **fields):
    page = client.get("/tra-loi-van-ban").get_data(as_text=True)
    current = day.desk.get(question["id"])
    form = {"csrf_token": csrf_of(page), "id": question["id"], "version": current["version"], **fields}
    return client.post(f"/tra-loi-van-ban/{action}", data=form)


# ---------------------------------------------------------------- the deadlines (pure)


def noon(date: str) -> float:
    return dt.datetime.fromisoformat(date + "T12:00").replace(tzinfo=VN).timestamp()


def test_a_question_forwarded_on_the_day_is_due_fifteen_days_after_the_conference():
    assert replies.default_deadline("2025-08-28", noon("2025-08-28")) == "2025-09-12"
    # forwarded at the rehearsal, before the day: still counted from the conference
    assert replies.default_deadline("2025-08-28", noon("2025-08-20")) == "2025-09-12"


def test_a_question_forwarded_after_the_day_still_gets_fifteen_days():
    assert replies.default_deadline("2025-08-28", noon("2025-09-05")) == "2025-09-20"
    assert replies.default_deadline(None, noon("2025-09-05")) == "2025-09-20"


def test_the_forwarding_day_is_the_day_in_vietnam():
    # 18:30 UTC on 28/08 is already 01:30 on 29/08 in Cao Bằng
    late = dt.datetime(2025, 8, 28, 18, 30, tzinfo=dt.UTC).timestamp()
    assert replies.default_deadline(None, late) == "2025-09-13"


@pytest.mark.parametrize(
    ("deadline", "state", "flag"),
    [
        ("2025-09-09", None, "overdue"),
        ("2025-09-10", "returned", "overdue"),
        ("2025-09-11", None, "soon"),  # due today
        ("2025-09-14", None, "soon"),  # 3 days left
        ("2025-09-15", None, None),  # 4 days left
        ("2025-09-01", "submitted", None),  # the department replied: the secretariat's turn
        ("2025-09-01", "published", None),
        (None, None, None),
    ],
)
def test_deadlines_passed_and_close_are_flagged_while_the_department_owes_a_reply(deadline, state, flag):
    question = {"deadline": deadline, "reply_state": state}
    assert replies.urgency(question, dt.date(2025, 9, 11)) == flag


def test_only_a_published_reply_is_public():
    draft = {"status": "forwarded", "reply_state": "submitted", "reply_text": "nháp", "department": "d1"}
    assert replies.public_reply(draft, {"d1": "Sở Nội vụ"}) is None
    assert replies.public_reply({**draft, "reply_state": "returned", "reply_note": "sửa"}, {}) is None
    published = {**draft, "reply_state": "published", "reply_by": "d1", "published_at": 5.0}
    assert replies.public_reply(published, {"d1": "Sở Nội vụ"}) == {
        "text": "nháp",
        "department": "Sở Nội vụ",
        "published_at": 5.0,
    }


@pytest.mark.parametrize(
    ("typed", "code"), [("k7q2mx", "K7Q2MX"), (" K7Q 2MX ", "K7Q2MX"), ("K7Q2M0", None), ("", None)]
)
def test_a_tracking_code_is_read_as_a_person_types_it(typed, code):
    assert replies.normal_code(typed) == code


# ---------------------------------------------------------------- the departments' links


def test_each_department_has_its_own_secret_link_on_the_admin_page(app, day):
    admin = open_link(app, "admin")
    seq = day.store.seq()
    page = admin.get("/admin/").get_data(as_text=True)
    assert "Liên kết cho cơ quan trả lời" in page
    assert day.store.seq() == seq, "listing the links writes nothing"
    departments = replies.departments(day)
    found = TOKEN.findall(page)
    assert len(found) == len(set(found)) == len(departments) > 1
    assert set(found) == set(replies.tokens(day).values())
    assert all(len(token) * 6 >= 192 for token in found)
    # the links stay the same from one visit to the next
    assert TOKEN.findall(admin.get("/admin/").get_data(as_text=True)) == found


def test_a_new_link_revokes_the_old_one_at_once(app, day):
    admin = open_link(app, "admin")
    officer = app.test_client()
    old = dept_link(day, "d2")
    assert officer.get(old).status_code == 200
    page = admin.get("/admin/").get_data(as_text=True)
    refused = admin.post("/admin/departments/d2/link", data={})  # without the page's CSRF token
    assert refused.status_code == 400 and officer.get(old).status_code == 200
    done = admin.post("/admin/departments/d2/link", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303
    assert "liên kết cũ không còn mở được" in text_of(admin.get("/admin/"))
    gone = officer.get(old)
    assert gone.status_code == 404 and "Không tìm thấy" in text_of(gone)
    assert officer.get(dept_link(day, "d2")).status_code == 200
    assert dept_link(day, "d1") != dept_link(day, "d2")


def test_only_the_admin_renews_a_department_link(app, day):
    old = dept_link(day, "d1")
    for client in (open_link(app, "moderator"), app.test_client()):
        assert client.post("/admin/departments/d1/link", data={}).status_code in (400, 403)
    assert dept_link(day, "d1") == old


@pytest.mark.parametrize("token", ["x", "A" * 32, "../admin", "%00"])
def test_a_wrong_department_link_is_a_plain_404(app, day, token):
    replies.tokens(day)
    response = app.test_client().get(f"/co-quan/{token}")
    assert response.status_code == 404
    assert "Không tìm thấy" in text_of(response)


def test_live_links_prints_every_department_link(make_server):
    server = make_server()
    printed = server.links()
    assert printed["co-quan:d1"].startswith(server.url + "/co-quan/")
    assert len([k for k in printed if k.startswith("co-quan:")]) == len(DEMO.conference()["departments"])

    with urllib.request.urlopen(printed["co-quan:d1"], timeout=5) as page:
        assert "Sở Nội vụ" in page.read().decode()


# ---------------------------------------------------------------- the department's page


def test_the_department_sees_its_questions_with_origin_and_deadline_never_the_asker(app, day):
    mine = forward(day, ask(day, "Tỉnh có học bổng cho sinh viên dân tộc thiểu số không?"), "d1", in_days(2))
    other = forward(day, ask(day, "Khi nào có sân bóng cho thanh niên xã?", site="1297"), "d2", in_days(9))
    page = text_of(app.test_client().get(dept_link(day, "d1")))
    assert "Sở Nội vụ" in page and mine["text"] in page and mine["code"] in page
    assert QUANG_LAM in page
    assert f"Hạn trả lời: {in_days(2)} · còn 2 ngày" in page
    assert other["text"] not in page and other["code"] not in page
    assert "Nguyễn Văn An" not in page and "phone-" not in page
    assert "Chưa trả lời" in page
    # the other department sees only its own
    theirs = text_of(app.test_client().get(dept_link(day, "d2")))
    assert other["text"] in theirs and mine["text"] not in theirs and "còn 9 ngày" in theirs


def test_a_question_forwarded_without_a_deadline_is_due_in_fifteen_days(app, day):
    question = forward(day, ask(day, "Hỏi về việc làm cho thanh niên sau khi học nghề?"), "d1")
    conference_day = (day.conference() or {})["date"]
    expected = replies.default_deadline(conference_day, time.time())
    assert question["deadline"] == expected
    left = (dt.date.fromisoformat(expected) - today()).days
    assert f"còn {left} ngày" in text_of(app.test_client().get(dept_link(day, "d1")))


def test_the_department_writes_its_reply_and_the_secretariat_sees_it(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về học bổng?"), "d1", in_days(5))
    officer = app.test_client()
    response = write_reply(officer, day, question, "Sở Nội vụ trả lời:\n\nTỉnh có học bổng.")
    assert response.status_code == 303
    page = text_of(officer.get(response.headers["Location"]))
    assert f"Đã gửi trả lời câu hỏi {question['code']}" in page
    assert "Đã gửi, chờ tổ thư ký duyệt" in page and "Gửi lại trả lời" in page
    stored = day.desk.get(question["id"])
    assert stored["reply_text"] == "Sở Nội vụ trả lời:\n\nTỉnh có học bổng."
    assert stored["reply_state"] == "submitted" and stored["reply_by"] == "d1"
    entry = day.desk.audit()[-1]
    assert entry["action"] == "reply" and entry["role"] == "department" and entry["name"] == "Sở Nội vụ"
    board = text_of(secretariat.get("/tra-loi-van-ban"))
    assert "Tỉnh có học bổng." in board and "Duyệt công bố" in board


def test_a_reply_without_csrf_or_empty_stores_nothing_and_says_why(app, day):
    question = forward(day, ask(day, "Hỏi về nhà ở xã hội cho công nhân?"), "d1", in_days(5))
    officer = app.test_client()
    link = dept_link(day, "d1")
    forged = officer.post(link, data={"id": question["id"], "version": question["version"], "text": "giả mạo"})
    assert forged.status_code == 400 and "Phiên làm việc đã hết hạn" in text_of(forged)
    empty = write_reply(officer, day, question, "  \n ")
    assert empty.status_code == 400
    assert "Cần nhập nội dung trả lời, tối đa 10000 ký tự." in text_of(empty)
    too_long = write_reply(officer, day, question, "Trả lời " * 2000)
    assert too_long.status_code == 400 and "Trả lời Trả lời" in text_of(too_long)  # what was typed stays
    stored = day.desk.get(question["id"])
    assert stored.get("reply_state") is None and stored.get("reply_text") is None
    assert stored["version"] == question["version"]


def test_a_department_cannot_answer_another_departments_question(app, day):
    question = forward(day, ask(day, "Hỏi về đường giao thông nông thôn?"), "d2", in_days(5))
    forward(day, ask(day, "Câu hỏi của Sở Nội vụ?"), "d1", in_days(5))  # so that its page has a form
    officer = app.test_client()
    response = write_reply(officer, day, question, "Không phải của chúng tôi", department="d1")
    assert response.status_code == 403
    assert "Câu hỏi này không giao cho cơ quan của bạn trả lời." in text_of(response)
    # a question id that does not exist gets the same answer
    response = write_reply(officer, day, {**question, "id": str(uuid.uuid4())}, "x", department="d1")
    assert response.status_code == 403
    assert day.desk.get(question["id"]).get("reply_state") is None


def test_a_reply_written_on_an_old_page_is_refused_and_kept_on_the_page(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về phòng máy tính cho trường?"), "d1", in_days(5))
    officer = app.test_client()
    link = dept_link(day, "d1")
    page = officer.get(link).get_data(as_text=True)
    # meanwhile the secretariat moves the deadline
    assert (
        secretariat_does(secretariat, day, "route", question, department="d1", deadline=in_days(8)).status_code == 303
    )
    form = {"csrf_token": csrf_of(page), "id": question["id"], "version": question["version"], "text": "Trả lời muộn"}
    response = officer.post(link, data=form)
    assert response.status_code == 409
    page = text_of(response)
    assert "Câu hỏi vừa được người khác thay đổi" in page and "Trả lời muộn" in page
    assert day.desk.get(question["id"]).get("reply_state") is None


def test_a_published_reply_is_read_only_for_the_department(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về chợ phiên?"), "d1", in_days(5))
    officer = app.test_client()
    write_reply(officer, day, question, "Đã có kế hoạch.")
    token = csrf_of(officer.get(dept_link(day, "d1")).get_data(as_text=True))
    secretariat_does(secretariat, day, "publish", question)
    page = text_of(officer.get(dept_link(day, "d1")))
    assert "Trả lời đã công bố ngày" in page and "Đã có kế hoạch." in page
    assert 'name="text"' not in page
    version = day.desk.get(question["id"])["version"]
    form = {"csrf_token": token, "id": question["id"], "version": version, "text": "Sửa sau khi công bố"}
    again = officer.post(dept_link(day, "d1"), data=form)
    assert again.status_code == 400
    assert "Không thể thực hiện thao tác này với văn bản trả lời" in text_of(again)
    assert day.desk.get(question["id"])["reply_text"] == "Đã có kế hoạch."


# ---------------------------------------------------------------- the secretariat


def test_only_the_secretariat_and_the_admin_open_the_replies_page(app):
    assert open_link(app, "moderator").get("/tra-loi-van-ban").status_code == 200
    assert open_link(app, "admin").get("/tra-loi-van-ban").status_code == 200
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get("/tra-loi-van-ban").status_code == 403
    stranger = app.test_client()
    assert stranger.get("/tra-loi-van-ban").status_code == 403
    assert stranger.post("/tra-loi-van-ban/publish", data={}).status_code in (400, 403)


def test_the_console_links_to_the_replies_page(secretariat):
    assert 'href="/tra-loi-van-ban"' in secretariat.get("/moderator").get_data(as_text=True)


def test_deadlines_passed_and_coming_up_are_listed_first(app, day, secretariat):
    late = forward(day, ask(day, "Câu quá hạn về việc làm?"), "d2", in_days(20))
    secretariat_does(secretariat, day, "route", late, department="d2", deadline=in_days(-2))
    soon = forward(day, ask(day, "Câu sắp đến hạn về học bổng?"), "d1", in_days(1))
    calm = forward(day, ask(day, "Câu còn nhiều thời gian?"), "d1", in_days(10))
    answered = forward(day, ask(day, "Câu đã trả lời dù gần hạn?"), "d1", in_days(1))
    write_reply(app.test_client(), day, answered, "Đã trả lời.")
    page = text_of(secretariat.get("/tra-loi-van-ban"))
    flagged = page.split('id="flagged"', 1)[1].split("</section>", 1)[0]
    assert late["code"] in flagged and soon["code"] in flagged
    assert calm["code"] not in flagged and answered["code"] not in flagged
    assert flagged.index(late["code"]) < flagged.index(soon["code"])
    assert "quá hạn 2 ngày" in flagged and "còn 1 ngày" in flagged
    assert "1 quá hạn" in page and "1 sắp đến hạn" in page and "1 chờ duyệt" in page
    # grouped by department in the conference's order, nearest deadline first within each
    d1 = page.index('id="dept-d1"')
    assert d1 < page.index('id="dept-d2"')
    assert page.index(f'id="q-{soon["code"]}"', d1) < page.index(f'id="q-{calm["code"]}"', d1)


def test_route_changes_the_department_and_deadline_with_a_clear_message_on_bad_input(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về đào tạo nghề?"), "d1", in_days(5))
    bad = secretariat_does(secretariat, day, "route", question, department="d1", deadline="31/02/2026")
    assert bad.status_code == 400 and "Hạn trả lời phải là một ngày, viết dd/mm/yyyy." in text_of(bad)
    empty = secretariat_does(secretariat, day, "route", question, department="d1", deadline="")
    assert empty.status_code == 400
    unknown = secretariat_does(secretariat, day, "route", question, department="nope", deadline=in_days(5))
    assert unknown.status_code == 400 and "Cơ quan trả lời không có trong danh sách." in text_of(unknown)
    assert day.desk.get(question["id"])["version"] == question["version"]
    done = secretariat_does(secretariat, day, "route", question, department="d3", deadline=in_days(12), by="Lan")
    assert done.status_code == 303
    stored = day.desk.get(question["id"])
    assert stored["department"] == "d3" and stored["deadline"] == (today() + dt.timedelta(days=12)).isoformat()
    assert day.desk.audit()[-1]["name"] == "Lan" and day.desk.audit()[-1]["role"] == "moderator"
    # the old department no longer sees it; the new one does
    assert question["text"] not in text_of(app.test_client().get(dept_link(day, "d1")))
    assert question["text"] in text_of(app.test_client().get(dept_link(day, "d3")))


def test_sending_back_needs_a_note_and_the_department_reads_it(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về khởi nghiệp?"), "d1", in_days(5))
    officer = app.test_client()
    write_reply(officer, day, question, "Bản đầu.")
    version = day.desk.get(question["id"])["version"]
    forged = secretariat.post(
        "/tra-loi-van-ban/send_back", data={"id": question["id"], "version": version, "note": "x"}
    )
    assert forged.status_code == 400 and "Phiên làm việc đã hết hạn" in text_of(forged)
    refused = secretariat_does(secretariat, day, "send_back", question, note="  ")
    assert refused.status_code == 400 and "Cần ghi lý do trả lại" in text_of(refused)
    assert day.desk.get(question["id"])["reply_state"] == "submitted"
    assert secretariat_does(secretariat, day, "send_back", question, note="Bổ sung số liệu 2025.").status_code == 303
    page = text_of(officer.get(dept_link(day, "d1")))
    assert "Tổ thư ký trả lại để sửa" in page and "Bổ sung số liệu 2025." in page and "Bản đầu." in page
    assert write_reply(officer, day, question, "Bản hai, có số liệu.").status_code == 303
    stored = day.desk.get(question["id"])
    assert stored["reply_state"] == "submitted" and stored["reply_note"] is None


def test_a_stale_secretariat_page_gets_the_conflict_message(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về thư viện xã?"), "d1", in_days(5))
    write_reply(app.test_client(), day, question, "Bản đầu.")
    page = secretariat.get("/tra-loi-van-ban").get_data(as_text=True)
    seen = day.desk.get(question["id"])["version"]
    write_reply(app.test_client(), day, question, "Bản sửa lại trước khi duyệt.")
    response = secretariat.post(
        "/tra-loi-van-ban/publish", data={"csrf_token": csrf_of(page), "id": question["id"], "version": seen}
    )
    assert response.status_code == 409 and "Câu hỏi vừa được người khác thay đổi" in text_of(response)
    assert day.desk.get(question["id"])["reply_state"] == "submitted"


# ---------------------------------------------------------------- what the public sees


def test_an_unpublished_reply_never_leaves_the_secretariat(app, day, secretariat):
    draft, note = "BẢN NHÁP CHƯA DUYỆT 7f3a", "GHI CHÚ NỘI BỘ 9c1d"
    question = forward(day, ask(day, "Hỏi về sân chơi cho thiếu nhi?"), "d1", in_days(5))
    public = app.test_client()
    write_reply(public, day, question, draft)
    secretariat_does(secretariat, day, "send_back", question, note=note)
    write_reply(public, day, question, draft + " (sửa)")
    pages = [
        public.get(dept_link(day, "d2")),
        public.get(f"/tra-cuu?ma={question['code']}"),
        public.get("/tra-loi"),
        public.get("/"),
    ]
    for page in pages:
        body = text_of(page)
        assert draft not in body and note not in body
    # the asker's code tells where the question went and that the reply is still to come
    assert "Chuyển Sở Nội vụ trả lời bằng văn bản, hạn" in text_of(pages[1])
    assert "sẽ có trả lời tại đây sau khi cơ quan trả lời" in text_of(pages[1])
    (mine,) = day.desk.mine({"ids": [question["id"]]})
    assert mine["reply"] is None and draft not in str(mine) and note not in str(mine)
    assert mine["status"] == "forwarded"


def test_a_known_code_tells_its_status_and_an_unknown_one_a_polite_sentence(app, day):
    question = forward(day, ask(day, "Hỏi về việc làm thêm cho sinh viên?"), "d1", in_days(5))
    client = app.test_client()
    unknown = "ZZZZZZ" if question["code"] != "ZZZZZZ" else "YYYYYY"
    one = text_of(client.get(f"/tra-cuu?ma={question['code']}"))
    assert "Chuyển trả lời bằng văn bản" in one and "Chuyển Sở Nội vụ trả lời bằng văn bản, hạn" in one
    other = text_of(client.get(f"/tra-cuu?ma={unknown}"))
    assert f"Không tìm thấy câu hỏi nào có mã {unknown}." in other and question["text"] not in other
    bad = text_of(client.get("/tra-cuu?ma=abc"))
    assert "Mã theo dõi gồm 6 chữ cái và chữ số" in bad


def test_a_published_reply_reaches_the_lookup_the_public_page_and_the_phone(app, day, secretariat):
    question = forward(day, ask(day, "Hỏi về học bổng cho học sinh nghèo?"), "d1", in_days(5))
    other_theme = forward(day, ask(day, "Hỏi về y tế xã?", theme="t3", site="1297", group=None), "d2", in_days(5))
    officer = app.test_client()
    write_reply(officer, day, question, "Tỉnh có quỹ học bổng\n— 200 suất mỗi năm.")
    write_reply(app.test_client(), day, other_theme, "Trạm y tế được nâng cấp.", department="d2")
    for q in (question, other_theme):
        assert secretariat_does(secretariat, day, "publish", q, by="Hoa").status_code == 303
    public = app.test_client()
    found = text_of(public.get(f"/tra-cuu?ma={question['code'].lower()}"))
    assert "Tỉnh có quỹ học bổng\n— 200 suất mỗi năm." in found
    assert "Trả lời bằng văn bản của Sở Nội vụ" in found and question["text"] in found and QUANG_LAM in found
    published = replies.local_date(day.desk.get(question["id"])["published_at"]).strftime("%d/%m/%Y")
    assert f"Công bố ngày {published}" in found
    answers = text_of(public.get("/tra-loi"))
    assert "Tỉnh có quỹ học bổng" in answers and "Trạm y tế được nâng cấp." in answers
    themes = {t["id"]: t["name"] for t in day.conference()["themes"]}
    t1, t3 = (
        answers.index('<section class="theme" id="theme-t1"'),
        answers.index('<section class="theme" id="theme-t3"'),
    )
    assert t1 < answers.index(themes["t1"], t1) < answers.index(question["text"]) < t3
    assert t3 < answers.index(themes["t3"], t3) < answers.index(other_theme["text"])
    assert "Nguyễn Văn An" not in answers and "Nguyễn Văn An" not in found
    (mine,) = day.desk.mine({"ids": [question["id"]]})
    assert mine["reply"] == {
        "text": "Tỉnh có quỹ học bổng\n— 200 suất mỗi năm.",
        "department": "Sở Nội vụ",
        "published_at": day.desk.get(question["id"])["published_at"],
    }
    # withdrawn: gone everywhere again
    assert secretariat_does(secretariat, day, "withdraw", question).status_code == 303
    assert "Tỉnh có quỹ học bổng" not in text_of(public.get("/tra-loi"))
    assert "sẽ có trả lời tại đây sau khi cơ quan trả lời" in text_of(public.get(f"/tra-cuu?ma={question['code']}"))
    assert day.desk.mine({"ids": [question["id"]]})[0]["reply"] is None


def test_a_merged_askers_code_finds_the_reply_of_the_question_it_joined(app, day, secretariat):
    kept = ask(day, "Tỉnh có học bổng cho sinh viên không?")
    twin = ask(day, "Cho em hỏi tỉnh có học bổng cho sv không ạ?", site="1297")
    twin = day.desk.act("merge", {"id": twin["id"], "version": twin["version"], "into": kept["id"]}, role="moderator")[
        0
    ]
    kept = forward(day, day.desk.get(kept["id"]), "d1", in_days(5))
    write_reply(app.test_client(), day, kept, "Có, 200 suất.")
    secretariat_does(secretariat, day, "publish", kept)
    page = text_of(app.test_client().get(f"/tra-cuu?ma={twin['code']}"))
    assert "Có, 200 suất." in page and "được gộp" in page
    (mine,) = day.desk.mine({"ids": [twin["id"]]})
    assert mine["reply"]["text"] == "Có, 200 suất."


# ---------------------------------------------------------------- the phones (real server, real sockets)


def test_only_the_askers_phone_hears_of_a_published_reply(server, connect_staff, connect_phone):
    asker = connect_phone(server, site="1304")
    neighbour = connect_phone(server, site="1304")
    mc = connect_staff(server, "mc")
    desk = connect_staff(server, "moderator")
    ack = asker.call(
        "question.submit",
        {
            "id": str(uuid.uuid4()),
            "site": "1304",
            "text": "Xin hỏi về học bổng?",
            "group": "hoc_sinh_sinh_vien",
            "consent": {"group": "1"},
        },
    )
    assert ack["ok"], ack
    qid = ack["id"]
    question = desk.call("question.approve", {"id": qid, "version": 1})["question"]
    question = desk.call(
        "question.forward", {"id": qid, "version": question["version"], "department": "d1", "deadline": in_days(7)}
    )["question"]
    assert question["deadline"] == (today() + dt.timedelta(days=7)).isoformat()
    # the department writes through its link (HTTP, with the page's CSRF token)
    import requests

    officer = requests.Session()
    link = server.links()["co-quan:d1"]
    page = officer.get(link, timeout=5).text
    draft = "Bản nháp chưa duyệt: <b>không</b> được lộ."
    posted = officer.post(
        link,
        data={"csrf_token": csrf_of(page), "id": qid, "version": question["version"], "text": draft},
        timeout=5,
        allow_redirects=False,
    )
    assert posted.status_code == 303
    version = desk.call("questions.get")["questions"]
    version = next(q for q in version if q["id"] == qid)["version"]
    assert desk.call("question.send_back", {"id": qid, "version": version, "note": "Ghi chú nội bộ"})["ok"]
    page = officer.get(link, timeout=5).text
    final = "Tỉnh có 200 suất học bổng mỗi năm.\n<script>alert(1)</script>"
    officer.post(link, data={"csrf_token": csrf_of(page), "id": qid, "version": version + 1, "text": final}, timeout=5)
    published = desk.call("question.publish", {"id": qid, "version": version + 2})
    assert published["ok"], published
    status = asker.wait_for(lambda name, data: name == "question.status" and data.get("reply"))
    assert status["id"] == qid and status["status"] == "forwarded"
    assert status["reply"]["text"] == final and status["reply"]["department"] == "Sở Nội vụ"
    withdrawn = desk.call("question.withdraw", {"id": qid, "version": version + 3})
    assert withdrawn["ok"], withdrawn
    asker.wait_for(lambda name, data: name == "question.status" and data.get("reply") is None and "reply" in data)
    desk.wait_for(lambda name, data: name == "question.changed" and data["question"]["reply_state"] == "submitted")
    # nothing of the reply reached any other phone or the MC's queue; no draft reached anyone
    for name, data in neighbour.received:
        assert "Tỉnh có 200 suất" not in str(data) and "Bản nháp" not in str(data), name
    for name, data in asker.received + mc.received:
        assert "Bản nháp" not in str(data) and "Ghi chú nội bộ" not in str(data), name
    for name, data in mc.received:
        assert "Tỉnh có 200 suất" not in str(data), name

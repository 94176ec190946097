"""The preparation pages over HTTP (Flask's test client, a real SQLite store, the demo conference):
the secretariat's /chuan-bi opens only with the moderator's or the admin's link, assigns one
question or several (each through Desk.act, the failures named with their reason), withdraws,
accepts and sends back; the department's own link lists what it prepares and takes its prepared
answer or its proposal to answer in writing. Bad input is answered in Vietnamese with 400/403/409
and nothing stored; a prepared answer never reaches the phones or the projector."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
import uuid

import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link

import live
from live.core import rooms
from live.services import replies

PAGE = "/chuan-bi"
PREPARED = "Ý chính cho Chủ tịch: tỉnh dành 120 suất học bổng năm 2026."


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


@pytest.fixture
def secretariat(app):
    return open_link(app, "moderator")


def ask(day, text="Học bổng cho sinh viên dân tộc thiểu số năm 2026 thế nào?", approve=True) -> dict:
    payload = {"id": str(uuid.uuid4()), "site": "1304", "text": text, "theme": "t2", "name": "Nông Thị Mai"}
    question, _, _ = day.desk.submit(payload, device=f"phone-{payload['id'][:8]}", address="10.0.0.9")
    if approve:
        question, _ = day.desk.act("approve", {"id": question["id"], "version": question["version"]}, role="moderator")
    return question


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, action: str, question: dict | None = None, **form):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "by": "Hoàng Thư Ký", **form}
    if question is not None:
        data.setdefault("id", question["id"])
        data.setdefault("version", question["version"])
    return client.post(f"{PAGE}/{action}", data=data)


def flashes(client) -> list[str]:
    return re.findall(r'class="flash (?:ok|error)"[^>]*>([^<]*)<', text_of(client.get(PAGE)))


def assign(day, question: dict, department="d5", due="25/08/2025") -> dict:
    current = day.desk.get(question["id"])
    payload = {"id": current["id"], "version": current["version"], "department": department, "due": due}
    return day.desk.act("prepare", payload, role="moderator")[0]


def dept_link(day, department="d5") -> str:
    return f"/co-quan/{replies.tokens(day)[department]}"


def write(client, day, question: dict, text: str, department="d5", written=False, version=None):
    link = dept_link(day, department)
    token = csrf_of(client.get(dept_link(day)).get_data(as_text=True))  # the session's token, from a page with forms
    current = day.desk.get(question["id"])
    data = {"csrf_token": token, "id": question["id"], "version": current["version"] if version is None else version}
    data["text"] = text
    if written:
        data["written"] = "1"
    return client.post(f"{link}/chuan-bi", data=data)


def test_only_the_secretariat_and_the_admin_open_the_page(app, day):
    question = ask(day)
    assert app.test_client().get(PAGE).status_code == 403
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get(PAGE).status_code == 403, role
    for role in ("moderator", "admin"):
        assert open_link(app, role).get(PAGE).status_code == 200, role
    form = {"id": question["id"], "version": question["version"], "department": "d5", "due": "25/08/2025"}
    assert open_link(app, "mc").post(f"{PAGE}/prepare", data=form).status_code in (400, 403)
    assert day.desk.get(question["id"]).get("prep_department") is None


def test_the_console_and_the_admin_page_link_to_it(app):
    assert f'href="{PAGE}"' in open_link(app, "moderator").get("/moderator").get_data(as_text=True)
    assert f'href="{PAGE}"' in open_link(app, "admin").get("/admin/").get_data(as_text=True)


def test_assigning_one_question_keeps_it_in_the_dialogue_and_is_audited(app, day, secretariat):
    question = ask(day)
    page = text_of(secretariat.get(PAGE))
    assert question["code"] in page and "Xã Quảng Lâm" in page and "Nông Thị Mai" not in page
    # the demo conference (28/08/2025) is past: the due date offered is a week from today
    week = (replies.local_date(time.time()) + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    assert f'name="due" value="{week}"' in page
    response = post(secretariat, "prepare", question, department="d5", due="12/08/2030")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#q-{question['code']}")
    stored = day.desk.get(question["id"])
    assert (stored["status"], stored["prep_department"], stored["prep_due"], stored["prep_state"]) == (
        "approved",
        "d5",
        "2030-08-12",
        "assigned",
    )
    assert flashes(secretariat) == [
        f"Đã giao câu hỏi {question['code']} cho Sở Giáo dục và Đào tạo chuẩn bị trả lời, hạn 12/08/2030."
    ]
    entry = day.desk.audit()[-1]
    assert (entry["action"], entry["role"], entry["name"]) == ("prepare", "moderator", "Hoàng Thư Ký")


@pytest.mark.parametrize(
    "form, status, message",
    [
        ({"department": "d99", "due": "12/08/2030"}, 400, "Cơ quan trả lời không có trong danh sách."),
        ({"department": "", "due": "12/08/2030"}, 400, "Cơ quan trả lời không có trong danh sách."),
        ({"department": "d5", "due": "31/02/2030"}, 400, "Hạn chuẩn bị phải là một ngày, viết dd/mm/yyyy."),
        ({"department": "d5", "due": "ngày mai"}, 400, "Hạn chuẩn bị phải là một ngày, viết dd/mm/yyyy."),
        ({"department": "d5", "due": ""}, 400, "Hạn chuẩn bị phải là một ngày, viết dd/mm/yyyy."),
        ({"department": "d5", "due": "12/08/2030", "version": "0"}, 409, "Câu hỏi vừa được người khác thay đổi."),
        ({"department": "d5", "due": "12/08/2030", "version": "x"}, 400, "Thiếu phiên bản câu hỏi"),
        ({"department": "d5", "due": "12/08/2030", "id": "không-phải-mã"}, 400, "Không tìm thấy câu hỏi."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(day, secretariat, form, status, message):
    question = ask(day)
    response = post(secretariat, "prepare", question, **form)
    assert response.status_code == status
    assert message in text_of(response)
    assert day.desk.get(question["id"]) == question


def test_several_at_once_each_through_the_desk_and_the_failures_named(day, secretariat):
    first, second, stale = ask(day), ask(day, "Vay vốn khởi nghiệp cho thanh niên?"), ask(day, "Sân thể thao xã?")
    picks = [f"{q['id']}:{q['version']}" for q in (first, second, stale)]
    day.desk.act(
        "edit", {"id": stale["id"], "version": stale["version"], "text": "Sân thể thao của xã?"}, role="moderator"
    )
    response = post(secretariat, "bulk", pick=picks, department="d5", due="12/08/2030")
    assert response.status_code == 303
    assert [day.desk.get(q["id"]).get("prep_department") for q in (first, second, stale)] == ["d5", "d5", None]
    said = flashes(secretariat)
    assert said[0] == "Đã giao 2 câu hỏi cho Sở Giáo dục và Đào tạo chuẩn bị trả lời, hạn 12/08/2030."
    assert said[1].startswith(f"Chưa giao được câu hỏi {stale['code']}: Câu hỏi vừa được người khác thay đổi.")
    assert len(said) == 2


def test_several_at_once_checks_the_department_and_date_first(day, secretariat):
    question = ask(day)
    pick = [f"{question['id']}:{question['version']}"]
    response = post(secretariat, "bulk", pick=pick, department="d99", due="12/08/2030")
    assert response.status_code == 400 and "Cơ quan trả lời không có trong danh sách." in text_of(response)
    response = post(secretariat, "bulk", pick=pick, department="d5", due="32/13/2030")
    assert response.status_code == 400 and "Hạn chuẩn bị phải là một ngày" in text_of(response)
    response = post(secretariat, "bulk", department="d5", due="12/08/2030")
    assert response.status_code == 400 and "Chưa chọn câu hỏi nào để giao." in text_of(response)
    assert day.desk.get(question["id"]) == question


def test_withdraw_accept_and_send_back(app, day, secretariat):
    question = assign(day, ask(day))
    response = post(secretariat, "accept", question)
    assert response.status_code == 400 and "chưa có trả lời chuẩn bị để duyệt" in text_of(response)
    write(app.test_client(), day, question, PREPARED)
    current = day.desk.get(question["id"])
    assert PREPARED in text_of(secretariat.get(PAGE))
    response = post(secretariat, "return", current, note="  ")
    assert response.status_code == 400 and "Cần ghi lý do trả lại" in text_of(response)
    assert day.desk.get(question["id"]) == current
    assert post(secretariat, "return", current, note="Xin nêu rõ số suất.").status_code == 303
    assert (day.desk.get(question["id"])["prep_state"], day.desk.get(question["id"])["prep_note"]) == (
        "returned",
        "Xin nêu rõ số suất.",
    )
    write(app.test_client(), day, question, PREPARED + " Mỗi suất 10 triệu đồng.")
    assert post(secretariat, "accept", day.desk.get(question["id"])).status_code == 303
    assert day.desk.get(question["id"])["prep_state"] == "accepted"
    assert post(secretariat, "withdraw", day.desk.get(question["id"])).status_code == 303
    withdrawn = day.desk.get(question["id"])
    assert withdrawn["prep_department"] is None and withdrawn["prep_text"] is None
    assert flashes(secretariat) == [f"Đã rút giao chuẩn bị trả lời câu hỏi {question['code']}."]
    assert post(secretariat, "publish", withdrawn).status_code == 404


def test_the_department_sees_its_approved_question_and_writes_the_prepared_answer(app, day):
    question = assign(day, ask(day), due="12/08/2030")
    officer = app.test_client()
    assert officer.get("/co-quan/" + "A" * 32).status_code == 404
    page = text_of(officer.get(dept_link(day)))
    assert "1 câu hỏi giao cơ quan chuẩn bị trả lời · 1 câu chưa chuẩn bị hoặc cần sửa" in page
    assert question["text"] in page and "Hạn chuẩn bị: 12/08/2030" in page and "Chưa chuẩn bị" in page
    assert "Nông Thị Mai" not in page
    assert question["code"] not in text_of(officer.get(dept_link(day, "d1")))

    response = write(officer, day, question, PREPARED)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#p-{question['code']}")
    stored = day.desk.get(question["id"])
    assert (stored["prep_state"], stored["prep_text"]) == ("prepared", PREPARED)
    page = text_of(officer.get(dept_link(day)))
    assert f"Đã gửi trả lời chuẩn bị câu hỏi {question['code']}. Tổ thư ký sẽ duyệt." in page
    assert "Đã gửi, chờ duyệt" in page
    entry = day.desk.audit()[-1]
    assert (entry["action"], entry["role"], entry["name"]) == ("draft", "department", "Sở Giáo dục và Đào tạo")

    write(officer, day, question, "Cần số liệu của nhiều sở, đề nghị trả lời bằng văn bản.", written=True)
    assert day.desk.get(question["id"])["prep_state"] == "written"
    assert "Đề nghị trả lời bằng văn bản" in text_of(officer.get(dept_link(day)))
    # accepted, it is still a proposal: the secretariat reads a reason, the department's box stays ticked
    secretariat = open_link(app, "moderator")
    assert post(secretariat, "accept", day.desk.get(question["id"])).status_code == 303
    assert "Cơ quan đề nghị trả lời bằng văn bản, lý do" in text_of(secretariat.get(PAGE))
    box = re.search(r'<input type="checkbox" name="written"[^>]*>', officer.get(dept_link(day)).get_data(as_text=True))
    assert box and "checked" in box.group(0)


def test_the_department_is_refused_clearly_and_nothing_is_stored(app, day):
    question = assign(day, ask(day))
    officer = app.test_client()
    response = write(officer, day, question, "   ")
    assert response.status_code == 400 and "Cần nhập nội dung trả lời chuẩn bị" in text_of(response)
    response = write(officer, day, question, PREPARED, version=0)
    assert response.status_code == 409 and "Câu hỏi vừa được người khác thay đổi." in text_of(response)
    assert PREPARED in text_of(response)  # what the officer typed is kept
    response = write(officer, day, question, PREPARED, department="d1")  # another department's link
    assert response.status_code == 403 and "không giao cho cơ quan của bạn" in text_of(response)
    unassigned = ask(day, "Câu hỏi chưa giao cho cơ quan nào?")
    response = write(officer, day, unassigned, PREPARED)
    assert response.status_code == 403
    link = dept_link(day)
    response = officer.post(f"{link}/chuan-bi", data={"id": question["id"], "version": 3, "text": PREPARED})
    assert response.status_code == 400  # no CSRF token
    assert officer.post("/co-quan/" + "A" * 32 + "/chuan-bi", data={}).status_code in (400, 404)
    assert day.desk.get(question["id"]) == question
    assert day.desk.get(unassigned["id"]) == unassigned


def test_a_prepared_answer_never_reaches_the_phones_or_the_projector(app, day):
    question = assign(day, ask(day))
    write(app.test_client(), day, question, PREPARED)
    current = day.desk.get(question["id"])
    _, change = day.desk.act("show", {"id": current["id"], "version": current["version"]}, role="mc")
    shown = day.desk.get(question["id"])
    # every message of the show: the prepared answer only to the console and the MC/chair queue
    for event, payload, room in change.emits:
        if room not in (rooms.desk(), rooms.queue()):
            assert PREPARED not in json.dumps(payload, ensure_ascii=False), (event, room)
            assert "prep_" not in json.dumps(payload), (event, room)
    queue = [p for e, p, r in change.emits if r == rooms.queue() and p.get("question")]
    assert queue and queue[0]["question"]["prep_text"] == PREPARED
    assert set(day.desk.current()) == {"id", "text", "site", "site_name", "group", "origin"}
    from live.services.desk import phone_view

    assert "prep" not in json.dumps(phone_view(shown))
    for role in ("projector", "site"):
        page = open_link(app, role).get("/projector" if role == "projector" else "/s/1304")
        assert PREPARED not in text_of(page), role
    assert PREPARED not in text_of(app.test_client().get("/q/1304"))


def test_a_written_proposal_taken_forwards_the_question_to_the_department(app, day, secretariat):
    question = assign(day, ask(day))
    officer = app.test_client()
    write(officer, day, question, "Cần số liệu của 56 xã; đề nghị trả lời bằng văn bản.", written=True)
    page = text_of(secretariat.get(PAGE))
    assert "Chuyển trả lời bằng văn bản" in page
    response = post(secretariat, "forward", day.desk.get(question["id"]))
    assert response.status_code == 303
    done = day.desk.get(question["id"])
    assert (done["status"], done["department"]) == ("forwarded", "d5") and done["deadline"]
    said = flashes(secretariat)[0]
    assert said.startswith(
        f"Đã chuyển câu hỏi {question['code']} cho Sở Giáo dục và Đào tạo trả lời bằng văn bản, hạn "
    )
    assert day.desk.audit()[-1]["action"] == "forward"
    # it leaves the preparation page and waits for the department's written reply on the same link
    assert question["code"] not in text_of(secretariat.get(PAGE))
    assert "Câu hỏi chuyển trả lời bằng văn bản" in text_of(officer.get(dept_link(day)))
    assert question["text"] in text_of(officer.get(dept_link(day)))
    # a received question cannot be forwarded yet: the card says to approve it first
    waiting = assign(day, ask(day, text="Câu hỏi chưa duyệt về nhà ở xã hội cho thanh niên?", approve=False))
    write(officer, day, waiting, "Đề nghị trả lời bằng văn bản.", written=True)
    assert "Duyệt câu hỏi trên màn hình Tổ thư ký trước khi chuyển trả lời bằng văn bản." in text_of(
        secretariat.get(PAGE)
    )
    response = post(secretariat, "forward", day.desk.get(waiting["id"]))
    assert response.status_code == 400 and day.desk.get(waiting["id"])["status"] == "received"

"""Answers reach every asker (issue 26, item 2): the secretariat publishes the summary of an answer
given in the hall, and the asker's phone, every asker merged into it, the lookup by tracking code,
the public answers page and the dialogue page show it; every status is told truthfully and politely
(a rejection's reason, the question a merged one joined, a forwarded one's department and deadline),
never the secretariat's notes nor the words of a question it has not approved.

The pages through Flask's test client, the phones' pushes through a real ``live serve`` with real
Socket.IO clients, the pure rules directly.
"""

from __future__ import annotations

import uuid

import pytest
import test_replies as base
from test_replies import ask, csrf_of, forward, in_days, text_of

from live.core import questions
from live.services import rehearsal, replies

# the fixtures of the written replies' tests: a demo day, its app and the secretariat's link
app, day, secretariat = base.app, base.day, base.secretariat

SUMMARY = "Tỉnh dành 200 suất học bổng mỗi năm cho học sinh nghèo, nộp hồ sơ tại Phòng Giáo dục."
NOTES = "GHI CHÚ NỘI BỘ: người này hỏi lần thứ ba 5e1f"


def act(day, action: str, question: dict, role: str = "moderator", **args) -> dict:
    current = day.desk.get(question["id"])
    return day.desk.act(action, {"id": question["id"], "version": current["version"], **args}, role=role)[0]


def answered_in_hall(day, text: str = "Tỉnh có học bổng cho học sinh nghèo không?", **extra) -> dict:
    return act(day, "answer", ask(day, text, **extra), role="mc")


def submitted(day, text: str, *, site: str = "1297", device: str | None = None) -> dict:
    """A question from a phone, not yet looked at."""
    qid = str(uuid.uuid4())
    payload = {"id": qid, "site": site, "text": text}
    return day.desk.submit(payload, device=device or f"phone-{qid[:8]}", address="10.0.0.9")[0]


def mine(day, question: dict) -> dict:
    (found,) = day.desk.mine({"ids": [question["id"]]})
    return found


def reports_do(client, day, action: str, question: dict, **fields):
    page = client.get("/reports/").get_data(as_text=True)
    current = day.desk.get(question["id"])
    form = {"csrf_token": csrf_of(page), "id": question["id"], "version": current["version"], **fields}
    path = "/reports/summary" if action == "summarize" else f"/reports/summary/{action}"
    return client.post(path, data=form)


# ---------------------------------------------------------------- the pure rules


def test_a_summary_reaches_the_public_only_once_published_and_its_latest_words():
    base = {"id": "q" * 20, "status": "answered", "version": 3}
    assert replies.public_summary(base) is None
    written = questions.transition(base, "summarize", 10, expected_version=3, summary=SUMMARY)
    assert replies.public_summary(written) is None  # written, not yet published
    published = questions.transition(written, "publish_summary", 20, expected_version=4)
    assert replies.public_summary(published) == {"text": SUMMARY, "published_at": 20}
    edited = questions.transition(published, "summarize", 30, expected_version=5, summary="Lời mới")
    assert replies.public_summary(edited) == {"text": "Lời mới", "published_at": 20}  # still published
    withdrawn = questions.transition(edited, "withdraw_summary", 40, expected_version=6)
    assert replies.public_summary(withdrawn) is None and withdrawn["summary"] == "Lời mới"
    emptied = questions.transition(published, "summarize", 50, expected_version=5, summary="  ")
    assert emptied["summary_published_at"] is None and replies.public_summary(emptied) is None
    for status in ("received", "approved", "on_screen", "rejected", "merged"):
        assert replies.public_summary({**published, "status": status}) is None


def test_publishing_needs_a_summary_and_each_move_its_state():
    answered = {"id": "q" * 20, "status": "answered", "version": 1}
    with pytest.raises(questions.DomainError) as refused:
        questions.transition(answered, "publish_summary", 1, expected_version=1)
    assert refused.value.code == "question.no_summary"
    with pytest.raises(questions.DomainError) as refused:
        questions.transition(answered, "withdraw_summary", 1, expected_version=1)
    assert refused.value.code == "question.summary_state"
    published = {**answered, "summary": SUMMARY, "summary_published_at": 5.0}
    with pytest.raises(questions.DomainError) as refused:
        questions.transition(published, "publish_summary", 1, expected_version=1)
    assert refused.value.code == "question.summary_state"
    with pytest.raises(questions.DomainError) as refused:
        questions.transition({**published, "status": "approved"}, "publish_summary", 1, expected_version=1)
    assert refused.value.code == "question.bad_transition"


# ---------------------------------------------------------------- the reports page


def test_the_reports_page_publishes_and_withdraws_a_summary_for_every_asker(app, day, secretariat):
    question = answered_in_hall(day)
    twin = submitted(day, "tinh co hoc bong cho hs ngheo k?")
    act(day, "merge", twin, into=question["id"])
    page = text_of(secretariat.get("/reports/"))
    assert "Chưa có tóm tắt" in page and "Công bố cho người hỏi" not in page  # nothing to publish yet
    assert reports_do(secretariat, day, "summarize", question, summary=SUMMARY).status_code == 303
    page = text_of(secretariat.get("/reports/"))
    assert "1 tóm tắt chưa công bố cho người hỏi." in page and "Chưa công bố cho người hỏi" in page
    assert mine(day, question)["answer"] is None

    published = reports_do(secretariat, day, "publish", question, name="Hoa")
    assert published.status_code == 303
    page = text_of(secretariat.get(published.headers["Location"]))
    assert "Đã công bố tóm tắt trả lời của câu hỏi" in page and "Đã công bố cho người hỏi" in page
    assert "0 tóm tắt chưa công bố cho người hỏi." in page
    stored = day.desk.get(question["id"])
    assert mine(day, question)["answer"] == {"text": SUMMARY, "published_at": stored["summary_published_at"]}
    assert mine(day, twin)["answer"]["text"] == SUMMARY  # the asker merged in gets it too
    assert day.desk.audit()[-1]["action"] == "publish_summary" and day.desk.audit()[-1]["name"] == "Hoa"

    # edited while published: the new words reach the askers, still published
    assert reports_do(secretariat, day, "summarize", question, summary=SUMMARY + " Hạn 30/9.").status_code == 303
    assert mine(day, twin)["answer"]["text"] == SUMMARY + " Hạn 30/9."

    # a stale page (someone else acted first) is refused in Vietnamese, nothing changes
    page = secretariat.get("/reports/").get_data(as_text=True)
    stale = {"csrf_token": csrf_of(page), "id": question["id"], "version": stored["version"] - 1}
    refused = secretariat.post("/reports/summary/withdraw", data=stale)
    assert refused.status_code == 409 and "vừa được người khác thay đổi" in text_of(refused)
    assert day.desk.get(question["id"])["summary_published_at"] is not None

    assert reports_do(secretariat, day, "withdraw", question).status_code == 303
    assert mine(day, question)["answer"] is None and mine(day, twin)["answer"] is None
    refused = reports_do(secretariat, day, "withdraw", question)
    assert refused.status_code == 400 and "Tóm tắt trả lời này đã ở trạng thái đó" in text_of(refused)
    assert secretariat.post("/reports/summary/delete", data={}).status_code in (400, 404)


def test_a_summary_cannot_be_published_empty_and_the_public_never_publishes(app, day, secretariat):
    question = answered_in_hall(day)
    page = secretariat.get("/reports/").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "id": question["id"], "version": day.desk.get(question["id"])["version"]}
    refused = secretariat.post("/reports/summary/publish", data=form)
    assert refused.status_code == 400 and "Cần viết tóm tắt trả lời trước khi công bố" in text_of(refused)
    stranger = app.test_client()
    assert stranger.post("/reports/summary/publish", data=form).status_code in (302, 303, 400, 403, 404)
    assert day.desk.get(question["id"]).get("summary_published_at") is None


# ---------------------------------------------------------------- every status, told truthfully


@pytest.mark.parametrize("reason", questions.REJECT_REASONS)
def test_a_rejection_tells_its_reason_politely_never_the_notes(app, day, reason):
    question = submitted(day, "Câu hỏi về một việc khác hẳn?")
    act(day, "note", question, notes=NOTES)
    act(day, "reject", question, reason=reason)
    seen = mine(day, question)
    assert (seen["status"], seen["reason"]) == ("rejected", reason)
    assert NOTES not in str(seen)
    page = text_of(app.test_client().get(f"/tra-cuu?ma={question['code']}"))
    assert "Chưa được đưa ra hội nghị" in page and "Câu hỏi chưa được đưa ra hội nghị" in page
    assert NOTES not in page and question["text"] not in page  # a refused question's words stay private
    if reason == "off_topic":
        assert "nằm ngoài nội dung buổi đối thoại. Bạn có thể gửi câu hỏi khác." in page


def test_a_merged_question_points_to_the_one_it_joined_its_words_only_once_approved(app, day):
    target = submitted(day, "Xin hỏi về chính sách vay vốn khởi nghiệp cho thanh niên?", site="1304")
    twin = act(day, "merge", submitted(day, "vay von khoi nghiep cho tn the nao?"), into=target["id"])
    seen = mine(day, twin)
    assert seen["status"] == "merged"
    assert seen["joined"] == {"code": target["code"], "status": "received", "reason": None, "text": None}
    page = text_of(app.test_client().get(f"/tra-cuu?ma={twin['code']}"))
    assert target["code"] in page and target["text"] not in page and twin["text"] not in page

    act(day, "approve", target)
    seen = mine(day, twin)
    assert seen["joined"]["text"] == target["text"] and seen["joined"]["status"] == "approved"
    assert target["text"] in text_of(app.test_client().get(f"/tra-cuu?ma={twin['code']}"))

    # merged again: its asker follows the end of the chain
    last = ask(day, "Thanh niên được vay vốn khởi nghiệp bao nhiêu?")
    act(day, "merge", day.desk.get(target["id"]), into=last["id"])
    act(day, "answer", last, role="mc")
    seen = mine(day, twin)
    assert seen["joined"]["code"] == last["code"] and seen["joined"]["status"] == "answered"


def test_a_forwarded_question_names_its_department_and_deadline(app, day):
    question = forward(day, ask(day, "Hỏi về nước sạch ở xã?"), "d1", in_days(10))
    seen = mine(day, question)
    assert (seen["status"], seen["department"], seen["deadline"]) == ("forwarded", "Sở Nội vụ", in_days(10))
    page = text_of(app.test_client().get(f"/tra-cuu?ma={question['code']}"))
    assert f"Chuyển Sở Nội vụ trả lời bằng văn bản, hạn {in_days(10)}." in page
    assert "sẽ có trả lời tại đây sau khi cơ quan trả lời" in page


# ---------------------------------------------------------------- the public pages


def test_the_answers_page_and_the_dialogue_show_hall_answers_beside_written_replies(app, day, secretariat):
    hall = answered_in_hall(day)
    act(day, "summarize", hall, summary=SUMMARY)
    unpublished = answered_in_hall(day, "Câu hỏi đã trả lời nhưng chưa công bố tóm tắt?", site="1297")
    act(day, "summarize", unpublished, summary="TÓM TẮT CHƯA CÔNG BỐ 4d2a")
    public = app.test_client()
    assert SUMMARY not in text_of(public.get("/tra-loi"))
    act(day, "publish_summary", hall)
    answers = text_of(public.get("/tra-loi"))
    assert SUMMARY in answers and hall["text"] in answers
    assert "Trả lời tại hội nghị (tổ thư ký tóm tắt, công bố ngày" in answers
    assert "TÓM TẮT CHƯA CÔNG BỐ" not in answers and "Nguyễn Văn An" not in answers
    dialogue = text_of(public.get("/doi-thoai"))
    assert SUMMARY in dialogue and "Trả lời tại hội nghị" in dialogue
    found = text_of(public.get(f"/tra-cuu?ma={hall['code']}"))
    assert SUMMARY in found and "Đã trả lời" in found and hall["text"] in found


def test_a_rehearsals_answers_never_reach_the_public_pages(app, day):
    rehearsal.start(day, by="Quản trị")
    drill = answered_in_hall(day, "Câu hỏi tập dượt về thể thao?")
    act(day, "summarize", drill, summary="TÓM TẮT TẬP DƯỢT 8b1c")
    act(day, "publish_summary", drill)
    public = app.test_client()
    assert "TÓM TẮT TẬP DƯỢT" not in text_of(public.get("/tra-loi"))
    assert "TÓM TẮT TẬP DƯỢT" not in text_of(public.get("/doi-thoai"))
    assert "Không tìm thấy câu hỏi nào có mã" in text_of(public.get(f"/tra-cuu?ma={drill['code']}"))


def test_an_unknown_code_gets_one_polite_sentence_and_guessing_is_slowed(app, day):
    question = ask(day, "Hỏi về sân bóng cho thanh niên?")
    client = app.test_client()
    misses = 0
    for n in range(40):
        code = questions.tracking_code(f"guess-{n:016d}")
        if code == question["code"]:
            continue
        response = client.get(f"/tra-cuu?ma={code}")
        if response.status_code == 429:
            assert "Bạn đã nhập nhiều mã không đúng" in text_of(response)
            break
        assert f"Không tìm thấy câu hỏi nào có mã {code}." in text_of(response)
        misses += 1
    assert 5 <= misses < 40  # the address is slowed after a few misses
    limited = client.get(f"/tra-cuu?ma={question['code']}")
    assert limited.status_code == 429  # while slowed, every code waits
    other = app.test_client()  # another address: not slowed
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert "Đã duyệt" in text_of(other.get(f"/tra-cuu?ma={question['code']}"))


def test_the_front_page_and_the_posters_link_to_the_answers(app, day):
    home = text_of(app.test_client().get("/"))
    assert 'href="/tra-loi"' in home and 'href="/tra-cuu"' in home
    admin = app.test_client()
    assert admin.get(f"/k/{day.tokens()['admin']}").status_code == 303
    sheet = text_of(admin.get("/qr"))
    assert "Sau hội nghị, xem câu trả lời tại:" in sheet and "/tra-loi" in sheet


# ---------------------------------------------------------------- the phones (real server, real sockets)


def test_every_asker_hears_the_published_summary_and_a_rejection(server, connect_staff, connect_phone):
    asker, joiner, refused = (connect_phone(server, site=s) for s in ("1304", "1297", "1304"))
    desk, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")

    def submit(phone, site: str, text: str) -> str:
        ack = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": site, "text": text})
        assert ack["ok"], ack
        return ack["id"]

    def do(who, action: str, ident: str, **args) -> dict:
        current = next(q for q in desk.call("questions.get")["questions"] if q["id"] == ident)
        reply = who.call(f"question.{action}", {"id": ident, "version": current["version"], **args})
        assert reply["ok"], reply
        return reply["question"]

    kept = submit(asker, "1304", "Xin hỏi về học bổng cho học sinh nghèo?")
    twin = submit(joiner, "1297", "hoc bong cho hs ngheo?")
    bad = submit(refused, "1304", "Một câu hỏi lạc đề")
    do(desk, "note", bad, notes=NOTES)
    do(desk, "reject", bad, reason="off_topic")
    said = refused.wait_for(lambda e, d: e == "question.status" and d["id"] == bad and d["status"] == "rejected")
    assert said["reason"] == "off_topic" and NOTES not in str(said)
    do(desk, "merge", twin, into=kept)
    said = joiner.wait_for(lambda e, d: e == "question.status" and d["id"] == twin and d["status"] == "merged")
    assert said["joined"]["text"] is None  # not approved yet: its words stay off the phone
    do(desk, "approve", kept)
    do(mc, "answer", kept)
    do(desk, "summarize", kept, summary=SUMMARY)
    do(desk, "publish_summary", kept)
    for phone, ident, status in ((asker, kept, "answered"), (joiner, twin, "merged")):
        said = phone.wait_for(
            lambda e, d, ident=ident: (
                e == "question.status" and d["id"] == ident and (d.get("answer") or {}).get("text")
            )
        )
        assert said["status"] == status and said["answer"]["text"] == SUMMARY
    assert joiner.call("question.mine", {"ids": [twin]})["questions"][0]["joined"]["status"] == "answered"
    assert all(not (e == "question.status" and (d.get("answer") or {}).get("text")) for e, d in list(refused.received))

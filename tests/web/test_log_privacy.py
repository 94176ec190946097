"""The server's log at its default level holds no young person's name, tracking code or question
text, through a whole question's life: sent (twice), refused, screened, shown, answered, looked up
by its code, exported, and a failing background task (issue 23, item 7)."""

from __future__ import annotations

import urllib.request
import uuid

from conftest import session_cookie


def test_no_name_code_or_text_reaches_the_log(make_server, connect_phone, connect_staff):
    server = make_server("gevent")
    name, text = "Lò Thị Nguyệt Ánh", "Xin hỏi kế hoạch xây nhà văn hoá ở bản Khuổi Pâng năm tới?"
    moderator, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    phone = connect_phone(server, site="1304")
    sent = {"id": str(uuid.uuid4()), "site": "1304", "text": text, "name": name, "consent": {"name": "1"}}
    reply = phone.call("question.submit", sent)
    assert reply["ok"] is True, reply
    assert phone.call("question.submit", sent)["repeated"] is True  # the outbox's retry
    refused = phone.call("question.submit", {**sent, "id": str(uuid.uuid4()), "text": text * 40})
    assert refused["ok"] is False
    assert phone.call("question.submit", {**sent, "id": "x", "secret": name})["ok"] is False
    assert mc.call(f"question.{text[:30]}", {"name": name})["code"] == "request.unknown_event"

    question = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == reply["id"])
    for who, action in ((moderator, "approve"), (mc, "show"), (mc, "answer")):
        done = who.call(f"question.{action}", {"id": question["id"], "version": question["version"]})
        assert done["ok"] is True, (action, done)
        question = done["question"]
    assert moderator.call("question.edit", {"id": question["id"], "version": 1, "text": name})["ok"] is False

    with urllib.request.urlopen(f"{server.url}/tra-cuu?ma={reply['code']}") as page:
        assert reply["code"] in page.read().decode()
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", session_cookie(server.link("moderator")))]
    with opener.open(f"{server.url}/reports/cau-hoi.csv") as export:
        exported = export.read().decode("utf-8-sig")
        assert text in exported and name in exported  # stored with its consent, so followed to the end
    phone.call("question.mine", {"ids": [reply["id"]]})

    log = server.log()
    assert "question" in log or "live:" in log  # the log is there and was written
    for secret in (name, text, text[:30], reply["code"]):
        assert secret not in log, f"{secret!r} is in the server's log"

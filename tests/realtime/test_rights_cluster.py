"""A deletion by tracking code on one process reaches every process sharing Redis: the secretariat's
console and the MC on the other process are told at once, the asker's phone too, and the other
process's replica, lists, export and register no longer hold the question (issue 23, item 5).
Runs on eventlet and on gevent."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from conftest import session_cookie

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"
TEXT = "Xin hỏi xã có kế hoạch làm sân bóng chuyền cho thanh niên ở bản Nà Pết không?"
NAME = "Hoàng Văn Pết"


@pytest.fixture
def two(make_server, make_redis, async_mode):
    redis = make_redis()
    env = {"LIVE_REDIS_URL": redis.url, "LIVE_RATE_LIMITS": LIMITS}
    return make_server(async_mode, env=env), make_server(async_mode, env=env)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_deletion_on_one_process_reaches_the_other(two, connect_staff, connect_phone):
    a, b = two
    phone = connect_phone(a, site="1304")
    moderator = connect_staff(b, "moderator")
    mc = connect_staff(b, "mc")
    sent = {"id": str(uuid.uuid4()), "site": "1304", "text": TEXT, "name": NAME, "consent": {"name": "1"}}
    ack = phone.call("question.submit", sent)
    assert ack["ok"] is True, ack
    added = moderator.wait_for(lambda n, d: n == "question.added" and d["question"]["id"] == sent["id"])
    approved = moderator.call("question.approve", {"id": sent["id"], "version": added["question"]["version"]})
    assert approved["ok"] is True, approved
    mc.wait_for(lambda n, d: n == "question.changed" and (d.get("question") or {}).get("id") == sent["id"])

    # the asker, on process A's page
    asker = requests.Session()
    form = asker.get(f"{a.url}/du-lieu-cua-toi", timeout=5)
    seen = asker.post(f"{a.url}/du-lieu-cua-toi", data={"csrf_token": csrf(form.text), "ma": ack["code"]}, timeout=5)
    assert seen.status_code == 200 and NAME in seen.text
    gone = asker.post(
        f"{a.url}/du-lieu-cua-toi",
        data={"csrf_token": csrf(seen.text), "ma": ack["code"], "id": sent["id"], "action": "xoa_xac_nhan"},
        timeout=5,
    )
    assert gone.status_code == 200 and "Đã xoá câu hỏi có mã" in gone.text

    # process B's screens are told at once, and so is the phone on A
    moderator.wait_for(lambda n, d: n == "question.removed" and d["id"] == sent["id"])
    mc.wait_for(lambda n, d: n == "question.changed" and d.get("id") == sent["id"] and d["question"] is None)
    phone.wait_for(lambda n, d: n == "question.removed" and d["id"] == sent["id"])
    # and B's replica, its list, its export and its register hold nothing of it
    assert sent["id"] not in {q["id"] for q in moderator.call("questions.get")["questions"]}
    cookie = {"Cookie": session_cookie(b.link("moderator"))}
    export = requests.get(f"{b.url}/reports/cau-hoi.csv", headers=cookie, timeout=10)
    assert export.status_code == 200 and TEXT not in export.text and ack["code"] not in export.text
    register = requests.get(f"{b.url}/yeu-cau-du-lieu/", headers=cookie, timeout=5)
    assert register.status_code == 200 and ack["code"] in register.text and NAME not in register.text
    # a retry of the deleted question from the phone is refused, on either process
    again = connect_phone(b, site="1304").call("question.submit", sent)
    assert again["ok"] is False and again["code"] == "question.deleted"

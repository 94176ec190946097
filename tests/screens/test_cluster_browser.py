"""The projector and the MC tablet in real Chromium, on different server processes sharing Redis:
what the MC does on one process shows on the projector of another, and keeps doing so after
Redis, or the projector's own process, is killed with -9 and comes back."""

from __future__ import annotations

import uuid

import pytest
from browser import HD_VIEWPORT, MC_VIEWPORT, wait_until
from playwright.sync_api import expect
from test_cluster import LIMITS
from test_screens_browser import OUTAGE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_the_projector_on_one_process_follows_the_mc_on_another_through_kill9(
    make_server, make_redis, screens, connect_staff, connect_phone
):
    redis = make_redis()
    env = {"LIVE_REDIS_URL": redis.url, "LIVE_RATE_LIMITS": LIMITS}
    a, b = make_server("gevent", env=env), make_server("eventlet", env=env)
    mc_page = screens.open(a, "mc", viewport=MC_VIEWPORT)
    projector = screens.open(b, "projector", viewport=HD_VIEWPORT)
    projector.wait_synced()

    moderator = connect_staff(a, "moderator")
    mc = connect_staff(a, "mc")
    phone = connect_phone(a, site="1304")

    def ask_and_show(text: str) -> None:
        sent = {"id": str(uuid.uuid4()), "site": "1304", "text": text}
        assert phone.call("question.submit", sent)["ok"] is True
        q = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == sent["id"])
        approved = moderator.call("question.approve", {"id": q["id"], "version": q["version"]})
        assert approved["ok"] is True, approved
        shown = mc.call("question.show", {"id": q["id"], "version": approved["question"]["version"]})
        assert shown["ok"] is True, shown

    ask_and_show("Câu hỏi thứ nhất: việc làm cho thanh niên?")
    expect(projector.page.locator("#question-text")).to_have_text("Câu hỏi thứ nhất: việc làm cho thanh niên?")
    expect(projector.page.locator("#question-origin")).to_contain_text("Xã Quảng Lâm")

    # Redis killed and restarted: the next question still crosses from A to B
    redis.kill9()
    redis.start()
    wait_until(lambda: moderator.call("questions.get").get("ok"), timeout=10, message="Redis is back")
    ask_and_show("Câu hỏi thứ hai sau khi Redis khởi động lại?")
    expect(projector.page.locator("#question-text")).to_have_text(
        "Câu hỏi thứ hai sau khi Redis khởi động lại?", timeout=10_000
    )

    # the projector's own process killed: the page comes back to it and shows what changed meanwhile
    b.kill9()
    ask_and_show("Câu hỏi thứ ba trong lúc máy chiếu mất kết nối?")
    b.start()
    expect(projector.page.locator("#question-text")).to_have_text(
        "Câu hỏi thứ ba trong lúc máy chiếu mất kết nối?", timeout=10_000
    )
    expect(projector.page.locator("#conn")).to_have_class("conn conn-ok")

    # and the MC's own tablet on A shows the question on stage as well
    expect(mc_page.page.locator("body")).to_contain_text("Câu hỏi thứ ba trong lúc máy chiếu mất kết nối?")
    screens.assert_clean(allow=OUTAGE)  # only the connection errors a killed process causes

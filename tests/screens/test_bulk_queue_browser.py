"""The MC's tablet in real Chromium follows the secretariat's bulk actions (``questions.changed``,
one message per batch of 200, static/js/queue.js): the questions approved in bulk appear in its
queue in the selection's order, drawn once per batch, and a bulk rejection takes them all out. The
secretariat is a real Socket.IO client with the moderator's link, against a real ``live serve``."""

from __future__ import annotations

import re
import uuid

import pytest
from browser import MC_VIEWPORT
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

MANY = 250  # two batches: 200 + 50


def text(n: int) -> str:
    return f"Xã Quảng Lâm đề nghị mở thêm lớp dạy nghề cho thanh niên, ý kiến số {n}"


def items(questions: list[dict]) -> list[dict]:
    return [{"id": q["id"], "version": q["version"]} for q in questions]


def test_the_mc_sees_questions_approved_in_bulk_and_loses_them_to_a_bulk_rejection(make_server, screens, connect_staff):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    made = []
    for n in range(MANY):
        entry = {"id": str(uuid.uuid4()), "site": "1304", "text": text(n), "channel": "paper"}
        reply = moderator.call("question.enter", entry)
        assert reply["ok"], reply
        made.append(reply["id"])
    mc = screens.open(server, "mc", MC_VIEWPORT)
    tab = mc.page.get_by_role("tab", name=re.compile(r"^Câu hỏi"))
    tab.click()
    expect(tab).to_contain_text("(0)")  # nothing approved yet: the MC never sees unvetted text
    expect(mc.page.locator("#queue-empty")).to_be_visible()
    # how often the tablet redraws its queue (once at once, as every listener is called)
    mc.page.evaluate("() => { window.redraws = -1; LiveQueue.onChange(() => { window.redraws += 1; }); }")
    listed = {q["id"]: q for q in moderator.call("questions.get")["questions"]}

    approved = moderator.call("questions.bulk", {"action": "approve", "items": items([listed[i] for i in made])})

    assert len(approved["done"]) == MANY
    expect(tab).to_contain_text(f"({MANY})")
    queue = mc.page.locator("#queue .q-item")
    expect(queue).to_have_count(MANY)
    expect(queue.first.locator(".q-text")).to_have_text(text(0))  # the selection's order
    expect(queue.last.locator(".q-text")).to_have_text(text(MANY - 1))
    expect(queue.first.locator(".q-origin")).to_have_text("Xã Quảng Lâm")
    expect(queue.first).to_have_class(re.compile(r"\bis-next\b"))
    expect(mc.page.locator("#queue-empty")).to_be_hidden()
    assert mc.page.evaluate("() => window.redraws") == 2  # once per batch, not once per question

    listed = {q["id"]: q for q in moderator.call("questions.get")["questions"]}
    rejected = moderator.call(
        "questions.bulk", {"action": "reject", "items": items([listed[i] for i in made]), "reason": "duplicate"}
    )

    assert len(rejected["done"]) == MANY
    expect(queue).to_have_count(0)
    expect(tab).to_contain_text("(0)")
    expect(mc.page.locator("#queue-empty")).to_be_visible()
    assert mc.page.evaluate("() => window.redraws") == 4
    screens.assert_clean()

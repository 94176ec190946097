"""Preparing answers before the day and the script, as the question's lifecycle rules them: a
department assigned to prepare, its prepared answer or its proposal to answer in writing, the
secretariat's review, and the selection into the script; the question stays in the dialogue."""

from __future__ import annotations

import pytest

from live.core import questions as q
from live.core.errors import DomainError

NOW = 1_780_000_000.0
QID = "0b6c2a1e-7d7a-4c55-9a57-3f0f4d0c9e11"
DEPTS = {"so-gd", "so-ld"}


def asked(status: str = "approved") -> dict:
    question = q.validate_submission(
        {"id": QID, "site": "hall", "text": "Học bổng cho sinh viên nghèo năm 2026 thế nào?"},
        sites={"hall"},
        themes=set(),
        now=NOW,
    )
    if status != "received":
        question = q.transition(question, "approve", NOW + 1, expected_version=1)
    return question


def act(question: dict, action: str, **args) -> dict:
    return q.transition(question, action, NOW + 100, expected_version=question["version"], **args)


def test_assigning_keeps_the_question_in_the_dialogue_and_names_the_answering_department():
    question = act(asked(), "prepare", department="so-gd", due="10/06/2026", departments=DEPTS)
    assert question["status"] == "approved"
    assert (question["prep_department"], question["prep_due"], question["prep_state"]) == (
        "so-gd",
        "2026-06-10",
        "assigned",
    )
    assert question["department"] == "so-gd"
    # still shown, answered or forwarded on the day like any approved question
    assert act(question, "show")["status"] == "on_screen"


@pytest.mark.parametrize(
    "args, code",
    [
        ({"department": "so-xx", "due": "10/06/2026"}, "question.bad_department"),
        ({"department": "so-gd"}, "question.bad_due"),
        ({"department": "so-gd", "due": "31/02/2026"}, "question.bad_deadline"),
    ],
)
def test_an_assignment_needs_a_known_department_and_a_real_due_date(args, code):
    with pytest.raises(DomainError) as caught:
        act(asked(), "prepare", departments=DEPTS, **args)
    assert caught.value.code == code


def test_the_department_prepares_the_secretariat_sends_back_then_accepts():
    question = act(asked("received"), "prepare", department="so-gd", due="2026-06-10", departments=DEPTS)
    with pytest.raises(DomainError) as caught:
        act(question, "draft", text="Không phải của tôi", department="so-ld")
    assert caught.value.code == "question.not_your_department"
    with pytest.raises(DomainError) as caught:
        act(question, "review", accept=True)
    assert caught.value.code == "question.prep_state"
    with pytest.raises(DomainError) as caught:
        act(question, "draft", text="   ", department="so-gd")
    assert caught.value.code == "question.bad_prepared"

    question = act(question, "draft", text="Ý chính:\n- 200 suất học bổng\n\n\n\n- từ tháng 9", department="so-gd")
    assert question["prep_state"] == "prepared"
    assert question["prep_text"] == "Ý chính:\n- 200 suất học bổng\n\n- từ tháng 9"
    with pytest.raises(DomainError) as caught:
        act(question, "review", accept=False)
    assert caught.value.code == "question.bad_note"
    question = act(question, "review", accept=False, note="Cần nêu số tiền mỗi suất.")
    assert (question["prep_state"], question["prep_note"]) == ("returned", "Cần nêu số tiền mỗi suất.")
    question = act(question, "draft", text="200 suất, mỗi suất 5 triệu đồng.", department="so-gd")
    assert (question["prep_state"], question["prep_note"]) == ("prepared", None)
    question = act(question, "review", accept=True)
    assert question["prep_state"] == "accepted"
    assert question["status"] == "received"


def test_a_department_may_propose_to_answer_in_writing_instead():
    question = act(asked(), "prepare", department="so-ld", due="2026-06-10", departments=DEPTS)
    question = act(
        question,
        "draft",
        text="Cần số liệu của 3 huyện; đề nghị trả lời bằng văn bản.",
        written=True,
        department="so-ld",
    )
    assert question["prep_state"] == "written" and question["prep_written"] is True
    accepted = act(question, "review", accept=True)
    assert (accepted["prep_state"], accepted["prep_written"]) == ("accepted", True)  # still a proposal
    redrafted = act(accepted, "draft", text="Ý chính cho Chủ tịch", department="so-ld")
    assert (redrafted["prep_state"], redrafted["prep_written"]) == ("prepared", False)
    with pytest.raises(DomainError):
        act(question, "draft", text="x", written="yes", department="so-ld")


def test_another_department_starts_afresh_and_withdrawing_clears_the_preparation():
    question = act(asked(), "prepare", department="so-gd", due="2026-06-10", departments=DEPTS)
    question = act(question, "draft", text="Ý chính", department="so-gd")
    same = act(question, "prepare", department="so-gd", due="2026-06-12", departments=DEPTS)
    assert (same["prep_state"], same["prep_text"], same["prep_due"]) == ("prepared", "Ý chính", "2026-06-12")
    other = act(question, "prepare", department="so-ld", due="2026-06-12", departments=DEPTS)
    assert (other["prep_state"], other["prep_text"]) == ("assigned", None)
    gone = act(question, "prepare", department=None)
    assert all(gone[k] is None for k in ("prep_department", "prep_due", "prep_state", "prep_text"))


def test_only_a_queued_question_joins_the_script():
    question = act(asked(), "script", selected=True, rank=3.0)
    assert (question["script"], question["rank"]) == (True, 3.0)
    assert act(question, "script", selected=False)["script"] is False
    with pytest.raises(DomainError) as caught:
        act(asked("received"), "script", selected=True)
    assert caught.value.code == "question.bad_transition"
    with pytest.raises(DomainError):
        act(asked(), "script", selected="1")

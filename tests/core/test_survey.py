"""The survey's rules (live/core/survey.py) and the participation page's counts (live/core/outcomes.py):
3–5 questions with one free text at most, one phone's answer checked, the results per site and
overall with pending free texts left out, and what became of the questions per site with merges."""

from __future__ import annotations

import pytest

from live.core import outcomes, questions
from live.core import survey as rules
from live.core.errors import DomainError

FOUR = [
    {"text": "Bạn hài lòng với hội nghị?", "kind": "rating"},
    {"text": "  Âm thanh   ở điểm cầu? ", "kind": "rating"},
    {"text": "", "kind": "rating"},  # a blank row is left out
    {"text": "Câu trả lời có rõ không?", "kind": "rating"},
    {"text": "Ý kiến khác", "kind": "text"},
]


def code_of(fn, *args) -> str:
    with pytest.raises(DomainError) as refused:
        fn(*args)
    return refused.value.code


def test_the_admins_rows_become_three_to_five_questions_with_one_free_text():
    found = rules.questions_of(FOUR)
    assert [(q["id"], q["kind"], q["text"]) for q in found] == [
        ("s1", "rating", "Bạn hài lòng với hội nghị?"),
        ("s2", "rating", "Âm thanh ở điểm cầu?"),
        ("s3", "rating", "Câu trả lời có rõ không?"),
        ("s4", "text", "Ý kiến khác"),
    ]
    assert code_of(rules.questions_of, FOUR[:2]) == "survey.too_few"
    six = [{"text": f"Câu {n}", "kind": "rating"} for n in range(6)]
    assert code_of(rules.questions_of, six) == "survey.too_many"
    two_texts = [*FOUR[:2], {"text": "A", "kind": "text"}, {"text": "B", "kind": "text"}]
    assert code_of(rules.questions_of, two_texts) == "survey.two_texts"
    assert code_of(rules.questions_of, [*FOUR[:2], {"text": "C", "kind": "poll"}]) == "survey.bad_kind"
    assert code_of(rules.questions_of, [*FOUR[:2], {"text": "x" * 301, "kind": "rating"}]) == "survey.question_too_long"


def test_an_answer_holds_ratings_from_1_to_5_and_a_clean_free_text():
    found = rules.questions_of(FOUR)
    decomposed = "Cảm ơn".replace("ả", "a\u0309")  # typed with a VNI keyboard: NFC once stored
    assert rules.answer(found, {"s1": "5", "s2": "", "s3": "1", "s4": f"  {decomposed}\u200b\r\nnhé "}) == {
        "ratings": {"s1": 5, "s3": 1},
        "text": "Cảm ơn\nnhé",
    }
    assert rules.answer(found, {"s4": "Chỉ ý kiến"}) == {"ratings": {}, "text": "Chỉ ý kiến"}
    for bad in ("0", "6", "3.5", "٣", "five"):
        assert code_of(rules.answer, found, {"s1": bad}) == "survey.bad_rating", bad
    assert code_of(rules.answer, found, {"s4": "x" * 2001}) == "survey.text_too_long"
    assert rules.answer(found, {"s4": "x" * 2000})["text"] == "x" * 2000
    assert code_of(rules.answer, found, {"s1": "", "s4": "   "}) == "survey.empty"
    assert code_of(rules.answer, found, {"s9": "5"}) == "survey.empty"  # a question not asked counts for nothing


def test_results_per_site_and_overall_leave_pending_and_hidden_free_texts_out():
    found = rules.questions_of(FOUR)
    responses = [
        {"site": "1304", "ratings": {"s1": 5, "s2": 4}, "text": "Rất hay", "review": "read"},
        {"site": "1304", "ratings": {"s1": 3}, "text": "Chờ đọc"},
        {"site": "hall", "ratings": {"s1": 4, "s3": 2}, "text": "Ẩn đi", "review": "hidden"},
    ]
    results = rules.results(found, responses, ["hall", "1304", "1297"])
    overall = results["overall"]
    assert overall["count"] == 3
    assert overall["ratings"]["s1"] == {"n": 3, "mean": 4.0, "spread": [0, 0, 1, 1, 1]}
    assert overall["ratings"]["s2"] == {"n": 1, "mean": 4.0, "spread": [0, 0, 0, 1, 0]}
    assert "s4" not in overall["ratings"]
    assert overall["texts"] == ["Rất hay"]
    assert list(results["sites"]) == ["hall", "1304", "1297"]
    assert results["sites"]["1304"]["ratings"]["s1"]["mean"] == 4.0
    assert results["sites"]["1297"] == {"count": 0, "ratings": {i: {"n": 0, "mean": None, "spread": [0] * 5} for i in ("s1", "s2", "s3")}, "texts": []}  # fmt: skip
    assert results["sites"]["hall"]["texts"] == []
    assert [rules.review_of(r) for r in responses] == ["read", "pending", "hidden"]


def q(ident: str, site: str, status: str, **extra) -> dict:
    return {"id": ident, "site": site, "status": status, **extra}


def test_the_participation_counts_follow_merges_and_name_the_sites_never_heard():
    found = [
        q("a", "hall", questions.ANSWERED, theme="t1"),
        q("b", "1304", questions.MERGED, merged_into="a"),  # heard through a
        q("c", "1304", questions.REJECTED, theme="t2"),
        q("d", "1297", questions.FORWARDED, theme="t2"),  # forwarded, no written reply yet
        q("e", "1279", questions.FORWARDED, theme="t2", reply_state="published"),  # answered in writing
        q("f", "1279", questions.RECEIVED),
    ]
    supports = {"a": 7, "b": 2, "c": 1}
    sites = outcomes.per_site(found, ["hall", "1304", "1297", "1279", "1273"], supports)
    assert sites["hall"] == {"received": 1, "approved": 1, "answered": 1, "forwarded": 0, "supports": 7}
    assert sites["1304"] == {"received": 2, "approved": 1, "answered": 1, "forwarded": 0, "supports": 3}
    assert sites["1297"] == {"received": 1, "approved": 1, "answered": 0, "forwarded": 1, "supports": 0}
    assert sites["1273"] == dict.fromkeys(outcomes.COLUMNS, 0)
    assert outcomes.total(sites.values()) == {
        "received": 6,
        "approved": 4,
        "answered": 2,
        "forwarded": 2,
        "supports": 10,
    }
    themes = outcomes.per_theme(found, ["t1", "t2", "t3"], supports)
    assert themes["t1"]["received"] == 2  # the merged one takes the theme of the one it joined
    assert themes["t2"]["received"] == 3 and themes["t3"]["received"] == 0 and themes[None]["received"] == 1
    assert outcomes.unheard(found, ["hall", "1304", "1297", "1279", "1273"]) == (["1273"], ["1297"])

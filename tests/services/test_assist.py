"""A bridge point's facilitator types questions in for young people (``question.assist``,
``Desk.assist``): in the language they were asked in, with their own words beside the Vietnamese.

The promises under test: such a question is stored exactly once, like a phone's; it is always
the site of the screen that sent it, whatever the payload says; it is marked as passed on by the
facilitator; the roll call counts it for its site; bad input is refused with a Vietnamese
sentence and stores nothing; the phones' question window and rate limits never hold it back.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from live.core import languages
from live.core.errors import DomainError
from live.core.questions import QUESTION_LIMIT
from live.core.text import clean
from live.services import window
from live.services.day import Day
from live.store import SqliteStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TAY = "Cần hỏi về vốn vay cho thanh niên làm kinh tế ở bản."  # the Vietnamese the facilitator writes
TAY_WORDS = "Khỏi mì slư hỏi mẻn chừ vốn vay hẩư thanh niên hết kinh tế tẳng bản."  # as the young man said it


def qid() -> str:
    return str(uuid.uuid4())


def entry(**extra) -> dict:
    return {"id": qid(), "text": TAY, "language": "tay", "original": TAY_WORDS, **extra}


@pytest.fixture
def day(tmp_path):
    store = SqliteStore(str(tmp_path / "data"))
    clock = Clock(dt.datetime(2025, 8, 28, 9, 0, tzinfo=ZONE).timestamp())
    made = Day(store, now=clock)
    made.setup(demo=True)
    made.clock = clock
    yield made
    store.close()


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def refused(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- the service


def test_a_question_asked_in_tay_is_stored_with_its_language_its_own_words_and_its_site(day):
    stored, repeated, change = day.desk.assist(entry(theme="t2"), site="1304")

    assert not repeated and change is not None
    assert stored["site"] == "1304" and stored["channel"] == "facilitator" and stored["assisted_by"] == "site"
    assert stored["language"] == "tay" and stored["original"] == TAY_WORDS and stored["text"] == TAY
    assert stored["theme"] == "t2" and stored["name"] == "" and stored["consent"] == {}
    assert stored["device"] is None and stored["status"] == "received" and len(stored["code"]) == 6
    added = change.emits[0][1]["question"]  # what the console gets: both texts and the mark
    assert (added["language"], added["original"], added["assisted_by"]) == ("tay", TAY_WORDS, "site")
    assert day.desk.counts() == {"1304": 1}


def test_the_same_id_sent_again_returns_the_stored_question_and_stores_nothing_new(day):
    first = entry()
    stored, _, _ = day.desk.assist(first, site="1304")
    # a lost acknowledgement: the screen sends the same entry again, maybe after an edit in its outbox
    again, repeated, change = day.desk.assist({**first, "text": "Một câu khác"}, site="1304")
    # another process that never saw it: the store answers
    other, repeated_too, _ = Day(day.store, now=day.clock).desk.assist(first, site="1304")

    assert repeated and repeated_too and change is None
    assert again["code"] == other["code"] == stored["code"] and again["text"] == TAY
    assert len(day.desk.all()) == 1 and day.desk.counts() == {"1304": 1}


def test_the_site_is_the_screens_own_and_never_the_payloads(day):
    assert refused(day.desk.assist, entry(site="hall"), site="1304").code == "question.unknown_field"
    # a screen with no site (the admin's console) cannot pass a question on
    assert refused(day.desk.assist, entry(), site=None).code == "question.unknown_site"
    assert refused(day.desk.assist, entry(), site="9999").code == "question.unknown_site"
    # an id another site's facilitator used is not theirs to read back
    theirs = entry()
    day.desk.assist(theirs, site="hall")
    assert refused(day.desk.assist, theirs, site="1304").code == "question.bad_id"
    assert [q["site"] for q in day.desk.all()] == ["hall"]


@pytest.mark.parametrize("language", [ident for ident, _ in languages.LANGUAGES])
def test_every_language_of_the_list_is_taken(day, language):
    stored, _, _ = day.desk.assist(entry(language=language), site="1304")
    assert stored["language"] == language and languages.label(language)


def test_no_language_is_vietnamese_and_no_original_words_is_none(day):
    stored, _, _ = day.desk.assist({"id": qid(), "text": "Xin hỏi về việc làm cho thanh niên?"}, site="1304")
    blank, _, _ = day.desk.assist({**entry(), "original": " \u200b\n "}, site="1304")
    assert (stored["language"], stored["original"]) == ("vi", None)
    assert blank["original"] is None


def test_the_original_words_are_cleaned_like_a_question(day):
    said = "  Slư hỏi\u200b\r\nmẻn chừ\u0000 \n\n\n\nvốn vay  "
    stored, _, _ = day.desk.assist(entry(original=said), site="1304")
    assert stored["original"] == "Slư hỏi\nmẻn chừ\n\nvốn vay"
    assert stored["original"] == clean(stored["original"], multiline=True)


def test_a_name_is_kept_only_when_the_young_person_agreed(day):
    unticked, _, _ = day.desk.assist(entry(name="Hoàng Văn Páo"), site="1304")
    ticked, _, _ = day.desk.assist(entry(name="  Hoàng   Văn Páo ", agreed=True), site="1304")
    empty, _, _ = day.desk.assist(entry(name="", agreed=True), site="1304")

    assert unticked["name"] == "" and unticked["consent"] == {}
    assert ticked["name"] == "Hoàng Văn Páo"
    assert ticked["consent"]["name"]["via"] == "facilitator" and ticked["consent"]["name"]["version"]
    assert empty["name"] == "" and empty["consent"] == {}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"text": ""}, "question.empty"),
        ({"text": "   \n "}, "question.empty"),
        ({"text": "?!…"}, "question.no_letters"),
        ({"text": "x" * (QUESTION_LIMIT + 1)}, "question.too_long"),
        ({"text": ["a list"]}, "question.malformed"),
        ({"language": "klingon"}, "question.unknown_language"),
        ({"language": 7}, "question.unknown_language"),
        ({"original": "y" * (QUESTION_LIMIT + 1)}, "question.original_too_long"),
        ({"original": "y" * (40 * QUESTION_LIMIT)}, "question.original_too_long"),
        ({"original": {"tay": "…"}}, "question.malformed"),
        ({"theme": "no-such-theme"}, "question.unknown_theme"),
        ({"name": "n" * 200, "agreed": True}, "question.name_too_long"),
        ({"agreed": "yes"}, "question.bad_consent"),
        ({"channel": "qr"}, "question.unknown_field"),
        ({"consent": {"name": "1"}}, "question.unknown_field"),
        ({"id": "short"}, "question.bad_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(day, change, code):
    assert refused(day.desk.assist, entry(**change), site="1304").code == code
    assert day.desk.all() == [] and day.desk.counts() == {}


def test_not_a_dict_is_refused(day):
    for payload in (None, [], "text", 3):
        assert refused(day.desk.assist, payload, site="1304").code == "question.malformed"


def test_the_phones_question_window_does_not_hold_a_facilitators_question(day):
    window.set_periods(day.store, "01/08/2025 08:00 - 20/08/2025 16:00", now=day.clock(), by="admin")  # closed now
    stored, repeated, _ = day.desk.assist(entry(), site="1304")
    assert not repeated and stored["phase"] == "day"


# ---------------------------------------------------------------- over the socket, from the site screen


def test_a_site_screen_passes_a_question_on_for_its_own_site_and_the_roll_call_counts_it(make_server, connect_staff):
    # one question a minute per site for phones: the facilitator's are not theirs to count
    server = make_server(env={"LIVE_RATE_LIMITS": "site=1/60,device=1/60,address=1/60"})
    moderator = connect_staff(server, "moderator")
    mc = connect_staff(server, "mc")
    screen = connect_staff(server, "site", site="1304")
    before = mc.call("roll.get")["roll"]["1304"]["questions"]

    sent = [entry(theme="t2", name="Hoàng Văn Páo", agreed=True), entry(language="hmong"), entry(language="dao")]
    replies = [screen.call("question.assist", payload) for payload in sent]
    again = screen.call("question.assist", sent[0])

    assert all(r["ok"] and not r["repeated"] for r in replies), replies
    assert again["ok"] and again["repeated"] and again["code"] == replies[0]["code"]
    moderator.wait_for(lambda e, d: len([1 for n, _ in moderator.received if n == "question.added"]) >= 3)
    added = {d["question"]["id"]: d["question"] for e, d in moderator.received if e == "question.added"}
    assert len(added) == 3 and all(q["site"] == "1304" and q["channel"] == "facilitator" for q in added.values())
    first = added[sent[0]["id"]]
    assert first["language"] == "tay" and first["original"] == TAY_WORDS and first["assisted_by"] == "site"
    assert first["name"] == "Hoàng Văn Páo" and first["consent"]["name"]["via"] == "facilitator"
    # the roll call: pushed to the MC, and asked for again
    mc.wait_for(lambda e, d: e == "roll.changed" and d.get("site") == "1304" and d.get("questions") == before + 3)
    assert mc.call("roll.get")["roll"]["1304"]["questions"] == before + 3


def test_only_a_site_screen_may_pass_a_question_on_and_a_refusal_is_in_vietnamese(make_server, connect_staff):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    for role in ("moderator", "mc", "chair", "projector"):
        assert connect_staff(server, role).call("question.assist", entry())["code"] == "auth.denied"
    # the admin may open a site screen, and pass questions on from it; from the console there is no site
    assert connect_staff(server, "admin").call("question.assist", entry())["code"] == "question.unknown_site"
    assert connect_staff(server, "admin", screen="site", site="hall").call("question.assist", entry())["ok"]

    screen = connect_staff(server, "site", site="1304")
    empty = screen.call("question.assist", entry(text=" "))
    tongue = screen.call("question.assist", entry(language="latin"))
    smuggled = screen.call("question.assist", entry(site="hall"))

    assert (empty["code"], empty["message"]) == ("question.empty", "Bạn chưa nhập câu hỏi.")
    assert (tongue["code"], tongue["message"]) == (
        "question.unknown_language",
        "Ngôn ngữ hỏi không có trong danh sách.",
    )
    assert smuggled["code"] == "question.unknown_field"
    assert [q["site"] for q in moderator.call("questions.get")["questions"]] == ["hall"]


def test_a_phone_cannot_pass_a_question_on(make_server, connect_phone):
    server = make_server()
    phone = connect_phone(server, site="1304")
    assert phone.call("question.assist", entry())["code"] == "auth.denied"


def test_the_export_has_the_language_and_the_original_words(day):
    from live.web import report

    day.desk.assist(entry(), site="1304")
    day.desk.assist({"id": qid(), "text": "Xin hỏi về việc làm cho thanh niên?"}, site="hall")
    table = report.questions_table(day.conference(), day.desk.all())

    assert list(table.headers[-2:]) == ["Ngôn ngữ hỏi", "Lời gốc của người hỏi"]
    assert len(table.widths) == len(table.headers)
    by_text = {row[table.headers.index("Nội dung")]: row for row in table.rows}
    assert by_text[TAY][-2:] == ["Tày", TAY_WORDS]
    assert by_text["Xin hỏi về việc làm cho thanh niên?"][-2:] == ["Tiếng Việt", ""]


def test_the_screens_list_the_languages_of_the_core():
    from pathlib import Path

    template = (Path(__file__).parents[2] / "templates" / "_languages.html").read_text(encoding="utf-8")
    listed = re.findall(r'\{"id": "([a-z_]+)", "label": _\("([^"]+)"\)\}', template)
    assert listed == list(languages.LANGUAGES)

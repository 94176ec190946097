"""The conference document and its file form, as a provincial youth union edits it.

Pure: no Flask, no store. The demo is Cao Bằng's 2025 dialogue (plan 2334/KH-UBND); the
hostile strings come from the Big List of Naughty Strings (``tests/corpora/blns.txt``).
"""

from __future__ import annotations

import copy
import json
import unicodedata
from contextlib import contextmanager

import pytest
import yaml
from corpora import naughty_strings

from live.core import conference as c
from live.core.errors import DomainError
from live.core.text import clean
from live.services import demo

THEME = "Nâng cao chất lượng nguồn nhân lực trẻ trên địa bàn tỉnh Cao Bằng"


@contextmanager
def refused(code: str, field: str | None = None):
    """Expect a DomainError with this code (and naming this field, when given)."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, info.value.as_dict()
    if field is not None:
        assert info.value.params.get("field") == field, info.value.params


def minimal(**fields) -> dict:
    """A small valid conference with ``fields`` laid over it."""
    doc = {
        "title": "Hội nghị đối thoại với thanh niên",
        "agenda": [{"id": "a1", "title": "Khai mạc", "minutes": 5}],
    }
    doc.update(fields)
    return doc


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from all_strings(k)
            yield from all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_strings(v)


@pytest.fixture(scope="module")
def cao_bang() -> dict:
    return demo.conference()


# ---------------------------------------------------------------- the demo


def test_demo_is_a_valid_conference_that_validates_to_itself(cao_bang):
    assert c.validate(copy.deepcopy(cao_bang)) == cao_bang


def test_demo_says_what_the_plan_says(cao_bang):
    assert cao_bang["theme"] == THEME
    assert cao_bang["organiser"] == "Ủy ban nhân dân tỉnh Cao Bằng"
    assert cao_bang["date"] == "2025-08-28"
    assert cao_bang["start_time"] == "08:00"
    assert cao_bang["title"].startswith("Hội nghị đối thoại")
    assert any(THEME in line for line in cao_bang["maket"])
    assert len(cao_bang["agenda"]) == 8
    assert [row["minutes"] for row in cao_bang["agenda"]] == [15, 5, 10, 10, 120, 15, 5, 10]
    assert cao_bang["agenda"][0]["title"] == "Đón tiếp đại biểu"
    assert len(cao_bang["themes"]) == 6
    assert len(cao_bang["departments"]) == 17
    assert "Tỉnh đoàn Cao Bằng" in [d["name"] for d in cao_bang["departments"]]


def test_demo_has_the_hall_and_56_communes_with_their_codes(cao_bang):
    sites = cao_bang["sites"]
    assert len(sites) == 57
    halls = [s for s in sites if s["kind"] == "hall"]
    assert len(halls) == 1 and halls[0]["id"] == "hall"
    communes = [s for s in sites if s["kind"] != "hall"]
    assert len(communes) == 56
    assert {s["kind"] for s in communes} == {"commune", "ward"}
    codes = [s["code"] for s in communes]
    assert all(code.isdigit() for code in codes)
    assert len(set(codes)) == 56, "administrative codes are unique"
    assert all(s["id"] == s["code"] for s in communes), "a commune's id is its administrative code"
    by_name = {s["name"]: s for s in communes}
    assert by_name["Phường Thục Phán"]["code"] == "1273"
    assert by_name["Phường Thục Phán"]["kind"] == "ward"
    assert all(s["name"].startswith(("Xã ", "Phường ")) for s in communes)
    assert len({s["id"] for s in sites}) == 57


def test_every_demo_text_is_nfc_without_control_characters(cao_bang):
    for text in all_strings(cao_bang):
        assert unicodedata.normalize("NFC", text) == text, text
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text), text


def test_demo_agenda_is_what_the_clock_runs(cao_bang):
    items = c.agenda_items(cao_bang)
    assert [i.id for i in items] == [f"a{n}" for n in range(1, 9)]
    assert sum(i.planned for i in items) == 190 * 60


# ---------------------------------------------------------------- the file form


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_gives_the_identical_conference(cao_bang, fmt):
    text = c.to_file(cao_bang, fmt)
    assert c.from_file(text) == cao_bang
    assert c.from_file(text.encode("utf-8")) == cao_bang
    # a second trip changes nothing either
    assert c.to_file(c.from_file(text), fmt) == text


def test_yaml_file_is_readable_by_a_person(cao_bang):
    text = c.to_file(cao_bang)
    assert text.startswith("# ")  # a short guide for whoever opens it
    assert "title: Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025" in text
    assert "date: 28/08/2025" in text
    assert "2025-08-28" not in text
    assert "start_time: 08:00" in text or "start_time: '08:00'" in text
    assert "Phường Thục Phán" in text
    assert "\\u" not in text and "\\x" not in text, "Vietnamese is written as itself, not escaped"
    assert "minutes: 120" in text
    lines = text.splitlines()
    assert lines.index(next(line for line in lines if line.startswith("title:"))) < lines.index("agenda:")


def test_json_file_is_readable_by_a_person(cao_bang):
    text = c.to_file(cao_bang, "json")
    data = json.loads(text)
    assert data["date"] == "28/08/2025"
    assert "Nâng cao chất lượng" in text and "\\u" not in text
    assert list(data) == list(c.TOP_FIELDS)


def test_hand_written_yaml_with_codes_that_start_with_zero_keeps_them():
    text = "title: Hội nghị\nsites:\n  - name: Phường Phúc Xá\n    code: 00001\n    kind: ward\n"
    doc = c.from_file(text)
    assert doc["sites"][0]["code"] == "00001"
    assert doc["sites"][0]["id"] == "00001"


@pytest.mark.parametrize(
    "written, stored",
    [("08:00", "08:00"), ("8:00", "08:00"), ("14:30", "14:30"), ("'07:45'", "07:45"), ('"9:05"', "09:05")],
)
def test_unquoted_yaml_times_are_read_as_times(written, stored):
    """YAML 1.1 reads 8:00 and 14:30 as sexagesimal numbers (480, 870); either way it is a time."""
    text = f"title: Hội nghị\nstart_time: {written}\n"
    assert c.from_file(text)["start_time"] == stored
    # a dict from any plain YAML 1.1 parser (where 14:30 is the number 870) validates the same
    assert c.validate(yaml.safe_load(text))["start_time"] == stored


@pytest.mark.parametrize("written", ["25:00", "24:00", "8:60", "14:30:00", "sáng"])
def test_impossible_times_in_yaml_are_refused(written):
    with refused("conference.bad_time", "start_time"):
        c.from_file(f"title: Hội nghị\nstart_time: {written}\n")
    with refused("conference.bad_time", "start_time"):
        c.validate(yaml.safe_load(f"title: Hội nghị\nstart_time: {written}\n"))


@pytest.mark.parametrize("written", ["28/08/2025", "2025-08-28", "'28/08/2025'"])
def test_dates_in_yaml_are_read_in_either_form(written):
    assert c.from_file(f"title: Hội nghị\ndate: {written}\n")["date"] == "2025-08-28"


def test_impossible_iso_date_in_yaml_is_refused_not_a_crash():
    with refused("conference.bad_date", "date"):
        c.from_file("title: Hội nghị\ndate: 2025-02-31\n")


def test_minutes_written_like_a_clock_are_not_silently_turned_into_hours():
    with refused("conference.bad_minutes", "agenda[1].minutes"):
        c.from_file("title: Hội nghị\nagenda:\n  - title: Khai mạc\n    minutes: 1:30\n")


def test_plain_words_yaml_would_read_as_booleans_stay_words():
    doc = c.from_file("title: Hội nghị\nagenda:\n  - title: yes\n    minutes: 5\n  - title: No\n    minutes: 5\n")
    assert [row["title"] for row in doc["agenda"]] == ["yes", "No"]


def test_json_with_escaped_emoji_and_tabs_imports():
    text = '{\n\t"title": "H\\u1ed9i ngh\\u1ecb \\ud83c\\udf89",\n\t"agenda": [{"title": "A\\/B", "minutes": 5}]\n}'
    doc = c.from_file(text)
    assert doc["title"] == "Hội nghị 🎉"
    assert doc["agenda"][0]["title"] == "A/B"


def test_utf8_bom_is_accepted():
    assert c.from_file("\ufefftitle: Hội nghị\n".encode())["title"] == "Hội nghị"


# ---------------------------------------------------------------- text


def test_decomposed_vietnamese_is_stored_composed():
    nfd = unicodedata.normalize("NFD", "Hội nghị đối thoại Cao Bằng")
    assert nfd != "Hội nghị đối thoại Cao Bằng"
    doc = c.validate(minimal(title=nfd, agenda=[{"title": unicodedata.normalize("NFD", "Bế mạc"), "minutes": 5}]))
    assert doc["title"] == "Hội nghị đối thoại Cao Bằng"
    assert doc["agenda"][0]["title"] == "Bế mạc"
    assert c.from_file(f"title: {nfd}\n".encode())["title"] == "Hội nghị đối thoại Cao Bằng"


def test_control_and_invisible_characters_are_stripped():
    doc = c.validate(minimal(title="Hội\x00 nghị\x07\u200b\u202e đối thoại\x1b", venue="\tTrung tâm\r\nHội nghị "))
    assert doc["title"] == "Hội nghị đối thoại"
    assert doc["venue"] == "Trung tâm Hội nghị"


def test_maket_lines_are_cleaned_and_blank_ones_dropped():
    doc = c.validate(minimal(maket="ỦY BAN NHÂN DÂN\n\n  HỘI NGHỊ  \r\n"))
    assert doc["maket"] == ["ỦY BAN NHÂN DÂN", "HỘI NGHỊ"]


# ---------------------------------------------------------------- refusals, each naming its field


def test_missing_title():
    with refused("conference.required", "title"):
        c.validate({"agenda": []})
    with refused("conference.required", "title"):
        c.validate(minimal(title="   \x00 "))


def test_bad_date():
    with refused("conference.bad_date", "date"):
        c.validate(minimal(date="31/02/2025"))
    with refused("conference.bad_date", "date"):
        c.validate(minimal(date="28-08-2025"))


@pytest.mark.parametrize("typed", ["28/08/0205", "0205-08-28", "28/08/1899", "01/01/2101"])
def test_a_year_typed_wrong_is_refused_not_stored(typed):
    """28/08/0205 would be stored as the year 205, then exported as 28/08/205, which no import reads."""
    with refused("conference.bad_date", "date"):
        c.validate(minimal(date=typed))


def test_good_date_is_stored_iso():
    assert c.validate(minimal(date="28/08/2025"))["date"] == "2025-08-28"


def test_bad_time():
    with refused("conference.bad_time", "start_time"):
        c.validate(minimal(start_time="25:00"))


@pytest.mark.parametrize("minutes", [0, -1, "abc", 700, 600.5, "0", "", None, float("nan"), float("inf"), True, 0.001])
def test_bad_minutes(minutes):
    agenda = [{"title": "Khai mạc", "minutes": 5}, {"title": "Bế mạc", "minutes": minutes}]
    with refused("conference.bad_minutes", "agenda[2].minutes"):
        c.validate(minimal(agenda=agenda))


@pytest.mark.parametrize("minutes, stored", [(600, 600), ("7,5", 7.5), (" 10 ", 10), (2.5, 2.5), (0.25, 0.25)])
def test_good_minutes(minutes, stored):
    assert c.validate(minimal(agenda=[{"title": "Khai mạc", "minutes": minutes}]))["agenda"][0]["minutes"] == stored


def test_duplicate_ids():
    agenda = [{"id": "a1", "title": "Khai mạc", "minutes": 5}, {"id": "a1", "title": "Bế mạc", "minutes": 5}]
    with refused("conference.duplicate_id", "agenda[2].id") as info:
        c.validate(minimal(agenda=agenda))
    assert info.value.params["id"] == "a1"


@pytest.mark.parametrize("ident", ["a b", "mục-1", "a/b", "a.b", "<script>"])
def test_bad_id_characters(ident):
    with refused("conference.bad_id", "themes[1].id"):
        c.validate(minimal(themes=[{"id": ident, "name": "Việc làm"}]))


def test_overlong_id():
    with refused("conference.too_long", "themes[1].id"):
        c.validate(minimal(themes=[{"id": "x" * 41, "name": "Việc làm"}]))


def test_missing_ids_are_made_without_clashing():
    doc = c.validate(
        minimal(
            agenda=[
                {"id": "item2", "title": "A", "minutes": 1},
                {"title": "B", "minutes": 1},
                {"title": "C", "minutes": 1},
            ]
        )
    )
    ids = [row["id"] for row in doc["agenda"]]
    assert ids[0] == "item2" and len(set(ids)) == 3


def test_bad_site_kind():
    with refused("conference.bad_kind", "sites[2].kind"):
        c.validate(minimal(sites=[{"name": "Hội trường", "kind": "hall"}, {"name": "Xã Hòa An", "kind": "city"}]))


def test_site_kind_defaults_to_commune():
    assert c.validate(minimal(sites=[{"name": "Xã Hòa An"}]))["sites"][0]["kind"] == "commune"


def test_unknown_top_level_field_is_refused_never_copied():
    with refused("conference.unknown_field", "password"):
        c.validate(minimal(password="x"))
    doc = c.validate(minimal())
    assert set(doc) == set(c.TOP_FIELDS)


def test_unknown_row_field_is_refused_never_copied():
    agenda = [{"title": "Khai mạc", "minutes": 5}, {"title": "Bế mạc", "minutes": 5, "speaker": "Chủ tịch"}]
    with refused("conference.unknown_field", "agenda[2].speaker"):
        c.validate(minimal(agenda=agenda))
    doc = c.validate(minimal(sites=[{"name": "Xã Hòa An", "code": "1", "kind": "commune"}]))
    assert set(doc["sites"][0]) == {"id", "code", "name", "kind"}


@pytest.mark.parametrize("field", ["agenda", "themes", "departments", "sites"])
@pytest.mark.parametrize("value", ["Khai mạc", {"title": "x"}, 5, "", 0, False])
def test_list_fields_must_be_lists(field, value):
    with refused("conference.not_a_list", field):
        c.validate(minimal(**{field: value}))


def test_maket_must_be_lines():
    with refused("conference.not_a_list", "maket"):
        c.validate(minimal(maket={"a": 1}))
    with refused("conference.not_text", "maket[2]"):
        c.validate(minimal(maket=["HỘI NGHỊ", ["lồng"]]))


def test_row_that_is_not_a_record():
    with refused("conference.bad_row") as info:
        c.validate(minimal(themes=[{"name": "Việc làm"}, "Giáo dục"]))
    assert info.value.params == {"field": "themes", "row": 2}


@pytest.mark.parametrize("field, limit", [("agenda", 200), ("themes", 100), ("departments", 200)])
def test_too_many_rows(field, limit):
    key = "title" if field == "agenda" else "name"
    rows = [{key: f"Dòng {n}", **({"minutes": 1} if field == "agenda" else {})} for n in range(limit + 1)]
    with refused("conference.too_many", field) as info:
        c.validate(minimal(**{field: rows}))
    assert info.value.params["limit"] == limit
    assert len(c.validate(minimal(**{field: rows[:limit]}))[field]) == limit


def test_too_many_maket_lines():
    with refused("conference.too_many", "maket"):
        c.validate(minimal(maket=[f"Dòng {n}" for n in range(13)]))


def test_too_long_text():
    with refused("conference.too_long", "title"):
        c.validate(minimal(title="Hội " * 100))


def test_text_that_is_not_text():
    with refused("conference.not_text", "title"):
        c.validate(minimal(title=["Hội nghị"]))
    with refused("conference.not_text", "agenda[1].title"):
        c.validate(minimal(agenda=[{"title": {"vi": "Khai mạc"}, "minutes": 5}]))


@pytest.mark.parametrize("value", [-1, 3601, "1e3", "abc", 1.5, True])
def test_bad_warning_seconds(value):
    with refused("conference.bad_number", "warning_seconds"):
        c.validate(minimal(warning_seconds=value))


def test_malformed_yaml_names_the_line():
    text = "title: Hội nghị\nagenda:\n  - title: Khai mạc\n    minutes: 5\n   - title: Bế mạc\n"
    with refused("conference.bad_file") as info:
        c.from_file(text)
    assert info.value.params["line"] == 5


def test_unclosed_bracket_names_a_line():
    with refused("conference.bad_file") as info:
        c.from_file("title: [Hội nghị\nagenda: []\n")
    assert isinstance(info.value.params["line"], int)


def test_non_utf8_bytes():
    with refused("conference.not_utf8"):
        c.from_file("title: Hội nghị đối thoại\n".encode("utf-16"))  # Notepad's "Unicode"
    with refused("conference.not_utf8"):
        c.from_file(b"title: \xff\xfe\n")


@pytest.mark.parametrize(
    "text", ["- title: Hội nghị\n- agenda: []\n", "Hội nghị\n", "42\n", "", "# chỉ có chú thích\n", "[]"]
)
def test_a_file_that_is_not_a_document(text):
    with refused("conference.not_a_document"):
        c.from_file(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: !!python/object/apply:os.system ['true']\n",
        "title: !!timestamp 2025-02-31\n",
        "title: !!int many\n",
        "[" * 50_000,
        "title: " + "[" * 50_000,
    ],
    ids=["python-object", "bad-timestamp-tag", "bad-int-tag", "deep-nesting", "deep-nesting-in-value"],
)
def test_hostile_files_are_refused_as_bad_files(text):
    with refused("conference.bad_file"):
        c.from_file(text)


def test_a_number_too_long_to_read_is_refused():
    with pytest.raises(DomainError) as info:
        c.from_file('{"title": "x", "agenda": [{"title": "a", "minutes": ' + "9" * 5000 + "}]}")
    assert info.value.code in ("conference.bad_file", "conference.bad_minutes")


def test_unknown_field_in_a_file_names_the_row():
    text = "title: Hội nghị\nagenda:\n  - title: Khai mạc\n    minutes: 5\n  - title: Bế mạc\n    minutes: 5\n    note: x\n"
    with refused("conference.unknown_field", "agenda[2].note"):
        c.from_file(text)


def test_file_too_large():
    with refused("conference.file_too_large"):
        c.from_file("title: x\n" + "#" * 5_000_001)


def test_validation_does_not_change_its_input(cao_bang):
    data = minimal(title=unicodedata.normalize("NFD", "Hội nghị"), date="28/08/2025")
    before = copy.deepcopy(data)
    c.validate(data)
    assert data == before


# ---------------------------------------------------------------- hostile strings


NAUGHTY = naughty_strings()


def test_the_corpus_is_there():
    assert len(NAUGHTY) > 400, "the Big List of Naughty Strings belongs in tests/corpora/blns.txt"


@pytest.mark.parametrize("where", ["title", "agenda"])
def test_naughty_strings_are_stored_clean_or_refused(where):
    """Every hostile string either validates to itself as NFC minus control characters, survives
    export and import in both formats, or is refused with a DomainError — nothing else."""
    assert NAUGHTY, "blns corpus not found"
    stored = refused_count = 0
    for text in NAUGHTY:
        data = minimal(title=text) if where == "title" else minimal(agenda=[{"title": text, "minutes": 5}])
        try:
            doc = c.validate(data)
        except DomainError as error:
            assert error.code in ("conference.required", "conference.too_long"), (text, error.code)
            refused_count += 1
            continue
        except Exception as error:  # pragma: no cover - the failure message names the string
            pytest.fail(f"{type(error).__name__} for {text!r}")
        got = doc["title"] if where == "title" else doc["agenda"][0]["title"]
        assert got == clean(text), repr(text)
        assert unicodedata.normalize("NFC", got) == got, repr(text)
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in got), repr(text)
        for fmt in ("yaml", "json"):
            assert c.from_file(c.to_file(doc, fmt)) == doc, (fmt, text)
        stored += 1
    assert stored > 400 and refused_count < 50


@pytest.mark.parametrize("text", NAUGHTY[:: max(1, len(NAUGHTY) // 60)] or ["x"])
def test_naughty_strings_in_a_yaml_file_never_crash(text):
    """The same strings pasted raw into a hand-written file: a conference or a DomainError."""
    for body in (f"title: {text}\n", f"title: x\nagenda:\n  - title: {text}\n    minutes: 5\n", text):
        try:
            c.from_file(body)
        except DomainError:
            pass

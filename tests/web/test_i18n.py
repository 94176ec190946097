"""The English catalogue is complete, compiled and used; Vietnamese is the default and needs none.

When a test here fails after you add or change an interface string, run the three commands at the
top of ``babel.cfg`` (extract, update, compile) and translate the new entries.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "live" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"

VI_HOME = "Các màn hình của ban tổ chức được mở bằng liên kết riêng do quản trị viên cung cấp."
EN_HOME = "The organising committee's screens are opened with private links provided by the administrator."
VI_403 = ("Không có quyền truy cập", "Màn hình này chỉ mở được bằng liên kết riêng hoặc mã PIN còn hiệu lực.")
EN_403 = ("Access denied", "This screen can only be opened with a valid private link or PIN.")


# --- the catalogue ------------------------------------------------------------------------------


def _key(message) -> tuple[str, str | None]:
    """A message's identity: its msgid (the singular for plurals) and its context."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return msgid, message.context


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _documented_extract_command() -> list[str]:
    """The `pybabel extract` line from the comment at the top of babel.cfg, as arguments."""
    for line in (ROOT / "babel.cfg").read_text(encoding="utf-8").splitlines():
        command = line.lstrip("# ").split()
        if command[:2] == ["pybabel", "extract"]:
            return command
    raise AssertionError("babel.cfg must document the `pybabel extract` command")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh extraction of the sources, with the very command documented in babel.cfg."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = _documented_extract_command()[2:]
    args[args.index("-o") + 1] = str(out)
    assert args[-1] == "."
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out, "rb") as f:
        return read_po(f)


# a translation call with one plain string literal: _("…"), _l('…'), gettext("…", x=1), lazy_gettext(…)
_CALL = re.compile(r"""(?<![\w.])(?:_|_l|gettext|lazy_gettext)\(\s*(?P<q>["'])(?P<text>[^"'\\\n]*)(?P=q)\s*[,)]""")


def _marked_literals() -> dict[str, str]:
    """Every plainly marked string in the sources, found without Babel: text → first location."""
    found: dict[str, str] = {}
    files = sorted((ROOT / "live").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.html"))
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _CALL.finditer(line):
                found.setdefault(match["text"], f"{path.relative_to(ROOT)}:{number}")
    return found


@pytest.fixture(scope="module")
def english():
    with open(PO, "rb") as f:
        return read_po(f, locale="en")


def test_extraction_finds_python_lazy_and_template_strings(extracted):
    """Guards the guard: an extraction that finds nothing would make the completeness test pass."""
    ids = {_key(m)[0] for m in extracted if m.id}
    assert "Đồng hồ đang chạy." in ids  # only as lazy_gettext as _l, in live/web/messages.py
    assert "Không có quyền truy cập" in ids  # gettext as _, live/web/views/errors.py
    assert "Mất kết nối — đang kết nối lại…" in ids  # the strings handed to the screens' scripts
    assert "Về trang chủ" in ids  # {{ _("…") }} in templates/error.html
    assert len(ids) > 100


def test_extraction_misses_no_marked_string(extracted):
    """Cross-check with a plain scan of the sources: a string marked with _(), _l() or gettext() but
    missing from the extraction means babel.cfg, the keywords or a broken template hide it."""
    ids = {_key(m)[0] for m in extracted if m.id}
    missed = [f"{text!r} ({where})" for text, where in _marked_literals().items() if text and text not in ids]
    assert not missed, "marked but not extracted:\n" + "\n".join(missed)


def test_every_extracted_message_has_an_english_translation(extracted, english):
    translations = {_key(m): m for m in english if m.id}
    missing, empty, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        location = ", ".join(f"{path}:{line}" for path, line in message.locations)
        entry = translations.get(_key(message))
        if entry is None:
            missing.append(f"{_key(message)[0]!r} ({location})")
        elif not all(s.strip() for s in _strings(entry)):
            empty.append(f"{_key(message)[0]!r} ({location})")
        elif entry.fuzzy:
            fuzzy.append(f"{_key(message)[0]!r} ({location})")
    assert not missing, "not in the English catalogue (run extract + update):\n" + "\n".join(missing)
    assert not empty, "no English translation yet:\n" + "\n".join(empty)
    assert not fuzzy, "fuzzy, check and remove the flag:\n" + "\n".join(fuzzy)


def test_catalogue_header_is_not_fuzzy(english):
    assert not english.fuzzy
    assert str(english.locale) == "en"


_PERCENT = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]")
_BRACES = re.compile(r"\{(\w*)\}")


@pytest.mark.parametrize("pattern", [_PERCENT, _BRACES], ids=["percent", "braces"])
def test_translations_keep_placeholders(english, pattern):
    """%(field)s and {n} are filled in by code: an English sentence must keep exactly the same ones."""
    wrong = []
    for message in english:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = sorted(pattern.findall(ids[0]))
        for string in _strings(message):
            if sorted(pattern.findall(string)) != expected:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_babel_finds_no_format_errors(english):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in english.check()]
    assert not problems, problems


def test_compiled_catalogue_matches_the_po(english):
    """The committed .mo holds what compiling the committed .po gives (compared parsed, not as bytes)."""
    assert MO.exists(), "run: pybabel compile -d live/translations -l en"
    fresh = io.BytesIO()
    write_mo(fresh, english)  # what `pybabel compile` writes (fuzzy entries left out)
    fresh.seek(0)
    with open(MO, "rb") as f:
        committed = read_mo(f)
    expected = read_mo(fresh)

    def table(catalog):
        return {_key(m): m.string for m in catalog if m.id}

    assert table(committed) == table(expected), "run: pybabel compile -d live/translations -l en"
    assert len(table(committed)) == len([m for m in english if m.id])


def test_vietnamese_has_no_catalogue_of_its_own():
    """Vietnamese is the source language: the msgids are shown as they are, so a 'vi' catalogue could
    only get out of date."""
    assert not (TRANSLATIONS / "vi").exists()


# --- the application ----------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    import live

    return live.create_app(
        {"DATA_DIR": tmp_path, "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": "http://127.0.0.1:5000"}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _lang(response) -> str | None:
    match = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", response.get_data(as_text=True))
    return match.group(1) if match else None


def _choose(client, code: str, next_path: str = "/"):
    response = client.get(f"/lang/{code}", query_string={"next": next_path})
    assert response.status_code == 303
    return response


def test_home_page_is_vietnamese_by_default_without_warnings(client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.get("/")
    assert response.status_code == 200
    assert _lang(response) == "vi"
    page = _page(response)
    assert VI_HOME in page
    assert "Trang chủ" in page
    assert EN_HOME not in page
    babel_warnings = [w for w in caught if re.search(r"babel|translation|locale", f"{w.filename} {w.message}", re.I)]
    assert not babel_warnings, [str(w.message) for w in babel_warnings]


def test_vietnamese_falls_back_to_the_msgid(app):
    from flask_babel import get_locale, gettext

    with app.test_request_context("/"):
        assert str(get_locale()) == "vi"
        assert gettext("Về trang chủ") == "Về trang chủ"
        assert gettext("%(list)s, dòng %(row)s", list="Chương trình", row=3) == "Chương trình, dòng 3"


def test_home_page_is_english_after_choosing_english(client):
    response = _choose(client, "en")
    assert "live_lang=en" in response.headers["Set-Cookie"]
    response = client.get("/")
    assert response.status_code == 200
    assert _lang(response) == "en"
    page = _page(response)
    assert EN_HOME in page
    assert VI_HOME not in page
    assert "<title>Home ·" in page


def test_back_to_vietnamese(client):
    _choose(client, "en")
    _choose(client, "vi")
    response = client.get("/")
    assert _lang(response) == "vi"
    assert VI_HOME in _page(response)


def test_error_page_is_vietnamese_by_default(client):
    response = client.get("/mc", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert _lang(response) == "vi"
    page = _page(response)
    for text in VI_403:
        assert text in page
    assert "Về trang chủ" in page


def test_error_page_is_english_after_choosing_english(client):
    _choose(client, "en", "/mc")
    response = client.get("/mc", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert _lang(response) == "en"
    page = _page(response)
    for text in EN_403:
        assert text in page
    assert "Back to the home page" in page
    for text in VI_403:
        assert text not in page


def test_staff_screen_and_its_script_strings_are_english(app, client):
    """A role link opens the MC screen; its heading and the sentences handed to common.js are English."""
    token = app.extensions["live.day"].tokens()["mc"]
    assert client.get(f"/k/{token}").status_code == 303
    _choose(client, "en", "/mc")
    response = client.get("/mc")
    assert response.status_code == 200
    assert _lang(response) == "en"
    page = response.get_data(as_text=True)
    assert "Master of ceremonies (MC)" in html.unescape(page)
    island = re.search(r'<script type="application/json" id="live-i18n">(.*?)</script>', page, re.S)
    assert island, "the live-i18n JSON island is missing"
    strings = json.loads(island.group(1))
    assert strings["connected"] == "Connected"
    assert strings["item_of"] == "Item {i} of {n}"
    assert not [v for v in strings.values() if re.search(r"[ăâđêôơưạ-ỹ]", v, re.I)], strings


def test_unknown_language_keeps_vietnamese(client):
    response = _choose(client, "xx")
    assert "live_lang" not in response.headers.get("Set-Cookie", "")
    response = client.get("/")
    assert _lang(response) == "vi"
    assert VI_HOME in _page(response)


def test_forged_language_cookie_keeps_vietnamese(client):
    client.set_cookie("live_lang", "xx")
    response = client.get("/")
    assert _lang(response) == "vi"
    assert VI_HOME in _page(response)


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "//evil.example/mc", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
     "/\t/evil.example", "javascript:alert(1)", "evil.example"],
)  # fmt: skip
def test_language_switch_redirects_only_to_a_local_path(client, target):
    response = _choose(client, "en", target)
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\\" not in location and "\t" not in location, location


def test_language_switch_returns_to_the_page(client):
    assert _choose(client, "en", "/mc").headers["Location"] == "/mc"

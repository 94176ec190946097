"""The ``live`` command and the first HTTP steps a person takes: the links the admin hands out,
what following one does, the health check, and what a stranger sees."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.parse

import pytest
import requests
from conftest import ROOT, Server

from live.core import access

TOKEN = re.compile(r"[A-Za-z0-9_-]{22,}")
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)
SCREEN_PATHS = {
    "admin": "/admin/",
    "moderator": "/moderator",
    "mc": "/mc",
    "chair": "/chair",
    "projector": "/projector",
    "site": "/site",
    "qr-sheet": "/qr",
}


def live(*args: str, env: dict | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run ``python -m live ARGS`` the way an operator would, without any LIVE_* setting around."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_")}
    return subprocess.run(
        [sys.executable, "-m", "live", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "PYTHONWARNINGS": "ignore", **(env or {})},
        timeout=timeout,
    )


def parse_links(stdout: str) -> list[tuple[str, str]]:
    rows = []
    for line in stdout.strip().splitlines():
        role, url = line.split("\t")
        rows.append((role, url))
    return rows


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One demo server for the HTTP checks of this module."""
    server = Server(data_dir=tmp_path_factory.mktemp("cli-site")).start()
    yield server
    server.stop()


# ---------------------------------------------------------------- live links


def test_links_prints_one_secret_link_per_role_and_keeps_them(tmp_path):
    data = tmp_path / "data"
    first = live("links", "--data-dir", str(data), "--public-url", "https://hoinghi.example.vn/")
    assert first.returncode == 0, first.stderr
    rows = parse_links(first.stdout)
    assert [role for role, _ in rows] == ["admin", "moderator", "mc", "chair", "projector", "site", "qr-sheet"]
    tokens = set()
    for _role, url in rows:
        assert url.startswith("https://hoinghi.example.vn/k/"), url
        token = url.rsplit("/k/", 1)[1]
        assert TOKEN.fullmatch(token), token  # at least 22 URL-safe characters: 132 bits or more
        assert len(token) * 6 >= 128
        tokens.add(token)
    assert len(tokens) == 7, "every role has its own secret"

    again = live("links", "--data-dir", str(data), "--public-url", "https://hoinghi.example.vn/")
    assert again.stdout == first.stdout
    # another address for the same data: the same secrets under that address
    elsewhere = live("links", "--data-dir", str(data), "--public-url", "http://192.168.1.20:5000")
    assert elsewhere.stdout == first.stdout.replace("https://hoinghi.example.vn", "http://192.168.1.20:5000")


def test_links_without_public_url_uses_the_address_serve_announced(make_server):
    server = make_server(demo=False)
    announced = [line.strip().split("\t") for line in server.log().splitlines() if "\t" in line]
    announced = {role: url for role, url in announced if role in access.ROLES}
    assert set(announced) == set(access.ROLES)
    server.stop()

    printed = live("links", "--data-dir", str(server.data_dir))
    assert printed.returncode == 0, printed.stderr
    rows = parse_links(printed.stdout)
    assert dict(rows) == announced
    assert all(url.startswith(server.url + "/k/") for _, url in rows)


# ---------------------------------------------------------------- the command line


def test_help_and_refused_async_mode(tmp_path):
    top = live("--help")
    assert top.returncode == 0
    assert "serve" in top.stdout and "links" in top.stdout

    serve = live("serve", "--help")
    assert serve.returncode == 0
    for option in ("--async-mode", "--port", "--data-dir", "--public-url", "--demo"):
        assert option in serve.stdout

    assert live("links", "--help").returncode == 0
    # the installed console script (beside this interpreter: .ci/run does not put the venv on PATH)
    # is the same command
    script = shutil.which("live", path=os.path.dirname(sys.executable)) or shutil.which("live")
    assert script, "the live command is installed"
    installed = subprocess.run([script, "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert installed.returncode == 0 and "--async-mode" in installed.stdout

    # an async server we do not support: refused before anything starts
    bad = live("serve", "--async-mode", "twisted", "--data-dir", str(tmp_path / "d1"), "--port", "1")
    assert bad.returncode != 0
    assert "twisted" in bad.stderr
    from_env = live("serve", "--data-dir", str(tmp_path / "d2"), "--port", "1", env={"LIVE_ASYNC_MODE": "twisted"})
    assert from_env.returncode != 0
    assert "twisted" in from_env.stderr
    assert "Traceback" not in bad.stderr + from_env.stderr

    assert live().returncode != 0  # no command
    assert live("dance").returncode != 0


# ---------------------------------------------------------------- over HTTP


def test_healthz_answers_json(site):
    answer = requests.get(site.url + "/healthz", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["status"] == "ok"
    assert body["store"] == "sqlite"
    assert body["store_ok"] is True
    assert body["async_mode"] == "eventlet"
    assert isinstance(body["seq"], int)


@pytest.mark.parametrize("role", access.ROLES)
def test_a_role_link_opens_its_screen_and_leaves_the_secret_behind(site, role):
    link = site.links()[role]
    token = link.rsplit("/", 1)[1]
    with requests.Session() as browser:
        first = browser.get(link, allow_redirects=False, timeout=5)
        assert first.status_code == 303
        assert urllib.parse.urljoin(link, first.headers["Location"]) == site.url + SCREEN_PATHS[role]
        assert token not in first.headers["Location"]
        assert first.headers["Referrer-Policy"] == "no-referrer"
        cookie = first.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert token not in cookie

        page = browser.get(link, timeout=5)
        assert page.status_code == 200
        assert page.url == site.url + SCREEN_PATHS[role]
        assert token not in page.url
        assert "Traceback" not in page.text


def test_a_wrong_token_is_not_found(site):
    real = site.links()["mc"].rsplit("/", 1)[1]
    wrong = ("A" if real[0] != "A" else "B") + real[1:]
    for token in (wrong, "x" * 32, "abc"):
        answer = requests.get(f"{site.url}/k/{token}", allow_redirects=False, timeout=5)
        assert answer.status_code == 404
        assert "Set-Cookie" not in answer.headers
        assert VIETNAMESE.search(answer.text)
        assert "Traceback" not in answer.text


def test_a_screen_without_a_session_is_forbidden_in_vietnamese(site):
    for path in SCREEN_PATHS.values():
        answer = requests.get(site.url + path, allow_redirects=False, timeout=5)
        assert answer.status_code == 403, path
        assert answer.headers["Content-Type"].startswith("text/html")
        assert '<html lang="vi">' in answer.text
        assert "Không có quyền truy cập" in answer.text
        for leak in ("Traceback", "werkzeug", "Werkzeug", "Flask", 'File "', "eventlet"):
            assert leak not in answer.text, (path, leak)
    # a projector's session does not open the MC's screen either
    with requests.Session() as projector:
        assert projector.get(site.links()["projector"], timeout=5).status_code == 200
        assert projector.get(site.url + "/mc", allow_redirects=False, timeout=5).status_code == 403
        assert projector.get(site.url + "/admin/", allow_redirects=False, timeout=5).status_code == 403
    assert "Traceback" not in site.log()

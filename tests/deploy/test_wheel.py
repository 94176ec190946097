"""The wheel: what ``pip install .`` puts in site-packages serves every screen on its own.

The wheel is built from this source tree, installed (not editable) into a new virtual environment
of its own, and its ``live serve --demo`` is started from an empty folder, far from the checkout:
the templates, static files, translations and demo data must come from inside the installed
package. A package without its screens refuses to start with one line instead of serving 500s."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests
from conftest import ROOT, free_port, stop_process

from live import app as application

pytestmark = pytest.mark.slow

DEMO_SITE = "hall"  # one of the demo conference's sites (live/services/demo.py)
MISSING = "live: thiếu giao diện (templates/, static/) trong gói cài đặt — cài lại live"


def clean_env(**extra: str) -> dict:
    """The environment of a person at a shell: no LIVE_* setting, nothing of this checkout on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVE_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def run(*args, timeout: float = 900, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def source_files(folder: str) -> set[str]:
    """Every file of a top-level folder of the checkout, as the wheel should carry it (under live/)."""
    base = ROOT / folder
    return {
        f"live/{folder}/{path.relative_to(base).as_posix()}"
        for path in base.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel .``: the build backend from the index, in its own isolated environment."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT, env=clean_env())
    (built,) = out.glob("live-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed, not editable: its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv, env=clean_env())
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, env=clean_env(), cwd=venv)
    return venv / "bin"


def test_the_wheel_carries_templates_static_translations_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "live/templates/index.html",
        "live/templates/phone.html",
        "live/static/js/phone.js",
        "live/static/css/live.css",
        "live/translations/messages.pot",
        "live/translations/en/LC_MESSAGES/messages.po",
        "live/translations/en/LC_MESSAGES/messages.mo",
        "live/data/cao-bang-2025-communes.csv",
    ):
        assert expected in names, f"{expected} missing from {wheel.name}"
    assert source_files("templates") <= names
    assert source_files("static") <= names
    packages = {
        f"{path.relative_to(ROOT).as_posix()}" for path in (ROOT / "live").rglob("__init__.py") if path.is_file()
    }
    assert packages <= names, f"subpackages left out of the wheel: {sorted(packages - names)}"
    # the wheel carries the package, not the checkout's top-level folders or tests
    assert not [name for name in names if name.startswith(("templates/", "static/", "tests/"))]
    assert not [name for name in names if "__pycache__" in name]


def test_the_installed_wheel_serves_every_screen_from_any_folder(installed, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    elsewhere.mkdir()
    log_path = tmp_path / "serve.log"
    command = [installed / "live", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(data), "--public-url", base]
    proc = subprocess.Popen(
        command,
        cwd=elsewhere,
        env=clean_env(),
        stdout=open(log_path, "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"live serve exited: {log_path.read_text(errors='replace')}"
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"live serve did not start: {log_path.read_text(errors='replace')}"
            time.sleep(0.2)

        links = run(
            installed / "live", "links", "--data-dir", data, "--public-url", base, cwd=elsewhere, env=clean_env()
        ).stdout
        roles = dict(line.split("\t", 1) for line in links.strip().splitlines())
        assert {"admin", "moderator", "mc", "chair", "projector", "site", "qr-sheet"} <= set(roles)

        def page(session: requests.Session, url: str, status: int = 200) -> requests.Response:
            answer = session.get(url, timeout=10)
            assert answer.status_code == status, f"{url} → {answer.status_code}\n{answer.text[:500]}"
            assert answer.headers["Content-Type"].startswith("text/html"), url
            assert "<html" in answer.text.lower(), url
            return answer

        stranger = requests.Session()
        for path in ("/", f"/q/{DEMO_SITE}", "/tra-loi", "/tra-cuu", "/dang-nhap"):
            page(stranger, base + path)
        page(stranger, base + "/khong-co-trang-nay", status=404)  # the error page is a template too
        assert "Đăng nhập bằng mã PIN" in page(stranger, base + "/").text
        english = page(stranger, base + "/lang/en?next=/")
        assert english.url == base + "/"
        assert "Sign in with a PIN" in english.text, "the English translation (messages.mo) is not found"
        for path in ("/static/js/phone.js", "/static/css/live.css", "/static/img/favicon.svg"):
            answer = stranger.get(base + path, timeout=10)
            assert answer.status_code == 200 and answer.content, path

        for role, link in roles.items():
            with requests.Session() as session:  # the link's cookie, then the screen it leads to
                assert "/k/" not in page(session, link).url, f"{role}: the secret link did not lead to its screen"
        with requests.Session() as admin:
            page(admin, roles["admin"])
            for path in ("/admin/audit", "/reports/", "/tra-loi-van-ban", f"/site/{DEMO_SITE}"):
                page(admin, base + path)
    finally:
        stop_process(proc)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log
    assert "TemplateNotFound" not in log, log


# ---------------------------------------------------------------- a package without its screens


def test_assets_are_found_inside_the_package_then_in_a_checkout(tmp_path):
    package, checkout = tmp_path / "site-packages" / "live", tmp_path / "checkout"
    package.mkdir(parents=True)
    assert application.assets(str(package), str(package.parent)) is None
    for base in (checkout, package):
        (base / "templates").mkdir(parents=True)
        (base / "templates" / "base.html").write_text("{% block body %}{% endblock %}")
        (base / "static").mkdir()
    (checkout / "pyproject.toml").write_text("")
    assert application.assets(str(checkout / "live"), str(checkout)) == (
        str(checkout / "templates"),
        str(checkout / "static"),
    )
    assert application.assets(str(package), str(checkout)) == (str(package / "templates"), str(package / "static"))
    # site-packages is no checkout: a stray top-level templates/ there is not live's
    shutil.rmtree(package / "templates")
    (package.parent / "templates").mkdir()
    (package.parent / "static").mkdir()
    assert application.assets(str(package), str(package.parent)) is None


def test_live_serve_without_its_screens_says_so_in_one_line_and_serves_nothing(tmp_path):
    """A copy of the package without templates/ and static/ (a wheel built without them, as
    before): ``live serve`` stops at once with exit code 2 and one line, in Vietnamese then English."""
    shutil.copytree(ROOT / "live", tmp_path / "live", ignore=shutil.ignore_patterns("__pycache__"))
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "live", "serve", "--demo", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,  # python -m puts this folder first: the copy, not the checkout, is imported
        env=clean_env(PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"{MISSING} / live: the package has no templates/ or static/ — reinstall live"
    ], done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "data").exists(), "nothing is opened before the check"

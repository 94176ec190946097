"""The libraries the server runs on are at least the versions that fixed their known security
holes and the first on which live works, and at most those it was tested on: declared so in
pyproject.toml, in the lock files and in the lowest-versions constraints, installed so here, and
checked by ``live serve`` at start (live/transport/patches.py). ``.ci/run`` also runs pip-audit
against the live vulnerability database when it can reach it."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

from live.transport import patches

# package → (the first fixed version, what it fixed)
FIXED = {
    "python-socketio": ("5.16.1", "CVE-2025-61765 (5.14.0); 5.14.0-5.16.0 have no RedisManager.json for Fanout"),
    "eventlet": ("0.40.3", "CVE-2025-58068: HTTP request smuggling in eventlet.wsgi"),
    "python-engineio": ("4.13.2", "4.12.0-4.13.1 send no heartbeat with live's schedule_ping: every phone dropped"),
    "gevent": ("26.5.0", "CVE-2023-41419 (23.9.0); before 26.5 a traceback at every exit with greenlet 3.5.1+"),
    "werkzeug": ("3.1.4", "CVE-2024-49766/49767 (safe_join, multipart exhaustion), CVE-2025-66221"),
    "flask": ("3.1.1", "CVE-2025-47278: the fallback signing key"),
    "jinja2": ("3.1.6", "CVE-2025-27516: sandbox breakout through |attr"),
    "h11": ("0.16.0", "CVE-2025-43859: chunked-encoding request smuggling"),
    "orjson": ("3.9.15", "CVE-2024-27454: unbounded recursion on deeply nested JSON"),
}


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {Requirement(line).name.lower(): Requirement(line) for line in project["dependencies"]}


@pytest.mark.parametrize("package", sorted(FIXED))
def test_pyproject_requires_a_fixed_version(package):
    fixed, why = FIXED[package]
    requirement = declared().get(package)
    assert requirement is not None, f"{package} must be pinned at least to {fixed} ({why})"
    assert not requirement.specifier.contains(Version("0.0.1")), "no open lower bound"
    lowest = min(Version(spec.version) for spec in requirement.specifier if spec.operator == ">=")
    assert lowest >= Version(fixed), f"{package}>={fixed}: {why}"


@pytest.mark.parametrize("package", sorted(FIXED))
def test_the_installed_version_is_fixed(package):
    fixed, why = FIXED[package]
    assert Version(importlib.metadata.version(package)) >= Version(fixed), f"{package} < {fixed}: {why}"


def test_the_bounds_in_pyproject_are_the_ranges_live_was_tested_on():
    """pyproject.toml, live/transport/patches.py and the lowest-versions constraints say the same."""
    requirements = declared()
    for package, (low, high) in patches.TESTED.items():
        spec = requirements[package].specifier
        found = {(s.operator, Version(s.version)) for s in spec}
        assert found == {(">=", Version(low)), ("<", Version(high))}, (package, str(spec))
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = (".".join(map(str, v)) for v in patches.PYTHON)
    assert python == f">={low},<{high}"


def test_the_lowest_versions_ci_installs_are_the_declared_minimums():
    pins = {}
    for line in (ROOT / ".ci" / "constraints-lowest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = Version(version)
    for name, requirement in declared().items():
        lowest = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert pins.get(name) == min(lowest), f"{name}: .ci/constraints-lowest.txt pins {pins.get(name)}"


def test_the_lock_files_pin_hashed_versions_inside_the_bounds():
    requirements = declared()
    for lock in ("requirements.lock", "requirements-test.lock"):
        text = (ROOT / lock).read_text()
        assert "--index-url" not in text and "--find-links" not in text and "file://" not in text
        pinned = dict(
            (name.lower(), Version(version))
            for name, version in (
                line.split(" ")[0].split("==")
                for line in text.splitlines()
                if "==" in line and not line.startswith("#")
            )
        )
        for name, requirement in requirements.items():
            assert requirement.specifier.contains(pinned[name]), (lock, name, pinned[name])
        blocks = [b for b in text.split("\n") if "==" in b and not b.startswith("#")]
        assert blocks and all("\\" in b for b in blocks), "every pin carries its hashes"
        assert text.count("--hash=sha256:") >= len(blocks)


def test_every_patched_name_still_exists_upstream():
    assert patches.missing() == []


def test_versions_outside_the_tested_range_are_named():
    installed = importlib.metadata.version
    assert patches.problems() == []
    old = patches.problems(lambda d: "4.12.0" if d == "python-engineio" else installed(d))
    assert old == ["python-engineio 4.12.0 (>=4.13.2,<4.16)"]
    new = patches.problems(lambda d: "27.0.1" if d == "gevent" else installed(d), python=(3, 14))
    assert new == ["Python 3.14 (>=3.11,<3.14)", "gevent 27.0.1 (>=26.5.0,<27)"]


UNTESTED = """
import importlib.metadata, sys
real = importlib.metadata.version
importlib.metadata.version = lambda d: "4.12.0" if d == "python-engineio" else real(d)
sys.argv = ["live", "serve", "--demo", "--port", "1", "--data-dir", sys.argv[1]]
from live.__main__ import entry
sys.exit(entry())
"""


def test_live_serve_refuses_to_start_on_an_untested_version(tmp_path):
    """One line, Vietnamese then English, naming the version and the range; nothing served, no
    data folder made."""
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", UNTESTED, str(data)], capture_output=True, text=True, timeout=60,
        cwd=tmp_path, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "live: phiên bản thư viện chưa được kiểm thử / untested library versions: python-engineio 4.12.0"
        " (>=4.13.2,<4.16) — cài lại / reinstall: pip install --require-hashes -r requirements.lock"
    ]
    assert not data.exists()

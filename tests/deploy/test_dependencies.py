"""The libraries the server runs on are at least the versions that fixed their known security
holes: declared so in pyproject.toml (a fresh install cannot pick an older one) and installed so
here. ``.ci/run`` also runs pip-audit against the live vulnerability database when it can reach it."""

from __future__ import annotations

import importlib.metadata
import tomllib

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

# package → (the first fixed version, what it fixed)
FIXED = {
    "python-socketio": ("5.14.0", "CVE-2025-61765: pickle in the message queue between servers"),
    "eventlet": ("0.40.3", "CVE-2025-58068: HTTP request smuggling in eventlet.wsgi"),
    "python-engineio": ("4.12.0", "a current Engine.IO, as the issue asks"),
    "gevent": ("23.9.0", "CVE-2023-41419: privilege escalation through the WSGI server"),
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

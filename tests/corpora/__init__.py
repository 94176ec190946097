"""Hostile input lists for tests, copied from ../shared/corpora (licences beside each list): the Big
List of Naughty Strings (``blns.txt``), and the XSS payload lists of PayloadsAllTheThings, payloadbox
and SecLists (one folder each, read by tests/screens/test_hostile_browser.py)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings (MIT), without its comment and blank lines."""
    lines = (HERE / "blns.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("#")]

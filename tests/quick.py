"""``pytest --quick``: the everyday subset. The pure and in-process tests in one async mode (gevent,
the default): what starts a live server, a Redis server or Chromium is left to the full run
(.ci/run). A few quick subprocesses stay (the ``live`` command's help, the start-up checks)."""

from __future__ import annotations

import pytest

# fixtures that start something outside the test process
OUTSIDE = {
    "make_server",
    "server",
    "browser",
    "screens",
    "redis_server",
    "make_redis",
    "connect_staff",
    "connect_phone",
}
# tests that start processes themselves (the CLI, several processes, kill -9)
SLOW = pytest.mark.slow


def pytest_addoption(parser):
    parser.addoption("--quick", action="store_true", help="only pure and in-process tests, one async mode")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: starts processes of its own; left out of --quick")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--quick"):
        return
    kept, left = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        outside = OUTSIDE & set(getattr(item, "fixturenames", ()))
        if (
            outside
            or item.get_closest_marker("browser")
            or item.get_closest_marker("slow")
            or params.get("async_mode", "gevent") != "gevent"
            or "redis" in params.values()  # the store contract's Redis half
        ):
            left.append(item)
        else:
            kept.append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept

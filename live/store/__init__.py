"""Storage: one interface, chosen in the factory. The embedded SQLite store is the default."""

from __future__ import annotations

from .base import Store
from .sqlite import SqliteStore

__all__ = ["Store", "SqliteStore", "open_store"]


def open_store(config: dict) -> Store:
    """Open the store the configuration names: SQLite in ``DATA_DIR`` unless a Redis URL is given."""
    return SqliteStore(config["DATA_DIR"])

"""Storage: one interface, chosen in the factory. The embedded SQLite store is the default."""

from __future__ import annotations

from live.store.base import Store
from live.store.sqlite import SqliteStore

__all__ = ["Store", "SqliteStore", "open_store"]


def open_store(config: dict) -> Store:
    """Open the store the configuration names: Redis when ``REDIS_URL`` is set, else SQLite in ``DATA_DIR``."""
    if config.get("REDIS_URL"):
        from live.store.redis import RedisStore

        return RedisStore(config["REDIS_URL"], prefix=config.get("REDIS_PREFIX") or "live")
    return SqliteStore(config["DATA_DIR"])

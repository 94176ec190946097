"""Static files gzipped once per file, not once per request.

Ten thousand phones opening their page within minutes all fetch the same Socket.IO client and
script. Flask-Compress would compress each response again (and streams static files with zstd,
brotli or deflate only, so a phone that accepts nothing but gzip got them uncompressed). Here
each compressible file is gzipped at the highest level the first time it is asked for, kept in
memory while the file stays the same (size and modification time), and served with its own
ETag, so a phone that has it gets 304 Not Modified.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import threading

from flask import Flask, current_app, request
from werkzeug.security import safe_join

MIN_SIZE = 500  # below this gzip saves nothing worth its header


class GzipCache:
    """path → (size, mtime_ns, gzipped bytes, ETag); one entry per static file."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, int, bytes, str]] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> tuple[bytes, str, float] | None:
        """The gzipped body, its ETag and the file's modification time; None if ``path`` is gone."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        entry = self._entries.get(path)
        if entry is None or entry[:2] != (stat.st_size, stat.st_mtime_ns):
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), compresslevel=9, mtime=0)
            entry = (stat.st_size, stat.st_mtime_ns, body, f"{stat.st_mtime_ns:x}-{stat.st_size:x}-gz")
            with self._lock:
                self._entries[path] = entry
        return entry[2], entry[3], stat.st_mtime


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0)."""
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return not quality or quality.replace(".", "", 1).isdigit() and float(quality) > 0
    return False


def init_app(app: Flask) -> None:
    """Serve the compressible static files from ``cache`` to every client that accepts gzip."""
    cache = GzipCache()
    original = app.view_functions["static"]
    compressible = {*app.config.get("COMPRESS_MIMETYPES", ()), "text/css", "application/javascript", "image/svg+xml"}

    def static(filename: str):
        path = safe_join(app.static_folder, filename)
        mimetype = mimetypes.guess_type(filename)[0]
        if (
            path is None
            or mimetype not in compressible
            or not accepts_gzip(request.headers.get("Accept-Encoding", ""))
            or not os.path.isfile(path)
            or os.path.getsize(path) < MIN_SIZE
        ):
            return original(filename=filename)
        found = cache.get(path)
        if found is None:
            return original(filename=filename)
        body, etag, modified = found
        response = current_app.response_class(body, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"  # Flask-Compress leaves it alone
        response.vary.add("Accept-Encoding")
        response.set_etag(etag)
        response.last_modified = modified
        max_age = current_app.get_send_file_max_age(filename)
        if max_age is None:
            response.cache_control.no_cache = True
        else:
            response.cache_control.public = True
            response.cache_control.max_age = max_age
        return response.make_conditional(request)

    app.view_functions["static"] = static

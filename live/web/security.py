"""Headers every response carries: a strict Content-Security-Policy and its companions."""

from __future__ import annotations

import logging
import unicodedata

from flask import Flask, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if request.is_secure or app.config["PUBLIC_URL"].startswith("https://"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# every character that could start a new line, or hide one, in a log file or a terminal
_UNSAFE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]
}
_UNSAFE[ord("\t")] = " "


def one_line(text: str) -> str:
    """``text`` with control characters escaped: user text cannot forge a second log line."""
    escaped = text.translate(_UNSAFE)
    if any(unicodedata.category(c) == "Cf" for c in escaped):  # bidi overrides that reorder a line
        escaped = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in escaped)
    return escaped


class OneLineFormatter(logging.Formatter):
    """One line per event: the message and any traceback are escaped onto the same line."""

    def format(self, record: logging.LogRecord) -> str:
        return one_line(super().format(record))


def init_logging(level: str) -> None:
    """Log to stderr, one escaped line per event."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h.formatter, OneLineFormatter) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(level)

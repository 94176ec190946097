"""File and wire formats: bytes in, bytes out (site files, exports, the notice, QR codes, JSON)."""

"""The Flask extensions that keep no per-app state; Socket.IO is made per app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
compress = Compress()

"""The script (kịch bản), the chairman's pack and the departments' packs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("script", __name__)

"""The dialogue's public page (linkable from the province's portal) and asking from home."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dialogue", __name__)

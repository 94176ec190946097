"""Departments preparing answers before the day: the secretariat assigns and reviews."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("preparation", __name__)

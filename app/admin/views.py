"""Administration: providers, wards, users and frameworks."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..access import allow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow("admin")
def index():
    return render_template("admin/index.html")

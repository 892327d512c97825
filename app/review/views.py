"""Commissioners' review: the services they commission at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..access import allow

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@allow("commissioner")
def dashboard():
    return render_template("review/dashboard.html")

"""Commissioners' review: the services they commission at a glance, trends, and what changed.

Read-only. Every figure comes from queries.py, which starts from the signed-in commissioner's
remit and sees only submitted assessments.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import frameworks
from ..access import allow, commissioned_provider_ids, ward_or_404
from ..csv_files import csv_response
from ..dates import uk_today
from ..extensions import db
from ..models import SUBMITTED, Assessment
from . import presenters, queries
from .forms import FilterForm
from .svg import Point, bands_from, trend_chart

bp = Blueprint("review", __name__, url_prefix="/review")

COMMON_ON_DASHBOARD = 5


def _filter_form() -> FilterForm:
    form = FilterForm(request.args, queries.providers(current_user))
    if request.args:
        form.validate()
    return form


def _sort() -> tuple[str, bool]:
    sort = request.args.get("sort", "provider")
    if sort not in queries.SORTS:
        sort = "provider"
    return sort, request.args.get("order") == "desc"


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


# The query arguments these pages read, besides the filter form's fields.
PAGE_KEYS = ("sort", "order", "page")


@cache
def _query_keys() -> frozenset[str]:
    """Every query argument a review page reads: only these are carried into its links (any
    other key would reach url_for, where some names, such as endpoint or _method, mean
    something)."""
    return frozenset(field.name for field in FilterForm(None, [])) | set(PAGE_KEYS)


def _url(endpoint: str, **changes) -> str:
    """This page's address with some query arguments changed (None removes one)."""
    keys = _query_keys()
    args = {k: v for k, v in request.args.items(multi=False) if k in keys}
    args.update(changes)
    return url_for(endpoint, **{k: v for k, v in args.items() if v not in (None, "")})


def _sort_link(key: str, current: str, descending: bool) -> dict:
    """A column's sort link: selecting the sorted column again reverses it."""
    active = key == current
    order = "asc" if active and descending else ("desc" if active else "asc")
    return {
        "href": _url("review.dashboard", sort=key, order=order, page=None),
        "aria_sort": ("descending" if descending else "ascending") if active else "none",
    }


def _pages(total: int, page: int, endpoint: str) -> dict:
    last = max(1, -(-total // queries.PAGE_SIZE))
    return {
        "page": page,
        "last": last,
        "first_row": (page - 1) * queries.PAGE_SIZE + 1,
        "last_row": min(total, page * queries.PAGE_SIZE),
        "previous": _url(endpoint, page=page - 1) if page > 1 else None,
        "next": _url(endpoint, page=page + 1) if page < last else None,
    }


@bp.get("/")
@allow("commissioner")
def dashboard():
    form = _filter_form()
    sort, descending = _sort()
    page = _page()
    today = uk_today()
    filters = form.filters()
    rows, summary, page = queries.dashboard_page(
        current_user, filters, sort=sort, descending=descending, today=today, page=page
    )
    return render_template(
        "review/dashboard.html",
        form=form,
        filters=filters,
        rows=rows,
        summary=summary,
        pages=_pages(summary.wards, page, "review.dashboard"),
        sort_link=lambda key: _sort_link(key, sort, descending),
        common=queries.common_restrictions(current_user, limit=COMMON_ON_DASHBOARD),
        change_words=presenters.change_words,
        last_assessed_words=presenters.last_assessed_words,
        csv_url=_url("review.dashboard_csv", page=None),
        heat_map_url=_url("review.heat_map", sort=None, order=None),
    )


@bp.get("/dashboard.csv")
@allow("commissioner")
def dashboard_csv():
    form = _filter_form()
    sort, descending = _sort()
    rows = queries.dashboard(
        current_user, form.filters(), sort=sort, descending=descending, today=uk_today()
    )
    return csv_response(presenters.dashboard_csv(rows), f"review-{uk_today()}.csv")


@bp.get("/heat-map")
@allow("commissioner")
def heat_map():
    form = _filter_form()
    page = _page()
    today = uk_today()
    filters = form.filters()
    rows, summary, page = queries.dashboard_page(current_user, filters, today=today, page=page)
    return render_template(
        "review/heat_map.html",
        form=form,
        rows=rows,
        summary=summary,
        pages=_pages(summary.wards, page, "review.heat_map"),
        heat=queries.heat_map([r.ward_id for r in rows], current_user),
        dashboard_url=_url("review.dashboard", page=None),
    )


@bp.get("/restrictions")
@allow("commissioner")
def restrictions():
    return render_template(
        "review/restrictions.html",
        common=queries.common_restrictions(current_user),
        wards=queries.ward_count(current_user),
    )


@bp.get("/wards/<int:ward_id>")
@allow("commissioner")
def ward(ward_id: int):
    ward = ward_or_404(ward_id)
    # Reviewing is for the commissioner's remit only, even when they can read a ward otherwise.
    if ward.provider_id not in commissioned_provider_ids(current_user):
        abort(404)
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.ward_id == ward.id, Assessment.status == SUBMITTED)
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
    ).all()
    trend = queries.ward_trend(ward)
    bands = bands_from(frameworks.latest().scoring.rag)
    overall_chart = trend_chart(
        "trend-overall",
        f"Overall restriction score, {ward.name}",
        [Point(p.submitted_at, p.overall_percent, p.overall_rag) for p in trend.points],
        bands,
    )
    domain_charts = [
        (
            title,
            trend_chart(
                f"trend-{domain_id}",
                f"{title}: restriction score",
                [
                    Point(p.submitted_at, *p.domains[domain_id])
                    for p in trend.points
                    if domain_id in p.domains
                ],
                bands,
                width=320,
                height=170,
                value_labels=False,
            ),
        )
        for domain_id, title in trend.domains
    ]
    return render_template(
        "review/ward.html",
        ward=ward,
        assessments=assessments,
        trend=trend,
        overall_chart=overall_chart,
        domain_charts=domain_charts,
    )

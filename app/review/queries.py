"""The review's figures, aggregated in the database: one query per table on a page, whatever
the number of wards.

Every query starts from the wards in the commissioner's remit and sees only submitted
assessments. "Latest" and "previous" are the ward's first and second submitted assessments by
submission time, numbered with a window function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import Select

from .. import frameworks
from ..access import commissioned_wards_query
from ..dates import add_months, uk_midnight
from ..extensions import db
from ..models import (
    OPEN_ACTION_STATUSES,
    SUBMITTED,
    Action,
    Assessment,
    AssessmentResult,
    CommissionerRemit,
    DomainResult,
    Provider,
    RestrictionFound,
    Ward,
)

PAGE_SIZE = 100
MAX_OFFSET = 2**63 - 1  # a signed 64-bit integer: SQLite's and PostgreSQL's largest

# Sort keys the dashboard offers: what the user clicks -> what the database orders by.
SORTS = {
    "provider": "provider_name",
    "ward": "ward_name",
    "assessed": "submitted_at",
    "score": "overall_percent",
    "change": "change",
    "blanket": "blanket_count",
    "unjustified": "unjustified_count",
    "open": "open_actions",
    "overdue": "overdue_actions",
}


@dataclass(frozen=True)
class Filters:
    provider_id: int | None = None
    rag: str | None = None  # green, amber, red, or "none" for never assessed
    overdue_only: bool = False
    assessed_before: date | None = None

    @property
    def active(self) -> bool:
        """Whether any filter narrows the wards (sorting and paging do not)."""
        return bool(self.provider_id or self.rag or self.overdue_only or self.assessed_before)


@dataclass(frozen=True)
class WardRow:
    ward_id: int
    ward_name: str
    provider_id: int
    provider_name: str
    assessment_id: int | None
    submitted_at: datetime | None
    overall_percent: float | None
    overall_rag: str | None
    blanket_count: int | None
    unjustified_count: int | None
    previous_submitted_at: datetime | None
    change: float | None
    framework_changed: bool  # the previous assessment used another framework version
    open_actions: int
    overdue_actions: int
    stale: bool  # no submitted assessment in the last 12 months

    @property
    def assessed(self) -> bool:
        return self.assessment_id is not None


@dataclass(frozen=True)
class Summary:
    wards: int
    not_recent: int
    red: int
    with_overdue: int


@dataclass(frozen=True)
class CommonRestriction:
    item_id: str
    title: str
    wards: int
    unjustified: int


def remit_ward_ids(user) -> Select:
    return commissioned_wards_query(user).with_only_columns(Ward.id)


def ranked_assessments(ward_ids: Select):
    """Each submitted assessment of the given wards, numbered 1 (latest), 2 (previous), ..."""
    return (
        select(
            Assessment.id.label("assessment_id"),
            Assessment.ward_id,
            Assessment.submitted_at,
            Assessment.framework_version,
            func.row_number()
            .over(
                partition_by=Assessment.ward_id,
                order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()),
            )
            .label("n"),
        )
        .where(Assessment.status == SUBMITTED, Assessment.ward_id.in_(ward_ids))
        .subquery("ranked")
    )


def latest_assessment_ids(user) -> Select:
    latest = latest_two(remit_ward_ids(user))
    return select(latest.c.assessment_id)


def latest_two(ward_ids: Select):
    """One row per assessed ward: its latest and previous submitted assessments."""
    ranked = ranked_assessments(ward_ids)
    first, second = ranked.c.n == 1, ranked.c.n == 2
    return (
        select(
            ranked.c.ward_id,
            func.max(case((first, ranked.c.assessment_id))).label("assessment_id"),
            func.max(case((first, ranked.c.submitted_at))).label("submitted_at"),
            func.max(case((second, ranked.c.assessment_id))).label("previous_id"),
            func.max(case((second, ranked.c.submitted_at))).label("previous_submitted_at"),
            func.max(case((first, ranked.c.framework_version))).label("framework_version"),
            func.max(case((second, ranked.c.framework_version))).label("previous_version"),
        )
        .where(ranked.c.n <= 2)
        .group_by(ranked.c.ward_id)
        .cte("latest_two")
    )


def _dashboard_select(user, filters: Filters, today: date, totals: bool = False) -> Select:
    """The wards in the remit with their figures; with `totals`, each row also carries the
    counts across every matching ward (window aggregates, so one query serves a page and its
    summary)."""
    ward_ids = remit_ward_ids(user)
    latest = latest_two(ward_ids)
    latest_result = AssessmentResult.__table__.alias("latest_result")
    previous_result = AssessmentResult.__table__.alias("previous_result")
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    actions = (
        select(
            Action.ward_id,
            func.sum(case((is_open, 1), else_=0)).label("open_actions"),
            func.sum(case((and_(is_open, Action.due_date < today), 1), else_=0)).label(
                "overdue_actions"
            ),
        )
        .where(Action.ward_id.in_(ward_ids))
        .group_by(Action.ward_id)
        .cte("ward_actions")
    )
    change = (latest_result.c.overall_percent - previous_result.c.overall_percent).label("change")
    # stored times are UTC; the day starts at midnight in the UK
    cutoff = uk_midnight(add_months(today, -12))
    stale = or_(latest.c.submitted_at.is_(None), latest.c.submitted_at < cutoff)
    query = (
        select(
            Ward.id.label("ward_id"),
            Ward.name.label("ward_name"),
            Provider.id.label("provider_id"),
            Provider.name.label("provider_name"),
            latest.c.assessment_id,
            latest.c.submitted_at,
            latest_result.c.overall_percent,
            latest_result.c.overall_rag,
            latest_result.c.blanket_count,
            latest_result.c.unjustified_count,
            latest.c.previous_submitted_at,
            change,
            # Scored against another version of the framework: part of the change may be the
            # framework's, not the ward's.
            case(
                (latest.c.previous_version != latest.c.framework_version, literal(True)),
                else_=literal(False),
            ).label("framework_changed"),
            func.coalesce(actions.c.open_actions, 0).label("open_actions"),
            func.coalesce(actions.c.overdue_actions, 0).label("overdue_actions"),
            case((stale, literal(True)), else_=literal(False)).label("stale"),
            *(
                [
                    func.count().over().label("total_wards"),
                    func.sum(case((stale, 1), else_=0)).over().label("total_not_recent"),
                    func.sum(case((latest_result.c.overall_rag == "red", 1), else_=0))
                    .over()
                    .label("total_red"),
                    func.sum(case((func.coalesce(actions.c.overdue_actions, 0) > 0, 1), else_=0))
                    .over()
                    .label("total_with_overdue"),
                ]
                if totals
                else []
            ),
        )
        .select_from(Ward)
        .join(Provider, Provider.id == Ward.provider_id)
        .join(
            CommissionerRemit,
            and_(
                CommissionerRemit.provider_id == Ward.provider_id,
                CommissionerRemit.user_id == user.id,
            ),
        )
        .outerjoin(latest, latest.c.ward_id == Ward.id)
        .outerjoin(latest_result, latest_result.c.assessment_id == latest.c.assessment_id)
        .outerjoin(previous_result, previous_result.c.assessment_id == latest.c.previous_id)
        .outerjoin(actions, actions.c.ward_id == Ward.id)
    )
    if filters.provider_id:
        query = query.where(Ward.provider_id == filters.provider_id)
    if filters.rag == "none":
        query = query.where(latest.c.assessment_id.is_(None))
    elif filters.rag:
        query = query.where(latest_result.c.overall_rag == filters.rag)
    if filters.overdue_only:
        query = query.where(func.coalesce(actions.c.overdue_actions, 0) > 0)
    if filters.assessed_before:
        before = uk_midnight(filters.assessed_before)
        query = query.where(or_(latest.c.submitted_at.is_(None), latest.c.submitted_at < before))
    return query


def _ordered(query: Select, sort: str, descending: bool) -> Select:
    column = query.selected_columns[SORTS.get(sort, "provider_name")]
    primary = column.desc() if descending else column.asc()
    # Wards never assessed go last whichever way a figure is sorted.
    return query.order_by(
        primary.nulls_last(),
        query.selected_columns["provider_name"],
        query.selected_columns["ward_name"],
        query.selected_columns["ward_id"],
    )


TOTALS = ("total_wards", "total_not_recent", "total_red", "total_with_overdue")


def dashboard(
    user,
    filters: Filters,
    *,
    sort: str = "provider",
    descending: bool = False,
    today: date,
) -> list[WardRow]:
    """Every matching ward's row, in order (the CSV)."""
    query = _ordered(_dashboard_select(user, filters, today), sort, descending)
    return [_row(row) for row in db.session.execute(query).mappings()]


def dashboard_page(
    user,
    filters: Filters,
    *,
    sort: str = "provider",
    descending: bool = False,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[WardRow], Summary, int]:
    """One page of rows (1-based), the summary of every matching ward and the page shown, in
    one query. A page past the end (an old link, or filters that now match fewer wards) shows
    the last page instead, in two more."""
    query = _ordered(_dashboard_select(user, filters, today, totals=True), sort, descending)
    rows = _page_of(query, page, page_size)
    if not rows and page > 1:
        # Every row carries the number of matching wards: read it from the first.
        top = db.session.execute(query.limit(1)).mappings().first()
        page = -(-int(top["total_wards"]) // page_size) if top else 1
        rows = _page_of(query, page, page_size)
    if not rows:
        return [], Summary(0, 0, 0, 0), 1
    first = rows[0]
    summary = Summary(*(int(first[name] or 0) for name in TOTALS))
    return [_row(row) for row in rows], summary, page


def _page_of(query: Select, page: int, page_size: int) -> list:
    offset = (page - 1) * page_size
    if offset > MAX_OFFSET:  # far past any real page; the database would refuse the number
        return []
    return db.session.execute(query.limit(page_size).offset(offset)).mappings().all()


def _row(row) -> WardRow:
    fields = {k: v for k, v in row.items() if k not in TOTALS}
    return WardRow(
        **{
            **fields,
            "stale": bool(fields["stale"]),
            "framework_changed": bool(fields["framework_changed"]),
        }
    )


def ward_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(remit_ward_ids(user).subquery()))


def providers(user) -> list[Provider]:
    return list(
        db.session.scalars(
            select(Provider)
            .join(CommissionerRemit, CommissionerRemit.provider_id == Provider.id)
            .where(CommissionerRemit.user_id == user.id)
            .order_by(Provider.name)
        )
    )


@dataclass(frozen=True)
class HeatMap:
    domains: list[tuple[str, str]]  # (domain id, title) in framework order
    cells: dict[int, dict[str, tuple[float, str]]]  # ward id -> domain id -> (percent, rag)


def heat_map(ward_ids: list[int], user) -> HeatMap:
    """Domain scores of the latest submitted assessment of each given ward, in one query."""
    ranked = ranked_assessments(remit_ward_ids(user))
    rows = db.session.execute(
        select(
            ranked.c.ward_id,
            DomainResult.domain_id,
            DomainResult.title,
            DomainResult.position,
            DomainResult.percent,
            DomainResult.rag,
        )
        .join(DomainResult, DomainResult.assessment_id == ranked.c.assessment_id)
        .where(ranked.c.n == 1, ranked.c.ward_id.in_(ward_ids))
        .order_by(DomainResult.position)
    ).all()
    domains: dict[str, str] = {}
    cells: dict[int, dict[str, tuple[float, str]]] = {}
    for ward_id, domain_id, title, _position, percent, rag in rows:
        domains.setdefault(domain_id, title)
        cells.setdefault(ward_id, {})[domain_id] = (percent, rag)
    return HeatMap(domains=list(domains.items()), cells=cells)


def common_restrictions(user, limit: int | None = None) -> list[CommonRestriction]:
    """Restrictions found as blanket in the latest assessment of each ward, most wards first."""
    unjustified = func.sum(case((RestrictionFound.justified.is_(False), 1), else_=0))
    wards = func.count(func.distinct(RestrictionFound.ward_id))
    query = (
        select(
            RestrictionFound.item_id,
            func.max(RestrictionFound.title),
            wards,
            unjustified,
        )
        .where(RestrictionFound.assessment_id.in_(latest_assessment_ids(user)))
        .group_by(RestrictionFound.item_id)
        .order_by(wards.desc(), unjustified.desc(), RestrictionFound.item_id)
    )
    if limit:
        query = query.limit(limit)
    # Each restriction under the title the newest framework gives it: wards on older versions
    # may have stored an older title for the same item.
    titles = {item.id: item.title for item in frameworks.latest().items}
    return [
        CommonRestriction(i, titles.get(i, t), int(w), int(u))
        for i, t, w, u in db.session.execute(query)
    ]


# --- one ward ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    assessment_id: int
    submitted_at: datetime
    overall_percent: float
    overall_rag: str
    blanket_count: int
    unjustified_count: int
    domains: dict[str, tuple[float, str]]


@dataclass(frozen=True)
class Trend:
    points: list[TrendPoint]  # oldest first
    domains: list[tuple[str, str]]  # (domain id, title), in framework order


def ward_trend(ward: Ward) -> Trend:
    """Every submitted assessment of one ward with its scores, oldest first, in two queries."""
    results = db.session.execute(
        select(
            Assessment.id,
            Assessment.submitted_at,
            AssessmentResult.overall_percent,
            AssessmentResult.overall_rag,
            AssessmentResult.blanket_count,
            AssessmentResult.unjustified_count,
        )
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.ward_id == ward.id, Assessment.status == SUBMITTED)
        .order_by(Assessment.submitted_at, Assessment.id)
    ).all()
    ids = [r[0] for r in results]
    domain_rows = db.session.execute(
        select(
            DomainResult.assessment_id,
            DomainResult.domain_id,
            DomainResult.title,
            DomainResult.percent,
            DomainResult.rag,
        )
        .where(DomainResult.assessment_id.in_(ids))
        .order_by(DomainResult.position)
    ).all()
    domains: dict[str, str] = {}
    by_assessment: dict[int, dict[str, tuple[float, str]]] = {}
    for assessment_id, domain_id, title, percent, rag in domain_rows:
        domains.setdefault(domain_id, title)
        by_assessment.setdefault(assessment_id, {})[domain_id] = (percent, rag)
    points = [
        TrendPoint(
            assessment_id=r[0],
            submitted_at=r[1],
            overall_percent=r[2],
            overall_rag=r[3],
            blanket_count=r[4],
            unjustified_count=r[5],
            domains=by_assessment.get(r[0], {}),
        )
        for r in results
    ]
    return Trend(points=points, domains=list(domains.items()))

"""The audit trail pages: administrators see every event, ward leads the events of their wards."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional

from .access import allow, lead_ward_ids
from .actions.forms import DateField
from .auth.forms import AppForm, choices
from .dates import part_names, uk_midnight
from .extensions import db
from .models import AuditEvent, Ward

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100

EVENT_NAMES = {
    "sign-in": "Signed in",
    "sign-in-failed": "Sign-in failed",
    "sign-in-refused": "Sign-in refused (too many attempts)",
    "sign-out": "Signed out",
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "submit": "Submitted",
    "reopen": "Reopened",
    "carry-forward": "Carried forward",
    "reset-link-created": "Password reset link created",
    "password-reset": "Password set with a reset link",
    "password-changed": "Password changed",
    "password-change-refused": "Password change refused (current password not correct)",
    "user-created": "Account created",
    "user-renamed": "Name changed",
    "user-admin-changed": "Administrator rights changed",
    "user-activated": "Account reactivated",
    "user-deactivated": "Account deactivated",
    "provider-added": "Provider added",
    "provider-renamed": "Provider renamed",
    "ward-added": "Ward added",
    "ward-renamed": "Ward renamed",
    "membership-added": "Added to a ward team",
    "membership-removed": "Removed from a ward team",
    "membership-role-changed": "Role in a ward team changed",
    "remit-added": "Commissioner remit added",
    "remit-removed": "Commissioner remit removed",
}
# What each event is about, in words (audit.record stores the model's class name).
OBJECT_NAMES = {
    "action": "action",
    "answer": "answer",
    "assessment": "assessment",
    "user": "account",
    "provider": "provider",
    "ward": "ward",
    "wardmembership": "ward team place",
    "commissionerremit": "commissioner remit",
    "passwordresetlink": "reset link",
}
# The changed fields' names as people read them.
FIELD_LABELS = {
    "text": "Action",
    "priority": "Priority",
    "owner_user_id": "Owner (team member's account number)",
    "owner_name": "Owner",
    "due_date": "Due date",
    "status": "Status",
    "not_doing_reason": "Reason for not doing it",
    "notes": "Notes",
    "review_date": "Review date",
    "lived_experience": "People with lived experience involved",
    "values": "Answers",
    "evidence": "Evidence",
    "comment": "Comments",
    "assessment_id": "Assessment number",
    "framework": "Framework",
    "overall_percent": "Restriction score (%)",
    "rag": "Rating",
    "is_admin": "Administrator",
    "active": "Account active",
    "name": "Name",
    "email": "Email",
    "role": "Role",
    "user": "Person",
    "provider": "Provider",
    "ward": "Ward",
}


class AuditFilterForm(AppForm):
    class Meta:
        csrf = False  # a search: it changes nothing

    ward = SelectField("Ward", validators=[Optional()], validate_choice=False)
    event = SelectField("What happened", validators=[Optional()], validate_choice=False)
    actor = StringField(
        "Who (email contains)",
        validators=[Length(max=320, message="Who must be 320 characters or fewer")],
    )
    date_from = DateField("Events from", example="1 11 2026")
    date_to = DateField("Events up to", example="25 11 2026")


def change_rows(event: AuditEvent, limit: int = 300) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field an event changed, in words and shortened for the
    table."""

    def shown(values: dict, key: str) -> str:
        value = values.get(key)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if value is None and key in values:
            return NONE_WORDS.get(key, "")
        text = "" if value is None else str(value)
        return text if len(text) <= limit else text[:limit] + "…"

    before, after = event.before or {}, event.after or {}
    return [
        (FIELD_LABELS.get(k, k.replace("_", " ").capitalize()), shown(before, k), shown(after, k))
        for k in dict.fromkeys([*before, *after])
    ]


# What a field recorded as empty (None) means, where it is not simply blank.
NONE_WORDS = {"lived_experience": "Not recorded"}


def filter_args(form: AuditFilterForm) -> dict[str, str]:
    """The filters asked for, to keep in the page links: only the form's own fields (a date's
    three boxes each), never any other key, which url_for could read as its own argument."""
    names = set()
    for field in form:
        names.update(part_names(field.name) if isinstance(field, DateField) else [field.name])
    return {k: v for k, v in request.args.items() if k in names}


def select_items(field) -> list[dict]:
    return [
        {"value": c.value, "text": c.label, "selected": c.value == (field.data or "")}
        for c in field.choices
    ]


def trail_ward_ids(user) -> set[int] | None:
    """Whose audit events a user may read, the one rule for it (this page and the report's
    appendix): None means every ward (administrators); otherwise the wards the user leads,
    which may be none."""
    if user.is_admin:
        return None
    return lead_ward_ids(user)


def may_read_trail(user, ward_id: int) -> bool:
    """Whether the user may read the audit events of this ward."""
    wards = trail_ward_ids(user)
    return wards is None or ward_id in wards


def visible_ward_ids(user) -> set[int] | None:
    """The wards of this page (None: every ward); anyone who may read none gets 404."""
    wards = trail_ward_ids(user)
    if wards is not None and not wards:
        abort(404)
    return wards


def events_query(user, form: AuditFilterForm):
    wards = visible_ward_ids(user)
    query = select(AuditEvent)
    if wards is not None:
        query = query.where(AuditEvent.ward_id.in_(wards))
    if form.ward.data and form.ward.data.isascii() and form.ward.data.isdigit():
        query = query.where(AuditEvent.ward_id == int(form.ward.data))
    if form.event.data:
        query = query.where(AuditEvent.event == form.event.data)
    if form.actor.data and form.actor.data.strip():
        needle = form.actor.data.strip().lower()
        query = query.where(func.lower(AuditEvent.actor).contains(needle, autoescape=True))
    if form.date_from.data and not form.date_from.errors:
        query = query.where(AuditEvent.at >= uk_midnight(form.date_from.data))
    if form.date_to.data and not form.date_to.errors:
        end = form.date_to.data + timedelta(days=1)  # up to the end of that UK day
        query = query.where(AuditEvent.at < uk_midnight(end))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@bp.get("/audit")
@allow("signed-in")
def trail():
    wards = visible_ward_ids(current_user)
    ward_query = select(Ward).order_by(Ward.name)
    if wards is not None:
        ward_query = ward_query.where(Ward.id.in_(wards))
    ward_list = db.session.scalars(ward_query).all()
    form = AuditFilterForm(request.args)
    form.ward.choices = [SelectChoice("", "All wards")] + [
        SelectChoice(str(w.id), w.full_name) for w in ward_list
    ]
    form.event.choices = [SelectChoice("", "Anything")] + choices(EVENT_NAMES)
    has_filter = any(value for key, value in request.args.items() if key != "page")
    if has_filter:
        form.validate()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    query = events_query(current_user, form)
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    if not rows and page > 1:
        # A page past the end (an old link, or events filtered away): show the last page.
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        page = max(1, -(-total // PAGE_SIZE))
        rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    wards_by_id = {w.id: w for w in ward_list}
    return render_template(
        "audit/trail.html",
        form=form,
        events=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        event_names=EVENT_NAMES,
        object_names=OBJECT_NAMES,
        change_rows=change_rows,
        select_items=select_items,
        wards_by_id=wards_by_id,
        args=filter_args(form),
    ), (400 if form.errors else 200)

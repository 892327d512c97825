"""The audit trail: one append-only row for every change, sign-in and refusal that matters."""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from .extensions import db
from .models import AuditEvent


def record(
    event: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    ward_id: int | None = None,
    assessment_id: int | None = None,
    detail: str = "",
    user=None,
) -> AuditEvent:
    """Add an audit row to the session; it is committed with the change it describes."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    row = AuditEvent(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "email", "") or "",
        event=event,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or ""),
        ward_id=ward_id,
        assessment_id=assessment_id,
        before=before,
        after=after,
        detail=detail,
    )
    db.session.add(row)
    return row


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}

"""Who may do what, in one place: role rules for views, and loaders that 404 outside a remit.

Every view declares its rule with @allow(...). Objects are loaded through the functions here,
which check the signed-in user's roles and remit on the object itself. Outside a remit the
answer is 404, so nothing reveals what exists.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from .extensions import db
from .models import (
    ROLE_LEAD,
    SUBMITTED,
    Action,
    Assessment,
    CommissionerRemit,
    Provider,
    User,
    Ward,
    WardMembership,
)

# Rules a view may declare. "public" needs no sign-in.
RULES = ("public", "signed-in", "admin", "commissioner", "ward", "ward-or-reviewer")


def allow(rule: str):
    """Declare who may use a view; checked before the view runs and recorded for the tests."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorate(view):
        if rule == "public":
            view.access_rule = rule
            return view

        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(current_user, rule):
                abort(404 if rule != "signed-in" else 403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.access_rule = rule
        return guarded

    return decorate


def has_role(user, rule: str) -> bool:
    if rule in ("public", "signed-in"):
        return True
    if rule == "admin":
        return user.is_admin
    if rule == "commissioner":
        return user.is_commissioner
    if rule == "ward":
        return bool(user.memberships)
    if rule == "ward-or-reviewer":
        return bool(user.memberships) or user.is_commissioner or user.is_admin
    return False


# --- remits ------------------------------------------------------------------------------


def commissioned_provider_ids(user) -> set[int]:
    return {r.provider_id for r in user.remits}


def member_ward_ids(user) -> set[int]:
    return {m.ward_id for m in user.memberships}


def lead_ward_ids(user) -> set[int]:
    return {m.ward_id for m in user.memberships if m.role == ROLE_LEAD}


def can_read_ward(user, ward: Ward) -> bool:
    return (
        user.is_admin
        or ward.id in member_ward_ids(user)
        or ward.provider_id in commissioned_provider_ids(user)
    )


def can_read_assessment(user, assessment: Assessment) -> bool:
    """Ward members read their ward's assessments; reviewers read only submitted ones."""
    if assessment.ward_id in member_ward_ids(user):
        return True
    if assessment.status != SUBMITTED:
        return False
    return user.is_admin or assessment.ward.provider_id in commissioned_provider_ids(user)


def can_answer(user, assessment: Assessment) -> bool:
    return assessment.ward_id in member_ward_ids(user)


def can_lead(user, ward_id: int) -> bool:
    return ward_id in lead_ward_ids(user)


# --- loaders -----------------------------------------------------------------------------


def ward_or_404(ward_id: int, need: str = "read") -> Ward:
    ward = db.session.get(Ward, ward_id)
    if ward is None:
        abort(404)
    ok = {
        "read": lambda: can_read_ward(current_user, ward),
        "member": lambda: ward.id in member_ward_ids(current_user),
        "lead": lambda: can_lead(current_user, ward.id),
        "admin": lambda: current_user.is_admin,
    }[need]()
    if not ok:
        abort(404)
    return ward


def assessment_or_404(assessment_id: int, need: str = "read") -> Assessment:
    """need: read (incl. reviewers, submitted only), member (ward team), lead (ward lead)."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    ok = {
        "read": lambda: can_read_assessment(current_user, assessment),
        "member": lambda: can_answer(current_user, assessment),
        "lead": lambda: can_lead(current_user, assessment.ward_id),
    }[need]()
    if not ok:
        abort(404)
    return assessment


def action_or_404(action_id: int, need: str = "member") -> Action:
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    if need == "member" and action.ward_id not in member_ward_ids(current_user):
        abort(404)
    if need == "read" and not can_read_assessment(current_user, action.assessment):
        abort(404)
    return action


def provider_or_404(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or not current_user.is_admin:
        abort(404)
    return provider


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not current_user.is_admin:
        abort(404)
    return user


def wards_for_member(user) -> list[Ward]:
    return list(
        db.session.scalars(
            select(Ward)
            .join(WardMembership)
            .where(WardMembership.user_id == user.id)
            .order_by(Ward.name)
        )
    )


def commissioned_wards_query(user):
    """A select of the wards in a commissioner's remit (the review blueprint builds on it)."""
    return (
        select(Ward)
        .join(CommissionerRemit, CommissionerRemit.provider_id == Ward.provider_id)
        .where(CommissionerRemit.user_id == user.id)
    )

"""Every route in the URL map, with arguments filled from seeded objects, and an oracle of
who may reach each object, written independently of app/access.py so that it checks it.

A new route is covered automatically. If one of its URL arguments is not known here the route
walk fails, naming it: add a way to fill the argument (and an oracle for its object) below.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from app import frameworks
from app.extensions import db
from app.models import (
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

MISSING_ID = 987654
# Routes not probed by method, and why.
SKIP = {
    ("auth.logout", "POST"): "signs the client out; tested on its own",
    ("static", "GET"): "public files",
}


@dataclass(frozen=True)
class Target:
    """One object a URL argument points at: its kind and id (the id may not exist)."""

    kind: str
    id: int


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    url: str
    targets: tuple[Target, ...]
    rule: str  # the view's access rule


# --- independent view of roles and remits ------------------------------------------------


def _memberships(user: User) -> dict[int, str]:
    rows = db.session.execute(
        db.select(WardMembership.ward_id, WardMembership.role).where(
            WardMembership.user_id == user.id
        )
    ).all()
    return dict(rows)


def _remit_providers(user: User) -> set[int]:
    return set(
        db.session.scalars(
            db.select(CommissionerRemit.provider_id).where(CommissionerRemit.user_id == user.id)
        )
    )


def has_rule(user: User | None, rule: str) -> bool:
    if rule == "public":
        return True
    if user is None:
        return False
    if rule == "signed-in":
        return True
    admin, commissioner, member = (
        user.is_admin,
        bool(_remit_providers(user)),
        bool(_memberships(user)),
    )
    return {
        "admin": admin,
        "commissioner": commissioner,
        "ward": member,
        "ward-or-reviewer": member or commissioner or admin,
    }.get(rule, False)


def _ward_reachable(user: User, ward: Ward, write: bool) -> bool:
    if ward.id in _memberships(user):
        return True
    if write:
        return False
    return user.is_admin or ward.provider_id in _remit_providers(user)


def _assessment_reachable(user: User, assessment: Assessment, write: bool) -> bool:
    if assessment.ward_id in _memberships(user):
        return True
    if write or assessment.status != SUBMITTED:
        return False  # reviewers read submitted assessments only, and change nothing
    return user.is_admin or assessment.ward.provider_id in _remit_providers(user)


def reachable(user: User, target: Target, write: bool, rule: str) -> bool:
    """The most a user may reach: outside this the answer must be 404.

    `write` is a POST. On an administrator-only route an administrator reaches anything that
    exists; nobody reaches an object that does not exist.
    """
    model = {
        "ward": Ward,
        "assessment": Assessment,
        "action": Action,
        "provider": Provider,
        "user": User,
        "membership": WardMembership,
        "remit": CommissionerRemit,
    }[target.kind]
    obj = db.session.get(model, target.id)
    if obj is None:
        return False
    if rule == "admin":
        return user.is_admin
    if target.kind == "ward":
        return _ward_reachable(user, obj, write)
    if target.kind == "assessment":
        return _assessment_reachable(user, obj, write)
    if target.kind == "action":
        return _assessment_reachable(user, obj.assessment, write) and (
            not write or obj.ward_id in _memberships(user)
        )
    if target.kind == "provider":
        if user.is_admin and not write:
            return True
        return obj.id in _remit_providers(user) and not write
    if target.kind == "user":
        if user.is_admin or obj.id == user.id:
            return True
        led = {w for w, role in _memberships(user).items() if role == ROLE_LEAD}
        return bool(led & set(_memberships(obj)))
    if target.kind == "membership":
        role = _memberships(user).get(obj.ward_id)
        return role == ROLE_LEAD if write else role is not None
    if target.kind == "remit":
        return obj.user_id == user.id and not write
    raise AssertionError(target)


# --- filling URL arguments ---------------------------------------------------------------


def _candidates(seeded) -> dict[str, list[Target]]:
    w = seeded.world
    return {
        "ward_id": [Target("ward", x.id) for x in (w.oak, w.ash, w.willow)]
        + [Target("ward", MISSING_ID)],
        "assessment_id": [Target("assessment", a.id) for a in seeded.assessments.values()]
        + [Target("assessment", MISSING_ID)],
        "action_id": [Target("action", a.id) for a in seeded.actions.values()]
        + [Target("action", MISSING_ID)],
        "provider_id": [Target("provider", p.id) for p in (w.northfield, w.southbay)]
        + [Target("provider", MISSING_ID)],
        "user_id": [
            Target("user", u.id) for u in (w.oak_member, w.willow_lead, w.admin, w.commissioner)
        ]
        + [Target("user", MISSING_ID)],
        "membership_id": [
            Target("membership", m.id)
            for m in db.session.scalars(
                db.select(WardMembership).where(
                    WardMembership.user_id.in_([w.oak_member.id, w.willow_lead.id])
                )
            )
        ]
        + [Target("membership", MISSING_ID)],
        "remit_id": [
            Target("remit", r.id) for r in db.session.scalars(db.select(CommissionerRemit))
        ]
        + [Target("remit", MISSING_ID)],
    }


# Arguments that only pick a part of an object named by another argument.
def _derived(name: str, values: dict, seeded) -> str | None:
    framework = frameworks.latest()
    if name == "domain_id":
        return framework.domains[0].id
    if name == "item_id":
        return framework.items[0].id
    if name == "token":
        return seeded.reset_token
    if name == "change":
        return "reactivate"  # the harmless one of the account changes
    return None


def probes(app, seeded, methods=("GET", "POST")) -> tuple[list[Probe], list[str]]:
    """Every (route, method, filled arguments). Returns the probes and the routes whose
    arguments could not be filled."""
    from flask import url_for

    candidates = _candidates(seeded)
    out: list[Probe] = []
    unfilled: list[str] = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", None)
        for method in sorted(rule.methods & set(methods)):
            if (rule.endpoint, method) in SKIP:
                continue
            remit_args = [a for a in sorted(rule.arguments) if a in candidates]
            other = [a for a in sorted(rule.arguments) if a not in remit_args]
            unknown = [a for a in other if _derived(a, {}, seeded) is None]
            if unknown:
                unfilled.append(f"{rule.rule} ({', '.join(unknown)})")
                continue
            choices = [candidates[a] for a in remit_args] or [[]]
            combos = itertools.product(*choices) if remit_args else [()]
            for combo in combos:
                if sum(t.id == MISSING_ID for t in combo) > 1:
                    continue  # one missing object is enough to answer 404
                values = {a: t.id for a, t in zip(remit_args, combo, strict=True)}
                for a in other:
                    values[a] = _derived(a, values, seeded)
                with app.test_request_context():
                    url = url_for(rule.endpoint, **values)
                out.append(Probe(rule.endpoint, method, url, tuple(combo), access or ""))
    return out, unfilled

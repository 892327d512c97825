"""Demo data: two providers, three wards, five accounts and realistic assessments."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import select

from . import frameworks
from .assessments import services
from .auth.passwords import hash_password
from .extensions import db
from .models import (
    ROLE_LEAD,
    ROLE_MEMBER,
    Action,
    CommissionerRemit,
    Provider,
    User,
    Ward,
    WardMembership,
    utcnow,
)

DEMO_PASSWORD = "demo-password-1"

ACCOUNTS = [
    ("admin@example.org", "Alex Admin", "admin"),
    ("commissioner@example.org", "Chris Commissioner", "commissioner"),
    ("oak.lead@example.org", "Olivia Oak (ward manager)", "oak-lead"),
    ("oak.member@example.org", "Omar Oak (staff nurse)", "oak-member"),
    ("willow.lead@example.org", "Wendy Willow (ward manager)", "willow-lead"),
]


def user(email: str, name: str, admin: bool = False) -> User:
    u = User(
        email=email,
        name=name,
        password_hash=hash_password(DEMO_PASSWORD),
        is_admin=admin,
        session_token=secrets.token_hex(16),
    )
    db.session.add(u)
    return u


def demo_answers(
    framework,
    seed: int,
    blanket_share: float,
    justified_share: float,
    individual_share: float,
    only_first: int | None = None,
) -> dict:
    """Answers that look like a real ward's: some restrictions gone, some individualised,
    some blanket, with and without the safeguards."""
    rng = random.Random(seed)
    answers = {}
    for n, item in enumerate(framework.items):
        if only_first is not None and n >= only_first:
            break
        roll = rng.random()
        if roll < blanket_share:
            justified = rng.random() < justified_share
            values = {"in-place": "everyone"}
            for q in item.questions[1:]:
                if q.type == "yes_no":
                    values[q.id] = "yes" if justified or rng.random() < 0.3 else "no"
                elif q.type in ("single", "multiple") and q.options:
                    chosen = rng.choice(q.options).id
                    values[q.id] = [chosen] if q.type == "multiple" else chosen
            if values.get("reviewed-in-period") == "yes":
                values["last-review-date"] = (
                    utcnow().date() - timedelta(days=rng.randint(20, 300))
                ).isoformat()
        elif roll < blanket_share + individual_share:
            values = {"in-place": "individual"}
        else:
            values = {"in-place": "not-in-place"}
        answers[item.id] = services.visible_values(framework, item.id, values)
    return answers


def _assessment(ward, lead, framework, answers, days_ago: int | None, evidence: bool = True):
    assessment = services.start(ward, lead)
    for item_id, values in answers.items():
        services.save_item(
            assessment,
            item_id,
            services.ItemInput(
                values=values,
                evidence="Ward policy folder and community meeting minutes"
                if evidence and values.get("in-place") == "everyone"
                else "",
                comment="",
                based_on_version=0,
            ),
            lead,
        )
    if days_ago is None:
        return assessment
    db.session.refresh(assessment)
    services.submit(assessment, lead)
    when = utcnow() - timedelta(days=days_ago)
    assessment.created_at = when - timedelta(days=14)
    assessment.submitted_at = when
    for action in db.session.scalars(
        select(Action).where(Action.origin_assessment_id == assessment.id)
    ):
        offset = action.due_date - utcnow().date() if action.due_date else timedelta(0)
        action.due_date = when.date() + offset
    db.session.commit()
    return assessment


def seed() -> bool:
    """Create the demo data once. Returns False when it is already there."""
    if db.session.scalar(select(User).where(User.email == "admin@example.org")):
        return False
    framework = frameworks.latest()
    northfield = Provider(name="Northfield NHS Foundation Trust")
    southbay = Provider(name="Southbay Healthcare")
    oak = Ward(name="Oak Ward", provider=northfield)
    ash = Ward(name="Ash Ward", provider=northfield)
    willow = Ward(name="Willow Ward", provider=southbay)
    db.session.add_all([northfield, southbay, oak, ash, willow])
    users = {key: user(email, name, admin=key == "admin") for email, name, key in ACCOUNTS}
    db.session.flush()
    db.session.add_all(
        [
            CommissionerRemit(user_id=users["commissioner"].id, provider_id=northfield.id),
            WardMembership(user_id=users["oak-lead"].id, ward_id=oak.id, role=ROLE_LEAD),
            WardMembership(user_id=users["oak-member"].id, ward_id=oak.id, role=ROLE_MEMBER),
            WardMembership(user_id=users["willow-lead"].id, ward_id=willow.id, role=ROLE_LEAD),
        ]
    )
    db.session.commit()

    lead = users["oak-lead"]
    # Oak Ward: a restrictive first assessment, a better one seven months later, a draft now.
    _assessment(oak, lead, framework, demo_answers(framework, 1, 0.45, 0.25, 0.25), days_ago=270)
    second = _assessment(
        oak, lead, framework, demo_answers(framework, 2, 0.25, 0.45, 0.35), days_ago=60
    )
    # Some of the plan is under way, some done, some overdue.
    rng = random.Random(3)
    for action in db.session.scalars(select(Action).where(Action.assessment_id == second.id)):
        roll = rng.random()
        if roll < 0.25:
            action.status = "done"
        elif roll < 0.55:
            action.status = "in-progress"
            action.owner_user_id = users["oak-member"].id
        elif roll < 0.6:
            action.status = "not-doing"
            action.not_doing_reason = (
                "Agreed with the matron: the garden works are planned for next year."
            )
    db.session.commit()
    _assessment(
        oak,
        users["oak-member"],
        framework,
        demo_answers(framework, 4, 0.2, 0.5, 0.35, only_first=23),
        days_ago=None,
    )
    # Willow Ward: one submitted assessment.
    _assessment(
        willow,
        users["willow-lead"],
        framework,
        demo_answers(framework, 5, 0.35, 0.3, 0.3),
        days_ago=120,
    )
    return True

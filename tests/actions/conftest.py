"""Submitted assessments with plans, for the action plan tests."""

from __future__ import annotations

import pytest

from app import frameworks
from app.extensions import db
from app.models import Action
from tests.helpers import answers_for, make_assessment


def blanket_answers(app, item_ids=None):
    framework = frameworks.latest()
    answers = answers_for(framework)
    worst = answers_for(framework, "everyone", "no")
    # One restriction in each of the first three sections.
    for item_id in item_ids or [d.items[0].id for d in framework.domains[:3]]:
        answers[item_id] = worst[item_id]
    return answers


@pytest.fixture
def oak_plan(app, world):
    """Oak Ward's submitted assessment with three blanket, unjustified restrictions."""
    return make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)


def actions_of(assessment) -> list[Action]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Action).where(Action.assessment_id == assessment.id).order_by(Action.id)
        )
    )


def team_input(text: str, status: str = "not-started", lived_experience: bool | None = None):
    """What the team types for an action of its own, owned by someone outside the team."""
    from datetime import date

    from app.actions.services import ActionInput

    return ActionInput(
        text=text,
        priority="medium",
        owner_user_id=None,
        owner_name="Sam Ward",
        due_date=date(2027, 1, 31),
        status=status,
        not_doing_reason="",
        notes="",
        review_date=None,
        lived_experience=lived_experience,
    )

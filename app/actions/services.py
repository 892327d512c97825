"""The action plan: created from the engine's plan when an assessment is submitted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import audit
from ..engine import Framework, plan
from ..extensions import db
from ..models import OPEN_ACTION_STATUSES, Action, Assessment, User, utcnow


def create_plan(
    assessment: Assessment, framework: Framework, answers: dict, user: User
) -> list[Action]:
    """Add the framework's triggered actions to the ward's plan.

    Open actions the ward already has for the same restriction and action carry forward to
    this assessment instead of being duplicated.
    """
    today = (assessment.submitted_at or utcnow()).date()
    open_by_key = {
        a.action_key: a
        for a in db.session.scalars(
            select(Action).where(
                Action.ward_id == assessment.ward_id,
                Action.status.in_(OPEN_ACTION_STATUSES),
                Action.action_key.is_not(None),
            )
        )
    }
    created = []
    for planned in plan(framework, answers):
        existing = open_by_key.get(planned.key)
        if existing is not None:
            if existing.assessment_id != assessment.id:
                audit.record(
                    "carry-forward",
                    existing,
                    before={"assessment_id": existing.assessment_id},
                    after={"assessment_id": assessment.id},
                    ward_id=assessment.ward_id,
                    assessment_id=assessment.id,
                    user=user,
                )
                existing.assessment_id = assessment.id
            continue
        action = Action(
            ward_id=assessment.ward_id,
            assessment_id=assessment.id,
            origin_assessment_id=assessment.id,
            item_id=planned.item_id,
            domain_id=planned.domain_id,
            action_key=planned.key,
            text=planned.text,
            priority=planned.priority,
            due_date=today + timedelta(days=planned.due_days),
            review_date=today + timedelta(days=30 * framework.review_period_months),
            source="framework",
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        db.session.add(action)
        created.append(action)
    db.session.flush()
    for action in created:
        audit.record(
            "create",
            action,
            after={
                "text": action.text,
                "priority": action.priority,
                "due_date": str(action.due_date),
            },
            ward_id=assessment.ward_id,
            assessment_id=assessment.id,
            user=user,
        )
    return created

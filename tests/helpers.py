"""Helpers tests share: answering and submitting assessments through the service layer."""

from __future__ import annotations

from app import frameworks
from app.assessments import services
from app.extensions import db
from app.models import Assessment


def answers_for(framework, status: str = "not-in-place", safeguards: str = "no") -> dict:
    """The same answer for every item: not-in-place, individual, or everyone (blanket) with
    every safeguard question answered `safeguards`."""
    answers = {}
    for item in framework.items:
        values = {"in-place": status}
        if status == "everyone":
            for q in item.questions[1:]:
                if q.type == "yes_no":
                    values[q.id] = safeguards
                elif q.type == "single" and q.options:
                    values[q.id] = q.options[-1].id
                elif q.type == "multiple" and q.options:
                    values[q.id] = [q.options[-1].id]
        answers[item.id] = services.visible_values(framework, item.id, values)
    return answers


def make_assessment(
    ward, user, answers: dict | None = None, submit: bool = False, version: str | None = None
) -> Assessment:
    """Start an assessment for a ward, save the given answers, and optionally submit it.

    `version` pins it to an older framework version than the newest.
    """
    assessment = services.start(ward, user)
    if version is not None:
        assessment.framework_version = version
        db.session.commit()
    framework = frameworks.for_assessment(assessment)
    if answers is None:
        answers = answers_for(framework)
    for item_id, values in answers.items():
        services.save_item(
            assessment,
            item_id,
            services.ItemInput(values=values, evidence="", comment="", based_on_version=0),
            user,
        )
    if submit:
        db.session.refresh(assessment)
        services.submit(assessment, user)
    return assessment

"""Two app servers, one database: a save that arrives after the lead submitted is refused, a
submission scores the answers as saved (not a copy loaded before), and a ward never has two
drafts. Each test plays the other server's part with its own connection."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app import frameworks
from app.assessments import services
from app.extensions import db
from app.models import DRAFT, SUBMITTED, Answer, Assessment
from tests.helpers import answers_for

from .conftest import quick_assessment


def other_server(statement) -> None:
    with db.engine.begin() as conn:
        conn.execute(statement)


def a_blanket_draft(world):
    framework = frameworks.latest()
    answers = answers_for(framework, status="everyone", safeguards="no")
    return framework, answers, quick_assessment(world.oak, world.oak_lead, answers)


def test_a_save_that_arrives_after_the_submission_is_refused_and_changes_nothing(app, world):
    framework, answers, assessment = a_blanket_draft(world)
    item_id, assessment_id = framework.items[0].id, assessment.id
    db.session.commit()  # this server holds no transaction while the other one writes
    other_server(update(Assessment).where(Assessment.id == assessment_id).values(status=SUBMITTED))
    # This request loaded the assessment before the other server's submission committed.
    set_committed_value(assessment, "status", DRAFT)
    answer = db.session.scalar(
        db.select(Answer).where(Answer.assessment_id == assessment.id, Answer.item_id == item_id)
    )
    data = services.ItemInput(
        values={"in-place": "not-in-place"},
        evidence="",
        comment="",
        based_on_version=answer.version,
    )
    with pytest.raises(services.NotDraft):
        services.save_item(assessment, item_id, data, world.oak_member)
    db.session.expire_all()
    assert answer.values["in-place"] == "everyone"


def test_a_submission_scores_the_answers_as_saved_not_as_first_loaded(app, world):
    framework, answers, assessment = a_blanket_draft(world)
    item_id, assessment_id = framework.items[0].id, assessment.id
    db.session.commit()  # this server holds no transaction while the other one writes
    other_server(
        update(Answer)
        .where(Answer.assessment_id == assessment_id, Answer.item_id == item_id)
        .values(values={"in-place": "not-in-place"}, version=Answer.version + 1)
    )
    # This request had read that answer before the other server's save committed.
    answer = db.session.scalar(
        db.select(Answer).where(Answer.assessment_id == assessment.id, Answer.item_id == item_id)
    )
    set_committed_value(answer, "values", answers[item_id])
    db.session.refresh(assessment, ["status"])
    assert services.submit(assessment, world.oak_lead)
    db.session.expire_all()
    found = {r.item_id for r in assessment.result.restrictions}
    assert item_id not in found
    can_be = [i for i in framework.items if i.can_be_blanket]
    assert len(found) == len(can_be) - 1


def test_the_database_refuses_a_second_draft_for_a_ward(app, world):
    services.start(world.oak, world.oak_lead)
    db.session.add(
        Assessment(
            ward_id=world.oak.id,
            framework_id="blanket-restrictions",
            framework_version="1.1.0",
            created_by_id=world.oak_lead.id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_leads_starting_at_once_share_one_draft(app, world, monkeypatch):
    theirs = services.start(world.oak, world.oak_lead)
    # This lead's request looked for a draft just before the other lead's was committed.
    real, calls = services.draft_for, []

    def first_misses(ward):
        calls.append(ward)
        return None if len(calls) == 1 else real(ward)

    monkeypatch.setattr(services, "draft_for", first_misses)
    mine = services.start(world.oak, world.oak_member)
    assert mine.id == theirs.id
    drafts = db.session.scalars(
        db.select(Assessment).where(Assessment.ward_id == world.oak.id, Assessment.status == DRAFT)
    ).all()
    assert [a.id for a in drafts] == [theirs.id]


def test_reopening_while_another_lead_starts_a_draft_is_refused_with_a_reason(
    app, world, monkeypatch
):
    framework = frameworks.latest()
    submitted = quick_assessment(
        world.oak, world.oak_lead, answers_for(framework, "not-in-place"), submit=True
    )
    services.start(world.oak, world.oak_lead)  # another lead's new draft
    # This lead's request checked for a draft just before the other one was committed.
    monkeypatch.setattr(services, "draft_for", lambda ward: None)
    with pytest.raises(services.CannotReopen, match="already has an assessment in progress"):
        services.reopen(submitted, world.oak_member, "A typo")
    db.session.expire_all()
    assert submitted.status == SUBMITTED

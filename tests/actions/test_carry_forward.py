"""What a ward's next assessment does with the actions of its last one: every open action comes
along (nothing drops out of sight), a closed one is not suggested twice, and only the latest
assessment can be reopened."""

from __future__ import annotations

import pytest

from app import frameworks
from app.actions import services as action_services
from app.assessments import services
from app.extensions import db
from app.models import Action, AuditEvent
from tests.actions.conftest import actions_of, blanket_answers, team_input
from tests.helpers import make_assessment


def team_action(assessment, user, text: str) -> Action:
    data = team_input(text, status="in-progress", lived_experience=True)
    action = action_services.add_action(
        assessment, frameworks.for_assessment(assessment), "", data, user
    )
    db.session.commit()
    return action


def test_the_teams_own_actions_and_those_no_longer_suggested_come_to_the_new_plan(
    app, world, oak_plan
):
    first = actions_of(oak_plan)
    ours = team_action(oak_plan, world.oak_lead, "Ask the patients' council about the garden")
    dropped_item = first[-1].item_id  # a restriction the ward lifts before the next assessment
    closed = next(a for a in first if a.item_id == dropped_item)
    closed.status = "done"
    db.session.commit()
    still_open = [a.id for a in first if a.item_id == dropped_item and a.id != closed.id]
    assert still_open

    kept = [i for i in dict.fromkeys(a.item_id for a in first) if i != dropped_item]
    again = make_assessment(world.oak, world.oak_lead, blanket_answers(app, kept), submit=True)

    second = {a.id: a for a in actions_of(again)}
    assert ours.id in second and second[ours.id].text.startswith("Ask the patients' council")
    assert set(still_open) <= set(second)  # open, though the new answers no longer call for it
    assert closed.id not in second  # a done action stays with the plan it was done in
    assert {a.id for a in actions_of(oak_plan)} == {closed.id}
    moved = db.session.scalars(
        db.select(AuditEvent.object_id).where(
            AuditEvent.event == "carry-forward", AuditEvent.assessment_id == again.id
        )
    ).all()
    assert {str(ours.id), *map(str, still_open)} <= set(moved)


def test_resubmitting_a_reopened_assessment_does_not_suggest_a_closed_action_again(
    app, world, oak_plan
):
    before = actions_of(oak_plan)
    before[0].status = "done"
    db.session.commit()
    assert services.reopen(oak_plan, world.oak_lead, "A typo in the evidence")
    db.session.refresh(oak_plan)
    assert services.submit(oak_plan, world.oak_lead)
    after = actions_of(oak_plan)
    assert [a.id for a in after] == [a.id for a in before]  # the same rows, none added
    assert [a.action_key for a in after].count(before[0].action_key) == 1


def test_only_the_latest_submitted_assessment_can_be_reopened(
    app, client, world, login_as, oak_plan
):
    newer = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    login_as(world.oak_lead)
    response = client.post(f"/assessments/{oak_plan.id}/reopen", data={"reason": "Wrong ward"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Only the ward&#39;s latest submitted assessment can be reopened" in page
    assert "There is a problem" in page
    db.session.expire_all()
    assert not oak_plan.is_draft
    with pytest.raises(services.CannotReopen):
        services.reopen(oak_plan, world.oak_lead, "Wrong ward")
    # the latest one still can be
    response = client.post(f"/assessments/{newer.id}/reopen", data={"reason": "A typo"})
    assert response.status_code == 302
    db.session.expire_all()
    assert newer.is_draft


def test_a_review_date_is_whole_calendar_months_after_the_submission(app, world, oak_plan):
    submitted = oak_plan.submitted_at.date()
    assert frameworks.for_assessment(oak_plan).review_period_months == 12
    if (submitted.month, submitted.day) == (2, 29):
        pytest.skip("a year after 29 February is tested in tests/engine/test_dates.py")
    year_on = submitted.replace(year=submitted.year + 1)  # not 360 days on
    assert {a.review_date for a in actions_of(oak_plan)} == {year_on}

"""An action added while the ward's next assessment is being submitted is never left behind
on the old plan (open, counted for the ward, but on no plan the team sees): the two take turns
on the ward, so it is either carried forward with the others or refused with a message."""

from __future__ import annotations

import threading

from app import frameworks
from app.actions import services as action_services
from app.assessments import services
from app.extensions import db
from app.models import SUBMITTED, Action, Assessment, User, utcnow
from tests.actions.conftest import blanket_answers, team_input
from tests.actions.test_changing_the_plan import new_action
from tests.helpers import make_assessment


def in_another_request(app, work) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        with app.app_context():
            try:
                outcome["result"] = work()
                db.session.commit()
            except action_services.NotCurrentPlan:
                db.session.rollback()
                outcome["refused"] = True
            except Exception as error:  # a deadlock, say: reported to the test, not lost
                db.session.rollback()
                outcome["error"] = repr(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_an_action_added_during_a_submission_is_refused_not_left_behind(app, world, oak_plan):
    old_id, lead_id = oak_plan.id, world.oak_lead.id
    draft = make_assessment(world.oak, world.oak_lead, blanket_answers(app))
    # The submission is under way: the draft is marked submitted and its plan is being made.
    draft.status, draft.submitted_at = SUBMITTED, utcnow()
    db.session.flush()
    framework = frameworks.for_assessment(draft)
    action_services.create_plan(draft, framework, services.answers_map(draft), world.oak_lead)

    def add_to_old_plan():
        old = db.session.get(Assessment, old_id)
        return action_services.add_action(
            old, frameworks.for_assessment(old), "", team_input("Late"),
            db.session.get(User, lead_id),
        )  # fmt: skip

    thread, outcome = in_another_request(app, add_to_old_plan)
    thread.join(timeout=1.0)
    assert thread.is_alive(), "adding must wait for the submission"
    db.session.commit()
    thread.join(timeout=30)
    assert outcome == {"refused": True}
    assert db.session.scalar(db.select(Action).where(Action.text == "Late")) is None


def test_an_action_added_just_before_a_submission_is_carried_forward(app, world, oak_plan):
    lead_id = world.oak_lead.id
    draft = make_assessment(world.oak, world.oak_lead, blanket_answers(app))
    draft_id = draft.id
    # The team's action is being added and not yet committed when the lead submits.
    added = action_services.add_action(
        oak_plan, frameworks.for_assessment(oak_plan), "", team_input("Early"),
        world.oak_lead,
    )  # fmt: skip
    added_id = added.id

    def submit():
        return services.submit(db.session.get(Assessment, draft_id), db.session.get(User, lead_id))

    thread, outcome = in_another_request(app, submit)
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the submission must wait for the action being added"
    db.session.commit()
    thread.join(timeout=30)
    assert "result" in outcome
    db.session.expire_all()
    assert db.session.get(Action, added_id).assessment_id == draft_id


def test_an_action_edit_saved_during_a_submission_neither_deadlocks_nor_is_lost(
    app, world, oak_plan
):
    """The edit has updated its action and not yet committed (its audit event, which points
    at the ward, is written at the commit) when the lead submits: the submission waits for
    the action, then carries it forward with the edit in it."""
    lead_id = world.oak_lead.id
    draft = make_assessment(world.oak, world.oak_lead, blanket_answers(app))
    draft_id = draft.id
    action = db.session.scalar(
        db.select(Action).where(Action.assessment_id == oak_plan.id).order_by(Action.id)
    )
    action_id = action.id
    assert action_services.update_action(
        action, team_input("Edited while submitting"), action.version, world.oak_lead
    )

    def submit():
        return services.submit(db.session.get(Assessment, draft_id), db.session.get(User, lead_id))

    thread, outcome = in_another_request(app, submit)
    thread.join(timeout=1.0)
    db.session.commit()
    thread.join(timeout=30)
    assert not thread.is_alive() and "result" in outcome, outcome
    db.session.expire_all()
    edited = db.session.get(Action, action_id)
    assert edited.text == "Edited while submitting" and edited.assessment_id == draft_id


def test_an_action_refused_that_way_is_shown_again_with_where_to_add_it(
    app, client, world, login_as, oak_plan, monkeypatch
):
    """The page's own check passed (the plan was current when the request began) and the
    submission then won the race: what was typed comes back, with a link to the new plan."""
    newer = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    real = action_services.is_current_plan
    calls = []

    def current_at_first(assessment):
        calls.append(assessment.id)
        return len(calls) == 1 or real(assessment)

    monkeypatch.setattr(action_services, "is_current_plan", current_at_first)
    login_as(world.oak_member)
    response = client.post(
        f"/assessments/{oak_plan.id}/plan/add",
        data=new_action(text="Typed at length about the garden rota"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:2000]
    assert "This plan has been replaced" in page
    assert "Typed at length about the garden rota" in page
    assert f'href="/assessments/{newer.id}/plan/add"' in page
    assert db.session.scalar(db.select(Action).where(Action.text.contains("garden rota"))) is None

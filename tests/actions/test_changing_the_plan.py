"""Changing a plan: only the ward's current plan takes new or changed actions, an owner who has
left the team stays the owner, every action keeps a due date, and the team comes back to the
plan as they had filtered it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.assessments import services as assessment_services
from app.extensions import db
from app.models import Action, User, WardMembership
from tests.actions.conftest import actions_of, blanket_answers
from tests.actions.test_plan import edit_data
from tests.helpers import make_assessment


def new_action(**changes) -> dict:
    data = {
        "text": "Ask the patients' council about garden hours",
        "priority": "high",
        "owner": "",
        "owner_name": "",
        "due_date[day]": "1",
        "due_date[month]": "6",
        "due_date[year]": "2030",
        "status": "not-started",
        "lived_experience": "yes",
    }
    data.update(changes)
    return data


def team_actions(assessment) -> list[Action]:
    return [a for a in actions_of(assessment) if a.source == "team"]


def refusal(client, response, plan) -> str:
    """The message a refused change leaves on the plan it was sent back to."""
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assessments/{plan.id}/plan"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'app-flash--info".*?<p>(.*?)</p>', html, re.S).group(1)


# --- only the current plan changes ---------------------------------------------------------


def test_an_earlier_plan_is_read_only_and_points_to_the_current_one(
    app, client, world, login_as, oak_plan
):
    closed = actions_of(oak_plan)[0]
    closed.status = "done"  # a done action stays with the plan it was done in
    db.session.commit()
    newer = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    login_as(world.oak_member)

    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert f'id="action-{closed.id}"' in html
    assert "Add an action" not in html and "/edit" not in html
    assert "This plan is from an earlier assessment, so its actions cannot be changed." in html
    assert f'<a href="/assessments/{newer.id}/plan">current action plan</a>' in html

    html = client.get(f"/assessments/{newer.id}/plan").get_data(as_text=True)
    assert "Add an action" in html and "/edit" in html
    assert "earlier assessment" not in html


def test_an_action_cannot_be_added_to_an_earlier_plan(app, client, world, login_as, oak_plan):
    newer = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    login_as(world.oak_member)
    response = client.post(f"/assessments/{oak_plan.id}/plan/add", data=new_action())
    assert refusal(client, response, oak_plan) == (
        "Actions can only be added to the ward&#39;s current plan. Your action has not been added."
    )
    assert team_actions(oak_plan) == [] and team_actions(newer) == []
    # the page to add one is not offered either
    response = client.get(f"/assessments/{oak_plan.id}/plan/add")
    assert response.headers["Location"] == f"/assessments/{oak_plan.id}/plan"
    # on the current plan it is added
    assert client.post(f"/assessments/{newer.id}/plan/add", data=new_action()).status_code == 302
    assert len(team_actions(newer)) == 1


def test_a_closed_action_on_an_earlier_plan_cannot_be_reopened(
    app, client, world, login_as, oak_plan
):
    closed = actions_of(oak_plan)[0]
    closed.status = "done"
    db.session.commit()
    make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    login_as(world.oak_member)
    response = client.post(
        f"/actions/{closed.id}/edit", data=edit_data(closed, status="in-progress")
    )
    assert refusal(client, response, oak_plan) == (
        "This action is on an earlier plan, so it cannot be changed. "
        "Your changes have not been saved."
    )
    saved = db.session.get(Action, closed.id)
    db.session.refresh(saved)
    assert (saved.status, saved.assessment_id) == ("done", oak_plan.id)


def test_a_reopened_assessment_keeps_its_plan_current(app, client, world, login_as, oak_plan):
    newer = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    assert assessment_services.reopen(newer, world.oak_lead, "A typo in the evidence")
    login_as(world.oak_member)
    html = client.get(f"/assessments/{newer.id}/plan").get_data(as_text=True)
    assert "Add an action" in html and "cannot be changed" not in html
    assert client.post(f"/assessments/{newer.id}/plan/add", data=new_action()).status_code == 302
    assert len(team_actions(newer)) == 1
    # the plan it replaced is still an earlier one
    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert f'<a href="/assessments/{newer.id}/plan">current action plan</a>' in html
    client.post(f"/assessments/{oak_plan.id}/plan/add", data=new_action())
    assert team_actions(oak_plan) == []


def test_a_new_draft_has_no_plan_of_its_own_yet(app, client, world, login_as, oak_plan):
    draft = assessment_services.start(world.oak, world.oak_lead)
    login_as(world.oak_member)
    client.post(f"/assessments/{draft.id}/plan/add", data=new_action())
    assert team_actions(draft) == []
    html = client.get(f"/assessments/{draft.id}/plan").get_data(as_text=True)
    assert "This assessment has not been submitted yet" in html
    assert f'<a href="/assessments/{oak_plan.id}/plan">current action plan</a>' in html
    # the submitted plan is still the one the team works on
    assert "Add an action" in client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)


# --- an owner who has left -----------------------------------------------------------------


def selected_owner(html: str) -> tuple[str, str]:
    select = re.search(r'<select[^>]*name="owner".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    chosen = [
        (value, label.strip()) for value, attributes, label in options if "selected" in attributes
    ]
    return chosen[0] if chosen else (options[0][0], options[0][2].strip())  # as a browser does


@pytest.mark.parametrize("how", ["left the ward", "deactivated"])
def test_an_owner_no_longer_on_the_team_stays_the_owner_when_the_status_changes(
    client, world, login_as, oak_plan, how
):
    action = actions_of(oak_plan)[0]
    action.owner_user_id = world.oak_member.id
    db.session.commit()
    if how == "left the ward":
        db.session.execute(
            db.delete(WardMembership).where(WardMembership.user_id == world.oak_member.id)
        )
    else:
        db.session.get(User, world.oak_member.id).active = False
    db.session.commit()
    login_as(world.oak_lead)
    html = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    owner, label = selected_owner(html)
    assert (owner, label) == (f"user-{world.oak_member.id}", "Omar Oak (no longer on the team)")

    response = client.post(
        f"/actions/{action.id}/edit", data=edit_data(action, owner=owner, status="in-progress")
    )
    assert response.status_code == 302
    saved = db.session.get(Action, action.id)
    db.session.refresh(saved)
    assert (saved.status, saved.owner_user_id) == ("in-progress", world.oak_member.id)
    assert "Omar Oak" in client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)


def test_someone_else_who_left_cannot_be_chosen_as_owner(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    login_as(world.oak_lead)
    response = client.post(
        f"/actions/{action.id}/edit", data=edit_data(action, owner=f"user-{world.outsider.id}")
    )
    assert response.status_code == 400
    assert "Select an owner from the list" in response.get_data(as_text=True)


# --- due dates -----------------------------------------------------------------------------

NO_DUE_DATE = {"due_date[day]": "", "due_date[month]": "", "due_date[year]": ""}


def test_an_overdue_action_keeps_its_due_date(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    late = date.today() - timedelta(days=3)
    action.due_date = late
    db.session.commit()
    login_as(world.oak_member)
    response = client.post(f"/actions/{action.id}/edit", data=edit_data(action, **NO_DUE_DATE))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Error: Change an action" in html
    assert re.search(r'<a href="#due_date-day"\s*>\s*Enter a due date', html)
    assert html.count("Enter a due date") == 2  # in the summary and by the date boxes
    marked = re.findall(r'<input class="([^"]*)" id="due_date-(\w+)"', re.sub(r"\s+", " ", html))
    assert [part for classes, part in marked if "nhsuk-input--error" in classes] == [
        "day",
        "month",
        "year",
    ]
    assert actions_of(oak_plan)[0].due_date == late
    assert "1 overdue" in client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)


def test_a_new_action_needs_a_due_date(client, world, login_as, oak_plan):
    login_as(world.oak_member)
    response = client.post(f"/assessments/{oak_plan.id}/plan/add", data=new_action(**NO_DUE_DATE))
    assert response.status_code == 400
    assert "Enter a due date" in response.get_data(as_text=True)
    assert team_actions(oak_plan) == []


# --- back to the filtered plan -------------------------------------------------------------


def test_after_a_change_the_team_is_back_on_the_plan_as_they_filtered_it(
    client, world, login_as, oak_plan
):
    action = actions_of(oak_plan)[0]
    login_as(world.oak_member)
    plan = f"/assessments/{oak_plan.id}/plan"
    html = client.get(plan, query_string={"status": "not-started", "domain": action.domain_id})
    change = re.search(
        rf'<a href="(/actions/{action.id}/edit[^"]*)"', html.get_data(as_text=True)
    ).group(1)
    filtered = f"{plan}?status=not-started&amp;domain={action.domain_id}"
    edit_page = client.get(change.replace("&amp;", "&")).get_data(as_text=True)
    assert f'class="nhsuk-back-link" href="{filtered}" > Back to the action plan' in re.sub(
        r"\s+", " ", edit_page
    )

    response = client.post(
        change.replace("&amp;", "&"), data=edit_data(action, status="in-progress")
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"{plan}?status=not-started&domain={action.domain_id}#action-{action.id}"
    )
    assert actions_of(oak_plan)[0].status == "in-progress"


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/assessments/{id}/plan?status=done",
        "//evil.example/assessments/{id}/plan?status=done",
        "/assessments/{other}/plan?status=done",
        "/logout?status=done",
        "/assessments/{id}/plan/../../../logout?status=done",
        "javascript:alert(1)",
    ],
)
def test_a_return_address_never_leaves_the_plan(app, client, world, login_as, oak_plan, return_to):
    action = actions_of(oak_plan)[0]
    willow = make_assessment(world.willow, world.willow_lead, blanket_answers(app), submit=True)
    return_to = return_to.format(id=oak_plan.id, other=willow.id)
    login_as(world.oak_member)
    response = client.post(
        f"/actions/{action.id}/edit",
        query_string={"return_to": return_to},
        data=edit_data(action, notes="Checked"),
    )
    assert response.headers["Location"] == f"/assessments/{oak_plan.id}/plan#action-{action.id}"


def test_only_the_plans_filters_are_kept_from_a_return_address(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    login_as(world.oak_member)
    plan = f"/assessments/{oak_plan.id}/plan"
    response = client.post(
        f"/actions/{action.id}/edit",
        query_string={"return_to": f"{plan}?status=done&next=https://evil.example"},
        data=edit_data(action, notes="Checked"),
    )
    assert response.headers["Location"] == f"{plan}?status=done#action-{action.id}"

"""The action plan page: who sees it, what it shows, filters, editing, adding, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from app import frameworks
from app.extensions import db
from app.models import Action, AuditEvent
from tests.actions.conftest import actions_of, blanket_answers
from tests.helpers import make_assessment


def edit_data(action, **changes) -> dict:
    data = {
        "text": action.text,
        "priority": action.priority,
        "owner": f"user-{action.owner_user_id}" if action.owner_user_id else "",
        "owner_name": action.owner_name,
        "due_date[day]": str(action.due_date.day) if action.due_date else "",
        "due_date[month]": str(action.due_date.month) if action.due_date else "",
        "due_date[year]": str(action.due_date.year) if action.due_date else "",
        "status": action.status,
        "not_doing_reason": action.not_doing_reason,
        "notes": action.notes,
        "review_date[day]": "",
        "review_date[month]": "",
        "review_date[year]": "",
        "lived_experience": "yes" if action.lived_experience else "no",
        "version": str(action.version),
    }
    data.update(changes)
    return data


def test_submitting_creates_a_plan_the_ward_team_sees(client, world, login_as, oak_plan):
    actions = actions_of(oak_plan)
    assert actions and all(a.ward_id == world.oak.id for a in actions)
    login_as(world.oak_member)
    page = client.get(f"/assessments/{oak_plan.id}/plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert actions[0].text in html
    assert "Add an action" in html
    assert f"/actions/{actions[0].id}/edit" in html
    assert "Download the action plan (PDF)" in html


def test_a_commissioner_reads_the_plan_without_edit_links(client, world, login_as, oak_plan):
    login_as(world.commissioner)
    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert actions_of(oak_plan)[0].text in html
    assert "/edit" not in html and "Add an action" not in html
    action = actions_of(oak_plan)[0]
    assert client.get(f"/actions/{action.id}/edit").status_code == 404
    assert client.post(f"/actions/{action.id}/edit", data=edit_data(action)).status_code == 404
    assert client.get(f"/assessments/{oak_plan.id}/plan/add").status_code == 404


def test_people_outside_the_ward_get_not_found(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    version = action.version
    for user in (world.outsider, world.willow_lead):
        login_as(user)
        for url in (
            f"/assessments/{oak_plan.id}/plan",
            f"/assessments/{oak_plan.id}/plan.csv",
            f"/assessments/{oak_plan.id}/plan.pdf",
            f"/assessments/{oak_plan.id}/report.pdf",
            f"/actions/{action.id}/edit",
        ):
            assert client.get(url).status_code == 404, (user.email, url)
        assert client.post(f"/actions/{action.id}/edit", data=edit_data(action)).status_code == 404
    assert actions_of(oak_plan)[0].version == version


def test_a_member_edits_an_action_and_the_change_is_audited(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    old_version = action.version
    login_as(world.oak_member)
    due = date.today() + timedelta(days=10)
    response = client.post(
        f"/actions/{action.id}/edit",
        data=edit_data(
            action,
            owner=f"user-{world.oak_lead.id}",
            status="in-progress",
            notes="Asked the community meeting <b>first</b>",
            **{
                "due_date[day]": str(due.day),
                "due_date[month]": str(due.month),
                "due_date[year]": str(due.year),
            },
            lived_experience="yes",
        ),
    )
    assert response.status_code == 302
    saved = db.session.get(Action, action.id)
    db.session.refresh(saved)
    assert (saved.owner_user_id, saved.status, saved.due_date) == (
        world.oak_lead.id,
        "in-progress",
        due,
    )
    assert saved.lived_experience and saved.version == old_version + 1
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.event == "update",
            AuditEvent.object_type == "action",
            AuditEvent.object_id == str(action.id),
        )
    ).one()
    assert event.actor == world.oak_member.email
    assert event.before["status"] == "not-started" and event.after["status"] == "in-progress"
    assert event.assessment_id == oak_plan.id
    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert "Asked the community meeting &lt;b&gt;first&lt;/b&gt;" in html
    assert "Olivia Oak" in html


def test_a_stale_edit_is_refused_and_shows_the_other_change(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    stale = edit_data(action, notes="Mine")
    login_as(world.oak_lead)
    assert (
        client.post(
            f"/actions/{action.id}/edit", data=edit_data(action, notes="Theirs")
        ).status_code
        == 302
    )
    login_as(world.oak_member)
    response = client.post(f"/actions/{action.id}/edit", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this action" in html and "Olivia Oak" in html
    assert "Theirs" in html and "Mine" in html  # their version, and what I typed
    # Said as an error, where a screen reader starts: the title, then a summary to the change.
    assert "<title>Error: Change an action" in html
    assert html.count('class="nhsuk-error-summary"') == 1
    assert re.search(
        r'<a href="#conflict"\s*>\s*Your changes have not been saved: Olivia Oak changed this action',
        html,
    )
    assert actions_of(oak_plan)[0].notes == "Theirs"


def test_edit_form_errors_are_summarised(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    version = action.version
    login_as(world.oak_member)
    response = client.post(
        f"/actions/{action.id}/edit",
        data=edit_data(
            action,
            text="",
            status="not-doing",
            owner="other",
            owner_name="",
            **{"due_date[day]": "31", "due_date[month]": "2", "due_date[year]": "2027"},
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    for message in (
        "Enter what the team will do",
        "Enter why the team is not doing this action",
        "Enter the name of the person who owns this action",
        "Due date must be a real date",
    ):
        assert message in html
    assert 'href="#due_date-day"' in html
    marked = re.findall(r'<input class="([^"]*)" id="due_date-(\w+)"', re.sub(r"\s+", " ", html))
    assert [part for classes, part in marked if "nhsuk-input--error" in classes] == ["day"]
    assert actions_of(oak_plan)[0].version == version


def test_the_optional_action_fields_say_so_and_only_they_do(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    login_as(world.oak_member)
    for url in (f"/actions/{action.id}/edit", f"/assessments/{oak_plan.id}/plan/add"):
        page = re.sub(r"\s+", " ", client.get(url).get_data(as_text=True))
        labels = re.findall(
            r'<(?:label|legend) class="nhsuk-(?:label|fieldset__legend)[^>]*> ?([^<]+?) ?</', page
        )
        optional = [label for label in labels if label.endswith("(optional)")]
        assert {"Owner (optional)", "Notes (optional)"} <= set(optional), url
        assert "Date the restriction is next reviewed (optional)" in optional, url
        for required in ("Action", "Priority", "Due date", "Status"):
            assert required in labels, (url, required)
        # each text box says how much it takes, in the hint read out with it
        for box in ("text", "not_doing_reason", "notes"):
            hint = re.search(rf'id="{box}-hint"[^>]*> ?([^<]+?) ?</', page)
            assert hint and hint.group(1).endswith("You can enter up to 5,000 characters."), box
            assert re.search(rf'<textarea[^>]*aria-describedby="{box}-hint"', page), box
    # Left empty, the review date is accepted; typed wrong, its message names it plainly.
    data = edit_data(action, **{"review_date[day]": "31", "review_date[month]": "2"})
    data["review_date[year]"] = "2027"
    html = client.post(f"/actions/{action.id}/edit", data=data).get_data(as_text=True)
    assert "Date the restriction is next reviewed must be a real date" in html
    assert client.post(f"/actions/{action.id}/edit", data=edit_data(action)).status_code == 302


def test_a_plan_of_one_action_says_1_action(app, client, world, login_as, oak_plan):
    from app.reports import documents

    first, *others = actions_of(oak_plan)
    for action in others:
        db.session.delete(action)
    db.session.commit()
    login_as(world.oak_member)
    url = f"/assessments/{oak_plan.id}/plan"
    page = re.sub(r"\s+", " ", client.get(url).get_data(as_text=True))
    assert "1 action." in page and "1 actions" not in page
    filtered = client.get(url, query_string={"status": first.status}).get_data(as_text=True)
    assert "Showing 1 of 1 action." in filtered
    with app.test_request_context():
        pdf_html = documents.plan_html(oak_plan, date.today())
    assert "<p>1 action. Each says" in pdf_html


def test_not_doing_needs_a_reason_which_the_plan_shows(client, world, login_as, oak_plan):
    action = actions_of(oak_plan)[0]
    login_as(world.oak_lead)
    client.post(
        f"/actions/{action.id}/edit",
        data=edit_data(action, status="not-doing", not_doing_reason="Ward closing in March"),
    )
    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert "Not doing" in html and "Ward closing in March" in html


def test_the_team_adds_its_own_action_with_a_named_owner(client, world, login_as, oak_plan):
    framework = frameworks.for_assessment(oak_plan)
    item = framework.items[0]
    login_as(world.oak_member)
    response = client.post(
        f"/assessments/{oak_plan.id}/plan/add",
        data={
            "text": "Ask the patients' council about garden hours",
            "item_id": item.id,
            "priority": "high",
            "owner": "other",
            "owner_name": "Pat Peer Supporter",
            "due_date[day]": "1",
            "due_date[month]": "6",
            "due_date[year]": "2030",
            "status": "not-started",
            "lived_experience": "yes",
        },
    )
    assert response.status_code == 302
    added = [a for a in actions_of(oak_plan) if a.source == "team"]
    assert len(added) == 1
    a = added[0]
    assert (a.owner_label, a.item_id, a.domain_id) == (
        "Pat Peer Supporter",
        item.id,
        framework.domain_of(item.id).id,
    )
    assert (
        db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.event == "create",
                AuditEvent.object_type == "action",
                AuditEvent.object_id == str(a.id),
            )
        )
        .one()
        .actor
        == world.oak_member.email
    )
    html = client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True)
    assert (
        "Ask the patients&#39; council about garden hours" in html
        and "Added by the ward team" in html
    )


def test_overdue_actions_say_so_in_words_and_filter(client, world, login_as, oak_plan):
    actions = actions_of(oak_plan)
    late, on_time = actions[0], actions[1]
    late.due_date = date.today() - timedelta(days=1)
    on_time.due_date = date.today() + timedelta(days=30)
    db.session.commit()
    login_as(world.oak_member)
    html = client.get(f"/assessments/{oak_plan.id}/plan?status=overdue").get_data(as_text=True)
    assert "Overdue" in html and "1 overdue" in html
    assert f'id="action-{late.id}"' in html and f'id="action-{on_time.id}"' not in html


def test_filters_by_status_domain_and_owner(client, world, login_as, oak_plan):
    actions = actions_of(oak_plan)
    first, second = actions[0], next(a for a in actions if a.domain_id != actions[0].domain_id)
    first.status, first.owner_name = "done", "Sam Smith"
    db.session.commit()
    login_as(world.oak_member)
    url = f"/assessments/{oak_plan.id}/plan"
    html = client.get(url, query_string={"status": "done"}).get_data(as_text=True)
    assert f'id="action-{first.id}"' in html and f'id="action-{second.id}"' not in html
    assert f"Showing 1 of {len(actions)} actions" in html
    html = client.get(url, query_string={"domain": second.domain_id}).get_data(as_text=True)
    assert f'id="action-{second.id}"' in html and f'id="action-{first.id}"' not in html
    html = client.get(url, query_string={"owner": "Sam Smith"}).get_data(as_text=True)
    assert f'id="action-{first.id}"' in html and f'id="action-{second.id}"' not in html
    # An unknown value is ignored rather than hiding everything.
    html = client.get(url, query_string={"status": "nonsense"}).get_data(as_text=True)
    assert f'id="action-{second.id}"' in html and "Showing" not in html


def test_the_plan_downloads_as_csv(client, world, login_as, oak_plan):
    actions = actions_of(oak_plan)
    actions[0].notes = '=HYPERLINK("http://evil")'
    actions[0].owner_name = "Sam Smith"
    db.session.commit()
    login_as(world.commissioner)
    response = client.get(f"/assessments/{oak_plan.id}/plan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(actions)
    by_text = {r["Action"]: r for r in rows}
    row = by_text[actions[0].text]
    assert row["Owner"] == "Sam Smith" and row["Status"] == "Not started"
    assert row["Notes"].startswith("'=")  # a formula is made plain text
    assert row["Restriction"] == frameworks.for_assessment(oak_plan).item(actions[0].item_id).title


def test_open_actions_carry_forward_to_the_next_assessment(app, world, oak_plan):
    first = actions_of(oak_plan)
    done = first[0]
    done.status = "done"
    db.session.commit()
    again = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    second = actions_of(again)
    open_ids = {a.id for a in first if a.id != done.id}
    assert open_ids <= {a.id for a in second}  # the same rows, re-linked, not copies
    assert {a.action_key for a in second if a.id not in open_ids} == {done.action_key}
    assert len(second) == len(first)
    assert db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.event == "carry-forward")
    ).all()
    assert actions_of(oak_plan) == [db.session.get(Action, done.id)]


def test_a_carried_safeguards_action_lists_only_what_is_still_missing(app, world):
    """The ward put two safeguards in place between assessments: the open safeguards action
    carries forward with its text rewritten, unless the team had reworded it."""
    fw = frameworks.latest()
    kept, edited = (d.items[0].id for d in fw.domains[:2])
    first = make_assessment(world.oak, world.oak_lead, blanket_answers(app, [kept, edited]), True)
    by_key = {a.action_key: a for a in actions_of(first)}
    action, reworded = by_key[f"{kept}/safeguards"], by_key[f"{edited}/safeguards"]
    assert action.text.count("\n- ") == 6
    reworded.text = reworded.text.replace("- a written reason", "- Dr Khan: a written reason")
    db.session.commit()
    version = action.version

    answers = blanket_answers(app, [kept, edited])
    for item_id in (kept, edited):
        answers[item_id] = {**answers[item_id], "written-reason": "yes", "explained": "yes"}
    second = make_assessment(world.oak, world.oak_lead, answers, submit=True)
    by_key = {a.action_key: a for a in actions_of(second)}
    assert by_key[f"{kept}/safeguards"].id == action.id  # the same row, carried forward
    action = db.session.get(Action, action.id)
    steps = action.text.split("\n")[1:]
    assert len(steps) == 4
    assert not any("written reason" in s or "explanation" in s for s in steps)
    assert action.version == version + 1  # an edit begun on the old text is refused
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.event == "carry-forward", AuditEvent.object_id == str(action.id)
        )
    ).one()
    assert event.before["text"].count("\n- ") == 6 and event.after["text"] == action.text
    # the team's own words are kept as they were
    reworded = db.session.get(Action, reworded.id)
    assert reworded.assessment_id == second.id
    assert "Dr Khan: a written reason" in reworded.text and reworded.text.count("\n- ") == 6


def test_a_new_framework_version_carries_forward_the_open_actions_its_action_replaces(app, world):
    """The one `safeguards` action of 1.1.0 and later replaces 1.0.0's six safeguard actions: a
    ward's open ones carry forward in its place (nothing hidden, nothing doubled), and a
    restriction whose old safeguard actions are all closed gets the new action."""
    kept, closed, fresh = (d.items[0].id for d in frameworks.latest().domains[:3])
    lead = world.oak_lead
    old = make_assessment(world.oak, lead, blanket_answers(app, [kept, closed]), True, "1.0.0")
    first = actions_of(old)
    safeguards_1_0 = {"record-reason", "get-authorisation", "review-now", "explain",
                      "allow-exemptions", "involve-lived-experience"}  # fmt: skip
    kept_old = [
        a for a in first if a.item_id == kept and a.action_key.split("/")[1] in safeguards_1_0
    ]
    assert len(kept_old) == 6
    for a in first:
        if a.item_id == closed:
            a.status = "done"
    db.session.commit()

    new = make_assessment(world.oak, lead, blanket_answers(app, [kept, closed, fresh]), submit=True)
    assert new.framework_version == frameworks.latest().version != "1.0.0"
    second = actions_of(new)
    keys = {a.action_key for a in second}
    assert {a.id for a in kept_old} <= {a.id for a in second}  # re-linked, not copied
    assert f"{kept}/safeguards" not in keys
    assert {f"{closed}/safeguards", f"{fresh}/safeguards"} <= keys
    assert not keys & {f"{closed}/{old_id}" for old_id in safeguards_1_0}
    (listed,) = [a for a in second if a.action_key == f"{fresh}/safeguards"]
    assert listed.text.count("\n- ") == 6  # every safeguard is missing in these answers


def test_lived_experience_is_asked_not_assumed_when_adding_an_action(
    client, world, login_as, oak_plan
):
    login_as(world.oak_member)
    url = f"/assessments/{oak_plan.id}/plan/add"
    page = client.get(url).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="lived_experience"[^>]*>', page)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    response = client.post(url, data={"text": "Ask the patients' council", "priority": "high"})
    assert response.status_code == 400
    assert "Select yes if people with lived experience were involved, or no" in response.get_data(
        as_text=True
    )


def test_a_framework_action_says_lived_experience_is_not_recorded_until_someone_answers(
    client, world, login_as, oak_plan
):
    """The framework makes an action; nobody has yet said whether people with lived experience
    were involved, so nothing claims they were not."""
    action = actions_of(oak_plan)[0]
    assert action.lived_experience is None
    login_as(world.oak_member)
    row = re.search(
        rf'id="action-{action.id}".*?</tr>',
        client.get(f"/assessments/{oak_plan.id}/plan").get_data(as_text=True),
        re.S,
    ).group(0)
    assert "Not recorded" in row and "Not involved" not in row
    page = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="lived_experience"[^>]*>', page)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    data = edit_data(action, status="done")
    del data["lived_experience"]
    response = client.post(f"/actions/{action.id}/edit", data=data)
    assert response.status_code == 400
    assert "Select yes if people with lived experience were involved, or no" in (
        response.get_data(as_text=True)
    )
    csv_text = client.get(f"/assessments/{oak_plan.id}/plan.csv").get_data(as_text=True)
    rows = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    cell = next(r for r in rows if r["Action"] == action.text)
    assert cell["People with lived experience involved"] == ""
    client.post(f"/actions/{action.id}/edit", data=edit_data(action, lived_experience="no"))
    db.session.refresh(action)
    assert action.lived_experience is False

"""How a ward's open safeguard actions carry forward when the answers or the framework version
change: the text follows the safeguards still missing (across a retitled item, and when a
reopened assessment is resubmitted), a missing safeguard the old actions do not cover gets the
new action, and a restriction the new version no longer counts as blanket loses its
safeguards action instead of keeping it open."""

from __future__ import annotations

from datetime import date

from app import frameworks
from app.actions import services as action_services
from app.assessments import services
from app.engine import plan
from app.extensions import db
from app.models import Action, Answer, AuditEvent
from app.review import queries
from tests.actions.conftest import actions_of
from tests.helpers import answers_for, make_assessment

FRAMEWORK = "blanket-restrictions"
SAFEGUARDS = ("written-reason", "senior-authorisation", "reviewed-in-period", "explained",
              "exemptions", "lived-experience")  # fmt: skip
SMOKE_FREE = "smoke-free-without-support"
GARDEN = "garden-locked"
REGISTER = "no-restrictions-register"


def framework(version: str):
    return frameworks.get(FRAMEWORK, version)


def with_blanket(version: str, item_id: str, missing: tuple[str, ...] = ()) -> dict:
    """Every item not in place, except `item_id`: on everyone, with every safeguard in place
    but those `missing` (and, for the smoke-free rule, nicotine support for everyone)."""
    fw = framework(version)
    answers = answers_for(fw)
    values = {"in-place": "everyone", **{q: "no" if q in missing else "yes" for q in SAFEGUARDS}}
    if item_id == SMOKE_FREE:
        values["nicotine-support"] = "full-support"
    answers[item_id] = services.visible_values(fw, item_id, values)
    return answers


def planned_text(version: str, answers: dict, key: str) -> str:
    (planned,) = [p for p in plan(framework(version), answers) if p.key == key]
    return planned.text


def the_action(assessment, key: str) -> Action:
    (action,) = [a for a in actions_of(assessment) if a.action_key == key]
    return action


def plan_texts(assessment) -> list[str]:
    rows = action_services.plan_rows(
        assessment, frameworks.for_assessment(assessment), date.today()
    )
    return [r.action.text for r in rows]


def events(action: Action, event: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.event == event,
                AuditEvent.object_type == "action",
                AuditEvent.object_id == str(action.id),
            )
            .order_by(AuditEvent.id)
        )
    )


def resave(assessment, item_id: str, values: dict, user) -> None:
    answer = db.session.scalar(
        db.select(Answer).where(Answer.assessment_id == assessment.id, Answer.item_id == item_id)
    )
    services.save_item(
        assessment,
        item_id,
        services.ItemInput(values=values, evidence="", comment="", based_on_version=answer.version),
        user,
    )


# --- 1a: an item retitled between versions -------------------------------------------------


def test_an_unedited_safeguards_action_is_rewritten_though_its_item_was_retitled(
    app, world, login_as, client
):
    """1.2.0 retitles "Smoke-free rule with no nicotine support" to "Smoke-free rule": the
    action made on 1.1.0 is still the framework's words (of 1.1.0), so it is rewritten."""
    key = f"{SMOKE_FREE}/safeguards"
    lead = world.oak_lead
    old_answers = with_blanket("1.1.0", SMOKE_FREE, ("written-reason",))
    old = make_assessment(world.oak, lead, old_answers, True, "1.1.0")
    action = the_action(old, key)
    assert action.text.startswith('Remove "Smoke-free rule with no nicotine support"')
    assert "- a written reason" in action.text
    version = action.version

    new_answers = with_blanket("1.3.0", SMOKE_FREE, ("explained",))
    new = make_assessment(world.oak, lead, new_answers, submit=True)
    assert new.framework_version == "1.3.0"

    carried = the_action(new, key)
    assert carried.id == action.id
    assert carried.text == planned_text("1.3.0", new_answers, key)
    assert carried.text.startswith('Remove "Smoke-free rule" if')
    assert "an explanation for patients and carers" in carried.text
    assert "written reason" not in carried.text
    assert carried.version == version + 1
    (event,) = events(carried, "carry-forward")
    assert "written reason" in event.before["text"] and event.after["text"] == carried.text
    assert carried.text in plan_texts(new)
    login_as(world.oak_member)
    page = client.get(f"/assessments/{new.id}/plan").get_data(as_text=True)
    assert "an explanation for patients and carers" in page
    assert "a written reason, naming the risk" not in page


def test_a_reworded_safeguards_action_keeps_the_teams_words_across_versions(app, world):
    key = f"{SMOKE_FREE}/safeguards"
    old = make_assessment(
        world.oak, world.oak_lead, with_blanket("1.1.0", SMOKE_FREE, ("written-reason",)), True,
        "1.1.0",
    )  # fmt: skip
    action = the_action(old, key)
    action.text = action.text.replace("- a written reason", "- Dr Khan: a written reason")
    db.session.commit()
    new = make_assessment(
        world.oak, world.oak_lead, with_blanket("1.3.0", SMOKE_FREE, ("explained",)), True
    )
    carried = the_action(new, key)
    assert carried.id == action.id and "Dr Khan: a written reason" in carried.text
    assert "explanation" not in carried.text


# --- 1b: resubmitting a reopened assessment ------------------------------------------------


def test_resubmitting_rewrites_the_assessments_own_unedited_safeguards_action(app, world):
    key = f"{GARDEN}/safeguards"
    lead = world.oak_lead
    assessment = make_assessment(
        world.oak, lead, with_blanket("1.3.0", GARDEN, ("written-reason",)), True
    )
    action = the_action(assessment, key)
    assert "- a written reason" in action.text
    version = action.version

    assert services.reopen(assessment, lead, "The explanation was never given")
    changed = with_blanket("1.3.0", GARDEN, ("explained",))
    resave(assessment, GARDEN, changed[GARDEN], lead)
    db.session.refresh(assessment)
    assert services.submit(assessment, lead)

    again = the_action(assessment, key)
    assert again.id == action.id  # the same row, not a second action
    assert again.text == planned_text("1.3.0", changed, key)
    assert "an explanation for patients and carers" in again.text
    assert "written reason" not in again.text
    assert again.version == version + 1  # an edit begun on the old text is refused
    (event,) = events(again, "update")
    assert event.assessment_id == assessment.id
    assert "written reason" in event.before["text"] and event.after["text"] == again.text
    assert again.text in plan_texts(assessment)


def test_resubmitting_keeps_an_action_the_answers_no_longer_call_for_open(app, world):
    """Removing the restriction on a reopened assessment does not delete or close its action:
    the team closes it, as with any action the answers no longer call for."""
    key = f"{GARDEN}/safeguards"
    lead = world.oak_lead
    assessment = make_assessment(
        world.oak, lead, with_blanket("1.3.0", GARDEN, ("written-reason",)), True
    )
    action = the_action(assessment, key)
    text, version = action.text, action.version
    assert services.reopen(assessment, lead, "The garden is open now")
    resave(assessment, GARDEN, {"in-place": "not-in-place"}, lead)
    db.session.refresh(assessment)
    assert services.submit(assessment, lead)
    kept = the_action(assessment, key)
    assert (kept.id, kept.text, kept.status, kept.version) == (
        action.id,
        text,
        "not-started",
        version,
    )


# --- 2: 1.0.0's separate safeguard actions and the one that replaces them -------------------


def test_a_missing_safeguard_the_old_actions_do_not_cover_gets_the_new_action(app, world):
    lead = world.oak_lead
    old = make_assessment(world.oak, lead, with_blanket("1.0.0", GARDEN, ("explained",)), True,
                          "1.0.0")  # fmt: skip
    explain = the_action(old, f"{GARDEN}/explain")

    answers = with_blanket("1.3.0", GARDEN, ("written-reason",))
    new = make_assessment(world.oak, lead, answers, submit=True)
    by_key = {a.action_key: a for a in actions_of(new)}
    assert by_key[f"{GARDEN}/explain"].id == explain.id  # still open: the team closes it
    safeguards = by_key[f"{GARDEN}/safeguards"]
    assert safeguards.text == planned_text("1.3.0", answers, f"{GARDEN}/safeguards")
    assert "- a written reason" in safeguards.text
    assert any("a written reason" in text for text in plan_texts(new))


def test_old_actions_covering_every_missing_safeguard_carry_forward_alone(app, world):
    lead = world.oak_lead
    old = make_assessment(world.oak, lead, with_blanket("1.0.0", GARDEN, ("explained",)), True,
                          "1.0.0")  # fmt: skip
    explain = the_action(old, f"{GARDEN}/explain")
    new = make_assessment(world.oak, lead, with_blanket("1.3.0", GARDEN, ("explained",)), True)
    keys = [a.action_key for a in actions_of(new)]
    assert f"{GARDEN}/explain" in keys and f"{GARDEN}/safeguards" not in keys
    assert the_action(new, f"{GARDEN}/explain").id == explain.id


# --- 3: an item the new version never counts as a blanket restriction ----------------------


def register_unjustified_on(world, version: str):
    """Oak's submitted assessment on `version`: the register item blanket with no safeguards,
    nothing else in place."""
    old_fw = framework(version)
    answers = answers_for(old_fw)
    answers[REGISTER] = answers_for(old_fw, "everyone", "no")[REGISTER]
    return make_assessment(world.oak, world.oak_lead, answers, True, version)


def test_a_safeguards_action_for_an_item_that_is_no_longer_a_restriction_is_closed(app, world):
    """1.2.0 does not count "Restrictions not recorded in a register" as a blanket restriction:
    its open, unedited safeguards action stays on the old plan, closed as not doing with the
    reason, and no longer counts as open on the commissioners' dashboard."""
    key = f"{REGISTER}/safeguards"
    lead = world.oak_lead
    old = register_unjustified_on(world, "1.1.0")
    action = the_action(old, key)
    own = the_action(old, f"{REGISTER}/start-restrictions-register")
    assert action.text.startswith('Remove "Restrictions not recorded in a register"')
    version = action.version

    new_answers = answers_for(framework("1.3.0"))
    new_answers[REGISTER] = {"in-place": "everyone"}
    new = make_assessment(world.oak, lead, new_answers, submit=True)

    new_keys = [a.action_key for a in actions_of(new)]
    assert key not in new_keys
    assert not any("Restrictions not recorded in a register" in t for t in plan_texts(new))
    assert f"{REGISTER}/start-restrictions-register" in new_keys  # the item's own action
    assert the_action(new, f"{REGISTER}/start-restrictions-register").id == own.id
    closed = db.session.get(Action, action.id)
    assert closed.assessment_id == old.id
    assert closed.status == "not-doing"
    assert "1.3.0" in closed.not_doing_reason and "not" in closed.not_doing_reason
    assert closed.version == version + 1
    (event,) = events(closed, "update")
    assert event.before == {"status": "not-started", "not_doing_reason": ""}
    assert event.after == {"status": "not-doing", "not_doing_reason": closed.not_doing_reason}
    assert event.assessment_id == new.id

    (row,) = [
        r
        for r in queries.dashboard(world.commissioner, queries.Filters(), today=date.today())
        if r.ward_id == world.oak.id
    ]
    still_open = db.session.scalars(
        db.select(Action).where(
            Action.ward_id == world.oak.id, Action.status.in_(("not-started", "in-progress"))
        )
    ).all()
    assert row.open_actions == len(still_open) == len(actions_of(new))


def test_the_same_goes_for_1_0_0s_safeguard_actions_unless_the_team_reworded_them(app, world):
    lead = world.oak_lead
    old = register_unjustified_on(world, "1.0.0")
    reworded = the_action(old, f"{REGISTER}/explain")
    reworded.text = "Explain the register at the community meeting on Tuesday."
    db.session.commit()
    safeguard_ids = {a.id for a in actions_of(old) if a.action_key.split("/")[1] not in
                     ("start-restrictions-register", "register-to-governance")}  # fmt: skip
    assert len(safeguard_ids) == 6

    new_answers = answers_for(framework("1.3.0"))
    new_answers[REGISTER] = {"in-place": "everyone"}
    new = make_assessment(world.oak, lead, new_answers, submit=True)
    on_new = {a.id for a in actions_of(new)}
    assert reworded.id in on_new  # the team's own words: theirs to close
    for action_id in safeguard_ids - {reworded.id}:
        action = db.session.get(Action, action_id)
        assert action.id not in on_new and action.status == "not-doing"


def test_a_safeguards_action_the_team_has_begun_carries_forward_for_them_to_close(app, world):
    """Closing is only for an action nobody has touched: one in progress, with an owner and
    notes, carries forward open, as the team left it."""
    key = f"{REGISTER}/safeguards"
    lead = world.oak_lead
    old = register_unjustified_on(world, "1.1.0")
    for change in (
        {"status": "in-progress"},
        {"owner_user_id": world.oak_member.id},
        {"notes": "Drafting the register with the MHA office"},
    ):
        action = the_action(old, key)
        for field, value in {**{"status": "not-started", "owner_user_id": None, "notes": ""},
                             **change}.items():  # fmt: skip
            setattr(action, field, value)
        db.session.commit()
        new_answers = answers_for(framework("1.3.0"))
        new_answers[REGISTER] = {"in-place": "everyone"}
        new = make_assessment(world.oak, lead, new_answers, submit=True)
        carried = db.session.get(Action, action.id)
        assert carried.assessment_id == new.id, change
        assert carried.status == change.get("status", "not-started"), change
        assert carried.not_doing_reason == ""
        old = new  # the next round starts from the plan it is on now


def test_a_safeguards_action_for_a_never_justified_item_is_closed_and_its_own_carry_on(app, world):
    """1.3.0 says holding back everyone's letters can never be justified: 1.2.1's untouched
    "put these safeguards in place" action is closed with that reason, and the item's own
    action (stop holding letters back) carries forward."""
    letters = "outgoing-post-read-or-held"
    old_fw = framework("1.2.1")
    answers = answers_for(old_fw)
    answers[letters] = answers_for(old_fw, "everyone", "no")[letters]
    old = make_assessment(world.oak, world.oak_lead, answers, True, "1.2.1")
    safeguards = the_action(old, f"{letters}/safeguards")
    stop = the_action(old, f"{letters}/stop-holding-letters")

    new_answers = answers_for(framework("1.3.0"))
    new_answers[letters] = {"in-place": "everyone"}
    new = make_assessment(world.oak, world.oak_lead, new_answers, submit=True)

    new_keys = [a.action_key for a in actions_of(new)]
    assert not [k for k in new_keys if k.startswith(f"{letters}/") and k.split("/")[1] in
                {"safeguards", *SAFEGUARDS}]  # fmt: skip
    assert the_action(new, f"{letters}/stop-holding-letters").id == stop.id
    closed = db.session.get(Action, safeguards.id)
    assert closed.assessment_id == old.id and closed.status == "not-doing"
    assert "can never be justified as a rule for everyone" in closed.not_doing_reason
    assert "Outgoing letters read or held back" in closed.not_doing_reason
    (event,) = events(closed, "update")
    assert event.after["not_doing_reason"] == closed.not_doing_reason

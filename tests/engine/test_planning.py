"""Action planning on the worked example (see docs/scoring.md)."""

import shutil
from pathlib import Path

import pytest

from app.engine import as_planned, load, plan

from .test_scoring import WORKED_ANSWERS

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def fw():
    return load(HERE / "worked-example")


def test_worked_example_plan(fw):
    actions = plan(fw, WORKED_ANSWERS)
    assert [(a.key, a.priority, a.item_points) for a in actions] == [
        # high first; within a priority the item with more points first (garden-locked 7,
        # front-door 5, set-times 4); then the framework's order (own actions, then standard)
        ("garden-locked/unlock", "high", 7),
        ("garden-locked/get-authorisation", "high", 7),
        ("front-door/tell-informal", "high", 5),
        ("garden-locked/care-plans", "medium", 7),
        ("garden-locked/explain", "medium", 7),
        ("front-door/allow-exemptions", "medium", 5),
        ("garden-locked/involve-lived-experience", "low", 7),
        ("front-door/door-review", "low", 5),
        ("set-times/extend-hours", "low", 4),
    ]
    # set-times answered written-reason "no", but the question is hidden: no record-reason
    assert "set-times/record-reason" not in {a.key for a in actions}


def test_planned_action_fields(fw):
    actions = {a.key: a for a in plan(fw, WORKED_ANSWERS)}
    a = actions["garden-locked/get-authorisation"]
    assert (a.item_id, a.domain_id, a.action_id, a.priority, a.due_days) == (
        "garden-locked",
        "garden",
        "get-authorisation",
        "high",
        30,
    )
    assert '"Garden locked"' in a.text and "{title}" not in a.text
    b = actions["front-door/door-review"]
    assert (b.text, b.due_days) == ("Review the door policy.", 90)


def test_keys_are_unique(fw):
    keys = [a.key for a in plan(fw, WORKED_ANSWERS)]
    assert len(keys) == len(set(keys))


def test_nothing_triggered(fw):
    assert plan(fw, {}) == []
    assert plan(fw, None) == []
    assert plan(fw, {i.id: {"in-place": "not-in-place"} for i in fw.items}) == []


def test_individual_only_triggers_the_individual_actions(fw):
    actions = plan(fw, {"garden-locked": {"in-place": "individual"}})
    assert [a.key for a in actions] == ["garden-locked/care-plans"]


def test_multiple_choice_trigger(fw):
    actions = plan(fw, {"set-times": {"in-place": "individual", "hours": ["weekends"]}})
    assert [a.key for a in actions] == ["set-times/extend-hours"]
    assert plan(fw, {"set-times": {"in-place": "individual", "hours": []}}) == []


STEPPED = """
  - id: explained
    type: yes_no
    text: Has it been explained?
    when: {question: in-place, in: [everyone]}
    options:
      - {id: "yes", label: "Yes", score: 0}
      - {id: "no", label: "No", score: 1}
standard_actions:
  - id: safeguards
    text: Remove "{title}", or put in place
    priority: high
    due_days: 30
    when: {question: in-place, in: [everyone]}
    steps:
      - text: a written reason for "{title}"
        when: {question: written-reason, in: ["no"]}
      - text: an explanation for patients
        when: {question: explained, in: ["no"]}
  - id: who-for
    text: Check who "{title}" is for
    priority: low
    due_days: 60
    when: {question: in-place, in: [everyone]}
    steps:
      - text: the people it applies to
        when: {question: in-place, in: [individual, everyone]}
"""


@pytest.fixture(scope="module")
def stepped(tmp_path_factory):
    """The valid fixture with a third standard question and one standard action with steps."""
    folder = tmp_path_factory.mktemp("stepped") / "tiny"
    shutil.copytree(HERE / "fixtures" / "valid", folder)
    manifest = folder / "framework.yaml"
    text = manifest.read_text()
    manifest.write_text(text[: text.index("standard_actions:")] + STEPPED.lstrip("\n"))
    return load(folder)


def _safeguards(fw, item_id, answers):
    return [a for a in plan(fw, {item_id: answers}) if a.action_id == "safeguards"]


def test_an_action_with_steps_lists_only_the_steps_that_hold(stepped):
    neither = {"in-place": "everyone", "written-reason": "no", "explained": "no"}
    (both,) = _safeguards(stepped, "set-times", neither)
    assert both.text == (
        'Remove "Garden at set times", or put in place\n'
        '- a written reason for "Garden at set times"\n'
        "- an explanation for patients"
    )
    assert (both.key, both.priority, both.due_days) == ("set-times/safeguards", "high", 30)
    (one,) = _safeguards(stepped, "set-times", {**neither, "written-reason": "yes"})
    assert one.text.split("\n")[1:] == ["- an explanation for patients"]
    # plans share their immutable actions: the shorter text must not have replaced the longer
    assert _safeguards(stepped, "set-times", neither) == [both]


def test_an_action_with_steps_needs_its_own_when_and_one_step(stepped):
    # no step holds: nothing to do
    everyone_ok = {"in-place": "everyone", "written-reason": "yes", "explained": "yes"}
    assert _safeguards(stepped, "garden-locked", everyone_ok) == []
    # a stale "no" for a question hidden (not on everyone) triggers nothing
    hidden = {"in-place": "individual", "written-reason": "no", "explained": "no"}
    assert _safeguards(stepped, "garden-locked", hidden) == []
    # a step holds, but the action's own `when` does not: nothing
    who_for = [a for a in plan(stepped, {"garden-locked": hidden}) if a.action_id == "who-for"]
    assert who_for == []
    everyone = {"in-place": "everyone", "written-reason": "yes", "explained": "yes"}
    (who_for,) = [a for a in plan(stepped, {"garden-locked": everyone}) if a.action_id == "who-for"]
    assert who_for.text == 'Check who "Garden locked" is for\n- the people it applies to'


def test_as_planned_knows_the_plans_own_words_from_a_teams_edit(stepped):
    neither = {"in-place": "everyone", "written-reason": "no", "explained": "no"}
    (both,) = _safeguards(stepped, "set-times", neither)
    (one,) = _safeguards(stepped, "set-times", {**neither, "written-reason": "yes"})
    key = "set-times/safeguards"
    assert as_planned(stepped, key, both.text) and as_planned(stepped, key, one.text)
    lead, first, second = both.text.split("\n")
    edited = [
        f"{lead}\n{first} (Dr Khan drafting)\n{second}",  # a step reworded
        f"{lead}\n{second}\n{first}",  # steps reordered
        f"{lead}\n{first}\n{first}",  # a step twice
        lead,  # no step left: not a text the plan writes for an action with steps
        f"{lead} by March\n{first}",  # the lead reworded
        f"{both.text}\n- and a poster",  # a step added
    ]
    for text in edited:
        assert not as_planned(stepped, key, text), text
    assert not as_planned(stepped, "garden-locked/safeguards", both.text)  # another item's
    assert not as_planned(stepped, "no-such-item/safeguards", both.text)
    # an action without steps: only its exact text
    (log,) = [a for a in plan(stepped, {"set-times": neither}) if a.action_id == "closure-log"]
    assert as_planned(stepped, log.key, "Keep a log of closures.")
    assert not as_planned(stepped, log.key, "Keep a log of closures, weekly.")

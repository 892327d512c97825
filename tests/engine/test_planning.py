"""Action planning on the worked example (see docs/scoring.md)."""

from pathlib import Path

import pytest

from app.engine import load, plan

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

"""`never_justified: true` (framework 1.3.0 on): a practice that can never be justified as a rule
for everyone (unlawful as a blanket rule, or for staff convenience or punishment). A blanket
answer always counts as not justified, whatever the safeguard answers, and the item gets none
of the standard (safeguard) actions, only its own. The invalid forms are in test_validation.py
(fixtures never-justified-*)."""

import shutil

import pytest

from app.engine import Problem, as_planned, load, plan, score, validate

from .conftest import FIXTURES

# Added to the valid tiny framework (standard questions in-place and written-reason; the
# framework's justified_when is written-reason "yes"; standard action record-reason).
ITEMS = """
  - id: garden-as-sanction
    title: Garden closed as a sanction
    never_justified: true
    questions:
      - id: in-place
        type: single
        text: Is the garden closed to people as a sanction?
        options:
          - {id: not-in-place, label: "No", score: 0}
          - {id: individual, label: Only when a person's own risk makes it unsafe, score: 1}
          - {id: everyone, label: "Yes", score: 10, blanket: true}
    actions:
      - id: stop-sanction
        text: Stop closing the garden as a sanction.
        priority: high
        due_days: 14
        when: {question: in-place, in: [everyone]}
      - id: risk-in-care-plan
        text: Record in the care plan why the garden is unsafe for this person.
        priority: medium
        due_days: 30
        when: {question: in-place, in: [individual]}
  - id: garden-shut-short-staffed
    title: Garden shut when short of staff
    never_justified: true
    questions:
      - id: in-place
        type: single
        text: Is the garden shut when the ward is short of staff?
        options:
          - {id: not-in-place, label: "No", score: 0}
          - {id: everyone, label: "Yes, for everyone", score: 4, blanket: true}
      - id: written-reason
        type: yes_no
        text: Is the reason written down?
        when: {question: in-place, in: [everyone]}
        options:
          - {id: "yes", label: "Yes", score: 0}
          - {id: "no", label: "No", score: 2}
    actions:
      - id: cover-garden
        text: Cover the garden from the rota.
        priority: high
        due_days: 30
        when: {question: in-place, in: [everyone]}
      - id: log-garden-closures
        text: Log every closure.
        priority: medium
        due_days: 30
        when: {question: written-reason, in: ["no"]}
"""


def _tiny(tmp_path, extra: str = ITEMS):
    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "valid", folder)
    garden = folder / "garden.yaml"
    garden.write_text(garden.read_text().rstrip("\n") + "\n" + extra)
    return folder


@pytest.fixture
def tiny(tmp_path):
    folder = _tiny(tmp_path)
    assert validate(folder) == []
    return load(folder)


def test_an_item_with_its_own_questions_needs_no_justified_when(tiny):
    """Its own questions leave out written-reason, which the framework's justified_when uses;
    without never_justified that is an error, with it there is nothing to justify."""
    item = tiny.item("garden-as-sanction")
    assert item.never_justified and item.can_be_blanket
    assert item.justified_when == ()
    assert [a.id for a in item.actions] == ["stop-sanction", "risk-in-care-plan"]
    assert item.own_action_ids == ("stop-sanction", "risk-in-care-plan")
    # an ordinary item beside it keeps the framework's rule and the standard action
    assert not tiny.item("garden-locked").never_justified
    assert tiny.item("garden-locked").justified_when == tiny.scoring.justified_when
    assert "record-reason" in [a.id for a in tiny.item("garden-locked").actions]


def test_a_blanket_answer_is_never_justified_whatever_the_safeguards(tiny):
    answers = {
        "garden-as-sanction": {"in-place": "everyone", "written-reason": "yes"},
        "garden-shut-short-staffed": {"in-place": "everyone", "written-reason": "yes"},
        "garden-locked": {"in-place": "everyone", "written-reason": "yes"},
    }
    result = score(tiny, answers)
    by_item = {r.item_id: r.justified for r in result.restrictions}
    assert by_item == {
        "garden-locked": True,
        "garden-as-sanction": False,
        "garden-shut-short-staffed": False,  # asks written-reason, answered yes: still not
    }
    s = result.items["garden-as-sanction"]
    assert (s.status, s.blanket, s.justified, s.points, s.max_points) == (
        "blanket",
        True,
        False,
        10,
        10,
    )
    assert result.items["garden-shut-short-staffed"].justified is False


def test_the_unjustified_floor_applies(tmp_path):
    folder = _tiny(tmp_path)
    manifest = folder / "framework.yaml"
    text = manifest.read_text()
    assert "unjustified_rating_at_least" not in text
    manifest.write_text(
        text.replace("  justified_when:", "  unjustified_rating_at_least: amber\n  justified_when:")
    )
    fw = load(folder)
    answers = {i.id: {"in-place": "not-in-place"} for i in fw.items}
    assert score(fw, answers).overall.rag == "green"
    answers["garden-as-sanction"] = {"in-place": "everyone"}
    # 10 points of 10 + 6 + 14 + 6 is 27.8%: amber on its own, and the floor keeps it there
    result = score(fw, answers)
    assert result.overall.rag == "amber" and result.domains["garden"].rag == "amber"
    answers["garden-as-sanction"] = {"in-place": "individual"}
    result = score(fw, answers)
    assert result.restrictions == () and result.overall.rag == "green"


def test_no_standard_actions_only_its_own(tiny):
    everyone_no = {"in-place": "everyone", "written-reason": "no"}
    planned = plan(tiny, {"garden-shut-short-staffed": everyone_no})
    # the standard record-reason would trigger on written-reason "no"; it is not the item's
    assert [a.key for a in planned] == [
        "garden-shut-short-staffed/cover-garden",
        "garden-shut-short-staffed/log-garden-closures",
    ]
    planned = plan(tiny, {"garden-as-sanction": {"in-place": "individual"}})
    assert [a.key for a in planned] == ["garden-as-sanction/risk-in-care-plan"]
    # a standard action's key is not one of this item's plan texts
    assert not as_planned(tiny, "garden-as-sanction/record-reason", 'Write down why "x".')


def test_never_justified_false_is_the_same_as_leaving_it_out(tmp_path):
    """Explicitly false, an item with its own questions must again say when it is justified."""
    extra = ITEMS.split("  - id: garden-shut-short-staffed")[0].replace(
        "never_justified: true", "never_justified: false"
    )
    folder = _tiny(tmp_path, extra)
    (problem,) = validate(folder)
    assert problem == Problem(
        "tiny/garden.yaml",
        problem.line,
        "garden-as-sanction",
        "the framework's justified_when uses question 'written-reason', which this item's own "
        "questions do not include; give the item its own justified_when",
    )
    assert "questions:" in (folder / "garden.yaml").read_text().splitlines()[problem.line - 1]


def test_no_justified_when_problems_besides_the_one(tmp_path):
    """With never_justified, a justified_when is one problem, even one that is empty or names
    an unknown question: remove it."""
    extra = ITEMS.replace(
        "    never_justified: true\n    questions:",
        "    never_justified: true\n    justified_when: [{question: nope, in: [x]}]\n    questions:",
        1,  # the first item only
    )
    (problem,) = validate(_tiny(tmp_path, extra))
    assert problem.id == "garden-as-sanction"
    assert problem.message.startswith("justified_when cannot be combined with never_justified")

"""Scoring, with the worked example of docs/scoring.md computed by hand.

The worked-example framework has the shipped framework's standard questions and scoring, and
three items: garden-locked and set-times (domain garden), front-door (domain doors).
Standard item: in-place scores 0 / 1 / 4 (everyone = blanket); when it is "everyone" six
safeguard questions follow, each "no" adding 2 (written reason) or 1 (the other five), so the
most an item can score is 4 + 2 + 1 + 1 + 1 + 1 + 1 = 11. set-times adds "hours" (multiple:
evenings 1, weekends 2, so up to 3) and a text question (no score): its maximum is 14.
"""

from pathlib import Path

import pytest

from app.engine import load, percent, score

from .conftest import SHIPPED

HERE = Path(__file__).resolve().parent

WORKED_ANSWERS = {
    "garden-locked": {
        "in-place": "everyone",  # 4
        "written-reason": "yes",  # 0
        "senior-authorisation": "no",  # 1
        "reviewed-in-period": "yes",  # 0
        "last-review-date": "2026-03-27",  # date: no score
        "explained": "no",  # 1
        "exemptions": "yes",  # 0
        "lived-experience": "no",  # 1
    },  # 7 of 11
    "set-times": {
        "in-place": "individual",  # 1
        "written-reason": "no",  # hidden (in-place is not "everyone"): ignored
        "hours": ["evenings", "weekends"],  # 1 + 2
        "notes": "Closed at 8pm",  # text: no score
    },  # 4 of 14
    "front-door": {
        "in-place": "everyone",  # 4
        "written-reason": "yes",
        "senior-authorisation": "yes",
        "reviewed-in-period": "yes",
        "explained": "yes",
        "exemptions": "no",  # 1
        # lived-experience not answered yet
    },  # 5 of 11, not answered
}


@pytest.fixture(scope="module")
def fw():
    return load(HERE / "worked-example")


def test_worked_example_items(fw):
    r = score(fw, WORKED_ANSWERS)
    gl, st, fd = r.items["garden-locked"], r.items["set-times"], r.items["front-door"]

    assert (gl.points, gl.max_points, gl.percent) == (7, 11, 63.6)
    assert gl.answered and gl.missing == ()
    assert (gl.status, gl.blanket, gl.justified) == ("blanket", True, False)
    assert gl.domain_id == "garden"

    assert (st.points, st.max_points, st.percent) == (4, 14, 28.6)
    assert st.answered
    assert (st.status, st.blanket, st.justified) == ("individual", False, None)

    assert (fd.points, fd.max_points, fd.percent) == (5, 11, 45.5)
    assert not fd.answered and fd.missing == ("lived-experience",)
    assert (fd.status, fd.blanket, fd.justified) == ("blanket", True, True)


def test_worked_example_domains_and_overall(fw):
    r = score(fw, WORKED_ANSWERS)
    garden, doors = r.domains["garden"], r.domains["doors"]
    # garden: (7 + 4) / (11 + 14) = 44.0% -> red (amber ends at 40)
    assert (garden.points, garden.max_points, garden.percent, garden.rag) == (11, 25, 44.0, "red")
    assert (garden.answered_items, garden.total_items) == (2, 2)
    assert garden.rag_label == "Red"
    # doors: front-door is not answered yet, so nothing counts: 0%, green
    assert (doors.points, doors.max_points, doors.percent, doors.rag) == (0, 0, 0.0, "green")
    assert (doors.answered_items, doors.total_items) == (0, 1)
    o = r.overall
    assert (o.points, o.max_points, o.percent, o.rag) == (11, 25, 44.0, "red")
    assert (o.answered_items, o.total_items) == (2, 3)
    assert r.missing == (("front-door", "lived-experience"),)
    assert not r.complete
    assert [(x.item_id, x.domain_id, x.title, x.justified) for x in r.restrictions] == [
        ("garden-locked", "garden", "Garden locked", False),
        ("front-door", "doors", "Front door locked", True),
    ]


def test_worked_example_completed(fw):
    answers = {k: dict(v) for k, v in WORKED_ANSWERS.items()}
    answers["front-door"]["lived-experience"] = "yes"  # 0
    r = score(fw, answers)
    # doors: 5 / 11 = 45.45...% -> 45.5%, red
    assert (r.domains["doors"].points, r.domains["doors"].percent) == (5, 45.5)
    assert r.domains["doors"].rag == "red"
    # overall: (11 + 5) / (25 + 11) = 16 / 36 = 44.4%, red
    o = r.overall
    assert (o.points, o.max_points, o.percent, o.rag) == (16, 36, 44.4, "red")
    assert r.complete and r.missing == ()


def test_nothing_answered(fw):
    r = score(fw, {})
    assert r.overall.percent == 0.0 and r.overall.rag == "green"
    assert r.overall.answered_items == 0 and r.overall.total_items == 3
    assert r.missing == (
        ("garden-locked", "in-place"),
        ("set-times", "in-place"),
        ("front-door", "in-place"),
    )
    assert all(s.status is None and s.justified is None for s in r.items.values())
    assert r.restrictions == ()
    assert score(fw, None).overall == r.overall


def test_not_in_place_answers_the_item(fw):
    r = score(fw, {"garden-locked": {"in-place": "not-in-place"}})
    item = r.items["garden-locked"]
    assert (item.points, item.answered, item.status, item.blanket) == (
        0,
        True,
        "not-in-place",
        False,
    )
    assert (r.domains["garden"].answered_items, r.domains["garden"].percent) == (1, 0.0)


def test_answers_that_are_not_options_are_ignored(fw):
    r = score(
        fw,
        {
            "garden-locked": {"in-place": "sometimes", "written-reason": ["no"]},
            "set-times": {"in-place": "individual", "hours": ["evenings", "never", "evenings"]},
            "no-such-item": {"in-place": "everyone"},
            "front-door": "not a mapping",
        },
    )
    assert r.items["garden-locked"].points == 0
    assert r.items["garden-locked"].missing == ("in-place",)
    # unknown option dropped, repeated option counted once
    assert r.items["set-times"].points == 1 + 1
    assert r.items["front-door"].missing == ("in-place",)


def test_multiple_with_nothing_ticked_is_an_answer(fw):
    r = score(fw, {"set-times": {"in-place": "individual", "hours": []}})
    assert r.items["set-times"].answered and r.items["set-times"].points == 1
    r = score(fw, {"set-times": {"in-place": "individual"}})
    assert r.items["set-times"].missing == ("hours",)


def test_percent_rounds_half_up():
    assert percent(0, 0) == 0.0
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3  # 6.25 -> 6.3 (round() would give 6.2)
    assert percent(2, 3) == 66.7
    assert percent(11, 11) == 100.0


def test_rag_band_edges(fw):
    bands = fw.scoring
    assert bands.rag_for(0).rating == "green"
    assert bands.rag_for(15).rating == "green"
    assert bands.rag_for(15.1).rating == "amber"
    assert bands.rag_for(40).rating == "amber"
    assert bands.rag_for(40.1).rating == "red"
    assert bands.rag_for(100).rating == "red"


def test_results_are_frozen(fw):
    r = score(fw, WORKED_ANSWERS)
    with pytest.raises(AttributeError):
        r.items["set-times"].points = 0
    with pytest.raises(AttributeError):
        r.overall.percent = 0
    assert r.items["set-times"] == r.items["set-times"].__class__(**vars(r.items["set-times"]))


def test_one_unjustified_restriction_keeps_the_rating_off_green(fw):
    """The shipped scoring rates a domain or ward with an unjustified blanket restriction no
    better than amber, however low its percentage; a justified one does not."""
    shipped = load(SHIPPED)
    assert shipped.scoring.unjustified_rating_at_least == "amber"
    answers = {i.id: {"in-place": "not-in-place"} for i in shipped.items}
    first = shipped.items[0]
    safeguards = [q.id for q in first.questions if q.type == "yes_no"]
    answers[first.id] = {"in-place": "everyone", **{q: "no" for q in safeguards}}
    r = score(shipped, answers)
    domain = shipped.domain_of(first.id).id
    other = shipped.domains[-1].id
    assert r.overall.percent < 15  # green by percentage alone
    assert r.domains[domain].percent > 15  # amber on its own percentage
    assert (r.overall.rag, r.domains[domain].rag, r.domains[other].rag) == (
        "amber",
        "amber",
        "green",
    )
    answers[first.id] = {"in-place": "everyone", **{q: "yes" for q in safeguards}}
    r = score(shipped, answers)
    assert r.overall.rag == "green" and r.restrictions[0].justified

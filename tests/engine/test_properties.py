"""Property tests on the shipped framework (framework/blanket-restrictions)."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import plan, score, visible_questions

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def random_answer(question, rng: random.Random):
    """Any answer a form could send for `question`, or None for "not answered"."""
    if rng.random() < 0.1:
        return None
    if question.type == "multiple":
        return [o.id for o in question.options if rng.random() < 0.5]
    if question.options:
        return rng.choice(question.options).id
    if question.type == "date":
        return f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return rng.choice(["", "notes"])


def random_answers(fw, rng: random.Random, coverage: float = 0.9):
    answers = {}
    for item in fw.items:
        if rng.random() > coverage:
            continue
        values = {}
        for q in item.questions:  # answers to hidden questions too: they must be ignored
            value = random_answer(q, rng)
            if value is not None:
                values[q.id] = value
        answers[item.id] = values
    return answers


seeds = st.integers(min_value=0, max_value=2**32 - 1)


@SETTINGS
@given(seed=seeds, coverage=st.floats(min_value=0, max_value=1))
def test_scores_stay_in_range(shipped, seed, coverage):
    r = score(shipped, random_answers(shipped, random.Random(seed), coverage))
    for s in r.items.values():
        assert 0 <= s.points <= s.max_points
        assert 0.0 <= s.percent <= 100.0
        assert s.answered == (s.missing == ())
        assert (s.justified is None) == (not s.blanket)
    for d in r.domains.values():
        assert 0 <= d.points <= d.max_points
        assert 0.0 <= d.percent <= 100.0
        assert d.rag in {b.rating for b in shipped.scoring.rag}
        assert 0 <= d.answered_items <= d.total_items
    o = r.overall
    assert 0 <= o.points <= o.max_points and 0.0 <= o.percent <= 100.0
    assert o.points == sum(d.points for d in r.domains.values())
    assert o.total_items == len(shipped.items)
    assert r.complete == (r.missing == ())


@SETTINGS
@given(seed=seeds)
def test_a_higher_scoring_answer_never_lowers_the_item(shipped, seed):
    rng = random.Random(seed)
    answers = random_answers(shipped, rng, coverage=1.0)
    before = score(shipped, answers)
    for item in rng.sample(shipped.items, 10):
        shown = [
            q
            for q in visible_questions(item, answers[item.id])
            if q.type in ("single", "yes_no") and answers[item.id].get(q.id) is not None
        ]
        if not shown:
            continue
        q = rng.choice(shown)
        current = q.option(answers[item.id][q.id])
        higher = [o for o in q.options if o.score > current.score]
        if not higher:
            continue
        changed = {**answers, item.id: {**answers[item.id], q.id: rng.choice(higher).id}}
        after = score(shipped, changed)
        assert after.items[item.id].points >= before.items[item.id].points, (item.id, q.id)


@SETTINGS
@given(seed=seeds)
def test_plan_keys_are_unique_and_ordered(shipped, seed):
    actions = plan(shipped, random_answers(shipped, random.Random(seed)))
    assert len({a.key for a in actions}) == len(actions)
    rank = {"high": 0, "medium": 1, "low": 2}
    order = [(rank[a.priority], -a.item_points) for a in actions]
    assert order == sorted(order)


def lowest_answers(fw):
    """The lowest-scoring answer to every question that shows ("not in place" everywhere)."""
    answers = {}
    for item in fw.items:
        values: dict = {}
        for q in item.questions:
            if q.type == "multiple":
                values[q.id] = []
            elif q.options:
                values[q.id] = min(q.options, key=lambda o: o.score).id
        answers[item.id] = values
    return answers


def highest_answers(fw):
    """The highest-scoring answer to every question: blanket, and every safeguard "no"."""
    answers = {}
    for item in fw.items:
        values: dict = {}
        for q in item.questions:
            if q.type == "multiple":
                values[q.id] = [o.id for o in q.options]
            elif q.options:
                values[q.id] = max(q.options, key=lambda o: o.score).id
        answers[item.id] = values
    return answers


def test_nothing_in_place_is_green_and_zero(shipped):
    r = score(shipped, lowest_answers(shipped))
    assert r.complete
    assert r.overall.percent == 0.0
    assert r.overall.rag == shipped.scoring.rag[0].rating == "green"
    assert all(d.percent == 0.0 and d.rag == "green" for d in r.domains.values())
    assert all(s.status == "not-in-place" for s in r.items.values())
    assert r.restrictions == ()


def test_everything_blanket_without_safeguards_is_red_and_100(shipped):
    r = score(shipped, highest_answers(shipped))
    assert r.complete
    assert r.overall.percent == 100.0
    assert r.overall.rag == "red"
    assert all(d.percent == 100.0 and d.rag == "red" for d in r.domains.values())
    # every item that can be a blanket restriction is one (1.2.0's governance items cannot)
    can_be = {i.id for i in shipped.items if i.can_be_blanket}
    assert {i for i, s in r.items.items() if s.status == "blanket"} == can_be
    assert {x.item_id for x in r.restrictions} == can_be and len(can_be) >= 60
    assert not any(x.justified for x in r.restrictions)


@pytest.mark.parametrize("coverage", [0.0, 0.5, 1.0])
def test_score_and_plan_ignore_unknown_input(shipped, coverage):
    answers = random_answers(shipped, random.Random(7), coverage)
    answers["not-an-item"] = {"in-place": "everyone"}
    for values in answers.values():
        values["not-a-question"] = "x"
    clean = {k: {q: v for q, v in vs.items() if q != "not-a-question"} for k, vs in answers.items()}
    del clean["not-an-item"]
    assert score(shipped, answers) == score(shipped, clean)
    assert plan(shipped, answers) == plan(shipped, clean)


@SETTINGS
@given(seed=seeds)
def test_score_agrees_with_visible_questions(shipped, seed):
    """The compiled scorer and the model's visible_questions() show the same questions."""
    from app.engine.model import normalise_answer

    answers = random_answers(shipped, random.Random(seed))
    r = score(shipped, answers)
    for item in shipped.items:
        values = answers.get(item.id, {})
        shown = visible_questions(item, values)
        expected_missing = tuple(
            q.id
            for q in shown
            if q.type in ("single", "yes_no", "multiple")
            and normalise_answer(q, values.get(q.id)) is None
        )
        assert r.items[item.id].missing == expected_missing
        points = 0
        for q in shown:
            value = normalise_answer(q, values.get(q.id))
            if value is None or not q.options:
                continue
            chosen = set(value) if isinstance(value, tuple) else {value}
            points += sum(o.score for o in q.options if o.id in chosen)
        assert r.items[item.id].points == points

"""The shipped framework: its newest version, framework/blanket-restrictions-1.2.1, and the
older versions beside it that earlier assessments are pinned to."""

import time

from app.engine import load_all, plan, score, summary, validate

from .conftest import ROOT, SHIPPED


def test_shipped_framework_is_valid():
    problems = validate(SHIPPED)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_every_framework_folder_is_valid():
    problems = validate(ROOT / "framework")
    assert problems == [], "\n".join(str(p) for p in problems)
    loaded = load_all(ROOT / "framework")
    versions = {("blanket-restrictions", v) for v in ("1.0.0", "1.1.0", "1.2.0", "1.2.1")}
    assert versions <= set(loaded)


def test_version_1_0_0_is_unchanged_since_assessments_used_it():
    """Assessments made with 1.0.0 keep its questions and its six safeguard actions: its files
    are never edited (a new version is a new folder), so its digest is what it was."""
    old = load_all(ROOT / "framework")["blanket-restrictions", "1.0.0"]
    assert old.digest == "632b989bb650b50efde710dfef061ecf9cca4838816f2822b8a98b8f65bcaac5"
    assert summary(old) == "19 domains, 82 items, 658 questions, 660 actions"


def test_version_1_1_0_is_unchanged_since_assessments_used_it():
    old = load_all(ROOT / "framework")["blanket-restrictions", "1.1.0"]
    assert old.digest == "510804a9dae87ccf7684063c2cfa610756f493b92252f6b22753ba5b65a0b52f"
    assert summary(old) == "19 domains, 82 items, 658 questions, 250 actions"


def test_version_1_2_0_is_unchanged_since_assessments_used_it():
    old = load_all(ROOT / "framework")["blanket-restrictions", "1.2.0"]
    assert old.digest == "5c1ebfe7cbdf33fe8f62ce7589a62b785eb6c51f38fb28944400d1e70cecb1c8"
    assert summary(old) == "19 domains, 82 items, 637 questions, 247 actions"


GOVERNANCE = (
    "no-restrictions-register",
    "restrictions-never-reviewed",
    "patients-not-involved-in-restrictions",
)


def test_governance_items_are_scored_but_are_not_blanket_restrictions(shipped):
    """1.2.0: a missing register, no reviews and no patient involvement are how a ward manages
    its restrictions, not rules on patients. They ask their own question, with no safeguard
    questions after it, score points, and never appear as a blanket restriction or get the
    safeguards action."""
    everyone = {i.id: {"in-place": "everyone"} for i in shipped.items}
    result = score(shipped, everyone)
    restricted = {r.item_id for r in result.restrictions}
    for item_id in GOVERNANCE:
        item = shipped.item(item_id)
        assert [q.id for q in item.questions] == ["in-place"]
        assert "written-reason" not in {q.id for q in item.questions}
        assert item_id not in restricted
        assert result.items[item_id].points == 4
        planned = {a.action_id for a in plan(shipped, {item_id: {"in-place": "everyone"}})}
        assert planned and "safeguards" not in planned
    assert len(restricted) == len(shipped.items) - len(GOVERNANCE)
    # the two governance items that are rules on everyone still are restrictions
    assert {"rules-poster-of-prohibitions", "restriction-after-one-incident"} <= restricted


def test_nicotine_on_admission_follows_the_help_offered(shipped):
    base = {"in-place": "everyone", "written-reason": "yes", "senior-authorisation": "yes",
            "reviewed-in-period": "no", "explained": "yes", "exemptions": "yes",
            "lived-experience": "yes"}  # fmt: skip
    for support, suggested in (("full-support", False), ("on-request", True), ("no-support", True)):
        answers = {"smoke-free-without-support": {**base, "nicotine-support": support}}
        actions = {a.action_id for a in plan(shipped, answers)}
        assert ("nicotine-on-admission" in actions) is suggested, support


def test_one_safeguards_action_per_restriction_lists_only_what_is_missing(shipped):
    """1.1.0 folds the six safeguard actions into one per restriction; its steps are the
    safeguards still missing, and a justified restriction gets none."""
    item = shipped.items[0]
    everyone = {"in-place": "everyone"}
    safeguard_questions = [
        "written-reason", "senior-authorisation", "reviewed-in-period", "explained",
        "exemptions", "lived-experience",
    ]  # fmt: skip
    all_yes = {**everyone, **dict.fromkeys(safeguard_questions, "yes")}
    assert not [a for a in plan(shipped, {item.id: all_yes}) if a.action_id == "safeguards"]
    all_no = {**everyone, **dict.fromkeys(safeguard_questions, "no")}
    (action,) = [a for a in plan(shipped, {item.id: all_no}) if a.action_id == "safeguards"]
    assert len(action.text.split("\n")) == 1 + 6 and action.priority == "high"
    two_missing = {**all_yes, "explained": "no", "exemptions": "no"}
    (action,) = [a for a in plan(shipped, {item.id: two_missing}) if a.action_id == "safeguards"]
    assert action.text.split("\n")[1:] == [
        "- an explanation for patients and carers, in plain words and in easy read",
        "- a way to exempt a person whose own risk does not call for it",
    ]
    not_blanket = {"in-place": "individual"}
    assert not [a for a in plan(shipped, {item.id: not_blanket}) if a.action_id == "safeguards"]


def test_shipped_shape(shipped):
    assert shipped.id == "blanket-restrictions"
    assert [d.file for d in shipped.domains][0] == "outside-space.yaml"
    assert len({i.id for i in shipped.items}) == len(shipped.items)
    for item in shipped.items:
        assert len(item.own_action_ids) >= 2
        assert item.status_question is not None
        assert item.can_be_blanket is (item.id not in GOVERNANCE), item.id
    n_domains, n_items = len(shipped.domains), len(shipped.items)
    assert summary(shipped).startswith(f"{n_domains} domains, {n_items} items, ")


def test_acceptance_size_of_the_framework(shipped):
    """ACCEPTANCE LINE of the issue: at least 12 domains and 60 items.

    Expected to fail until the framework content has landed; keep it.
    """
    assert len(shipped.domains) >= 12
    assert len(shipped.items) >= 60


def test_scoring_is_fast(shipped):
    """A loose guard (the real figures are in bench/bench_engine.py): well under 1 ms each.

    It measures the process's CPU time (not wall-clock time, which waits while other work has
    the CPU) and keeps the quickest of several rounds, so a busy machine does not fail it.
    """
    from app.engine import plan, score

    answers = {
        i.id: {q.id: q.options[-1].id for q in i.questions if q.options and q.type != "multiple"}
        for i in shipped.items
    }
    score(shipped, answers)
    rounds = []
    for _ in range(10):
        start = time.process_time()
        for _ in range(20):
            score(shipped, answers)
            plan(shipped, answers)
        rounds.append((time.process_time() - start) / 20)
    assert min(rounds) < 0.005  # 5 ms for score + plan; about 0.5 ms on an idle machine

"""The shipped framework: its newest version, framework/blanket-restrictions-1.3.0, and the
older versions beside it that earlier assessments are pinned to."""

import time

import pytest

from app.engine import load_all, plan, score, summary, validate

from .conftest import ROOT, SHIPPED


def test_shipped_framework_is_valid():
    problems = validate(SHIPPED)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_every_framework_folder_is_valid():
    problems = validate(ROOT / "framework")
    assert problems == [], "\n".join(str(p) for p in problems)
    loaded = load_all(ROOT / "framework")
    versions = {("blanket-restrictions", v) for v in ("1.0.0", "1.1.0", "1.2.0", "1.2.1", "1.3.0")}
    assert versions <= set(loaded)


def test_the_newest_version_is_1_3_0_and_loads_without_problems(shipped):
    assert validate(SHIPPED) == []
    assert shipped.version == "1.3.0"
    loaded = load_all(ROOT / "framework")
    newest = max((fw for (fid, _), fw in loaded.items() if fid == shipped.id),
                 key=lambda fw: tuple(int(n) for n in fw.version.split(".")))  # fmt: skip
    assert newest.version == "1.3.0" and newest.digest == shipped.digest


# Versions assessments have used: their files are never edited (a new version is a new
# folder), so each digest is what it was. 1.0.0 keeps its six safeguard actions per item.
FROZEN = [
    ("1.0.0", "632b989bb650b50efde710dfef061ecf9cca4838816f2822b8a98b8f65bcaac5",
     "19 domains, 82 items, 658 questions, 660 actions"),
    ("1.1.0", "510804a9dae87ccf7684063c2cfa610756f493b92252f6b22753ba5b65a0b52f",
     "19 domains, 82 items, 658 questions, 250 actions"),
    ("1.2.0", "5c1ebfe7cbdf33fe8f62ce7589a62b785eb6c51f38fb28944400d1e70cecb1c8",
     "19 domains, 82 items, 637 questions, 247 actions"),
    ("1.2.1", "c5cef014ba8b6c800ec0646f163ef48f03f6c8efe0ccdbb88a5309da4a1b306d",
     "19 domains, 82 items, 637 questions, 247 actions"),
]  # fmt: skip


@pytest.mark.parametrize(("version", "digest", "size"), FROZEN)
def test_a_version_assessments_used_is_unchanged(version, digest, size):
    old = load_all(ROOT / "framework")["blanket-restrictions", version]
    assert old.digest == digest
    assert summary(old) == size


def test_1_3_0s_changes_are_its_own():
    """1.2.1's blanket answer, titles and items are as they were."""
    old = load_all(ROOT / "framework")["blanket-restrictions", "1.2.1"]
    assert old.standard_questions[0].options[2].label == "Yes, for everyone on the ward"
    assert old.item("mobile-phones-banned").title == "Mobile phones banned for everyone"
    assert not any(i.never_justified for i in old.items)
    assert old.item("rules-poster-of-prohibitions").can_be_blanket


def test_version_1_3_0_size():
    """Seven items lose the eight standard questions (and the safeguards action) for one
    question of their own; activities-as-privilege gains an action for a person's own risk and
    one for a sanction on one person."""
    new = load_all(ROOT / "framework")["blanket-restrictions", "1.3.0"]
    assert summary(new) == "19 domains, 82 items, 588 questions, 242 actions"


# Not rules on patients (1.2.0: the first three; 1.3.0: all five governance items)
GOVERNANCE = (
    "rules-poster-of-prohibitions",
    "no-restrictions-register",
    "restrictions-never-reviewed",
    "patients-not-involved-in-restrictions",
    "restriction-after-one-incident",
)
# Never justified as a rule for everyone (1.3.0): unlawful, staff convenience or punishment
NEVER_JUSTIFIED = (
    "outgoing-post-read-or-held",
    "leave-cancelled-short-staffed",
    "visits-cancelled-short-staffed",
    "activities-cancelled-whole-ward",
    "activities-as-privilege",
)
SAFEGUARD_QUESTIONS = (
    "written-reason", "senior-authorisation", "reviewed-in-period", "last-review-date",
    "explained", "exemptions", "lived-experience",
)  # fmt: skip


def test_governance_items_are_scored_but_are_not_blanket_restrictions(shipped):
    """1.2.0: a missing register, no reviews and no patient involvement are how a ward manages
    its restrictions, not rules on patients; 1.3.0 adds the rules poster and rules kept after
    one incident (each such rule is assessed under its own item). They ask their own question,
    with no safeguard questions after it, score points, and never appear as a blanket
    restriction or get the safeguards action."""
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
    # no governance item asks whether a poster "can be exempted", or the like
    for item_id in GOVERNANCE:
        assert not set(SAFEGUARD_QUESTIONS) & {q.id for q in shipped.item(item_id).questions}


def test_never_justified_items_are_unjustified_even_with_every_safeguard(shipped):
    """1.3.0: holding back everyone's letters (section 134 allows it only case by case), and
    cancelling leave, visits or activities for staffing or as a sanction, can never be
    justified as a rule for everyone. A blanket answer is a restriction that is not justified,
    whatever else is answered; the items ask no safeguard questions and get none of the
    standard actions, only their own."""
    every_yes = {"in-place": "everyone", **dict.fromkeys(SAFEGUARD_QUESTIONS, "yes")}
    every_yes["last-review-date"] = "2026-11-01"
    answers = {item_id: dict(every_yes) for item_id in NEVER_JUSTIFIED}
    result = score(shipped, answers)
    assert [r.item_id for r in result.restrictions] == [
        i.id for i in shipped.items if i.id in NEVER_JUSTIFIED
    ]
    assert not any(r.justified for r in result.restrictions)
    standard = {a.id for a in shipped.standard_actions}
    for item_id in NEVER_JUSTIFIED:
        item = shipped.item(item_id)
        assert item.never_justified and item.can_be_blanket
        assert [q.id for q in item.questions] == ["in-place"]
        assert item.justified_when == ()
        s = result.items[item_id]
        assert (s.status, s.blanket, s.justified) == ("blanket", True, False)
        assert s.points == s.max_points >= 4  # the worst answer, and weighs like a restriction
        planned = [a for a in plan(shipped, answers) if a.item_id == item_id]
        assert planned and {a.action_id for a in planned} <= set(item.own_action_ids)
        assert not standard & {a.id for a in item.actions}
    # the domain (and the ward) with one is kept off green, as for any unjustified restriction
    assert result.domains["mail"].rag != "green" and result.overall.rag != "green"


def test_outgoing_post_asks_about_section_134_and_stops_the_blanket_practice(shipped):
    item = shipped.item("outgoing-post-read-or-held")
    options = {o.id: o for o in item.status_question.options}
    assert options["not-in-place"].score == 0 and not options["not-in-place"].blanket
    assert options["individual"].score == 1 and "section 134" in options["individual"].label
    assert options["everyone"].blanket and options["everyone"].score >= 4
    blanket = {a.action_id for a in plan(shipped, {item.id: {"in-place": "everyone"}})}
    assert "stop-holding-letters" in blanket
    lawful = score(shipped, {item.id: {"in-place": "individual"}})
    assert lawful.restrictions == () and lawful.items[item.id].justified is None


def test_a_sanction_is_not_the_mild_individual_answer(shipped):
    """Taking activities away as a sanction is punishment even for one person: it scores high
    and gets its own action, but it is not a rule for everyone, so not a blanket restriction;
    a ward-wide points or levels system is. The mild answer is only a person's own risk."""
    item = shipped.item("activities-as-privilege")
    options = {o.id: o for o in item.status_question.options}
    assert "levels" in options["everyone"].label and options["everyone"].blanket
    assert "own risk" in options["individual"].label and options["individual"].score == 1
    assert "sanction" in options["sanction"].label and not options["sanction"].blanket
    assert options["individual"].score < options["sanction"].score < options["everyone"].score

    def outcome(answer):
        answers = {item.id: {"in-place": answer}}
        found = [r.item_id for r in score(shipped, answers).restrictions]
        return found, {a.action_id for a in plan(shipped, answers)}

    assert outcome("individual") == ([], {"activity-risk-in-care-plan"})
    assert outcome("sanction") == ([], {"stop-activity-sanctions", "positive-behaviour-support"})
    assert outcome("everyone") == (
        [item.id],
        {"end-privilege-system", "positive-behaviour-support"},
    )


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
        assert item.never_justified is (item.id in NEVER_JUSTIFIED), item.id
        assert "for everyone" not in item.title.lower(), item.id
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

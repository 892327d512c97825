"""Scoring and action planning. Pure functions of (framework, answers).

`answers` maps item id -> {question id -> value}. A value is an option id (single, yes_no), a
list of option ids (multiple), an ISO date string (date) or a string (text). Unknown item ids,
unknown question ids, values that are not options of their question, and answers to questions
that are not shown are all ignored. See docs/scoring.md for the rules and a worked example.

Speed: `compile_framework` turns the models into plain tuples, dicts and frozensets once per
framework (cached on the Framework), so scoring one assessment is a single pass over the
questions with dict look-ups only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .model import PRIORITY_RANK, Framework

__all__ = [
    "DomainScore",
    "ItemScore",
    "OverallScore",
    "PlannedAction",
    "Restriction",
    "Result",
    "as_planned",
    "percent",
    "plan",
    "score",
]

# Question kinds in the compiled form.
_CHOICE, _MULTIPLE, _FREE = 0, 1, 2

NOT_IN_PLACE, INDIVIDUAL, BLANKET = "not-in-place", "individual", "blanket"

# The plan's sort key packs (priority rank, points cap - item points, action position) in one int.
_SEQ_BITS = 24
_POINTS_BITS = 24
_POINTS_CAP = (1 << _POINTS_BITS) - 1


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    domain_id: str
    points: int
    max_points: int
    percent: float
    answered: bool
    missing: tuple[str, ...]
    status: str | None  # "not-in-place" | "individual" | "blanket" | None (not answered yet)
    blanket: bool
    justified: bool | None  # None when not blanket


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    points: int
    max_points: int
    percent: float
    rag: str
    rag_label: str
    answered_items: int
    total_items: int


@dataclass(frozen=True)
class OverallScore:
    points: int
    max_points: int
    percent: float
    rag: str
    rag_label: str
    answered_items: int
    total_items: int


@dataclass(frozen=True)
class Restriction:
    item_id: str
    domain_id: str
    title: str
    justified: bool


@dataclass(frozen=True)
class Result:
    items: dict[str, ItemScore]
    domains: dict[str, DomainScore]
    overall: OverallScore
    restrictions: tuple[Restriction, ...]
    missing: tuple[tuple[str, str], ...]
    complete: bool


@dataclass(frozen=True)
class PlannedAction:
    key: str  # "item-id/action-id": stable across framework versions
    item_id: str
    domain_id: str
    action_id: str
    text: str
    priority: str  # high | medium | low
    due_days: int
    item_points: int
    replaces: tuple[str, ...] = ()  # keys of earlier versions' actions this one takes over from


def _maker(cls):
    """A fast positional constructor for a frozen dataclass.

    The generated __init__ of a frozen dataclass calls object.__setattr__ once per field
    (about 2 microseconds for ten fields); scoring builds a hundred or more results per call,
    so it fills the instance dict in one step instead. The result is an ordinary instance.
    """
    names = [f.name for f in fields(cls)]
    args = ", ".join(names)
    body = ", ".join(f"{n!r}: {n}" for n in names)
    src = (
        f"def make({args}):\n    o = _new(cls)\n    _set(o, '__dict__', {{{body}}})\n    return o\n"
    )
    scope = {"_new": object.__new__, "_set": object.__setattr__, "cls": cls}
    exec(src, scope)  # noqa: S102 - built from the dataclass's own field names
    return scope["make"]


_item_score = _maker(ItemScore)
_domain_score = _maker(DomainScore)
_restriction = _maker(Restriction)
_planned = _maker(PlannedAction)


# --- compiled form ---------------------------------------------------------------------------
#
# Conditions become tuples of (question id, frozenset of option ids). An item's questions become
# "blocks": runs of consecutive questions with the same condition, so a condition is worked out
# once per run (the standard follow-ups all hang on "in-place is everyone"). Actions are indexed
# by the question of their first condition, so planning only looks at actions whose question
# was answered.

Conds = tuple[tuple[str, frozenset[str]], ...]
# (question id, kind, option id -> score)
CQuestion = tuple[str, int, dict[str, int]]


@dataclass(frozen=True, slots=True)
class _CAction:
    order: int  # position among the item's actions
    id: str
    key: str
    text: str
    priority: str
    rank: int
    due_days: int
    rest: Conds  # the conditions after the first
    seq: int  # position among all the framework's actions
    rank_bits: int  # the priority rank, shifted above the points and the position
    made: dict  # item points (and steps) -> PlannedAction (immutable: one serves every plan)
    steps: tuple[tuple[str, Conds], ...] = ()  # (text, conditions) of an action with steps
    replaces: tuple[str, ...] = ()  # "item-id/action-id" keys


@dataclass(frozen=True, slots=True)
class _CItem:
    index: int
    id: str
    domain_id: str
    title: str
    blocks: tuple[tuple[Conds, tuple[CQuestion, ...]], ...]
    max_points: int
    status_question: str | None
    status_of: dict[str, str]  # option id of the status question -> status
    justified_when: Conds
    never_justified: bool  # a blanket answer never counts as justified (1.3.0 on)
    triggers: dict[str, tuple[tuple[frozenset[str], _CAction], ...]]
    stepped: tuple[_CAction, ...]  # actions with steps: `rest` holds all of their own `when`
    unanswered: ItemScore  # the score of the item when nothing is answered
    unanswered_missing: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Compiled:
    items: tuple[_CItem, ...]
    domains: tuple[tuple[str, tuple[_CItem, ...]], ...]
    bands: tuple[tuple[float, str, str], ...]  # (max, rating, label)
    floor: int  # index of the best band a domain with an unjustified restriction can have


def _conds(conditions) -> Conds:
    return tuple((c.question, frozenset(c.in_)) for c in conditions)


def _kind(qtype: str) -> int:
    if qtype == "multiple":
        return _MULTIPLE
    return _CHOICE if qtype in ("single", "yes_no") else _FREE


def _compile_item(index: int, domain_id: str, item, seq: int) -> _CItem:
    blocks: list[tuple[Conds, list[CQuestion]]] = []
    for q in item.questions:
        when = _conds(q.when)
        cq = (q.id, _kind(q.type), {o.id: o.score for o in q.options})
        if blocks and blocks[-1][0] == when:
            blocks[-1][1].append(cq)
        else:
            blocks.append((when, [cq]))
    # with nothing answered, the unconditional choice questions are the missing ones
    missing = tuple(q[0] for when, qs in blocks if not when for q in qs if q[1] != _FREE)
    sq = item.status_question
    status_of = {}
    if sq is not None:
        for o in sq.options:
            status_of[o.id] = (
                BLANKET if o.blanket else (NOT_IN_PLACE if o.score == 0 else INDIVIDUAL)
            )
    triggers: dict[str, list[tuple[frozenset[str], _CAction]]] = {}
    stepped: list[_CAction] = []
    for n, a in enumerate(item.actions):
        when = _conds(a.when)
        ca = _CAction(
            order=n,
            id=a.id,
            key=f"{item.id}/{a.id}",
            text=a.text,
            priority=a.priority,
            rank=PRIORITY_RANK[a.priority],
            due_days=a.due_days,
            rest=when if a.steps else when[1:],
            seq=seq + n,
            rank_bits=PRIORITY_RANK[a.priority] << (_POINTS_BITS + _SEQ_BITS),
            made={},
            steps=tuple((step.text, _conds(step.when)) for step in a.steps),
            replaces=tuple(f"{item.id}/{old}" for old in a.replaces),
        )
        if a.steps:
            stepped.append(ca)
        else:
            triggers.setdefault(when[0][0], []).append((when[0][1], ca))
    return _CItem(
        index=index,
        id=item.id,
        domain_id=domain_id,
        title=item.title,
        blocks=tuple((when, tuple(qs)) for when, qs in blocks),
        max_points=item.max_points,
        status_question=sq.id if sq is not None else None,
        status_of=status_of,
        justified_when=_conds(item.justified_when),
        never_justified=item.never_justified,
        triggers={qid: tuple(v) for qid, v in triggers.items()},
        stepped=tuple(stepped),
        unanswered=_item_score(
            item.id, domain_id, 0, item.max_points, 0.0, not missing, missing, None, False, None
        ),
        unanswered_missing=tuple((item.id, qid) for qid in missing),
    )


def compile_framework(fw: Framework) -> Compiled:
    items: list[_CItem] = []
    domains = []
    seq = 0
    for domain in fw.domains:
        domain_items = []
        for item in domain.items:
            ci = _compile_item(len(items), domain.id, item, seq)
            seq += len(item.actions)
            items.append(ci)
            domain_items.append(ci)
        domains.append((domain.id, tuple(domain_items)))
    keys = [a.key for ci in items for found in ci.triggers.values() for _, a in found]
    keys += [a.key for ci in items for a in ci.stepped]
    if len(keys) != len(set(keys)):
        raise ValueError("action keys are not unique (validation should have refused this)")
    if seq >= 1 << _SEQ_BITS or any(ci.max_points >= _POINTS_CAP for ci in items):
        raise ValueError("framework too large for the plan's sort key")
    bands = tuple((float(b.max), b.rating, b.label) for b in fw.scoring.rag)
    ratings = [b.rating for b in fw.scoring.rag]
    at_least = fw.scoring.unjustified_rating_at_least
    floor = ratings.index(at_least) if at_least in ratings else 0
    return Compiled(items=tuple(items), domains=tuple(domains), bands=bands, floor=floor)


# --- evaluation ------------------------------------------------------------------------------


def _holds(when: Conds, shown: dict[str, Any]) -> bool:
    """Every condition holds: its question is shown and answered with one of the options."""
    for qid, allowed in when:
        value = shown.get(qid)
        if value is None:
            return False
        if value.__class__ is str:
            if value not in allowed:
                return False
        elif allowed.isdisjoint(value):
            return False
    return True


def _evaluate(ci: _CItem, item_answers: Any) -> tuple[dict[str, Any], int, list[str]]:
    """(shown answers, points, missing question ids) for one item.

    Conditions only refer to earlier questions, so one pass in order decides what is shown.
    """
    if item_answers.__class__ is not dict:
        item_answers = item_answers if isinstance(item_answers, Mapping) else {}
    get = item_answers.get
    shown: dict[str, Any] = {}
    points = 0
    missing: list[str] = []
    for when, questions in ci.blocks:
        if when and not _holds(when, shown):
            continue
        for qid, kind, scores in questions:
            raw = get(qid)
            if kind == _CHOICE:
                value = scores.get(raw) if raw.__class__ is str else None
                if value is None:
                    missing.append(qid)
                else:
                    shown[qid] = raw
                    points += value
            elif kind == _MULTIPLE:
                if raw.__class__ is str:
                    raw = (raw,)
                if isinstance(raw, (list, tuple)):
                    chosen = tuple(
                        dict.fromkeys(v for v in raw if v.__class__ is str and v in scores)
                    )
                    shown[qid] = chosen
                    for v in chosen:
                        points += scores[v]
                else:
                    missing.append(qid)
            elif raw.__class__ is str and raw.strip():
                shown[qid] = raw
    return shown, points, missing


def percent(points: int, max_points: int) -> float:
    """100 * points / max_points, rounded half up to one decimal place; 0.0 when max is 0."""
    if max_points <= 0:
        return 0.0
    return ((2000 * points + max_points) // (2 * max_points)) / 10


def _band(bands, pct: float, floor: int = 0) -> tuple[str, str]:
    """The band for a percentage, but no better than band number `floor`."""
    index = next((i for i, band in enumerate(bands) if pct <= band[0]), len(bands) - 1)
    _, rating, label = bands[max(index, floor)]
    return rating, label


_EMPTY: dict = {}


def _answer_getter(answers: Any):
    if answers.__class__ is dict or isinstance(answers, Mapping):
        return answers.get
    return _EMPTY.get


def score(framework: Framework, answers: Mapping[str, Mapping[str, Any]] | None) -> Result:
    """Score one assessment. See docs/scoring.md."""
    compiled: Compiled = framework.compiled
    bands = compiled.bands
    get = _answer_getter(answers)
    items: dict[str, ItemScore] = {}
    domains: dict[str, DomainScore] = {}
    restrictions: list[Restriction] = []
    all_missing: list[tuple[str, str]] = []
    total_points = total_max = total_answered = total_items = 0
    floor = compiled.floor
    any_unjustified = False
    for domain_id, cis in compiled.domains:
        d_points = d_max = d_answered = 0
        d_unjustified = False
        for ci in cis:
            item_id = ci.id
            item_answers = get(item_id)
            if not item_answers:  # not started: the same result every time
                unanswered = ci.unanswered
                items[item_id] = unanswered
                if unanswered.missing:
                    all_missing.extend(ci.unanswered_missing)
                else:
                    d_max += ci.max_points
                    d_answered += 1
                continue
            shown, points, missing = _evaluate(ci, item_answers)
            status = None
            justified = None
            if ci.status_question is not None:
                chosen = shown.get(ci.status_question)
                if chosen is not None:
                    status = ci.status_of.get(chosen)
            blanket = status == BLANKET
            if blanket:
                justified = not ci.never_justified and _holds(ci.justified_when, shown)
                d_unjustified = d_unjustified or not justified
                restrictions.append(_restriction(item_id, domain_id, ci.title, justified))
            max_points = ci.max_points
            if missing:
                all_missing.extend([(item_id, qid) for qid in missing])
            else:
                d_points += points
                d_max += max_points
                d_answered += 1
            items[item_id] = _item_score(
                item_id,
                domain_id,
                points,
                max_points,
                percent(points, max_points),
                not missing,
                tuple(missing),
                status,
                blanket,
                justified,
            )
        d_pct = percent(d_points, d_max)
        rating, label = _band(bands, d_pct, floor if d_unjustified else 0)
        any_unjustified = any_unjustified or d_unjustified
        domains[domain_id] = _domain_score(
            domain_id, d_points, d_max, d_pct, rating, label, d_answered, len(cis)
        )
        total_points += d_points
        total_max += d_max
        total_answered += d_answered
        total_items += len(cis)
    o_pct = percent(total_points, total_max)
    rating, label = _band(bands, o_pct, floor if any_unjustified else 0)
    overall = OverallScore(
        points=total_points,
        max_points=total_max,
        percent=o_pct,
        rag=rating,
        rag_label=label,
        answered_items=total_answered,
        total_items=total_items,
    )
    return Result(
        items=items,
        domains=domains,
        overall=overall,
        restrictions=tuple(restrictions),
        missing=tuple(all_missing),
        complete=not all_missing,
    )


def plan(
    framework: Framework, answers: Mapping[str, Mapping[str, Any]] | None
) -> list[PlannedAction]:
    """The actions whose `when` holds on the shown answers, one per "item-id/action-id" key
    (an action with steps also needs a step that holds, and its text lists those steps),
    ordered by priority (high, medium, low), then the item's points (most first), then the
    framework's order (items in order; within an item its own actions, then the standard ones).

    Keys are unique by construction (action ids are unique within an item, standard ones
    included, which validation enforces and compile_framework checks), so each triggered action
    appears once.
    """
    compiled: Compiled = framework.compiled
    get = _answer_getter(answers)
    found: dict[int, tuple[_CAction, _CItem, int, tuple[str, ...]]] = {}
    for ci in compiled.items:
        item_answers = get(ci.id)
        if not item_answers:
            continue
        shown, points, _missing = _evaluate(ci, item_answers)
        triggers = ci.triggers
        base = (_POINTS_CAP - points) << _SEQ_BITS
        for qid, value in shown.items():
            candidates = triggers.get(qid)
            if candidates is None:
                continue
            for allowed, a in candidates:
                if value.__class__ is str:
                    if value not in allowed:
                        continue
                elif allowed.isdisjoint(value):
                    continue
                if a.rest and not _holds(a.rest, shown):
                    continue
                # one integer orders by (priority, -points, framework order): sorting is cheap
                found[a.rank_bits | base | a.seq] = (a, ci, points, ())
        for a in ci.stepped:
            if _holds(a.rest, shown):
                steps = tuple(text for text, when in a.steps if _holds(when, shown))
                if steps:
                    found[a.rank_bits | base | a.seq] = (a, ci, points, steps)
    out: list[PlannedAction] = []
    for key in sorted(found):
        a, ci, points, steps = found[key]
        made = a.made.get((points, steps))
        if made is None:
            text = _text(a.text, steps)
            made = a.made[points, steps] = _planned(
                a.key, ci.id, ci.domain_id, a.id, text, a.priority, a.due_days, points, a.replaces
            )
        out.append(made)
    return out


def _text(lead: str, steps: tuple[str, ...]) -> str:
    """An action's plan text: its own text, then each step that holds on a line of its own."""
    return "\n".join((lead, *map(_step_line, steps))) if steps else lead


def _step_line(step: str) -> str:
    return f"- {step}"


def as_planned(framework: Framework, key: str, text: str) -> bool:
    """Whether `text` is word for word what `plan` writes for the action `key` (with any of its
    steps, in order): nobody has edited it, so a later plan may rewrite it, for instance to
    list only the safeguards still missing."""
    item_id, _, action_id = key.partition("/")
    try:
        actions = framework.item(item_id).actions  # standard actions included, {title} filled in
    except KeyError:
        return False
    for a in actions:
        if a.id != action_id:
            continue
        if not a.steps:
            return text == a.text
        lead, *lines = text.split("\n")
        step_lines = iter(_step_line(step.text) for step in a.steps)
        # every line is a step, in the framework's order (`in` consumes the iterator)
        return lead == a.text and bool(lines) and all(ln in step_lines for ln in lines)
    return False

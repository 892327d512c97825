"""The framework as frozen pydantic models.

These models describe both the YAML (each model's fields are the keys an editor may write; any
other key is refused) and the loaded framework. Three models differ between file and loaded form
and have a ``Raw*`` twin used only while reading files: the manifest (which lists domain *files*),
the domain file and the item (whose ``questions`` and ``actions`` are expanded on load).

Everything is immutable. Lookups used while scoring are precomputed once per framework with
``functools.cached_property`` (pydantic ignores cached properties, and they work on frozen models).
"""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)

__all__ = [
    "SLUG_PATTERN",
    "ActionSpec",
    "Condition",
    "Domain",
    "Framework",
    "Item",
    "Option",
    "Question",
    "RagBand",
    "Reference",
    "Scoring",
    "Source",
    "CHOICE_TYPES",
    "visible_questions",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: Whole numbers separated by dots ("1.2.0"), so that versions sort the same way everywhere.
VERSION_PATTERN = r"^[0-9]+(?:\.[0-9]+)*$"

Slug = Annotated[StrictStr, Field(pattern=SLUG_PATTERN)]
Text = Annotated[StrictStr, Field(min_length=1)]
QuestionType = Literal["single", "multiple", "yes_no", "date", "text"]
Priority = Literal["high", "medium", "low"]

#: Question types whose answers are option ids and score points.
CHOICE_TYPES = frozenset({"single", "multiple", "yes_no"})
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


def _one_or_many(value: Any) -> Any:
    """`when: {question: ..., in: [...]}` is shorthand for a list of one condition."""
    if isinstance(value, dict):
        return [value]
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Condition(_Model):
    """Holds when the answer to `question` (shown, and answered) is one of the option ids `in`.

    For a `multiple` question it holds when any chosen option is in `in`.
    """

    question: Slug
    in_: Annotated[tuple[StrictStr, ...], Field(alias="in", min_length=1)]


Conditions = Annotated[tuple[Condition, ...], BeforeValidator(_one_or_many)]


class Option(_Model):
    id: Slug
    label: Text
    score: Annotated[StrictInt, Field(ge=0, le=10)]
    blanket: StrictBool = False


class Question(_Model):
    id: Slug
    type: QuestionType
    text: Text
    help: StrictStr | None = None
    when: Conditions = ()
    options: tuple[Option, ...] = ()
    # A date question only: the date given must fall within the framework's review period
    # (`review_period_months`), as for "When was it last reviewed?" after "reviewed in the
    # last 12 months". Version 1.2.1 on.
    within_review_period: StrictBool = False

    @cached_property
    def max_score(self) -> int:
        """Most points one answer can give: the best option, or every option for `multiple`."""
        if not self.options:
            return 0
        if self.type == "multiple":
            return sum(o.score for o in self.options)
        return max(o.score for o in self.options)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class ActionStep(_Model):
    """One step of an action with steps: listed in the action's text when `when` holds."""

    text: Text
    when: Annotated[Conditions, Field(min_length=1)]


class ActionSpec(_Model):
    """A suggested action. It is suggested when every condition of `when` holds and, for an
    action with `steps`, at least one step's `when` holds too; its text is then `text` followed
    by the text of each step that holds, one per line. The validator asks for `when`, `steps` or
    both."""

    id: Slug
    text: Text
    priority: Priority
    due_days: Annotated[StrictInt, Field(gt=0)]
    when: Conditions = ()
    steps: tuple[ActionStep, ...] = ()
    #: ids of actions (of earlier versions) this one takes the place of: a ward's open actions
    #: with those ids, for the same item, carry forward instead of it.
    replaces: tuple[Slug, ...] = ()


class Reference(_Model):
    source: Slug
    paragraphs: tuple[StrictStr, ...] = ()
    section: StrictStr | None = None


class Source(_Model):
    id: Slug
    title: Text
    publisher: StrictStr | None = None
    url: StrictStr | None = None


class RagBand(_Model):
    rating: Slug
    label: Text
    max: Annotated[float, Field(strict=True, ge=0, le=100)]


class Scoring(_Model):
    combine: Literal["sum"] = "sum"
    rag: Annotated[tuple[RagBand, ...], Field(min_length=1)]
    justified_when: Conditions = ()
    #: While a domain (or the whole ward) has an unjustified blanket restriction, its rating
    #: is no better than this band, however low its percentage.
    unjustified_rating_at_least: Slug | None = None

    def rag_for(self, percent: float) -> RagBand:
        """The first band whose upper bound is at least `percent` (the last band otherwise)."""
        for band in self.rag:
            if percent <= band.max:
                return band
        return self.rag[-1]


def find_status_question(questions: tuple[Question, ...]) -> Question | None:
    """The question whose answer says whether the restriction is in place: `in-place`, or
    the item's first single-choice or yes/no question."""
    for q in questions:
        if q.id == "in-place":
            return q
    return next((q for q in questions if q.type in ("single", "yes_no")), None)


# How the product says that an item is `never_justified` (results page, PDFs, the reason a
# carried-forward safeguards action is closed).
NEVER_JUSTIFIED_WORDS = "can never be justified as a rule for everyone"


def questions_can_be_blanket(questions: tuple[Question, ...]) -> bool:
    """Whether some answer to the status question makes the item a blanket restriction. An
    item that can never be one is scored, but has no safeguard actions and no justification."""
    sq = find_status_question(questions)
    return sq is not None and any(o.blanket for o in sq.options)


# --- the file shapes -------------------------------------------------------------------------


class RawItem(_Model):
    """An item as written in a domain file."""

    id: Slug
    title: Text
    description: StrictStr | None = None
    why: StrictStr | None = None
    references: tuple[Reference, ...] = ()
    questions: tuple[Question, ...] | None = None
    extra_questions: tuple[Question, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    justified_when: Conditions | None = None
    never_justified: StrictBool = False


class RawDomain(_Model):
    """A domain file."""

    id: Slug
    title: Text
    description: StrictStr | None = None
    items: Annotated[tuple[RawItem, ...], Field(min_length=1)]


class RawManifest(_Model):
    """framework.yaml."""

    id: Slug
    title: Text
    version: Annotated[StrictStr, Field(pattern=VERSION_PATTERN)]
    published: _dt.date | None = None
    description: StrictStr | None = None
    review_period_months: Annotated[StrictInt, Field(gt=0)] = 12
    sources: tuple[Source, ...] = ()
    domains: Annotated[tuple[Annotated[StrictStr, Field(min_length=1)], ...], Field(min_length=1)]
    scoring: Scoring
    standard_questions: tuple[Question, ...] = ()
    standard_actions: tuple[ActionSpec, ...] = ()


# --- the loaded framework --------------------------------------------------------------------


class Item(_Model):
    """One restriction. `questions` and `actions` are expanded:

    - `questions`: the manifest's standard questions (or the item's own `questions`), then the
      item's `extra_questions`;
    - `actions`: the item's own actions, then every standard action with "{title}" replaced by
      the item's title (same id as in the manifest; the plan key "item-id/action-id" is per item);
    - `justified_when`: the item's own, or the framework's;
    - `never_justified`: a blanket answer never counts as justified (the practice is unlawful
      as a rule for everyone, or is for staff convenience or punishment), so the item has no
      standard (safeguard) actions and an empty `justified_when`. Version 1.3.0 on.
    """

    id: Slug
    title: Text
    description: StrictStr | None = None
    why: StrictStr | None = None
    references: tuple[Reference, ...] = ()
    questions: tuple[Question, ...]
    actions: tuple[ActionSpec, ...]
    own_action_ids: tuple[Slug, ...] = ()
    justified_when: Conditions = ()
    never_justified: StrictBool = False

    @cached_property
    def max_points(self) -> int:
        """Most points the item could score: each question's best answer, as if all were shown.

        Conditions are not worked through: a question counts whenever *some* answers would show
        it. For the standard questions this is exact (every follow-up shows on the blanket
        answer). An item whose follow-ups exclude one another would get a maximum it cannot
        reach, which only makes its percentage lower, never over 100.
        """
        return sum(q.max_score for q in self.questions)

    @cached_property
    def status_question(self) -> Question | None:
        return find_status_question(self.questions)

    @cached_property
    def can_be_blanket(self) -> bool:
        return questions_can_be_blanket(self.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def action(self, action_id: str) -> ActionSpec | None:
        return next((a for a in self.actions if a.id == action_id), None)


class Domain(_Model):
    id: Slug
    title: Text
    description: StrictStr | None = None
    file: StrictStr
    items: tuple[Item, ...]


class Framework(_Model):
    id: Slug
    version: StrictStr
    title: Text
    published: _dt.date | None = None
    description: StrictStr | None = None
    review_period_months: StrictInt = 12
    sources: tuple[Source, ...] = ()
    domains: tuple[Domain, ...]
    scoring: Scoring
    standard_questions: tuple[Question, ...] = ()
    standard_actions: tuple[ActionSpec, ...] = ()
    #: sha256 of the framework's files (names and bytes): changes whenever any file changes.
    digest: StrictStr = ""

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item, in task-list order."""
        return tuple(item for domain in self.domains for item in domain.items)

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def _domains_by_id(self) -> dict[str, Domain]:
        return {domain.id: domain for domain in self.domains}

    @cached_property
    def _domain_of(self) -> dict[str, Domain]:
        return {item.id: domain for domain in self.domains for item in domain.items}

    @cached_property
    def _sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def compiled(self):
        """Lookup tables for scoring and planning (see app.engine.scoring)."""
        from .scoring import compile_framework

        return compile_framework(self)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if there is none."""
        return self._items_by_id[item_id]

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id; KeyError if there is none."""
        return self._domains_by_id[domain_id]

    def domain_of(self, item_id: str) -> Domain:
        """The domain an item belongs to; KeyError if there is no such item."""
        return self._domain_of[item_id]

    def source(self, source_id: str) -> Source:
        return self._sources_by_id[source_id]

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    def visible_questions(
        self, item: Item | str, item_answers: dict | None
    ) -> tuple[Question, ...]:
        return visible_questions(item if isinstance(item, Item) else self.item(item), item_answers)


def _holds(cond: Condition, shown: dict[str, Any]) -> bool:
    value = shown.get(cond.question)
    if value is None:
        return False
    if isinstance(value, tuple):
        return any(v in cond.in_ for v in value)
    return value in cond.in_


def normalise_answer(question: Question, value: Any) -> Any:
    """The usable answer to `question`, or None when `value` is no answer.

    single/yes_no: a known option id. multiple: a tuple of known option ids (a list, even an
    empty one, is an answer: "none of these"). date/text: a non-empty string.
    """
    if value is None:
        return None
    qt = question.type
    if qt == "multiple":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            return None
        ids = {o.id for o in question.options}
        return tuple(v for v in value if isinstance(v, str) and v in ids)
    if qt in CHOICE_TYPES:
        if isinstance(value, str) and question.option(value) is not None:
            return value
        return None
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, _dt.date):
        return value.isoformat()
    return None


def visible_questions(item: Item, item_answers: dict | None) -> tuple[Question, ...]:
    """The item's questions whose conditions hold, in order.

    A condition on a question that is itself hidden (or unanswered) does not hold.
    """
    answers = item_answers if isinstance(item_answers, dict) else {}
    shown: dict[str, Any] = {}
    out = []
    for q in item.questions:
        if all(_holds(c, shown) for c in q.when):
            out.append(q)
            value = normalise_answer(q, answers.get(q.id))
            if value is not None:
                shown[q.id] = value
    return tuple(out)

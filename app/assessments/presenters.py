"""Shapes of data the walk-through's pages show: statuses, question trees, answer rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..templating import format_date

STATUS_LABELS = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "completed": "Completed",
}


@dataclass(frozen=True)
class Status:
    id: str
    title: str
    status: str
    answered: int
    total: int

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _status(answered: int, started: int, total: int) -> str:
    if answered == total and total:
        return "completed"
    return "in-progress" if started else "not-started"


def domain_statuses(framework, assessment, result) -> list[Status]:
    saved = {a.item_id for a in assessment.answers if a.values}
    out = []
    for domain in framework.domains:
        answered = sum(1 for i in domain.items if result.items[i.id].answered)
        started = sum(1 for i in domain.items if i.id in saved)
        out.append(
            Status(
                domain.id,
                domain.title,
                _status(answered, started, len(domain.items)),
                answered,
                len(domain.items),
            )
        )
    return out


def item_statuses(domain, assessment, result) -> list[Status]:
    saved = {a.item_id for a in assessment.answers if a.values}
    return [
        Status(
            i.id,
            i.title,
            "completed"
            if result.items[i.id].answered
            else ("in-progress" if i.id in saved else "not-started"),
            int(result.items[i.id].answered),
            1,
        )
        for i in domain.items
    ]


@dataclass
class QuestionNode:
    question: object
    # option id -> follow-up questions revealed by choosing it
    children: dict[str, list[QuestionNode]] = field(default_factory=dict)


def question_tree(item) -> list[QuestionNode]:
    """Nest each follow-up under the answer that reveals it, as NHS.UK conditional radios.

    A question whose condition is a single test on one answer of an earlier single-choice or
    yes/no question nests under that answer; any other follow-up stays at the top level (it is
    always shown, and its answer only counts when its condition holds). A question revealed
    by several answers is not nested: under one of them, the script that hides the other
    answers' reveals would hide it when another of its answers is chosen.
    """
    nodes: dict[str, QuestionNode] = {}
    top: list[QuestionNode] = []
    by_id = {q.id: q for q in item.questions}
    for q in item.questions:
        node = QuestionNode(q)
        nodes[q.id] = node
        conditions = list(q.when or ())
        parent = by_id.get(conditions[0].question) if len(conditions) == 1 else None
        if (
            parent is not None
            and parent.type in ("single", "yes_no")
            and parent.id in nodes
            and len(conditions[0].in_) == 1
        ):
            nodes[parent.id].children.setdefault(conditions[0].in_[0], []).append(node)
        else:
            top.append(node)
    return top


@dataclass(frozen=True)
class FollowOn:
    """The questions one answer of a first-page question leads to."""

    question: object  # the first-page question
    option: object  # its answer that leads here
    nodes: list[QuestionNode]  # this part of the follow-on page's tree
    ids: frozenset[str]  # every question in it, nested ones too


@dataclass(frozen=True)
class ItemPages:
    """An item's questions split over its question page and, where an answer reveals several
    questions, a follow-on page.

    NHS.UK asks for one simple question in a conditional reveal. A reveal of a single question
    stays inline; an answer that reveals more (such as "Yes, for everyone" and its safeguard
    questions) leads to a follow-on page that asks them, one fieldset each. A question whose
    condition is on one of those goes with them, so it is never asked before what it follows.
    """

    first: list[QuestionNode]  # the question page's tree
    groups: list[FollowOn]  # what each leading answer leads to

    @property
    def follow_on_ids(self) -> frozenset[str]:
        """Every question asked on a follow-on page, whichever answer leads there."""
        return frozenset().union(*(g.ids for g in self.groups))

    @property
    def leads_on(self) -> dict[tuple[str, str], int]:
        """(first-page question id, option id) -> how many questions it leads to."""
        return {(g.question.id, g.option.id): len(g.nodes) for g in self.groups}

    def first_ids(self, item) -> set[str]:
        return {q.id for q in item.questions} - self.follow_on_ids

    def following(self, values: dict) -> list[FollowOn]:
        """The follow-on groups these saved answers lead to."""
        return [g for g in self.groups if values.get(g.question.id) == g.option.id]


def item_pages(item) -> ItemPages:
    tree = question_tree(item)
    groups: list[tuple[object, object, list[QuestionNode], set[str]]] = []
    for node in tree:
        for option_id, kids in node.children.items():
            if len(kids) > 1 or any(k.children for k in kids):
                option = next(o for o in node.question.options if o.id == option_id)
                groups.append((node.question, option, list(kids), set(_ids(kids))))
                node.children[option_id] = []
    # A first-page question that depends on a follow-on question joins its group (repeated,
    # since a question that joins may be what another depends on).
    moved = True
    while moved:
        moved = False
        for node in list(tree):
            refers = {c.question for c in node.question.when}
            group = next((g for g in groups if refers & g[3]), None)
            if group is not None:
                tree.remove(node)
                group[2].append(node)
                group[3].update(_ids([node]))
                moved = True
    return ItemPages(tree, [FollowOn(q, o, nodes, frozenset(ids)) for q, o, nodes, ids in groups])


def _ids(nodes: list[QuestionNode]):
    for node in nodes:
        yield node.question.id
        for kids in node.children.values():
            yield from _ids(kids)


def answer_rows(framework, item, values: dict) -> list[dict]:
    """Each shown question with the answer in words, for check-your-answers and conflicts."""
    rows = []
    for q in framework.visible_questions(item, values or {}):
        value = (values or {}).get(q.id)
        labels = {o.id: o.label for o in q.options}
        if value in (None, "", []):
            text = None
        elif q.type == "multiple":
            text = ", ".join(labels.get(v, v) for v in value)
        elif q.type == "date":
            text = format_date(value)
        elif q.type == "text":
            text = value
        else:
            text = labels.get(value, value)
        rows.append({"question": q, "answer": text, "optional": q.type in ("date", "text")})
    return rows

"""How an item's questions are laid out: inline reveals of one question, and a follow-on page
for an answer that leads to several."""

from __future__ import annotations

from app import frameworks
from app.assessments.presenters import item_pages, question_tree
from app.engine.model import Condition, Option, Question

YES_NO = (Option(id="yes", label="Yes", score=0), Option(id="no", label="No", score=1))


def ids(nodes):
    return [n.question.id for n in nodes]


def test_the_safeguard_questions_are_asked_on_a_follow_on_page(app):
    item = frameworks.latest().items[0]
    pages = item_pages(item)
    assert ids(pages.first) == ["in-place"]
    assert pages.first[0].children == {"everyone": []}
    assert ids(pages.follow_on) == [
        "written-reason",
        "senior-authorisation",
        "reviewed-in-period",
        "explained",
        "exemptions",
        "lived-experience",
    ]
    # The review date is one question revealed by one answer: it stays inline there.
    reviewed = pages.follow_on[2]
    assert ids(reviewed.children["yes"]) == ["last-review-date"]
    assert pages.follow_on_ids == {*ids(pages.follow_on), "last-review-date"}
    assert pages.leads_on == {("in-place", "everyone"): 6}
    assert pages.first_ids(item) == {"in-place"}


def test_one_revealed_question_stays_inline_and_one_revealed_by_two_answers_is_not_nested(app):
    item = frameworks.latest().items[0]
    status = item.questions[0]
    first, second = status.options[1].id, status.options[2].id
    questions = (
        status,
        Question(
            id="why",
            type="text",
            text="Why?",
            when=(Condition(question=status.id, **{"in": (first,)}),),
        ),
        Question(
            id="both",
            type="yes_no",
            text="Is it written down?",
            options=YES_NO,
            when=(Condition(question=status.id, **{"in": (first, second)}),),
        ),
    )
    item = item.model_copy(update={"questions": questions})
    tree = question_tree(item)
    # "both" is at the top level: nested under one answer, it would be hidden when the other
    # is chosen.
    assert ids(tree) == [status.id, "both"]
    assert ids(tree[0].children[first]) == ["why"]
    pages = item_pages(item)
    assert pages.follow_on == [] and pages.leads_on == {}
    assert pages.first_ids(item) == {status.id, "why", "both"}

"""How an item's questions are laid out: inline reveals of one question, and a follow-on page
for an answer that leads to several."""

from __future__ import annotations

import re
import shutil

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
    (group,) = pages.groups
    assert (group.question.id, group.option.id) == ("in-place", "everyone")
    assert ids(group.nodes) == [
        "written-reason",
        "senior-authorisation",
        "reviewed-in-period",
        "explained",
        "exemptions",
        "lived-experience",
    ]
    # The review date is one question revealed by one answer: it stays inline there.
    reviewed = group.nodes[2]
    assert ids(reviewed.children["yes"]) == ["last-review-date"]
    assert pages.follow_on_ids == group.ids == {*ids(group.nodes), "last-review-date"}
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
    assert pages.groups == [] and pages.leads_on == {}
    assert pages.first_ids(item) == {status.id, "why", "both"}


def when(question_id: str, *option_ids: str) -> tuple:
    return (Condition(question=question_id, **{"in": option_ids}),)


def test_each_answer_leads_to_its_own_questions_and_what_depends_on_them_follows(app):
    item = frameworks.latest().items[0]
    status = item.questions[0]
    individual, everyone = status.options[1].id, status.options[2].id

    def yes_no(question_id, condition):
        return Question(
            id=question_id, type="yes_no", text=question_id, options=YES_NO, when=condition
        )

    questions = (
        status,
        yes_no("plan-a", when(status.id, individual)),
        yes_no("plan-b", when(status.id, individual)),
        yes_no("reason", when(status.id, everyone)),
        yes_no("signed", when(status.id, everyone)),
        # On a question of the "everyone" group, with two answers: it cannot nest, and it
        # must not be asked on the first page, before "signed" is.
        yes_no("minuted", when("signed", "yes", "no")),
        yes_no("shared", when("minuted", "yes")),
    )
    item = item.model_copy(update={"questions": questions})
    pages = item_pages(item)
    assert ids(pages.first) == [status.id]
    by_option = {g.option.id: g for g in pages.groups}
    assert ids(by_option[individual].nodes) == ["plan-a", "plan-b"]
    assert ids(by_option[everyone].nodes) == ["reason", "signed", "minuted"]
    assert by_option[everyone].ids == {"reason", "signed", "minuted", "shared"}
    assert pages.leads_on == {(status.id, individual): 2, (status.id, everyone): 3}
    # Only the group of the answer saved is asked.
    assert pages.following({status.id: everyone}) == [by_option[everyone]]
    assert pages.following({status.id: "not-in-place"}) == []


def test_a_text_question_gives_its_limit_and_an_error_that_names_it(app, world, login_as, tmp_path):
    """A framework version with a text question on every item (none ships one yet): the box says
    how much it takes, and too long an answer is explained with the question, as the others are."""
    from pathlib import Path

    from tests.helpers import make_assessment

    shipped = Path(__file__).resolve().parents[2] / "framework" / "blanket-restrictions-1.2.1"
    copy = tmp_path / "framework" / "blanket-restrictions-1.2.1"
    shutil.copytree(shipped, copy)
    manifest = copy / "framework.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "standard_questions:\n",
            "standard_questions:\n"
            "  - id: anything-else\n"
            "    type: text\n"
            "    text: Is there anything else the team wants to say about it?\n",
            1,
        )
    )
    app.config["FRAMEWORK_ROOT"] = str(copy.parent)
    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    item = frameworks.for_assessment(assessment).items[0]
    question = item.questions[0]
    assert question.type == "text"
    client = login_as(world.oak_member)
    url = f"/assessments/{assessment.id}/items/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        r'id="q-anything-else-hint"\s*>\s*You can enter up to 10,000 characters.\s*<', page
    )

    response = client.post(
        url,
        data={"q-anything-else": "x" * 10_001, "q-in-place": "not-in-place", "version": "0"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    message = f"Answer must be 10,000 characters or fewer: {question.text}"
    assert re.search(rf'href="#q-anything-else"\s*>\s*{re.escape(message)}\s*</a>', html)
    assert f'<span class="nhsuk-u-visually-hidden">Error: </span>{message}' in html


def test_evidence_and_comments_say_how_much_they_take(client, world, login_as):
    from tests.helpers import make_assessment

    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    item = frameworks.for_assessment(assessment).items[0]
    login_as(world.oak_member)
    page = client.get(f"/assessments/{assessment.id}/items/{item.id}").get_data(as_text=True)
    page = re.sub(r"\s+", " ", page)
    for box in ("evidence", "comment"):
        hint = re.search(rf'id="{box}-hint"[^>]*> ?([^<]+?) ?</', page)
        assert hint and hint.group(1).endswith("You can enter up to 10,000 characters."), box

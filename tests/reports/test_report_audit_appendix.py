"""The full report's audit-trail appendix goes only to people who may read the audit trail
(administrators and the ward's leads); everyone else gets the report without it, and the two
copies are cached apart."""

from __future__ import annotations

import pytest

from app import frameworks
from app.assessments import services
from app.extensions import db
from app.models import Answer, RenderedDocument
from tests.actions.conftest import blanket_answers
from tests.helpers import make_assessment

from .test_pdfs import pdf_text

APPENDIX = "Appendix: audit trail"
LEFT_OUT = "This copy leaves out the change history"


@pytest.fixture
def edited_in_draft(app, world):
    """Oak's assessment: a member typed evidence while it was a draft, changed it, and the lead
    submitted."""
    assessment = make_assessment(world.oak, world.oak_lead, blanket_answers(app))
    item_id = frameworks.for_assessment(assessment).items[0].id
    for evidence in ("DRAFTSECRET", "Kitchen policy reviewed in March"):
        answer = db.session.scalar(
            db.select(Answer).where(
                Answer.assessment_id == assessment.id, Answer.item_id == item_id
            )
        )
        services.save_item(
            assessment,
            item_id,
            services.ItemInput(
                values=dict(answer.values),
                evidence=evidence,
                comment="",
                based_on_version=answer.version,
            ),
            world.oak_member,
        )
    db.session.refresh(assessment)
    assert services.submit(assessment, world.oak_lead)
    return assessment


def report_of(client, assessment):
    return client.get(f"/assessments/{assessment.id}/report.pdf")


@pytest.mark.parametrize("who", ["commissioner", "oak_member"])
def test_a_reader_who_may_not_see_the_audit_trail_gets_the_report_without_it(
    client, world, login_as, edited_in_draft, who
):
    login_as(getattr(world, who))
    text = pdf_text(report_of(client, edited_in_draft))
    assert "Kitchen policy reviewed in March" in text  # the answers as submitted
    assert APPENDIX not in text
    assert "DRAFTSECRET" not in text
    assert "oak.member@example.org" not in text
    assert LEFT_OUT in text


@pytest.mark.parametrize("who", ["oak_lead", "admin"])
def test_the_ward_lead_and_an_administrator_get_the_appendix(
    client, world, login_as, edited_in_draft, who
):
    login_as(getattr(world, who))
    text = pdf_text(report_of(client, edited_in_draft))
    assert APPENDIX in text
    assert "DRAFTSECRET" in text and "oak.member@example.org" in text
    assert LEFT_OUT not in text


def test_the_two_copies_are_cached_apart(client, world, login_as, edited_in_draft):
    login_as(world.commissioner)
    first_without = report_of(client, edited_in_draft)
    assert first_without.headers["X-Document-Cache"] == "miss"
    login_as(world.oak_lead)
    first_with = report_of(client, edited_in_draft)
    assert first_with.headers["X-Document-Cache"] == "miss"
    assert APPENDIX in pdf_text(first_with)

    # Each reader is served their own copy from the cache, and storing one kept the other.
    login_as(world.commissioner)
    again_without = report_of(client, edited_in_draft)
    assert again_without.headers["X-Document-Cache"] == "hit"
    assert again_without.data == first_without.data
    assert "DRAFTSECRET" not in pdf_text(again_without)
    login_as(world.oak_member)
    assert report_of(client, edited_in_draft).data == first_without.data
    login_as(world.oak_lead)
    again_with = report_of(client, edited_in_draft)
    assert again_with.headers["X-Document-Cache"] == "hit"
    assert again_with.data == first_with.data
    assert db.session.scalar(db.select(db.func.count()).select_from(RenderedDocument)) == 2

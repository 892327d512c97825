"""Reopening is offered only where it would be allowed; otherwise the lead reads why, before
typing a reason."""

from __future__ import annotations

from html import unescape

from app.assessments import services
from app.extensions import db
from app.models import Assessment
from tests.helpers import make_assessment

REOPEN_LINK = "reopen this assessment</a>"
NOT_LATEST = "Only the ward's latest submitted assessment can be reopened"


def reopen_url(assessment) -> str:
    return f"/assessments/{assessment.id}/reopen"


def test_the_latest_results_offer_reopening_to_a_lead(world, login_as):
    latest = make_assessment(world.oak, world.oak_lead, submit=True)
    client = login_as(world.oak_lead)
    page = client.get(f"/assessments/{latest.id}/results").get_data(as_text=True)
    assert REOPEN_LINK in page and reopen_url(latest) in page
    page = client.get(reopen_url(latest)).get_data(as_text=True)
    assert 'name="reason"' in page and "Reopen assessment" in page
    page = (
        login_as(world.oak_member).get(f"/assessments/{latest.id}/results").get_data(as_text=True)
    )
    assert REOPEN_LINK not in page


def test_older_results_do_not_offer_reopening(world, login_as):
    older = make_assessment(world.oak, world.oak_lead, submit=True)
    make_assessment(world.oak, world.oak_lead, submit=True)
    client = login_as(world.oak_lead)
    page = client.get(f"/assessments/{older.id}/results").get_data(as_text=True)
    assert REOPEN_LINK not in page and reopen_url(older) not in page

    response = client.get(reopen_url(older))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NOT_LATEST in unescape(page)
    assert 'name="reason"' not in page  # nothing to type only to be refused
    assert f'href="/assessments/{older.id}/results"' in page

    response = client.post(reopen_url(older), data={"reason": "A typo"})
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert NOT_LATEST in page and "There is a problem" in page
    assert db.session.get(Assessment, older.id).status == "submitted"


def test_results_do_not_offer_reopening_while_the_ward_has_a_draft(world, login_as):
    latest = make_assessment(world.oak, world.oak_lead, submit=True)
    services.start(world.oak, world.oak_lead)
    client = login_as(world.oak_lead)
    page = client.get(f"/assessments/{latest.id}/results").get_data(as_text=True)
    assert REOPEN_LINK not in page
    page = client.get(reopen_url(latest)).get_data(as_text=True)
    assert services.IN_PROGRESS in unescape(page) and 'name="reason"' not in page

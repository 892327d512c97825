"""A commissioner sees their remit, only it, and never a draft; nobody else has a review."""

from __future__ import annotations

import pytest

from tests.helpers import make_assessment

from .conftest import submitted_days_ago


def test_commissioner_sees_only_the_wards_of_providers_in_their_remit(world, login_as):
    client = login_as(world.commissioner)
    page = client.get("/review/").get_data(as_text=True)
    assert "Oak Ward" in page and "Ash Ward" in page
    assert "Willow Ward" not in page and "Southbay" not in page


@pytest.mark.parametrize("who", ["admin", "oak_lead", "oak_member", "willow_lead", "outsider"])
@pytest.mark.parametrize(
    "path", ["/review/", "/review/heat-map", "/review/restrictions", "/review/dashboard.csv"]
)
def test_other_roles_have_no_review(world, login_as, who, path):
    client = login_as(getattr(world, who))
    assert client.get(path).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    response = client.get("/review/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_ward_outside_the_remit_is_not_found_even_by_editing_the_url(world, login_as):
    client = login_as(world.commissioner)
    assert client.get(f"/review/wards/{world.willow.id}").status_code == 404
    assert client.get("/review/wards/999999").status_code == 404
    assert client.get(f"/review/wards/{world.oak.id}").status_code == 200


def test_a_commissioner_who_is_also_a_ward_member_reviews_only_their_remit(world, login_as):
    from app.extensions import db
    from app.models import WardMembership

    db.session.add(WardMembership(user_id=world.commissioner.id, ward_id=world.willow.id))
    db.session.commit()
    client = login_as(world.commissioner)
    assert client.get(f"/review/wards/{world.willow.id}").status_code == 404
    assert "Willow Ward" not in client.get("/review/").get_data(as_text=True)


def test_drafts_are_never_shown_or_counted(world, login_as):
    submitted = submitted_days_ago(world.oak, world.oak_lead, 30, "everyone")
    draft = make_assessment(world.oak, world.oak_lead)  # a new draft, not submitted
    client = login_as(world.commissioner)
    ward_page = client.get(f"/review/wards/{world.oak.id}").get_data(as_text=True)
    assert f"/assessments/{submitted.id}/results" in ward_page
    assert f"/assessments/{draft.id}/" not in ward_page
    assert client.get(f"/assessments/{draft.id}/results").status_code == 404
    assert client.get(f"/assessments/{draft.id}/check").status_code == 404
    assert client.get(f"/assessments/{draft.id}/plan").status_code == 404


def test_submitted_assessments_outside_the_remit_stay_hidden(world, login_as):
    theirs = submitted_days_ago(world.willow, world.willow_lead, 10, "everyone")
    client = login_as(world.commissioner)
    for path in ("results", "check", "plan"):
        assert client.get(f"/assessments/{theirs.id}/{path}").status_code == 404
    page = client.get("/review/restrictions").get_data(as_text=True)
    assert "No blanket restrictions have been found" in page

"""A nurse who spends hours on one page before saving loses nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import frameworks
from app.extensions import db
from app.models import Answer
from tests.conftest import PASSWORD
from tests.helpers import make_assessment


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


# What a browser sends with a form from one of our own pages, and with another site's.
OURS = {"Origin": "http://localhost"}
THEIRS = {"Origin": "https://evil.example"}


def csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client, user):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302


def test_an_expired_security_token_reshows_the_form_with_everything_typed(app, client, world):
    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    item = frameworks.latest().items[0]
    sign_in(client, world.oak_member)
    url = f"/assessments/{assessment.id}/items/{item.id}"
    client.get(url)
    typed = {
        "q-in-place": "individual",
        "evidence": "Two hours of careful notes about the garden",
        "version": "0",
        "csrf_token": "expired-or-forged-token",
    }
    response = client.post(url, data=typed, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was open for a long time" in page
    assert "Two hours of careful notes about the garden" in page
    assert 'value="individual" checked' in page
    assert db.session.scalar(select(Answer)) is None
    # Sending it again with the fresh token the page now carries saves it.
    typed["csrf_token"] = csrf_from(page)
    assert client.post(url, data=typed, headers=OURS).status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.evidence == "Two hours of careful notes about the garden"


def test_an_ended_session_asks_to_sign_in_again_then_saves_what_was_typed(app, client, world):
    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment.id}/items/{item.id}"
    # This client's session has gone: it is not signed in, and its token is stale.
    response = client.post(
        url,
        data={
            "q-in-place": "not-in-place",
            "comment": "Typed before the session ended",
            "version": "0",
            "csrf_token": "from-the-old-session",
        },
        headers=OURS,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nothing you typed has been lost" in page
    assert "Typed before the session ended" in page  # carried in the sign-in form
    resume_data = re.search(r'name="resume_data" value="([^"]*)"', page).group(1)
    response = client.post(
        "/login",
        data={
            "email": world.oak_member.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "resume_url": url,
            "resume_data": resume_data.replace("&#34;", '"').replace("&quot;", '"'),
        },
        headers=OURS,
    )
    page = response.get_data(as_text=True)
    assert "You are signed in again" in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert fields["comment"] == "Typed before the session ended"
    response = client.post(url, data=fields, headers=OURS)
    assert response.status_code == 302, re.findall(
        r"<li>\s*<a[^>]*>([^<]*)", response.get_data(as_text=True)
    )
    answer = db.session.scalar(select(Answer))
    assert answer.comment == "Typed before the session ended"
    assert answer.values == {"in-place": "not-in-place"}


def test_a_resume_link_never_sends_work_to_another_site(app, client, world):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": world.oak_member.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "resume_url": "https://evil.example/steal",
            "resume_data": '[["comment", "x"]]',
        },
        headers=OURS,
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("target", ["/\\evil.example/steal", "/admin\\..\\x", "/\tevil"])
def test_a_resume_target_a_browser_could_read_as_another_site_is_dropped(
    app, client, world, target
):
    page = client.get("/login").get_data(as_text=True)
    data = {"email": world.oak_member.email, "password": PASSWORD, "csrf_token": csrf_from(page)}
    data |= {"resume_url": target, "resume_data": '[["comment", "x"]]'}
    response = client.post("/login", data=data, headers=OURS)
    assert response.status_code == 302
    assert "You are signed in again" not in response.get_data(as_text=True)


def test_another_sites_form_is_not_offered_for_sending_after_sign_in(app, client, world):
    """Another site posts to our sign-in page (no token) naming a page of ours and the fields
    to send; the person then signs in on the page that comes back. Nothing is carried over."""
    forged = {"resume_url": "/admin/users/new", "resume_data": '[["email", "x@evil.example"]]'}
    response = client.post("/login", data=forged, headers=THEIRS)
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # refused as a form without a valid token
    assert "resume_url" not in page and "Nothing you typed has been lost" not in page
    # Even with a valid token, fields from another site's page are not carried.
    page = client.get("/login").get_data(as_text=True)
    data = {"email": world.admin.email, "password": PASSWORD, "csrf_token": csrf_from(page)}
    response = client.post("/login", data=data | forged, headers=THEIRS)
    assert response.status_code == 302
    assert "You are signed in again" not in response.get_data(as_text=True)


def test_another_sites_form_sent_to_a_page_of_ours_is_not_kept_or_re_signed(app, client, world):
    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    url = f"/assessments/{assessment.id}/items/{frameworks.latest().items[0].id}"
    forged = {"q-in-place": "everyone", "evidence": "Planted", "version": "0", "csrf_token": "x"}
    # Signed out (a SameSite cookie is not sent with another site's POST): no offer to resume.
    page = client.post(url, data=forged, headers=THEIRS).get_data(as_text=True)
    assert "Planted" not in page and "Nothing you typed has been lost" not in page
    # Signed in, with a bad token: refused, the form not re-shown with a fresh token.
    sign_in(client, world.oak_member)
    response = client.post(url, data=forged, headers=THEIRS)
    assert response.status_code == 400
    assert "Planted" not in response.get_data(as_text=True)
    # No Origin or Referer at all counts as another site's.
    response = client.post(url, data=forged)
    assert response.status_code == 400 and "Planted" not in response.get_data(as_text=True)
    assert db.session.scalar(select(Answer)) is None


def test_a_form_kept_over_sign_in_is_sent_again_to_the_same_address(app, client, world):
    """A Change link's page (?from=check) posted after the session ended: the sign-in page
    keeps the whole address, so sending it again comes back to check your answers."""
    assessment = make_assessment(world.oak, world.oak_lead)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment.id}/items/{item.id}?from=check"
    typed = {"q-in-place": "individual", "version": "1", "csrf_token": "old"}
    page = client.post(url, data=typed, headers=OURS).get_data(as_text=True)
    assert f'name="resume_url" value="{url}"' in page.replace("&amp;", "&")

"""Work kept across an ended session never carries a password: an administrator's or lead's
"new account" form keeps the name and email typed, but the initial password is neither written
into the sign-in page (which anyone at the computer can read) nor offered after signing in."""

from __future__ import annotations

import html
import json
import re

import pytest

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD

OURS = {"Origin": "http://localhost"}
INITIAL = "Initial-Secret-Pass-937"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def new_account_urls(world) -> dict[str, tuple[str, User]]:
    return {
        "administrator": ("/admin/users/new", world.admin),
        "ward lead": (f"/wards/{world.oak.id}/team/new", world.oak_lead),
    }


@pytest.mark.parametrize("route", ["administrator", "ward lead"])
def test_an_initial_password_is_not_kept_when_the_session_ends(app, client, world, route):
    url, signer = new_account_urls(world)[route]
    typed = {
        "name": "Nadia New",
        "email": "nadia.new@example.org",
        "password": INITIAL,
        "role": "member",
        "csrf_token": "from-the-old-session",
    }
    # Signed out mid-post: the sign-in page keeps what was typed, except the password.
    response = client.post(url, data=typed, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nothing you typed has been lost" in page
    assert "Nadia New" in page and "nadia.new@example.org" in page
    assert INITIAL not in page
    resume_data = html.unescape(re.search(r'name="resume_data" value="([^"]*)"', page).group(1))
    assert "password" not in dict(json.loads(resume_data))

    # After signing in, the page that offers to send it again has no password either.
    response = client.post(
        "/login",
        data={
            "email": signer.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "resume_url": url,
            "resume_data": resume_data,
        },
        headers=OURS,
    )
    page = response.get_data(as_text=True)
    assert "You are signed in again" in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert fields["name"] == "Nadia New" and "password" not in fields
    assert INITIAL not in page
    # Sending it asks for the password again, with the rest of the form as typed.
    response = client.post(url, data=fields, headers=OURS)
    assert response.status_code == 400
    assert "Enter an initial password" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "nadia.new@example.org")) is None


def test_password_fields_in_resume_data_posted_to_sign_in_are_dropped(app, client, world):
    """Whatever the sign-in form carries (a page of ours from before this fix, say), a field
    that holds a password is not written into the page after signing in."""
    page = client.get("/login").get_data(as_text=True)
    carried = [
        ["name", "Nadia New"],
        ["password", "first-secret-1"],
        ["confirm", "second-secret-2"],
        ["current", "third-secret-3"],
        ["new_password", "fourth-secret-4"],
    ]
    response = client.post(
        "/login",
        data={
            "email": world.admin.email,
            "password": "not the right password",
            "csrf_token": csrf_from(page),
            "resume_url": "/admin/users/new",
            "resume_data": json.dumps(carried),
        },
        headers=OURS,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nadia New" in page  # a failed sign-in keeps it
    for n in ("first", "second", "third", "fourth"):
        assert f"{n}-secret" not in page
    response = client.post(
        "/login",
        data={
            "email": world.admin.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "resume_url": "/admin/users/new",
            "resume_data": json.dumps(carried),
        },
        headers=OURS,
    )
    page = response.get_data(as_text=True)
    assert "You are signed in again" in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert set(fields) == {"csrf_token", "name"}
    assert "secret" not in page

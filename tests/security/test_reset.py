"""Password reset: an administrator, or a lead for their ward's members, makes a one-time
link; the token is stored only as a hash, expires, works once, and signs the person out."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, PasswordResetLink, User
from tests.conftest import login

NEW = "kettle orbit lantern 7"


def _make_link(client, user) -> str:
    page = client.post(f"/users/{user.id}/reset-link").get_data(as_text=True)
    return re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", page).group(1)


def _set(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_the_reset_link_wraps_on_a_narrow_screen(client, world, login_as):
    """The link is one unbroken run of about 70 characters: without a rule to break it anywhere
    it would make a 320 pixel wide screen scroll sideways (WCAG 1.4.10, reflow)."""
    page = login_as(world.admin).post(f"/users/{world.oak_member.id}/reset-link")
    html = page.get_data(as_text=True)
    shown = re.search(
        r'<p class="([^"]*)"><code>http://localhost/reset-password/[^<]+</code>', html
    )
    assert shown and "app-reset-link" in shown.group(1).split()
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]*/app\.css)"', html).group(1)
    css = client.get(stylesheet).get_data(as_text=True)
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    wrapping = [
        selector.strip()
        for selector, body in rules
        if re.search(r"overflow-wrap:\s*anywhere", body)
        or re.search(r"word-break:\s*break-all", body)
    ]
    assert any(
        re.search(r"\.app-reset-link(\s+code)?$", s.strip())
        for sel in wrapping
        for s in sel.split(",")
    ), wrapping


def test_a_lead_resets_a_member_who_then_signs_in_with_the_new_password(app, world, login_as):
    member_session = app.test_client()
    login(member_session, world.oak_member)
    lead = login_as(world.oak_lead)
    confirm = lead.get(f"/users/{world.oak_member.id}/reset-link")
    assert "Create a password reset link" in confirm.get_data(as_text=True)
    path = _make_link(lead, world.oak_member)

    visitor = app.test_client()
    assert "Set a new password" in visitor.get(path).get_data(as_text=True)
    response = _set(visitor, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")

    # Signed out everywhere: the member's existing session no longer works.
    assert member_session.get(f"/wards/{world.oak.id}").status_code == 302
    assert login(app.test_client(), world.oak_member).status_code == 400
    assert login(app.test_client(), world.oak_member, NEW).status_code == 302


def test_a_link_works_once(app, world, login_as):
    path = _make_link(login_as(world.admin), world.oak_member)
    visitor = app.test_client()
    assert _set(visitor, path).status_code == 302
    again = _set(visitor, path, "another fine password 9")
    assert again.status_code == 404
    assert "This link cannot be used" in again.get_data(as_text=True)


def test_a_link_expires(app, world, login_as):
    path = _make_link(login_as(world.admin), world.oak_member)
    link = db.session.scalar(select(PasswordResetLink))
    link.expires_at -= timedelta(hours=25)
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_a_new_link_cancels_the_old_one(app, world, login_as):
    admin = login_as(world.admin)
    first = _make_link(admin, world.oak_member)
    second = _make_link(admin, world.oak_member)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_only_a_hash_of_the_token_is_stored(world, login_as):
    path = _make_link(login_as(world.admin), world.oak_member)
    token = path.rsplit("/", 1)[1]
    link = db.session.scalar(select(PasswordResetLink))
    assert token not in link.token_hash and len(link.token_hash) == 64
    everything = str(db.session.execute(select(AuditEvent.before, AuditEvent.after)).all())
    assert token not in everything


def test_the_new_password_must_meet_the_rules(app, world, login_as):
    path = _make_link(login_as(world.admin), world.oak_member)
    visitor = app.test_client()
    for password, confirm, message in (
        ("short", None, "Password must be 12 characters or more"),
        ("Password1234", None, "Password is too common"),
        (NEW, "something else entirely", "The passwords do not match"),
    ):
        response = _set(visitor, path, password, confirm)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert visitor.get(path).status_code == 200  # a refused attempt does not use the link


def test_who_may_make_a_link(world, login_as):
    cases = [
        (world.oak_lead, world.willow_lead, 404),  # another ward's lead
        (world.oak_lead, world.admin, 404),  # never a more powerful account
        (world.oak_lead, world.commissioner, 404),
        (world.oak_member, world.oak_lead, 404),  # members cannot
        (world.willow_lead, world.oak_member, 404),
        (world.commissioner, world.oak_member, 404),
        (world.admin, world.commissioner, 200),
        (world.oak_lead, world.oak_member, 200),
    ]
    for by, target, status in cases:
        client = login_as(by)
        assert client.get(f"/users/{target.id}/reset-link").status_code == status, (by, target)
        assert client.post(f"/users/{target.id}/reset-link").status_code == status
    expected = 2  # only the allowed ones made links
    assert len(db.session.scalars(select(PasswordResetLink)).all()) == expected


def test_resets_are_audited_and_rotate_the_session_token(app, world, login_as):
    old_token = world.oak_member.session_token
    path = _make_link(login_as(world.oak_lead), world.oak_member)
    _set(app.test_client(), path)
    events = db.session.execute(
        select(AuditEvent.event, AuditEvent.user_id, AuditEvent.object_id).where(
            AuditEvent.event.in_(["reset-link-created", "password-reset"])
        )
    ).all()
    assert [tuple(e) for e in events] == [
        ("reset-link-created", world.oak_lead.id, str(world.oak_member.id)),
        ("password-reset", world.oak_member.id, str(world.oak_member.id)),
    ]
    db.session.expire_all()
    assert db.session.get(User, world.oak_member.id).session_token != old_token


def test_a_link_ends_when_its_maker_may_no_longer_reset_that_person(app, world, login_as):
    """A lead made a link, then the member was made an administrator: the lead must not be
    able to set the password of an administrator's account."""
    path = _make_link(login_as(world.oak_lead), world.oak_member)
    assert app.test_client().get(path).status_code == 200
    db.session.get(User, world.oak_member.id).is_admin = True
    db.session.commit()
    refused = app.test_client().get(path)
    assert refused.status_code == 404
    assert "This link cannot be used" in refused.get_data(as_text=True)


def test_a_reset_links_token_is_not_written_to_the_request_log(app, world, login_as, caplog):
    path = _make_link(login_as(world.admin), world.oak_member)
    token = path.rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="app.requests"):
        app.test_client().get(path)
    logged = [r.getMessage() for r in caplog.records if r.name == "app.requests"]
    assert any("/reset-password/<token> 200" in line for line in logged), logged
    assert not any(token in line for line in logged)

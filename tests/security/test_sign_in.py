"""Signing in: rate limited per address and per account, a temporary lock, and no way to tell
from the answer (its words, its status or its timing) whether an email has an account."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

from sqlalchemy import func, select

from app import security
from app.auth import views as auth_views
from app.extensions import db
from app.models import AuditEvent, SignInFailure
from tests.conftest import PASSWORD, login

WRONG = "not-the-password-at-all"


def _sign_in(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _error(response) -> str:
    page = response.get_data(as_text=True)
    for message in (auth_views.LOCKED_MESSAGE, auth_views.FAILED_MESSAGE):
        if message in page:
            return message
    return ""


def test_an_account_locks_after_five_failures_even_with_the_right_password(client, world):
    for _ in range(security.MAX_PER_ACCOUNT):
        assert _error(_sign_in(client, world.oak_lead.email, WRONG)) == auth_views.FAILED_MESSAGE
    locked = _sign_in(client, world.oak_lead.email, PASSWORD)
    assert locked.status_code == 400
    assert _error(locked) == auth_views.LOCKED_MESSAGE
    # Another person at another address is not affected.
    assert _sign_in(client, world.oak_member.email, PASSWORD, "10.0.0.2").status_code == 302


def test_the_lock_is_temporary(client, world):
    for _ in range(security.MAX_PER_ACCOUNT):
        _sign_in(client, world.oak_lead.email, WRONG)
    old = security.WINDOW + timedelta(minutes=1)
    for failure in db.session.scalars(select(SignInFailure)):
        failure.at -= old
    db.session.commit()
    assert _sign_in(client, world.oak_lead.email, PASSWORD).status_code == 302


def test_an_email_without_an_account_locks_the_same_way(client, world):
    for email in (world.oak_lead.email, "no.such.person@example.org"):
        replies = [_sign_in(client, email, WRONG, "10.0.1.1") for _ in range(6)]
        assert [r.status_code for r in replies] == [400] * 6
        assert [_error(r) for r in replies] == [auth_views.FAILED_MESSAGE] * 5 + [
            auth_views.LOCKED_MESSAGE
        ]


def test_one_address_trying_many_accounts_is_locked_out(client, world):
    for n in range(security.MAX_PER_ADDRESS):
        _sign_in(client, f"guess{n}@example.org", WRONG, "10.9.9.9")
    refused = _sign_in(client, world.oak_lead.email, PASSWORD, "10.9.9.9")
    assert _error(refused) == auth_views.LOCKED_MESSAGE
    assert _sign_in(client, world.oak_lead.email, PASSWORD, "10.9.9.10").status_code == 302


def test_the_limit_is_shared_through_the_database(app, client, world):
    """A second app process (a second client on the same database) sees the same count."""
    for _ in range(security.MAX_PER_ACCOUNT):
        _sign_in(client, world.oak_lead.email, WRONG)
    other = app.test_client()
    assert _error(_sign_in(other, world.oak_lead.email, PASSWORD, "10.0.0.7")) == (
        auth_views.LOCKED_MESSAGE
    )


def test_a_missing_account_costs_the_same_password_check(client, world, monkeypatch):
    calls = []
    real = auth_views.check_password

    def counting(password_hash, password):
        calls.append(password_hash is None)
        return real(password_hash, password)

    monkeypatch.setattr(auth_views, "check_password", counting)
    _sign_in(client, world.oak_lead.email, WRONG, "10.1.0.1")
    _sign_in(client, "nobody.here@example.org", WRONG, "10.1.0.2")
    assert calls == [False, True]  # one real hash check each, the second against a dummy


def test_failed_sign_ins_take_similar_time_whether_or_not_the_email_exists(client, world):
    def timed(email, n):
        times = []
        for i in range(n):
            start = time.perf_counter()
            _sign_in(client, email, WRONG, f"10.2.{i}.1")
            times.append(time.perf_counter() - start)
        db.session.execute(SignInFailure.__table__.delete())
        db.session.commit()
        return statistics.median(times)

    known = timed(world.oak_lead.email, 4)
    unknown = timed("nobody.here@example.org", 4)
    assert 0.5 < known / unknown < 2.0, (known, unknown)


def test_sign_ins_are_audited_successful_failed_and_refused(client, world):
    _sign_in(client, world.oak_lead.email, WRONG)
    _sign_in(client, "stranger@example.org", WRONG)
    _sign_in(client, world.oak_lead.email, PASSWORD)
    events = db.session.execute(
        select(AuditEvent.event, AuditEvent.user_id, AuditEvent.detail).order_by(AuditEvent.id)
    ).all()
    assert [(e, u) for e, u, _ in events] == [
        ("sign-in-failed", world.oak_lead.id),
        ("sign-in-failed", None),
        ("sign-in", world.oak_lead.id),
    ]
    assert events[1].detail == "stranger@example.org"


def test_signing_out_ends_the_session_for_a_copy_of_its_cookie_too(app, client, world, login_as):
    """On a shared ward computer someone may have copied the session cookie: once its owner
    signs out, the copy signs nobody in."""
    login_as(world.oak_member)
    cookie = client.get_cookie("session").value
    assert client.get(f"/wards/{world.oak.id}").status_code == 200
    client.post("/logout")
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    response = copy.get(f"/wards/{world.oak.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_person_changes_their_own_password_and_other_sessions_end(app, client, world, login_as):
    """A lead set Omar's first password, so the lead knows it: Omar changes it, stays signed
    in here, and the old password and any other session stop working."""
    other = app.test_client()
    login(other, world.oak_member)
    login_as(world.oak_member)
    page = client.get(f"/wards/{world.oak.id}").get_data(as_text=True)
    assert 'href="/account/password"' in page and "Change password" in page
    new = "granite puffin meadow 4"

    wrong = client.post(
        "/account/password", data={"current": "not it", "password": new, "confirm": new}
    )
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "<title>Error: Change your password" in html
    assert "Your current password is not correct" in html and 'href="#current"' in html
    # The wrong guess counts towards the sign-in limit.
    failures = db.session.scalars(select(SignInFailure.key)).all()
    assert sorted(failures) == ["account:" + world.oak_member.email, "ip:127.0.0.1"]
    weak = client.post(
        "/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert weak.status_code == 400

    done = client.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert done.status_code == 302
    assert len(db.session.scalars(select(SignInFailure.key)).all()) == 2  # the right one: not
    assert client.get(f"/wards/{world.oak.id}").status_code == 200  # still signed in here
    assert other.get(f"/wards/{world.oak.id}").status_code == 302  # signed out elsewhere
    assert login(app.test_client(), world.oak_member).status_code == 400
    assert login(app.test_client(), world.oak_member, new).status_code == 302
    events = db.session.scalars(
        select(AuditEvent.event).where(AuditEvent.event.like("password-change%"))
    ).all()
    assert events == ["password-change-refused", "password-changed"]


def test_change_password_errors_are_listed_in_the_order_of_the_page(client, world, login_as):
    """Current password is the first box on the page, so its error comes first in the summary."""
    login_as(world.oak_member)
    response = client.post("/account/password", data={"current": "", "password": "", "confirm": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html[html.index("nhsuk-error-summary") : html.index("<h1>")]
    assert re.findall(r'href="#(\w+)"', summary) == ["current", "password", "confirm"]
    boxes = re.findall(r'<input\s[^>]*class="nhsuk-input[^"]*" id="(\w+)"', html)
    assert boxes == ["current", "password", "confirm"]


def test_an_attempt_counts_before_its_password_is_checked_and_a_success_is_forgiven(
    client, world, monkeypatch
):
    """Attempts sent in parallel must not all slip under the limit while their passwords are
    hashed: the attempt is already counted when the check runs. A right password removes it."""
    counted = []
    real_check = auth_views.check_password

    def check(stored, typed):
        counted.append(db.session.scalar(select(func.count()).select_from(SignInFailure)))
        return real_check(stored, typed)

    monkeypatch.setattr(auth_views, "check_password", check)
    _sign_in(client, world.oak_lead.email, WRONG, "10.9.0.1")
    assert counted == [2]  # one row for the account, one for the address
    _sign_in(client, world.oak_member.email, PASSWORD, "10.9.0.1")
    assert counted == [2, 4]
    keys = db.session.scalars(select(SignInFailure.key)).all()
    assert sorted(keys) == ["account:" + world.oak_lead.email, "ip:10.9.0.1"]  # the failure only


def test_passwords_typed_when_the_session_ended_are_not_carried_into_the_page(client, world):
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "granite puffin 4", "confirm": "granite puffin 4"},
        headers={"Origin": "http://localhost"},
    )
    page = response.get_data(as_text=True)
    assert PASSWORD not in page and "granite puffin 4" not in page

"""Hardened defaults: CSRF on every form, a strict Content Security Policy, no framing, safe
session cookies, sessions that end after inactivity, and long uncommon passwords."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from app import create_app, frameworks
from app.auth.passwords import MIN_LENGTH, common_passwords, password_problem
from app.extensions import db
from app.models import Answer, User
from tests.helpers import make_assessment

from .conftest import changed, snapshot, tally
from .routes import has_rule, probes, reachable

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _login_with_token(client, user) -> None:
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": user.email, "password": "a-long-test-password-42", "csrf_token": token},
    )
    assert response.status_code == 302


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_post_route_refuses_a_form_without_its_token(self, app, seeded):
        """For each POST route, as someone allowed to use it, a form with no token (or a
        forged one) is refused with 400 and changes nothing."""
        w = seeded.world
        found, unfilled = probes(app, seeded, methods=("POST",))
        assert unfilled == []
        clients = {}
        for name in ("admin", "oak_lead"):
            clients[name] = app.test_client()
            _login_with_token(clients[name], getattr(w, name))
        refused, sent = set(), 0
        for probe in found:
            name = "admin" if probe.rule == "admin" else "oak_lead"
            user = db.session.get(User, getattr(w, name).id)
            if not has_rule(user, probe.rule) or not all(
                reachable(user, t, True, probe.rule) for t in probe.targets
            ):
                continue
            before = snapshot()
            for data in ({}, {"csrf_token": "forged"}):
                response = clients[name].post(probe.url, data={**data, "name": "x"})
                sent += 1
                assert response.status_code in (302, 400), f"{probe.url} {data}"
                if response.status_code == 400:
                    refused.add(probe.endpoint)
            # A redirect is allowed only when the page does not take the form at all (a
            # submitted assessment's question page, say): nothing may change either way.
            assert changed(before, snapshot()) == {}, probe.url
        post_endpoints = {p.endpoint for p in found}
        assert refused == post_endpoints, "every POST route refused a form without its token"
        tally("csrf_post_routes", len(post_endpoints))
        tally("csrf_requests", sent)


def test_pages_send_a_strict_content_security_policy_and_refuse_framing(client, world):
    for url in ("/login", "/about", "/healthz", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_style_or_event_handlers():
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offences.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offences.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+=", text):
            offences.append(f"{path.name}: event handler attribute")
    assert offences == []


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = client.post(
        "/login", data={"email": world.oak_lead.email, "password": "a-long-test-password-42"}
    )
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run over plain http


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


class TestIdleExpiry:
    """The session cookie's signed timestamp is read from a clock the test moves on, so the
    server itself must refuse the old cookie (the test client keeps sending it)."""

    @pytest.fixture
    def app_config(self):
        from datetime import timedelta

        return {"PERMANENT_SESSION_LIFETIME": timedelta(minutes=60)}

    @pytest.fixture
    def clock(self, monkeypatch):
        from itsdangerous.timed import TimestampSigner

        now = [int(time.time())]
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
        return now

    def test_a_session_ends_after_inactivity_but_not_while_in_use(self, client, world, clock):
        client.post(
            "/login", data={"email": world.oak_lead.email, "password": "a-long-test-password-42"}
        )
        ward = f"/wards/{world.oak.id}"
        for _ in range(3):  # activity keeps it alive: each page re-signs the cookie
            clock[0] += 50 * 60
            assert client.get(ward).status_code == 200
        clock[0] += 61 * 60
        response = client.get(ward)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_passwords_need_twelve_characters_and_must_not_be_common():
    assert MIN_LENGTH >= 12
    assert password_problem("short-one") == "Password must be 12 characters or more"
    assert len(common_passwords()) >= 3000
    for common in (
        "Password1234",
        "liverpool2024",
        "Qwertyuiop123",
        "welcome12345",
        "P@ssw0rd2025",
    ):
        assert (
            password_problem(common) == "Password is too common: choose one that is harder to guess"
        ), common
    assert password_problem("omar.oak.password", "omar.oak@example.org") is not None
    assert password_problem("kettle orbit lantern 7") is None


def test_nul_characters_are_dropped_from_what_users_send(app, client, world, login_as):
    """PostgreSQL cannot store a NUL in a text column (the fuzz test found a 500 there): it is
    dropped from form fields and query values before any view reads them, so the rest of
    what was typed is saved."""
    assessment = make_assessment(world.oak, world.oak_lead, {})
    item = frameworks.latest().items[0]
    login_as(world.oak_lead)
    response = client.post(
        f"/assessments/{assessment.id}/items/{item.id}",
        data={
            "q-in-place": "not-in-place",
            "evidence": "Checked\x00 on the ward",
            "comment": "\x00",
            "version": "0",
        },
    )
    assert response.status_code == 302
    answer = db.session.scalar(db.select(Answer).where(Answer.assessment_id == assessment.id))
    assert (answer.evidence, answer.comment) == ("Checked on the ward", "")
    page = client.get("/audit?actor=x%00y")
    assert page.status_code == 200 and 'value="xy"' in page.get_data(as_text=True)

"""Shared fixtures: an app on a fresh database per test, a client, and a small world of
providers, wards and users in different roles.

The database is a SQLite file in a temporary folder, or, when TEST_DATABASE_URL is set (as
`make test` does for its PostgreSQL run), a fresh schema on that server.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from app import create_app
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import (
    ROLE_LEAD,
    ROLE_MEMBER,
    CommissionerRemit,
    Provider,
    User,
    Ward,
    WardMembership,
)

PASSWORD = "a-long-test-password-42"
# One real scrypt hash of PASSWORD for every test user: hashing takes about a tenth of a second,
# and six users a test over a thousand tests made it the largest cost in the suite. Signing in
# still checks the password against it, as in production.
PASSWORD_HASH = hash_password(PASSWORD)


def _database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings, e.g. turn CSRF checks on."""
    return {}


@pytest.fixture
def app(tmp_path, app_config, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    url = _database_url(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    config = {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-" + secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
    }
    config.update(app_config)
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(email: str, name: str | None = None, *, admin: bool = False) -> User:
    user = User(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        password_hash=PASSWORD_HASH,
        is_admin=admin,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class World:
    northfield: Provider
    southbay: Provider
    oak: Ward
    ash: Ward
    willow: Ward
    admin: User
    commissioner: User
    oak_lead: User
    oak_member: User
    willow_lead: User
    outsider: User


@pytest.fixture
def world(app) -> World:
    """Two providers and three wards; a user in each role; the commissioner has Northfield."""
    northfield = Provider(name="Northfield NHS Foundation Trust")
    southbay = Provider(name="Southbay Healthcare")
    oak = Ward(name="Oak Ward", provider=northfield)
    ash = Ward(name="Ash Ward", provider=northfield)
    willow = Ward(name="Willow Ward", provider=southbay)
    db.session.add_all([northfield, southbay, oak, ash, willow])
    db.session.flush()
    w = World(
        northfield=northfield,
        southbay=southbay,
        oak=oak,
        ash=ash,
        willow=willow,
        admin=make_user("admin@example.org", "Alex Admin", admin=True),
        commissioner=make_user("commissioner@example.org", "Chris Commissioner"),
        oak_lead=make_user("oak.lead@example.org", "Olivia Oak"),
        oak_member=make_user("oak.member@example.org", "Omar Oak"),
        willow_lead=make_user("willow.lead@example.org", "Wendy Willow"),
        outsider=make_user("nobody@example.org", "Nora Nobody"),
    )
    db.session.add_all(
        [
            CommissionerRemit(user_id=w.commissioner.id, provider_id=northfield.id),
            WardMembership(user_id=w.oak_lead.id, ward_id=oak.id, role=ROLE_LEAD),
            WardMembership(user_id=w.oak_member.id, ward_id=oak.id, role=ROLE_MEMBER),
            WardMembership(user_id=w.willow_lead.id, ward_id=willow.id, role=ROLE_LEAD),
        ]
    )
    db.session.commit()
    return w


def login(client, user: User | str, password: str = PASSWORD):
    email = user if isinstance(user, str) else user.email
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client):
    """login_as(user) signs the test client in as that user."""

    def _login(user):
        client.post("/logout")
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login

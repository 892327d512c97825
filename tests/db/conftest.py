"""Fixtures for the database tests: an app whose database has no tables yet, so that the
migrations, not db.create_all(), build the schema."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import _database_url


def _drop_everything() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    """Like `app`, but on an empty database (on PostgreSQL: an empty public schema)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    url = _database_url(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-" + secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        }
    )
    with app.app_context():
        _drop_everything()
        yield app
        db.session.remove()
        _drop_everything()
        db.engine.dispose()

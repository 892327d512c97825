"""Sign-in attempts on one counter take turns, so a burst sent at once cannot slip past the
limit: an attempt that arrives while another is being counted waits for it, then sees its row.
SQLite gets this from BEGIN IMMEDIATE, PostgreSQL from an advisory lock per counter
(app/security.py: _take_turns)."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import func, select, text

from app import security
from app.extensions import db
from app.models import SignInFailure, utcnow

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's advisory locks"
)


def keys_for(email: str) -> dict[str, int]:
    return security.sign_in_keys(email, "192.0.2.50")


def test_an_attempt_made_while_another_is_counted_waits_and_sees_it(app, world):
    keys = keys_for(world.oak_lead.email)
    account = next(k for k in keys if k.startswith("account:"))
    # Four failures already: one more attempt may run, the one after it may not.
    db.session.add_all(
        SignInFailure(key=account, at=utcnow()) for _ in range(security.MAX_PER_ACCOUNT - 1)
    )
    db.session.commit()

    # This "request" counts its attempt, the fifth, and has not committed yet.
    first = security.begin_attempt(keys)
    assert first is not None

    second: dict = {}

    def another_request():
        with app.app_context():
            second["attempt"] = security.begin_attempt(keys)
            db.session.commit()

    other = threading.Thread(target=another_request)
    other.start()
    other.join(timeout=1.0)
    assert other.is_alive(), "the second attempt must wait for the first to be counted"
    db.session.commit()
    other.join(timeout=30)
    assert not other.is_alive()
    assert second["attempt"] is None  # it saw five failures: locked
    assert (
        db.session.scalar(
            select(func.count()).select_from(SignInFailure).where(SignInFailure.key == account)
        )
        == security.MAX_PER_ACCOUNT
    )


def test_attempts_on_other_counters_do_not_wait(app, world):
    other_keys = security.sign_in_keys(world.oak_member.email, "198.51.100.1")
    assert security.begin_attempt(keys_for(world.oak_lead.email)) is not None
    done: dict = {}

    def another_request():
        with app.app_context():
            done["attempt"] = security.begin_attempt(other_keys)
            db.session.commit()

    if db.engine.dialect.name == "sqlite":
        db.session.commit()  # SQLite's write lock is for the whole database
    other = threading.Thread(target=another_request)
    other.start()
    other.join(timeout=10)
    assert not other.is_alive() and done["attempt"] is not None
    db.session.commit()


@on_postgresql
def test_the_lock_is_a_transaction_scoped_advisory_lock_per_counter(app, world):
    keys = keys_for(world.oak_lead.email)
    security.begin_attempt(keys)
    held = db.session.execute(
        text(
            "SELECT classid::bigint, objid::bigint FROM pg_locks "
            "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
        )
    ).all()
    # A bigint lock's number is shown in two unsigned halves.
    assert sorted((high << 32) | low for high, low in held) == sorted(
        security.lock_id(k) % 2**64 for k in keys
    )
    db.session.commit()  # released with the transaction
    assert (
        db.session.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
        )
        == 0
    )

"""Sign-in rate limiting kept in the database, so every app process counts the same failures.

Failures are counted per address (someone trying many accounts) and per account as typed
(someone trying many passwords for one email). An email with no account is limited exactly
like one with an account, so the limit reveals nothing about who has one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from .extensions import db
from .models import SignInFailure, utcnow

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def sign_in_keys(email: str, address: str | None) -> dict[str, int]:
    """The counters a sign-in attempt is checked against, with the limit of each."""
    return {
        f"account:{email.strip().lower()[:320]}": MAX_PER_ACCOUNT,
        f"ip:{address or 'unknown'}": MAX_PER_ADDRESS,
    }


def is_limited(keys: dict[str, int]) -> bool:
    """Whether any counter has reached its limit within the window (a temporary lock)."""
    since = utcnow() - WINDOW
    counts = dict(
        db.session.execute(
            select(SignInFailure.key, func.count())
            .where(SignInFailure.key.in_(keys), SignInFailure.at > since)
            .group_by(SignInFailure.key)
        ).all()
    )
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def begin_attempt(keys: dict[str, int]) -> list[int] | None:
    """Count a sign-in attempt as a failure before its (slow) password check, so attempts sent
    in parallel cannot all pass the limit while their passwords are hashed. None if a limit is
    already reached; otherwise the ids of the rows written, which `forgive` removes if the
    password turns out right."""
    if is_limited(keys):
        return None
    now = utcnow()
    db.session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
    rows = [SignInFailure(key=key, at=now) for key in keys]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def forgive(attempt: list[int]) -> None:
    """The attempt succeeded: it is not a failure after all."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id.in_(attempt)))


def clear_account(email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    key = f"account:{email.strip().lower()[:320]}"
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == key))

"""Sign-in rate limiting kept in the database, so every app process counts the same failures.

Failures are counted per address (someone trying many accounts) and per account as typed
(someone trying many passwords for one email). An email with no account is limited exactly
like one with an account, so the limit reveals nothing about who has one.
"""

from __future__ import annotations

import hashlib
import ipaddress
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
        f"ip:{address_key(address)}": MAX_PER_ADDRESS,
    }


def address_key(address: str | None) -> str:
    """Whom an address belongs to, as far as the per-address limit goes. An IPv6 client
    usually has a whole /64 to itself and can pick a new address in it for every attempt, so
    IPv6 counts by its /64 network; an IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as
    that IPv4 address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown")[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        # Built from the number, so a zone ("fe80::1%eth0") does not make a network of its own.
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


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
    password turns out right. The caller commits straight away (before the password check)."""
    _take_turns(keys)
    if is_limited(keys):
        return None
    now = utcnow()
    db.session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
    rows = [SignInFailure(key=key, at=now) for key in keys]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for a counter's key, for PostgreSQL's advisory locks (two
    keys that happen to share one merely take turns)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _take_turns(keys: dict[str, int]) -> None:
    """Make attempts on the same counter check and count one after another, so a burst sent
    at once cannot all read the count before any of them adds to it. SQLite already does:
    a request that writes begins with BEGIN IMMEDIATE (app/__init__.py), which holds the
    database's write lock. On PostgreSQL, take a transaction-scoped advisory lock on each key,
    in a fixed order (so two attempts never wait for each other in a circle); the commit that
    follows begin_attempt releases them, and the next attempt then reads the rows this one
    wrote (each statement sees what was committed before it began)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        db.session.execute(select(func.pg_advisory_xact_lock(lock_id(key))))


def forgive(attempt: list[int]) -> None:
    """The attempt succeeded: it is not a failure after all."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id.in_(attempt)))


def clear_account(email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    key = f"account:{email.strip().lower()[:320]}"
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == key))

"""Row locks that make concurrent changes to one ward take turns.

PostgreSQL only: on SQLite a write request's BEGIN IMMEDIATE already holds the database's
write lock from its first statement, so writes take turns there anyway (`app/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from .extensions import db
from .models import Ward


def lock_wards(ward_ids: Iterable[int]) -> None:
    """Hold these wards' rows until the transaction ends, in id order (so two transactions
    never wait for each other in a circle). A change that must see what a concurrent change
    to the same ward left (its leads, its current plan) takes this first.

    FOR NO KEY UPDATE, not FOR UPDATE: callers take turns all the same, but a row inserted
    that points at the ward (every audit event does) needs only a key-share lock on it, which
    this does not block. FOR UPDATE did, so an action edit committing its audit event while
    a submission held the ward and waited for that action deadlocked."""
    ids = sorted(set(ward_ids))
    if ids:
        db.session.execute(
            select(Ward.id)
            .where(Ward.id.in_(ids))
            .order_by(Ward.id)
            .with_for_update(key_share=True)
        )

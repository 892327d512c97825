"""Password reset by an administrator or a ward lead: one-time links, stored hashed, that expire.

Views call these. `create_reset_link(user, by)` returns the link to give to the person; only
a hash of its token is kept, so the database cannot be used to sign in as anyone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, url_for
from sqlalchemy import select, update

from .. import audit, security
from ..extensions import db
from ..models import ROLE_LEAD, PasswordResetLink, User, utcnow
from .passwords import hash_password

LINK_LIFETIME = timedelta(hours=24)


class LinkNotValid(Exception):
    """The link is unknown, has expired, or has already been used."""


@dataclass(frozen=True)
class ResetLink:
    url: str
    expires_at: object
    user: User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_reset(by: User, user: User) -> bool:
    """Administrators may reset anyone. A ward lead may reset the members of their wards,
    but only people whose every ward they lead and who hold no wider role: resetting someone
    must never give the lead access they do not already have."""
    if by.is_admin:
        return True
    if user.is_admin or user.is_commissioner or not user.memberships:
        return False
    led = {m.ward_id for m in by.memberships if m.role == ROLE_LEAD}
    return all(m.ward_id in led for m in user.memberships)


def resettable_user_or_404(user_id: int, by: User) -> User:
    user = db.session.get(User, user_id)
    if user is None or not can_reset(by, user):
        abort(404)
    return user


def create_reset_link(user: User, by: User) -> ResetLink:
    """A new one-time link for `user`; any earlier unused link stops working."""
    now = utcnow()
    db.session.execute(
        update(PasswordResetLink)
        .where(PasswordResetLink.user_id == user.id, PasswordResetLink.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    link = PasswordResetLink(
        user_id=user.id,
        token_hash=_hash(token),
        created_by_id=by.id,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "reset-link-created",
        user,
        after={"expires_at": link.expires_at.isoformat(timespec="minutes")},
        user=by,
    )
    db.session.commit()
    return ResetLink(
        url=url_for("auth.reset_password", token=token, _external=True),
        expires_at=link.expires_at,
        user=user,
    )


def valid_link(token: str) -> PasswordResetLink:
    link = db.session.scalar(
        select(PasswordResetLink).where(PasswordResetLink.token_hash == _hash(token or ""))
    )
    if (
        link is None
        or link.used_at is not None
        or link.expires_at <= utcnow()
        or not link.user.active
        # Whoever made the link must still be allowed to: a lead demoted since, or a member
        # made a commissioner or administrator since, ends the link.
        or (
            link.created_by is not None
            and not (link.created_by.active and can_reset(link.created_by, link.user))
        )
    ):
        raise LinkNotValid()
    return link


def set_new_password(token: str, password: str) -> User:
    """Use the link once: set the password and sign the person out everywhere else."""
    link = valid_link(token)
    now = utcnow()
    # Compare-and-set: of two requests racing with the same link, only one may use it.
    claimed = db.session.execute(
        update(PasswordResetLink)
        .where(PasswordResetLink.id == link.id, PasswordResetLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise LinkNotValid()
    user = link.user
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    user.failed_logins = 0
    user.locked_until = None
    security.clear_account(user.email)
    audit.record("password-reset", user, detail="set with a one-time link", user=user)
    db.session.commit()
    return user


def change_password(user: User, new_password: str) -> None:
    """The person's own change (the view has checked the current password): every other
    session ends, since whoever knew the old password (a lead who set it, say) may have one."""
    user.password_hash = hash_password(new_password)
    user.session_token = secrets.token_hex(16)
    audit.record("password-changed", user, detail="changed by the account holder", user=user)
    db.session.commit()

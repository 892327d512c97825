"""Password rules and hashing: long passwords, not a common one, hashed with scrypt."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
_COMMON = Path(__file__).with_name("common_passwords.txt")
# Checked against when the account does not exist, so a failed sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all", method="scrypt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = (line.strip().lower() for line in _COMMON.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """The reason a new password is not acceptable, in words for the user, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    lowered = password.lower()
    if lowered in common_passwords():
        return "Password is too common: choose one that is harder to guess"
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        return "Password must not contain your email address"
    if len(set(password)) < 4:
        return "Password is too easy to guess: use a mix of words or characters"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password)

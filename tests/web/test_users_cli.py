"""`flask users create` refuses what the "Add a user" page refuses, and says why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User

PASSWORD = "a-sound-passphrase-here"


@pytest.mark.parametrize(
    ("email", "name", "message"),
    [
        ("x@", "Xavier", "Enter an email address in the correct format"),
        ("x@example", "Xavier", "Enter an email address in the correct format"),
        ("a b@example.org", "Xavier", "Enter an email address in the correct format"),
        ("x" * 310 + "@example.org", "Xavier", "Email address must be 320 characters or fewer"),
        ("x@example.org", "N" * 300, "Their name must be 200 characters or fewer"),
        ("x@example.org", "   ", "Enter their name"),
    ],
)
def test_users_create_refuses_what_the_add_a_user_page_refuses(runner, email, name, message):
    result = runner.invoke(
        args=["users", "create", "--email", email, "--name", name, "--password", PASSWORD]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_accepts_a_name_of_200_characters(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "N" * 200,
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.name)) == "N" * 200


def test_users_create_refuses_a_password_longer_than_the_page_allows(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X", "--password", "p" * 201]
    )
    assert result.exit_code == 1
    assert "Password must be 200 characters or fewer" in result.output

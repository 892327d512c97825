"""The migrations build the schema the models describe, and upgrading keeps the data.

These run on whichever database the suite runs on (SQLite, or PostgreSQL in `make test`).
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from app import frameworks
from app.auth.passwords import hash_password
from app.config import ROOT
from app.extensions import db
from app.models import Action, Answer, Assessment, User
from tests.conftest import PASSWORD

SCRIPTS = ScriptDirectory(str(ROOT / "migrations"))
# Oldest first.
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]


def schema_differences() -> list:
    """What `flask db migrate` would put in a new migration: [] when models and database agree."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_there_is_one_line_of_migrations():
    assert len(SCRIPTS.get_heads()) == 1, "migrations have branched: run `flask db merge heads`"
    assert REVISIONS[0] == SCRIPTS.get_base()


def test_upgrading_an_empty_database_gives_the_schema_of_the_models(bare_app):
    upgrade()
    assert current_revision() == SCRIPTS.get_current_head()
    differences = schema_differences()
    assert differences == [], (
        "app/models.py and migrations/ disagree; generate a migration with "
        "`flask --app app db migrate -m '...'` and review it. Differences:\n"
        + "\n".join(repr(d) for d in differences)
    )


def test_the_schema_comparison_notices_a_missing_table(bare_app):
    """Guards the test above: a database short of a table is reported."""
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE rendered_document"))
    assert any(
        d[0] == "add_table" and d[1].name == "rendered_document" for d in schema_differences()
    )


def test_downgrading_to_nothing_and_up_again_works(bare_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []


def _insert_ward_data_as_at_revision(item_id: str, values: dict) -> dict:
    """Rows a ward would have made at an older revision, written in that revision's SQL."""
    now = datetime(2026, 1, 5, 9, 30)
    ids = {"provider": 7, "ward": 11, "user": 13, "assessment": 17}
    rows = [
        ("provider", {"id": 7, "name": "Northfield NHS Foundation Trust", "created_at": now}),
        ("ward", {"id": 11, "provider_id": 7, "name": "Oak Ward", "created_at": now}),
        (
            "user",
            {
                "id": 13,
                "email": "oak.lead@example.org",
                "name": "Olivia Oak",
                "password_hash": hash_password(PASSWORD),
                "is_admin": False,
                "active": True,
                "failed_logins": 0,
                "session_token": "a" * 32,
                "created_at": now,
            },
        ),
        ("ward_membership", {"id": 1, "user_id": 13, "ward_id": 11, "role": "lead"}),
        (
            "assessment",
            {
                "id": 17,
                "ward_id": 11,
                "framework_id": frameworks.latest().id,
                "framework_version": frameworks.latest().version,
                "status": "draft",
                "created_by_id": 13,
                "created_at": now,
                "updated_at": now,
            },
        ),
        (
            "answer",
            {
                "id": 19,
                "assessment_id": 17,
                "item_id": item_id,
                "values": json.dumps(values),
                "evidence": "Ward meeting minutes, 3 January",
                "comment": "Agreed with the patients' council",
                "version": 4,
                "updated_by_id": 13,
                "updated_at": now,
            },
        ),
    ]
    with db.engine.begin() as conn:
        for table, row in rows:
            columns = ", ".join(f'"{c}"' for c in row)
            params = ", ".join(f":{c}" for c in row)
            conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({params})'), row)
        if conn.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table, _ in rows:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'(SELECT MAX(id) FROM "{table}"))'
                    )
                )
    return ids


@pytest.mark.parametrize("older", REVISIONS[:-1] or [None])
def test_upgrading_a_database_made_at_an_older_revision_keeps_its_data(bare_app, older):
    assert older is not None, "only one migration: there is no older revision to upgrade from"
    upgrade(revision=older)
    assert current_revision() == older
    item = frameworks.latest().items[0]
    values = {"in-place": "not-in-place"}
    ids = _insert_ward_data_as_at_revision(item.id, values)

    upgrade()

    assert current_revision() == SCRIPTS.get_current_head()
    assert schema_differences() == []
    answer = db.session.scalar(select(Answer).where(Answer.assessment_id == ids["assessment"]))
    assert (answer.item_id, answer.values, answer.version) == (item.id, values, 4)
    assert answer.evidence == "Ward meeting minutes, 3 January"
    assert db.session.get(Assessment, ids["assessment"]).ward.name == "Oak Ward"
    # The ward lead can still sign in and carry on where they left off.
    client = bare_app.test_client()
    signed_in = client.post("/login", data={"email": "oak.lead@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    page = client.get(f"/assessments/{ids['assessment']}").get_data(as_text=True)
    assert "Oak Ward" in page
    # New rows get fresh ids after the ones carried over.
    db.session.add(User(email="new@example.org", name="New", password_hash="x", session_token="b"))
    db.session.commit()
    assert db.session.scalar(select(User.id).where(User.email == "new@example.org")) > 13


def test_framework_actions_nobody_has_saved_become_lived_experience_not_recorded(bare_app):
    """Before 5b7e2a91c4d3 every framework action was made with lived experience "no", which
    nobody had said. Those never saved since (version 1) become not recorded; answers people
    gave stay."""
    upgrade(revision="3c1d2e5f7a90")
    ids = _insert_ward_data_as_at_revision(frameworks.latest().items[0].id, {})
    now = datetime(2026, 1, 6, 10, 0)
    rows = {  # id: (source, version, lived experience)
        1: ("framework", 1, False),  # as made: nobody said
        2: ("framework", 3, False),  # saved by someone since: their answer
        3: ("framework", 1, True),
        4: ("team", 1, False),  # the add form asked
    }
    with db.engine.begin() as conn:
        for action_id, (source, version, lived) in rows.items():
            conn.execute(
                text(
                    "INSERT INTO action (id, ward_id, assessment_id, text, priority, owner_name, "
                    "status, not_doing_reason, notes, lived_experience, source, version, "
                    "created_at, updated_at) VALUES (:id, :ward, :assessment, 'Unlock it', "
                    "'high', '', 'not-started', '', '', :lived, :source, :version, :now, :now)"
                ),
                {"id": action_id, "ward": ids["ward"], "assessment": ids["assessment"],
                 "lived": lived, "source": source, "version": version, "now": now},
            )  # fmt: skip

    upgrade()

    found = dict(db.session.execute(select(Action.id, Action.lived_experience)).all())
    assert found == {1: None, 2: False, 3: True, 4: False}
    db.session.rollback()  # PostgreSQL: the read's transaction would block the ALTER TABLE
    downgrade(revision="3c1d2e5f7a90")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT lived_experience FROM action WHERE id = 1")).scalar() in (
            False,
            0,
        )

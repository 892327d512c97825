"""SQLite is set up so that no typed answer is lost or half-saved: WAL, synchronous=FULL,
foreign keys, a busy timeout, writes that take the lock up front; a process killed in the
middle of saving leaves a consistent database; `flask backup` copies it while the app writes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.config import ROOT
from app.extensions import db
from tests.db.sqlite_writer import expected
from tests.helpers import make_assessment

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's own safety settings"
)
ITEMS = 4


def test_every_connection_has_the_safety_pragmas(app):
    for _ in range(2):  # the pool's first connection, and a fresh one
        with db.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 5000
        db.engine.dispose()


def test_a_missing_parent_row_is_refused(app):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO ward (provider_id, name, created_at) VALUES (999, 'x', '2026-01-01')"
                )
            )


def test_writes_take_the_lock_up_front_and_reads_do_not(client, world, login_as):
    login_as(world.oak_lead)
    begins = []

    def spy(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        db.session.remove()  # as at the end of a real request
        client.get("/")
        reads, begins[:] = list(begins), []
        db.session.remove()
        client.post("/logout")
        writes = list(begins)
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert reads and set(reads) == {"BEGIN"}
    assert writes and set(writes) == {"BEGIN IMMEDIATE"}


# A real process saving answers, killed or copied part-way.


@pytest.fixture
def draft(app, world):
    """A draft for Oak Ward on a database file other processes can open."""
    assessment = make_assessment(world.oak, world.oak_lead, answers={})
    ids = (assessment.id, world.oak_lead.id)
    db.session.remove()
    db.engine.dispose()
    return ids


def _database_file(app) -> Path:
    return Path(db.engine.url.database)


def _start_writer(app, draft) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=str(db.engine.url), INSTANCE_PATH=app.instance_path)
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.db.sqlite_writer", *map(str, draft), str(ITEMS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _wait_for_saves(writer: subprocess.Popen, count: int) -> None:
    for _ in range(count):
        line = writer.stdout.readline()
        assert line == "saved\n", f"the writer stopped: {writer.poll()=}"


def _check_consistent(path: Path, assessment_id: int) -> int:
    """Every answer row whole, each with exactly its own audit rows; returns the saves seen."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = conn.execute(
            'SELECT id, "values", evidence, comment, version FROM answer WHERE assessment_id = ?',
            (assessment_id,),
        ).fetchall()
        saves = 0
        for answer_id, values, evidence, comment, version in rows:
            want = expected(version)
            assert (json.loads(values), evidence, comment) == (
                want["values"],
                want["evidence"],
                want["comment"],
            ), f"answer {answer_id} is not the whole of version {version}"
            audits = conn.execute(
                "SELECT COUNT(*) FROM audit_event WHERE object_type = 'answer' AND object_id = ?",
                (str(answer_id),),
            ).fetchone()[0]
            assert audits == version, f"answer {answer_id}: version {version}, {audits} audits"
            saves += version
        return saves
    finally:
        conn.close()


def test_a_process_killed_while_saving_answers_leaves_every_answer_whole(app, draft):
    path = _database_file(app)
    saved = 0
    for round_ in range(2):
        writer = _start_writer(app, draft)
        try:
            _wait_for_saves(writer, 5)
            time.sleep(random.uniform(0.0, 0.3))  # land somewhere inside a save
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
            writer.stdout.close()
        assert writer.returncode == -signal.SIGKILL
        now = _check_consistent(path, draft[0])
        assert now >= saved + 5, f"round {round_}: committed saves were lost ({now} < {saved + 5})"
        saved = now


def test_backup_makes_a_consistent_copy_while_another_process_writes(app, draft, tmp_path):
    writer = _start_writer(app, draft)
    copy = tmp_path / "copy.sqlite"
    try:
        _wait_for_saves(writer, 5)
        env = dict(os.environ, DATABASE_URL=str(db.engine.url), INSTANCE_PATH=app.instance_path)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "backup", str(copy)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        assert f"to {copy}" in result.stdout
        _wait_for_saves(writer, 5)  # the writer carried on during and after the copy
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    copied = _check_consistent(copy, draft[0])
    assert copied >= 5
    assert _check_consistent(_database_file(app), draft[0]) >= copied
    assert took < 30


def test_backup_refuses_to_overwrite_a_file(app, runner, tmp_path):
    existing = tmp_path / "existing.sqlite"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_text() == "keep me"


def test_signing_in_does_not_hold_the_write_lock_while_checking_the_password(
    app, client, world, monkeypatch
):
    """The hash check is slow on purpose; other people's saves must not wait behind it."""
    from app.auth import views as auth_views
    from tests.conftest import login

    others_could_write = []
    real_check = auth_views.check_password

    def check_while_someone_else_writes(stored_hash, password):
        other = sqlite3.connect(_database_file(app), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            others_could_write.append(True)
        except sqlite3.OperationalError:  # database is locked
            others_could_write.append(False)
        finally:
            other.close()
        return real_check(stored_hash, password)

    monkeypatch.setattr(auth_views, "check_password", check_while_someone_else_writes)
    email = world.oak_lead.email
    db.session.remove()
    assert login(client, email).status_code == 302
    assert others_could_write == [True]

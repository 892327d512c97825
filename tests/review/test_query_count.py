"""The review's pages run the same number of SQL statements for 10 wards as for 200."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db

from .seeding import seed_wards


@contextmanager
def counting_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for(client, path: str) -> int:
    client.get(path)  # warm: the framework registry and templates load once per process
    with counting_statements() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


PATHS = [
    "/review/",
    "/review/?sort=change&order=desc&overdue=y",
    "/review/heat-map",
    "/review/restrictions",
    "/review/dashboard.csv",
]


@pytest.mark.parametrize("path", PATHS)
def test_statements_do_not_grow_with_the_number_of_wards(world, login_as, path):
    seed_wards(world.commissioner, 10, 3, label="Small")
    client = login_as(world.commissioner)
    with_ten = statements_for(client, path)
    seed_wards(world.commissioner, 190, 3, label="Large")
    with_two_hundred = statements_for(client, path)
    assert with_ten == with_two_hundred
    assert with_ten <= 8


def test_ward_page_statements_do_not_grow_with_its_assessments(world, login_as):
    [few] = seed_wards(world.commissioner, 1, 2, label="Few")
    [many] = seed_wards(world.commissioner, 1, 12, label="Many")
    client = login_as(world.commissioner)
    assert statements_for(client, f"/review/wards/{few}") == statements_for(
        client, f"/review/wards/{many}"
    )

"""How many statements a page costs: the signed-in user comes with what every page reads."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.extensions import db
from tests.helpers import make_assessment


def statements_for(client, path: str) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    # Under gunicorn each request starts with an empty session; here the test's app context
    # (and its session) spans requests, so start afresh as a real request would.
    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_the_user_memberships_and_remits_load_in_one_statement(world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead, {})
    client = login_as(world.oak_lead)
    for path in ("/", f"/assessments/{assessment.id}"):
        seen = statements_for(client, path)
        # PostgreSQL quotes the table name (user is a reserved word there); SQLite does not
        users = [s for s in seen if s.startswith("SELECT") and re.search(r' FROM "?user"? ', s)]
        assert len(users) == 1, path
        assert "ward_membership" in users[0] and "commissioner_remit" in users[0]
        alone = [s for s in seen if " FROM ward_membership WHERE" in s]
        alone += [s for s in seen if " FROM commissioner_remit WHERE" in s]
        assert not alone, (path, alone)

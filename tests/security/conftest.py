"""Security fixtures: a seeded world with objects inside and outside every role's remit, a
signed-in client per role, and a tally of what the tests tried (for docs/security.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app import frameworks
from app.assessments import services as assessment_services
from app.auth import services as auth_services
from app.extensions import db
from app.models import Action, Answer, Assessment
from tests.conftest import login
from tests.helpers import answers_for

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
# One file per database: `make test` runs the SQLite and PostgreSQL suites at the same time.
COUNTS = ARTIFACTS / (
    "security-counts-postgresql.json"
    if os.environ.get("TEST_DATABASE_URL")
    else "security-counts.json"
)


def tally(key: str, value: int) -> None:
    """Record a figure for docs/security.md (the latest run's value for each key). Written to a
    temporary file and renamed, so a reader never sees a half-written file."""
    ARTIFACTS.mkdir(exist_ok=True)
    counts = json.loads(COUNTS.read_text()) if COUNTS.exists() else {}
    counts[key] = value
    part = COUNTS.with_name(f"{COUNTS.name}.{os.getpid()}.part")
    part.write_text(json.dumps(counts, indent=2, sort_keys=True) + "\n")
    os.replace(part, COUNTS)


@dataclass
class Seeded:
    world: object
    assessments: dict  # label -> Assessment
    actions: dict  # label -> Action
    reset_token: str


def _blanket_answers():
    framework = frameworks.latest()
    return answers_for(framework, status="everyone", safeguards="no")


def quick_assessment(ward, user, answers: dict, submit: bool = False) -> Assessment:
    """Like tests.helpers.make_assessment, but writes the answers in one go (faster)."""
    assessment = assessment_services.start(ward, user)
    db.session.add_all(
        Answer(assessment_id=assessment.id, item_id=item_id, values=values, updated_by_id=user.id)
        for item_id, values in answers.items()
    )
    db.session.commit()
    if submit:
        db.session.refresh(assessment)
        assessment_services.submit(assessment, user)
    return assessment


@pytest.fixture
def seeded(world, app) -> Seeded:
    """Submitted and draft assessments on Oak (the leads' own ward), Willow (another provider)
    and Ash (a ward with no team), each submitted one with an action plan."""
    w = world
    answers = _blanket_answers()
    oak_submitted = quick_assessment(w.oak, w.oak_lead, answers, submit=True)
    willow_submitted = quick_assessment(w.willow, w.willow_lead, answers, submit=True)
    ash_submitted = quick_assessment(w.ash, w.admin, answers, submit=True)
    oak_draft = quick_assessment(w.oak, w.oak_lead, {})
    willow_draft = quick_assessment(w.willow, w.willow_lead, {})
    assessments = {
        "oak-submitted": oak_submitted,
        "oak-draft": oak_draft,
        "willow-submitted": willow_submitted,
        "willow-draft": willow_draft,
        "ash-submitted": ash_submitted,
    }
    actions = {}
    for label in ("oak-submitted", "willow-submitted", "ash-submitted"):
        a = assessments[label]
        actions[label.split("-")[0]] = db.session.scalar(
            select(Action).where(Action.assessment_id == a.id).order_by(Action.id).limit(1)
        )
    assert all(actions.values()), "a blanket answer set must create actions"
    with app.test_request_context():
        link = auth_services.create_reset_link(w.oak_member, w.oak_lead)
    token = link.url.rsplit("/", 1)[1]
    db.session.commit()
    return Seeded(world=w, assessments=assessments, actions=actions, reset_token=token)


# Least powerful first (the route walk's writes run in this order).
ROLE_NAMES = (
    "signed_out",
    "outsider",
    "commissioner",
    "willow_lead",
    "oak_member",
    "oak_lead",
    "admin",
)


@pytest.fixture
def role_clients(app, seeded):
    """A test client signed in as each role (and one signed out)."""
    clients = {}
    for name in ROLE_NAMES:
        c = app.test_client()
        if name != "signed_out":
            response = login(c, getattr(seeded.world, name))
            assert response.status_code == 302, name
        clients[name] = c
    return clients


def fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def snapshot(skip: set[str] = frozenset()) -> dict[str, set[tuple]]:
    """Every row of every table (except `skip`), to show what a request changed."""
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        out[table.name] = {tuple(map(repr, row)) for row in db.session.execute(table.select())}
    return out


def changed(before: dict, after: dict) -> dict[str, int]:
    """Tables whose rows differ, with how many rows were added, removed or altered."""
    return {
        name: len(before[name] ^ after[name])
        for name in before
        if before[name] != after.get(name, set())
    }

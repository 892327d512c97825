"""A double-clicked submit creates one submission: two POSTs at once, from two threads, against
a real SQLite file."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app import frameworks
from app.extensions import db
from app.models import Action, AssessmentResult, AuditEvent
from tests.conftest import login
from tests.helpers import answers_for

from .conftest import quick_assessment


def test_two_submits_at_once_make_one_submission(app, world):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith(("sqlite:///", "postgresql"))
    answers = answers_for(frameworks.latest(), status="everyone", safeguards="no")
    assessment = quick_assessment(world.oak, world.oak_lead, answers)
    url = f"/assessments/{assessment.id}/submit"
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        assert login(c, world.oak_lead).status_code == 302
    db.session.commit()  # this thread must hold no transaction while the two clicks race
    barrier = threading.Barrier(2)
    statuses = []

    def click(client):
        barrier.wait()
        statuses.append(client.post(url).status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [302, 302]
    db.session.expire_all()
    count = lambda q: db.session.scalar(select(func.count()).select_from(q.subquery()))  # noqa: E731
    submits = select(AuditEvent).where(
        AuditEvent.event == "submit", AuditEvent.assessment_id == assessment.id
    )
    assert count(submits) == 1
    assert (
        count(select(AssessmentResult).where(AssessmentResult.assessment_id == assessment.id)) == 1
    )
    actions = count(select(Action).where(Action.assessment_id == assessment.id))
    keys = db.session.scalar(
        select(func.count(func.distinct(Action.action_key))).where(
            Action.assessment_id == assessment.id
        )
    )
    assert actions == keys > 0  # one plan, no action twice

"""A commissioner's wards with a history: built through the service layer, then dated back."""

from __future__ import annotations

from datetime import timedelta

from app import frameworks
from app.extensions import db
from app.models import utcnow
from tests.helpers import answers_for, make_assessment


def submitted_days_ago(ward, user, days: int, status="not-in-place", safeguards="no"):
    """Submit an assessment whose every item is answered `status`, dated `days` ago."""
    framework = frameworks.latest()
    assessment = make_assessment(
        ward, user, answers_for(framework, status, safeguards), submit=True
    )
    assessment.submitted_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return assessment

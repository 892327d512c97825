"""Action plans: view, edit, add, and download."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from sqlalchemy import select

from ..access import allow, assessment_or_404
from ..extensions import db
from ..models import Action

bp = Blueprint("actions", __name__)


@bp.get("/assessments/<int:assessment_id>/plan")
@allow("ward-or-reviewer")
def plan(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    actions = db.session.scalars(
        select(Action).where(Action.assessment_id == assessment.id).order_by(Action.id)
    ).all()
    return render_template(
        "actions/plan.html", assessment=assessment, actions=actions, today=date.today()
    )

"""The two PDFs, and the cache that renders each version of their content once.

The cache key is a hash of the HTML the PDF is printed from, so any change that shows in the
document (an edited action, a renamed ward, a new template) makes the next download fresh,
and every app process shares the rendered copies through the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from .. import frameworks
from ..actions.services import plan_rows
from ..assessments.presenters import answer_rows
from ..extensions import db
from ..models import PRIORITIES, Assessment, AuditEvent, RenderedDocument
from .render import render_pdf

# Bump when the renderer's output changes for the same HTML (WeasyPrint upgrade, print CSS).
RENDERER = "weasyprint-70/print-1"


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    cached: bool


def plan_html(assessment: Assessment, today: date) -> str:
    framework = frameworks.for_assessment(assessment)
    rows = plan_rows(assessment, framework, today)
    return render_template(
        "reports/plan.html",
        **_common(assessment, framework),
        doc_title="Action plan",
        groups=_by_priority(rows),
        count=len(rows),
        overdue=sum(1 for r in rows if r.overdue),
        today=today,
    )


def report_html(assessment: Assessment, today: date) -> str:
    framework = frameworks.for_assessment(assessment)
    rows = plan_rows(assessment, framework, today)
    answers = assessment.answers_by_item()
    items = [
        {
            "item": item,
            "domain": domain,
            "rows": answer_rows(
                framework, item, answers[item.id].values if item.id in answers else {}
            ),
            "answer": answers.get(item.id),
        }
        for domain in framework.domains
        for item in domain.items
    ]
    trail = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.assessment_id == assessment.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return render_template(
        "reports/report.html",
        **_common(assessment, framework),
        doc_title="Assessment report",
        groups=_by_priority(rows),
        count=len(rows),
        overdue=sum(1 for r in rows if r.overdue),
        items=items,
        trail=trail,
        today=today,
    )


def _common(assessment: Assessment, framework) -> dict:
    result = assessment.result
    restrictions = sorted(result.restrictions, key=lambda r: (r.justified, r.title))
    return {
        "assessment": assessment,
        "framework": framework,
        "result": result,
        "chart": bar_chart(result.domains),
        "unjustified": [r for r in restrictions if not r.justified],
        "justified": [r for r in restrictions if r.justified],
    }


def _by_priority(rows) -> list[tuple[str, list]]:
    return [(label, [r for r in rows if r.action.priority == p]) for p, label in PRIORITIES.items()]


# --- the chart: horizontal bars, one per section, drawn as SVG in the template --------------

BAR_HEIGHT = 16
BAR_GAP = 6
LABEL_WIDTH = 250
PLOT_WIDTH = 340


def bar_chart(domains) -> dict:
    bars = []
    for n, d in enumerate(domains):
        y = n * (BAR_HEIGHT + BAR_GAP)
        width = round(PLOT_WIDTH * max(0.0, min(d.percent, 100.0)) / 100, 1)
        bars.append({"title": d.title, "percent": d.percent, "rag": d.rag, "y": y, "width": width})
    return {
        "bars": bars,
        "bar_height": BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
        "plot_width": PLOT_WIDTH,
        "height": len(bars) * (BAR_HEIGHT + BAR_GAP) + 24,
        "width": LABEL_WIDTH + PLOT_WIDTH + 60,
        "ticks": [
            {"x": LABEL_WIDTH + PLOT_WIDTH * t / 100, "label": f"{t}%"} for t in (0, 50, 100)
        ],
    }


# --- rendering and the cache ----------------------------------------------------------------

KINDS = {
    "plan": (plan_html, "action-plan"),
    "report": (report_html, "assessment-report"),
}


def document_for(kind: str, assessment: Assessment, today: date | None = None) -> Document:
    """The PDF of this kind for the assessment: from the cache, or rendered and cached."""
    build, stem = KINDS[kind]
    html = build(assessment, today or date.today())
    digest = hashlib.sha256(f"{RENDERER}\n{html}".encode()).hexdigest()
    prefix = f"{kind}/{assessment.id}/"
    key = prefix + digest
    filename = f"{stem}-{slug(assessment.ward.name)}-{assessment.id}.pdf"
    content = db.session.scalar(select(RenderedDocument.content).where(RenderedDocument.key == key))
    if content is not None:
        return Document(filename, content, cached=True)
    content = render_pdf(html, current_app.static_folder, current_app.config["PDF_TIMEOUT_SECONDS"])
    _store(prefix, key, content)
    return Document(filename, content, cached=False)


def _store(prefix: str, key: str, content: bytes) -> None:
    """Keep only the newest copy of each document; another process may have stored it first."""
    try:
        db.session.execute(
            delete(RenderedDocument).where(
                RenderedDocument.key.startswith(prefix, autoescape=True),
                RenderedDocument.key != key,
            )
        )
        db.session.add(RenderedDocument(key=key, content=content))
        db.session.commit()
    except SQLAlchemyError:
        # The copy is still served; the next download stores it.
        db.session.rollback()


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "ward"

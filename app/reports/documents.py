"""The two PDFs, and the cache that renders each version of their content once.

The cache key is a hash of everything the document shows: the assessment, its ward and
provider, each action's and answer's version, the owners' names, the audit trail's length (in
the copy that shows it), the date (overdue actions depend on it), and the templates and print
stylesheet. Any edit makes the next download fresh, and every app process shares the rendered
copies through the database. The key is read with a few narrow queries so a cached download
stays fast.

The full report comes in two copies: with the audit trail as an appendix, for the people who
may read the audit trail (`app/audit_views.py: may_read_trail`), and without it, for everyone
else. They are cached under different names, so neither is ever served for the other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import frameworks
from ..actions.services import plan_rows
from ..assessments.presenters import answer_rows
from ..config import ROOT
from ..dates import uk_today
from ..extensions import db
from ..models import PRIORITIES, Action, Answer, Assessment, AuditEvent, RenderedDocument, User
from .render import PRINT_CSS, render_pdf

# Bump when the renderer's output changes for the same HTML (WeasyPrint upgrade, print CSS).
RENDERER = "weasyprint-70/print-1"


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    cached: bool


def plan_html(assessment: Assessment, today: date) -> str:
    """The whole plan as one HTML document."""
    return plan_parts(assessment, today)[0]


def plan_parts(assessment: Assessment, today: date, parts: int = 1) -> list[str]:
    """The plan as up to `parts` HTML documents of about equal length, which render.py lays
    out side by side and joins into one PDF (see split_groups)."""
    context = _context(assessment, today, "Action plan")
    pieces = split_groups(context["groups"], parts, _front_lines(context), SPLIT_MIN_LINES)
    return [
        render_template(
            "reports/plan.html",
            **{**context, "groups": groups, "part": i, "actions_continued": i > 0},
        )
        for i, groups in enumerate(pieces)
    ]


def report_html(assessment: Assessment, today: date, with_trail: bool = False) -> str:
    """The whole report as one HTML document."""
    return report_parts(assessment, today, with_trail)[0]


def report_parts(
    assessment: Assessment, today: date, with_trail: bool = False, parts: int = 1
) -> list[str]:
    """The full report, in up to `parts` HTML documents cut where a section of answers, the
    actions or the appendix starts; the audit trail's appendix only `with_trail` (see the
    module's docstring)."""
    context = _context(assessment, today, "Assessment report")
    framework = context["framework"]
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
    context["trail"] = (
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.assessment_id == assessment.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        ).all()
        if with_trail
        else None
    )
    starts = [not i or e["domain"].id != items[i - 1]["domain"].id for i, e in enumerate(items)]
    # Every answer (a cut only where a section starts), then the actions, then the appendix.
    weights = [
        ANSWER_COST * _item_lines(e) + (GROUP_LINES if new else 0)
        for e, new in zip(items, starts, strict=True)
    ]
    weights += [
        _actions_lines(context["groups"]),
        TRAIL_COST * _trail_lines(context["trail"] or ()),
    ]
    cuts = _cuts(weights, [*starts, True, True], parts, _front_lines(context), SPLIT_MIN_LINES)
    n = len(items)
    return [
        render_template(
            "reports/report.html",
            **{
                **context,
                "part": i,
                "items": items[start:end],
                "show_actions": start <= n < end,
                "show_trail": start <= n + 1 < end,
            },
        )
        for i, (start, end) in enumerate(zip([0, *cuts], [*cuts, n + 2], strict=True))
    ]


def _context(assessment: Assessment, today: date, title: str) -> dict:
    framework = frameworks.for_assessment(assessment)
    rows = plan_rows(assessment, framework, today)
    return {
        **_common(assessment, framework),
        "doc_title": title,
        "groups": _by_priority(rows),
        "count": len(rows),
        "overdue": sum(1 for r in rows if r.overdue),
        "today": today,
    }


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


def _by_priority(rows) -> list[dict]:
    """Priority, then the restriction each action addresses, so each title prints once."""
    groups = []
    for priority, label in PRIORITIES.items():
        in_priority = [r for r in rows if r.action.priority == priority]
        by_restriction: dict[tuple[str, str], list] = {}
        for r in in_priority:
            by_restriction.setdefault((r.restriction, r.domain), []).append(r)
        groups.append(
            {
                "label": label,
                "count": len(in_priority),
                "restrictions": [
                    {"title": title, "domain": domain, "rows": rs}
                    for (title, domain), rs in by_restriction.items()
                ],
            }
        )
    return groups


# --- long documents in parts -----------------------------------------------------------------

# A document of more printed lines than this (about 15 pages) is cut into parts that render side
# by side. A shorter one renders sooner whole than the second process and the join cost.
SPLIT_MIN_LINES = 700
LINE_CHARS = 100  # characters in a printed line of running text (9.5pt, A4 less margins)
GROUP_LINES = 3  # a heading over a group (a priority, a section of answers), with its space
# What a line costs to lay out in the report's tables, against a line of the plan's actions,
# as measured on the worst case: the answers (two columns) 1.2 times, the audit trail (four
# narrow columns) 1.7 times. The cut balances the parts' time, not their pages.
ANSWER_COST = 1.2
TRAIL_COST = 1.7


def _lines(text: str | None, width: int = LINE_CHARS) -> int:
    return sum(1 + len(line) // width for line in (text or "").splitlines())


def _restriction_lines(restriction: dict) -> int:
    """About how many printed lines a restriction's heading and actions take."""
    lines = 2
    for row in restriction["rows"]:
        a = row.action
        lines += _lines(a.text) + 2 + _lines(a.notes)  # the meta line, and the gap
        if a.status == "not-doing":
            lines += _lines(a.not_doing_reason)
    return lines


def _actions_lines(groups: list[dict]) -> int:
    return 5 + sum(
        GROUP_LINES + sum(_restriction_lines(r) for r in group["restrictions"]) for group in groups
    )


def _item_lines(entry: dict) -> int:
    """An item's answers in the report: a table of questions (about half the line wide) and
    answers, then the evidence and comments."""
    rows = sum(
        1 + max(_lines(row["question"].text, 50), _lines(str(row["answer"] or "Not answered"), 40))
        for row in entry["rows"]
    )
    answer = entry["answer"]
    return 8 + rows + _lines(answer and answer.evidence) + _lines(answer and answer.comment)


def _trail_lines(trail) -> int:
    """The appendix: a row per event, as tall as its change (in a column about 45 characters
    wide) or the who and what beside it."""
    return 5 + sum(
        1 + max(3, _lines(f"{e.before or ''} {e.after or ''} {e.detail or ''}", 45)) for e in trail
    )


def _front_lines(context: dict) -> int:
    """The first pages: facts, scores table and the restrictions' lists."""
    return (
        40
        + 2 * len(context["chart"]["bars"])
        + len(context["unjustified"])
        + len(context["justified"])
    )


def _cuts(
    weights: list[float], allowed: list[bool], parts: int, front: int, min_lines: int
) -> list[int]:
    """Where to cut a run of units (each its printed lines) into up to `parts` pieces of about
    equal length: before an `allowed` unit, once most of it would fall past the piece's share.
    The first piece also carries `front`. Nothing is cut under `min_lines` in all."""
    total = front + sum(weights)
    if parts < 2 or total < min_lines:
        return []
    cuts, running = [], front
    for index, lines in enumerate(weights):
        share = total * (len(cuts) + 1) / parts
        if index and allowed[index] and len(cuts) < parts - 1 and running + lines / 2 > share:
            cuts.append(index)
        running += lines
    return cuts


def split_groups(
    groups: list[dict], parts: int, front_lines: int, min_lines: int
) -> list[list[dict]]:
    """The priority groups in up to `parts` pieces of about equal printed length, each cut at
    a restriction's heading. A priority cut in two is marked `continued` in the later piece.
    A plan under `min_lines` stays whole."""
    units = []  # (group, restriction or None for a priority with none, lines)
    for g, group in enumerate(groups):
        if not group["restrictions"]:
            units.append((g, None, GROUP_LINES + 1))
        for r, restriction in enumerate(group["restrictions"]):
            units.append((g, r, (0 if r else GROUP_LINES) + _restriction_lines(restriction)))
    weights = [lines for _, _, lines in units]
    cuts = _cuts(weights, [True] * len(units), parts, front_lines, min_lines)
    if not cuts:
        return [groups]
    pieces = []
    for start, end in zip([0, *cuts], [*cuts, len(units)], strict=True):
        piece: list[dict] = []
        for g, r, _ in units[start:end]:
            if not piece or piece[-1]["index"] != g:
                piece.append({**groups[g], "index": g, "continued": bool(r), "restrictions": []})
            if r is not None:
                piece[-1]["restrictions"].append(groups[g]["restrictions"][r])
        pieces.append(piece)
    return pieces


# --- the chart: a horizontal bar per section, drawn as SVG in the scores table's rows ----------

BAR_WIDTH = 120  # points, at 100%
BAR_HEIGHT = 9
# NHS.UK colours for the ratings, and a pale track that shows where 100% is.
BAR_FILLS = {"green": "#007f3b", "amber": "#ffb81c", "red": "#d5281b"}
TRACK_FILL = "#e8edee"


def bar_chart(domains) -> dict:
    return {
        "width": BAR_WIDTH,
        "height": BAR_HEIGHT,
        "track": TRACK_FILL,
        "bars": [
            {
                "title": d.title,
                "percent": d.percent,
                "rag": d.rag,
                "fill": BAR_FILLS.get(d.rag, "#4c6272"),
                "width": round(BAR_WIDTH * max(0.0, min(d.percent, 100.0)) / 100, 1),
            }
            for d in domains
        ],
    }


# --- rendering and the cache ----------------------------------------------------------------

# The file name each kind of document downloads as.
STEMS = {"plan": "action-plan", "report": "assessment-report"}


def variant(kind: str, with_trail: bool) -> str:
    """The cached copy's name: the report with the audit trail is a document of its own."""
    return "report-with-trail" if kind == "report" and with_trail else kind


def content_key(kind: str, assessment: Assessment, today: date, with_trail: bool = False) -> str:
    """A hash of everything the document shows (see the module's docstring)."""
    a = assessment
    with_trail = with_trail and kind == "report"
    parts: list = [
        RENDERER,
        _design_hash(),
        variant(kind, with_trail),
        today.isoformat(),
        (a.id, a.status, a.framework_id, a.framework_version, a.submitted_at, a.updated_at),
        (a.ward.name, a.ward.provider.name, a.submitted_by.name if a.submitted_by else None),
        a.result.computed_at if a.result else None,
        db.session.execute(
            select(Action.id, Action.version, Action.status, Action.updated_at, User.name)
            .outerjoin(User, User.id == Action.owner_user_id)
            .where(Action.assessment_id == a.id)
            .order_by(Action.id)
        ).all(),
    ]
    if kind == "report":
        parts.append(
            db.session.execute(
                select(Answer.item_id, Answer.version, Answer.updated_at)
                .where(Answer.assessment_id == a.id)
                .order_by(Answer.item_id)
            ).all()
        )
    if with_trail:
        parts.append(
            db.session.execute(
                select(func.count(AuditEvent.id), func.max(AuditEvent.id)).where(
                    AuditEvent.assessment_id == a.id
                )
            ).one()
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@lru_cache(maxsize=1)
def _design_hash() -> str:
    """The templates, their filters (app/templating.py writes some of the words), the print
    stylesheet and this package's code (which cuts, renders and joins the parts): a new release
    of any of them renders afresh."""
    digest = hashlib.sha256(PRINT_CSS.read_bytes())
    digest.update((ROOT / "app" / "templating.py").read_bytes())
    for path in sorted((ROOT / "app" / "reports").glob("*.py")):
        digest.update(path.read_bytes())
    for path in sorted((ROOT / "templates" / "reports").glob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def document_for(
    kind: str, assessment: Assessment, today: date | None = None, *, with_trail: bool = False
) -> Document:
    """The PDF of this kind for the assessment: from the cache, or rendered and cached.

    `with_trail` adds the audit trail to the report: only for someone who may read it.
    """
    stem = STEMS[kind]
    today = today or uk_today()
    with_trail = with_trail and kind == "report"
    digest = content_key(kind, assessment, today, with_trail)
    # Each copy has its own prefix, so storing one never removes the other (see _store).
    prefix = f"{variant(kind, with_trail)}/{assessment.id}/"
    key = prefix + digest
    filename = f"{stem}-{slug(assessment.ward.name)}-{assessment.id}.pdf"
    content = db.session.scalar(select(RenderedDocument.content).where(RenderedDocument.key == key))
    if content is not None:
        return Document(filename, content, cached=True)
    parts = current_app.config["PDF_PARTS"]
    if kind == "plan":
        html = plan_parts(assessment, today, parts)
    else:
        html = report_parts(assessment, today, with_trail, parts)
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

"""Action plans: view, filter, edit, add, and download as CSV or PDF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import frameworks
from ..access import action_or_404, allow, assessment_or_404, member_ward_ids
from ..audit_views import may_read_trail
from ..auth.forms import form_version
from ..csv_files import csv_response
from ..dates import uk_today
from ..extensions import db
from ..models import ACTION_STATUSES
from ..reports import documents
from ..reports.render import RenderFailed, RenderTimeout
from . import services
from .forms import ActionForm, FilterForm

bp = Blueprint("actions", __name__)


def _is_member(ward_id: int) -> bool:
    return ward_id in member_ward_ids(current_user)


@bp.get("/assessments/<int:assessment_id>/plan")
@allow("ward-or-reviewer")
def plan(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    framework = frameworks.for_assessment(assessment)
    filters_form = FilterForm(request.args)
    filters_form.set_choices(framework, services.owner_names(assessment))
    filters = services.PlanFilters(
        status=filters_form.cleaned("status"),
        domain=filters_form.cleaned("domain"),
        owner=filters_form.cleaned("owner"),
    )
    today = uk_today()
    everything = services.plan_rows(assessment, framework, today)
    rows = (
        services.plan_rows(assessment, framework, today, filters) if filters.active else everything
    )
    current = services.current_plan(assessment.ward)
    is_current = current is not None and current.id == assessment.id
    return render_template(
        "actions/plan.html",
        assessment=assessment,
        rows=rows,
        total=len(everything),
        overdue=sum(1 for r in everything if r.overdue),
        filters=filters,
        filters_form=filters_form,
        # the Change links bring the team back to the plan as they filtered it
        return_to=_plan_url(assessment, _filter_values(filters)) if filters.active else None,
        is_current=is_current,
        current=current,
        can_edit=is_current and _is_member(assessment.ward_id),
        today=today,
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow("ward")
def edit(action_id: int):
    action = action_or_404(action_id, need="member")
    assessment = action.assessment
    back = _return_to(assessment)
    if not services.is_current_plan(assessment):
        flash(
            "This action is on an earlier plan, so it cannot be changed."
            + (" Your changes have not been saved." if request.method == "POST" else ""),
            "info",
        )
        return redirect(back)
    form = ActionForm(data=ActionForm.data_from(action))
    form.set_choices(services.ward_team(action.ward), owner=action.owner)
    conflict = None
    if form.validate_on_submit():
        try:
            changed = services.update_action(
                action, _input(form), form_version(form.version.data), current_user
            )
        except services.StaleEdit as stale:
            conflict = stale.current
            form.version.data = str(conflict.version)
        else:
            db.session.commit()
            flash("The action has been saved." if changed else "Nothing was changed.", "success")
            return redirect(_return_to(action.assessment, anchor=f"action-{action.id}"))
    return render_template(
        "actions/edit.html",
        assessment=assessment,
        action=action,
        form=form,
        conflict=conflict,
        statuses=ACTION_STATUSES,
        back=back,
    ), (409 if conflict else 400 if form.errors else 200)


edit.resubmittable = True


@bp.route("/assessments/<int:assessment_id>/plan/add", methods=["GET", "POST"])
@allow("ward")
def add(assessment_id: int):
    assessment = assessment_or_404(assessment_id, need="member")
    if not services.is_current_plan(assessment):
        flash(
            "Actions can only be added to the ward's current plan."
            + (" Your action has not been added." if request.method == "POST" else ""),
            "info",
        )
        return redirect(url_for(".plan", assessment_id=assessment.id))
    framework = frameworks.for_assessment(assessment)
    form = ActionForm()
    form.set_choices(services.ward_team(assessment.ward), framework)
    if form.validate_on_submit():
        try:
            action = services.add_action(
                assessment, framework, form.item_id.data or "", _input(form), current_user
            )
        except services.NotCurrentPlan:
            # Shown again with what was typed, and where to add it instead.
            db.session.rollback()
            current = services.current_plan(assessment.ward)
            return render_template(
                "actions/add.html", assessment=assessment, form=form, moved_to=current
            ), 409
        db.session.commit()
        flash("The action has been added to the plan.", "success")
        return redirect(
            url_for(".plan", assessment_id=assessment.id, _anchor=f"action-{action.id}")
        )
    return render_template("actions/add.html", assessment=assessment, form=form), (
        400 if form.errors else 200
    )


add.resubmittable = True


# The plan page's filters, the only part of a `return_to` address that is kept.
FILTER_NAMES = ("status", "domain", "owner")


def _filter_values(filters: services.PlanFilters) -> dict[str, str]:
    return {name: getattr(filters, name) for name in FILTER_NAMES if getattr(filters, name)}


def _plan_url(assessment, filters: dict[str, str], anchor: str | None = None) -> str:
    return url_for(".plan", assessment_id=assessment.id, _anchor=anchor, **filters)


def _return_to(assessment, anchor: str | None = None) -> str:
    """The plan page as the user left it, from the `return_to` address the Change link gave.

    Only the address of this plan's own page is followed, and only its filters are kept: the
    address is rebuilt, never redirected to as given, so it cannot send anyone elsewhere.
    """
    filters: dict[str, str] = {}
    given = urlsplit(request.args.get("return_to", ""))
    if (given.scheme, given.netloc, given.path) == ("", "", _plan_url(assessment, {})):
        query = parse_qs(given.query)
        filters = {name: query[name][0] for name in FILTER_NAMES if query.get(name)}
    return _plan_url(assessment, filters, anchor)


def _input(form: ActionForm) -> services.ActionInput:
    return services.ActionInput(
        text=form.text.data.strip(),
        priority=form.priority.data,
        owner_user_id=form.owner_user_id,
        owner_name=(form.owner_name.data or "").strip() if form.owner.data == "other" else "",
        due_date=form.due_date.data,
        status=form.status.data,
        not_doing_reason=(form.not_doing_reason.data or "").strip(),
        notes=(form.notes.data or "").strip(),
        review_date=form.review_date.data,
        lived_experience=form.lived_experience.data == "yes",
    )


# --- downloads -----------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/plan.csv")
@allow("ward-or-reviewer")
def plan_csv(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    framework = frameworks.for_assessment(assessment)
    rows = services.plan_rows(assessment, framework, uk_today())
    filename = f"action-plan-{documents.slug(assessment.ward.name)}-{assessment.id}.csv"
    return csv_response(services.plan_csv(rows), filename)


@bp.get("/assessments/<int:assessment_id>/plan.pdf")
@allow("ward-or-reviewer")
def plan_pdf(assessment_id: int):
    return _pdf("plan", assessment_id)


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@allow("ward-or-reviewer")
def report_pdf(assessment_id: int):
    return _pdf("report", assessment_id)


def _pdf(kind: str, assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    if assessment.is_draft or assessment.result is None:
        flash("The documents can be downloaded once the assessment has been submitted.", "info")
        return redirect(url_for("assessments.task_list", assessment_id=assessment.id))
    try:
        document = documents.document_for(
            kind, assessment, with_trail=may_read_trail(current_user, assessment.ward_id)
        )
    except (RenderTimeout, RenderFailed) as failure:
        return render_template(
            "reports/failed.html",
            assessment=assessment,
            timed_out=isinstance(failure, RenderTimeout),
        ), 503
    return Response(
        document.content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Document-Cache": "hit" if document.cached else "miss",
        },
    )

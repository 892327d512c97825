"""The walk-through: wards, task list, question pages, check answers, submit, results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import frameworks
from ..access import (
    allow,
    assessment_or_404,
    can_lead,
    member_ward_ids,
    ward_or_404,
    wards_for_member,
)
from ..auth.forms import form_version
from ..dates import part_names
from ..engine import score
from ..extensions import db
from ..models import SUBMITTED, Assessment
from . import services
from .forms import ConfirmForm, ItemForm, ReopenForm, StartForm, parse_item, question_field_name
from .presenters import answer_rows, domain_statuses, item_pages, item_statuses

bp = Blueprint("assessments", __name__)


@bp.get("/")
@allow("public")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not current_user.memberships:
        if current_user.is_commissioner:
            return redirect(url_for("review.dashboard"))
        if current_user.is_admin:
            return redirect(url_for("admin.index"))
    wards = wards_for_member(current_user)
    latest = {}
    drafts = {}
    for ward in wards:
        drafts[ward.id] = services.draft_for(ward)
        latest[ward.id] = services.latest_submitted(ward)
    return render_template("assessments/home.html", wards=wards, latest=latest, drafts=drafts)


@bp.get("/about")
@allow("public")
def about():
    return render_template("assessments/about.html")


@bp.get("/accessibility")
@allow("public")
def accessibility():
    return render_template("assessments/accessibility.html")


@bp.get("/wards/<int:ward_id>")
@allow("ward-or-reviewer")
def ward(ward_id: int):
    ward = ward_or_404(ward_id)
    is_member = ward.id in member_ward_ids(current_user)
    query = select(Assessment).where(Assessment.ward_id == ward.id)
    if not is_member:
        query = query.where(Assessment.status == SUBMITTED)
    assessments = db.session.scalars(query.order_by(Assessment.created_at.desc())).all()
    return render_template(
        "assessments/ward.html",
        ward=ward,
        assessments=assessments,
        draft=next((a for a in assessments if a.is_draft), None),
        is_lead=can_lead(current_user, ward.id),
        form=StartForm(),
    )


@bp.post("/wards/<int:ward_id>/start")
@allow("ward")
def start(ward_id: int):
    ward = ward_or_404(ward_id, need="lead")
    form = StartForm()
    if not form.validate_on_submit():
        flash("Select Start a new assessment again.", "info")
        return redirect(url_for(".ward", ward_id=ward.id))
    assessment = services.start(ward, current_user)
    return redirect(url_for(".task_list", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>")
@allow("ward-or-reviewer")
def task_list(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    if not assessment.is_draft:
        return redirect(url_for(".results", assessment_id=assessment.id))
    framework = frameworks.for_assessment(assessment)
    result = score(framework, services.answers_map(assessment))
    statuses = domain_statuses(framework, assessment, result)
    completed = sum(1 for s in statuses if s.status == "completed")
    return render_template(
        "assessments/task_list.html",
        assessment=assessment,
        framework=framework,
        statuses=statuses,
        completed=completed,
        result=result,
        next_item=_next_unanswered(framework, result),
    )


def _next_unanswered(framework, result, start: str | None = None):
    """The first item not fully answered, in framework order from `start` (included, so an
    item saved part-answered comes first), wrapping round to the beginning."""
    items = list(framework.items)
    if start is not None:
        ids = [i.id for i in items]
        start_at = ids.index(start) if start in ids else 0
        items = items[start_at:] + items[:start_at]
    for item in items:
        if not result.items[item.id].answered:
            return item
    return None


@bp.get("/assessments/<int:assessment_id>/domains/<domain_id>")
@allow("ward")
def domain(assessment_id: int, domain_id: str):
    assessment = assessment_or_404(assessment_id, need="member")
    framework = frameworks.for_assessment(assessment)
    domain = _domain_or_404(framework, domain_id)
    result = score(framework, services.answers_map(assessment))
    return render_template(
        "assessments/domain.html",
        assessment=assessment,
        framework=framework,
        domain=domain,
        statuses=item_statuses(domain, assessment, result),
    )


def _domain_or_404(framework, domain_id):
    try:
        return framework.domain(domain_id)
    except KeyError:
        abort(404)


def _item_or_404(framework, item_id):
    try:
        return framework.item(item_id)
    except KeyError:
        abort(404)


@bp.route("/assessments/<int:assessment_id>/items/<item_id>", methods=["GET", "POST"])
@allow("ward")
def item(assessment_id: int, item_id: str):
    """An item's question page: its first questions, evidence and comments."""
    return _question_page(assessment_id, item_id, follow_on=False)


@bp.route("/assessments/<int:assessment_id>/items/<item_id>/more", methods=["GET", "POST"])
@allow("ward")
def item_more(assessment_id: int, item_id: str):
    """The follow-on page: the questions an answer on the question page leads to (such as
    the safeguards of a restriction that applies to everyone)."""
    return _question_page(assessment_id, item_id, follow_on=True)


item.resubmittable = True
item_more.resubmittable = True


def _question_page(assessment_id: int, item_id: str, follow_on: bool):
    assessment = assessment_or_404(assessment_id, need="member")
    framework = frameworks.for_assessment(assessment)
    item = _item_or_404(framework, item_id)
    domain = framework.domain_of(item.id)
    saved = assessment.answers_by_item().get(item.id)
    if not assessment.is_draft:
        flash("This assessment has been submitted, so its answers cannot be changed.", "info")
        return redirect(url_for(".check", assessment_id=assessment.id, _anchor=item.id))
    pages = item_pages(item)
    saved_values = dict(saved.values) if saved else {}
    # Opened from a Change link on check your answers (the form posts back to the same address).
    from_check = request.args.get("from") == "check"
    following = pages.following(saved_values)
    if follow_on:
        asked = frozenset().union(*(g.ids for g in following))
    else:
        # A follow-on question posted here too (from a page open since before the questions
        # moved, or kept over a sign-in) is read, not dropped.
        asked = pages.first_ids(item) | _posted(item, request.form, pages.follow_on_ids)
    if follow_on and not _follow_on_shown(framework, item, pages, saved_values):
        # Nothing saved leads here (yet, or any more): the question page asks first.
        if request.method == "POST":
            # Someone changed the answer that led here while this page was open.
            flash(
                "The answer saved on this question page no longer leads to the questions you "
                "were answering, so they were not saved. Check the answer below.",
                "info",
            )
        return redirect(
            url_for(
                ".item",
                assessment_id=assessment.id,
                item_id=item.id,
                **({"from": "check"} if from_check else {}),
            )
        )

    form = ItemForm(
        data={
            "evidence": saved.evidence if saved else "",
            "comment": saved.comment if saved else "",
            "version": str(saved.version if saved else 0),
        }
    )
    current = saved_values
    question_errors: dict[str, str] = {}
    conflict = None

    if request.method == "POST":
        complete = request.form.get("action") != "later"
        values, question_errors = parse_item(
            framework, item, request.form, complete, asked=asked, saved=saved_values
        )
        current = saved_values | _typed_values(item, request.form, asked)
        if follow_on:
            # Evidence and comments are asked on the question page; keep what is saved.
            form.evidence.data = saved.evidence
            form.comment.data = saved.comment
        form_ok = form.validate_on_submit()
        if form_ok and not question_errors:
            data = services.ItemInput(
                values=values,
                evidence=form.evidence.data or "",
                comment=form.comment.data or "",
                based_on_version=form_version(form.version.data),
            )
            try:
                services.save_item(assessment, item.id, data, current_user)
            except services.StaleEdit as stale:
                conflict = stale.current
                form.version.data = str(conflict.version)
            except services.NotDraft:
                flash("This assessment was submitted while you were working on it.", "info")
                return redirect(url_for(".check", assessment_id=assessment.id))
            else:
                if (
                    not follow_on
                    and _follow_on_shown(framework, item, pages, values)
                    and not (from_check and _follow_on_done(framework, item, pages, values))
                ):
                    if complete:
                        return redirect(
                            url_for(
                                ".item_more",
                                assessment_id=assessment.id,
                                item_id=item.id,
                                **({"from": "check"} if from_check else {}),
                            )
                        )
                if from_check and complete:
                    # Changed from check your answers: back there, at this item.
                    return redirect(url_for(".check", assessment_id=assessment.id, _anchor=item.id))
                return _after_save(assessment, framework, item, complete)
    errors_for_summary = _summary(form, question_errors, conflict)
    return render_template(
        "assessments/item_more.html" if follow_on else "assessments/item.html",
        assessment=assessment,
        framework=framework,
        domain=domain,
        item=item,
        form=form,
        tree=[n for g in following for n in g.nodes] if follow_on else pages.first,
        leads_on=pages.leads_on,
        revealed_by=[(g.question, g.option) for g in following],
        current=current,
        question_errors=question_errors,
        error_list=errors_for_summary,
        conflict=conflict,
        conflict_rows=answer_rows(framework, item, conflict.values) if conflict else [],
        saved=saved,
        from_check=from_check,
        field_name=question_field_name,
    ), (409 if conflict else 400 if errors_for_summary else 200)


def _follow_on_shown(framework, item, pages, values: dict) -> bool:
    """Whether these answers lead to the item's follow-on page."""
    ids = frozenset().union(*(g.ids for g in pages.following(values or {})))
    return any(q.id in ids for q in framework.visible_questions(item, values or {}))


def _follow_on_done(framework, item, pages, values: dict) -> bool:
    """Whether every follow-on question these answers lead to that needs an answer has one."""
    return _all_answered(framework, item, values, pages.follow_on_ids)


def _all_answered(framework, item, values: dict, among) -> bool:
    """Whether every shown question in `among` that needs an answer (not a date or text) has
    one."""
    return all(
        q.id in values
        for q in framework.visible_questions(item, values or {})
        if q.id in among and q.type not in ("date", "text")
    )


def _posted(item, formdata: MultiDict, among) -> set[str]:
    """The questions in `among` that the posted form has a field for."""
    out = set()
    for q in item.questions:
        if q.id in among:
            name = question_field_name(q.id)
            names = part_names(name) if q.type == "date" else [name]
            if any(n in formdata for n in names):
                out.add(q.id)
    return out


def _typed_values(item, formdata: MultiDict, asked) -> dict:
    """What the user typed, to show it back on the page exactly as they left it."""
    typed = {}
    for q in item.questions:
        if q.id not in asked:
            continue
        name = question_field_name(q.id)
        if q.type == "multiple":
            typed[q.id] = formdata.getlist(name)
        elif q.type == "date":
            typed[q.id] = [formdata.get(n, "") for n in part_names(name)]
        else:
            typed[q.id] = formdata.get(name, "")
    return typed


def _summary(form, question_errors: dict, conflict) -> list[dict]:
    items = []
    if conflict is not None:
        who = conflict.updated_by.name if conflict.updated_by else "Someone"
        items.append(
            {
                "text": f"{who} saved changes to this item while you were working on it. "
                "Their answers are shown below: check them, then save again to keep yours.",
                "href": "#conflict",
            }
        )
    for name, message in question_errors.items():
        items.append({"text": message, "href": f"#{name}"})
    if "csrf_token" in form.errors:
        items.append({"text": form.csrf_token.errors[0], "href": "#main-form"})
    for field in (form.evidence, form.comment):
        for message in field.errors:
            items.append({"text": message, "href": f"#{field.id}"})
    return items


def _after_save(assessment, framework, item, complete: bool):
    if not complete:
        flash(f"Your answers to “{item.title}” have been saved.", "success")
        return redirect(url_for(".task_list", assessment_id=assessment.id))
    domain = framework.domain_of(item.id)
    ids = [i.id for i in domain.items]
    position = ids.index(item.id)
    if position + 1 < len(ids):
        return redirect(url_for(".item", assessment_id=assessment.id, item_id=ids[position + 1]))
    flash(f"You have reached the end of “{domain.title}”.", "success")
    return redirect(url_for(".task_list", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/continue")
@allow("ward")
def resume(assessment_id: int):
    assessment = assessment_or_404(assessment_id, need="member")
    framework = frameworks.for_assessment(assessment)
    result = score(framework, services.answers_map(assessment))
    latest = max(assessment.answers, key=lambda a: a.updated_at, default=None)
    nxt = _next_unanswered(framework, result, start=latest.item_id if latest else None)
    if nxt is None:
        return redirect(url_for(".check", assessment_id=assessment.id))
    saved = assessment.answers_by_item().get(nxt.id)
    values = dict(saved.values) if saved else {}
    pages = item_pages(nxt)
    first_page_done = _all_answered(framework, nxt, values, pages.first_ids(nxt))
    page = (
        ".item_more"
        if first_page_done and _follow_on_shown(framework, nxt, pages, values)
        else ".item"
    )
    return redirect(url_for(page, assessment_id=assessment.id, item_id=nxt.id))


@bp.get("/assessments/<int:assessment_id>/check")
@allow("ward-or-reviewer")
def check(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    framework = frameworks.for_assessment(assessment)
    answers = assessment.answers_by_item()
    result = score(framework, services.answers_map(assessment))
    return render_template(
        "assessments/check.html",
        assessment=assessment,
        framework=framework,
        answers=answers,
        result=result,
        rows=lambda item: answer_rows(
            framework, item, answers[item.id].values if item.id in answers else {}
        ),
        follow_on_ids=lambda item: item_pages(item).follow_on_ids,
        field_name=question_field_name,
        is_lead=can_lead(current_user, assessment.ward_id),
        is_member=assessment.ward_id in member_ward_ids(current_user),
        form=ConfirmForm(),
    )


@bp.post("/assessments/<int:assessment_id>/submit")
@allow("ward")
def submit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, need="lead")
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(form.csrf_token.errors[0] if form.csrf_token.errors else "Try again.", "info")
        return redirect(url_for(".check", assessment_id=assessment.id))
    if not assessment.is_draft:
        return redirect(url_for(".submitted", assessment_id=assessment.id))
    try:
        services.submit(assessment, current_user)
    except services.Incomplete as incomplete:
        framework = frameworks.for_assessment(assessment)
        return render_template(
            "assessments/incomplete.html",
            assessment=assessment,
            missing=[framework.item(i) for i in incomplete.missing_items],
        ), 400
    return redirect(url_for(".submitted", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/submitted")
@allow("ward")
def submitted(assessment_id: int):
    assessment = assessment_or_404(assessment_id, need="member")
    if assessment.is_draft:
        return redirect(url_for(".task_list", assessment_id=assessment.id))
    return render_template("assessments/submitted.html", assessment=assessment)


@bp.get("/assessments/<int:assessment_id>/results")
@allow("ward-or-reviewer")
def results(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    if assessment.is_draft or assessment.result is None:
        return redirect(url_for(".task_list", assessment_id=assessment.id))
    framework = frameworks.for_assessment(assessment)
    return render_template(
        "assessments/results.html",
        assessment=assessment,
        framework=framework,
        result=assessment.result,
        comparison=services.compare(assessment),
        is_member=assessment.ward_id in member_ward_ids(current_user),
        can_reopen=(
            can_lead(current_user, assessment.ward_id)
            and services.reopen_problem(assessment) is None
        ),
    )


@bp.route("/assessments/<int:assessment_id>/reopen", methods=["GET", "POST"])
@allow("ward")
def reopen(assessment_id: int):
    assessment = assessment_or_404(assessment_id, need="lead")
    if assessment.is_draft:
        return redirect(url_for(".task_list", assessment_id=assessment.id))
    problem = services.reopen_problem(assessment)
    if problem:
        # The reason instead of the form: no typing a reason only to be refused. A refused
        # POST (the page was open while things changed) also gets the error summary.
        refused = ConfirmForm()
        refused.refusal = problem if request.method == "POST" else None
        return render_template(
            "admin/confirm.html",
            form=refused,
            title="Reopen the assessment",
            caption=assessment.ward.full_name,
            problem=problem,
            back_url=url_for(".results", assessment_id=assessment.id),
        ), (400 if refused.refusal else 200)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            services.reopen(assessment, current_user, form.reason.data.strip())
        except services.CannotReopen as refused:
            form.reason.errors.append(str(refused))
        else:
            flash("The assessment has been reopened. Its answers can be changed again.", "success")
            return redirect(url_for(".task_list", assessment_id=assessment.id))
    return render_template("assessments/reopen.html", assessment=assessment, form=form), (
        400 if form.errors else 200
    )


reopen.resubmittable = True

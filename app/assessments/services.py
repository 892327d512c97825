"""What happens to an assessment: start, save an item, submit, reopen. Views call these."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, frameworks
from ..dates import uk_time
from ..engine import Framework, score
from ..extensions import db
from ..models import (
    DRAFT,
    SUBMITTED,
    Answer,
    Assessment,
    AssessmentResult,
    DomainResult,
    RestrictionFound,
    User,
    Ward,
    utcnow,
)


class StaleEdit(Exception):
    """Someone else saved this item after the copy being saved was loaded."""

    def __init__(self, current: Answer):
        super().__init__(f"item {current.item_id} changed (version {current.version})")
        self.current = current


class NotDraft(Exception):
    """The assessment has been submitted; it is read-only until a lead reopens it."""


class CannotReopen(Exception):
    """Reopening would leave the ward with two drafts, or reopen an assessment a newer one has
    replaced. The message is what the lead reads."""


class Incomplete(Exception):
    def __init__(self, missing_items: list[str]):
        super().__init__(f"{len(missing_items)} items unanswered")
        self.missing_items = missing_items


def draft_for(ward: Ward) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.ward_id == ward.id, Assessment.status == DRAFT)
    )


def start(ward: Ward, user: User) -> Assessment:
    """A ward has at most one draft: starting again returns the one in progress."""
    existing = draft_for(ward)
    if existing is not None:
        return existing
    framework = frameworks.latest()
    assessment = Assessment(
        ward_id=ward.id,
        framework_id=framework.id,
        framework_version=framework.version,
        created_by_id=user.id,
    )
    db.session.add(assessment)
    try:
        db.session.flush()
    except IntegrityError:
        # Another lead started one a moment ago (the one-draft-per-ward index): use theirs.
        db.session.rollback()
        return draft_for(ward)
    audit.record(
        "create",
        assessment,
        ward_id=ward.id,
        assessment_id=assessment.id,
        after={"framework": f"{framework.id} {framework.version}"},
        user=user,
    )
    db.session.commit()
    return assessment


def answers_map(assessment: Assessment) -> dict[str, dict]:
    """The engine's view of an assessment's answers: item id -> {question id -> value}."""
    return {a.item_id: dict(a.values or {}) for a in assessment.answers}


def visible_values(framework: Framework, item_id: str, values: dict) -> dict:
    """Keep only the answers to questions the item shows for these answers."""
    item = framework.item(item_id)
    shown = {q.id for q in framework.visible_questions(item, values)}
    return {k: v for k, v in values.items() if k in shown and v not in (None, "", [])}


@dataclass(frozen=True)
class ItemInput:
    values: dict
    evidence: str
    comment: str
    based_on_version: int


def save_item(assessment: Assessment, item_id: str, data: ItemInput, user: User) -> Answer:
    """Save one item's answers inside one transaction, refusing a save based on a stale copy."""
    framework = frameworks.for_assessment(assessment)
    values = visible_values(framework, item_id, data.values)
    now = utcnow()
    # Checked in the database, not on the copy this request loaded: a lead may have submitted
    # since. The update also locks the assessment's row until this save commits, so a save
    # and a submission take turns (submit() claims the same row before it scores).
    still_draft = db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == DRAFT)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if still_draft.rowcount != 1:
        db.session.rollback()
        raise NotDraft()
    current = db.session.scalar(
        select(Answer).where(Answer.assessment_id == assessment.id, Answer.item_id == item_id)
    )
    if current is None:
        # Nothing saved yet, so nothing to be stale against (answer rows are never deleted).
        answer = Answer(
            assessment_id=assessment.id,
            item_id=item_id,
            values=values,
            evidence=data.evidence,
            comment=data.comment,
            version=1,
            updated_by_id=user.id,
            updated_at=now,
        )
        db.session.add(answer)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise StaleEdit(_current(assessment.id, item_id)) from None
        before = {}
    else:
        before = {
            "values": current.values,
            "evidence": current.evidence,
            "comment": current.comment,
        }
        # Compare-and-set on the version: only one of two concurrent saves can win.
        result = db.session.execute(
            update(Answer)
            .where(Answer.id == current.id, Answer.version == data.based_on_version)
            .values(
                values=values,
                evidence=data.evidence,
                comment=data.comment,
                version=Answer.version + 1,
                updated_by_id=user.id,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.rollback()
            raise StaleEdit(_current(assessment.id, item_id))
        answer = current
    after = {"values": values, "evidence": data.evidence, "comment": data.comment}
    b, a = audit.changes(before, after)
    if a:
        audit.record(
            "update",
            answer,
            before=b or None,
            after=a,
            ward_id=assessment.ward_id,
            assessment_id=assessment.id,
            detail=item_id,
            user=user,
        )
    db.session.commit()
    db.session.refresh(answer)
    return answer


def _current(assessment_id: int, item_id: str) -> Answer:
    db.session.expire_all()
    return db.session.scalar(
        select(Answer).where(Answer.assessment_id == assessment_id, Answer.item_id == item_id)
    )


def submit(assessment: Assessment, user: User) -> bool:
    """Submit once: a second click finds it already submitted and changes nothing.

    Returns True when this call made the submission.
    """
    framework = frameworks.for_assessment(assessment)
    now = utcnow()
    # Claim the assessment first: the row lock waits for any save in progress, and any later
    # save finds it submitted. Only then read the answers, so the score is of what was saved.
    claimed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == DRAFT)
        .values(status=SUBMITTED, submitted_at=now, submitted_by_id=user.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    answers = {
        a.item_id: dict(a.values or {})
        for a in db.session.scalars(
            select(Answer)
            .where(Answer.assessment_id == assessment.id)
            .execution_options(populate_existing=True)  # not a copy loaded before the claim
        )
    }
    result = score(framework, answers)
    if not result.complete:
        db.session.rollback()
        missing = list(dict.fromkeys(item_id for item_id, _ in result.missing))
        raise Incomplete(missing)
    write_result(assessment, framework, result)
    from ..actions.services import create_plan  # the plan follows the submission

    create_plan(assessment, framework, answers, user)
    audit.record(
        "submit",
        assessment,
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        after={"overall_percent": result.overall.percent, "rag": result.overall.rag},
        user=user,
    )
    db.session.commit()
    db.session.refresh(assessment)
    return True


def write_result(assessment: Assessment, framework: Framework, result) -> AssessmentResult:
    """Store the scores so that reviews can aggregate them in the database."""
    existing = db.session.get(AssessmentResult, assessment.id)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    row = AssessmentResult(
        assessment_id=assessment.id,
        ward_id=assessment.ward_id,
        overall_percent=result.overall.percent,
        overall_rag=result.overall.rag,
        blanket_count=len(result.restrictions),
        unjustified_count=sum(1 for r in result.restrictions if not r.justified),
    )
    for position, domain in enumerate(framework.domains):
        d = result.domains[domain.id]
        row.domains.append(
            DomainResult(
                domain_id=domain.id,
                title=domain.title,
                position=position,
                percent=d.percent,
                rag=d.rag,
            )
        )
    for r in result.restrictions:
        row.restrictions.append(
            RestrictionFound(
                ward_id=assessment.ward_id,
                item_id=r.item_id,
                domain_id=r.domain_id,
                title=r.title,
                justified=r.justified,
            )
        )
    db.session.add(row)
    return row


IN_PROGRESS = "This ward already has an assessment in progress. Submit or finish it first."


def reopen_problem(assessment: Assessment) -> str | None:
    """Why this submitted assessment cannot be reopened now, or None if it can. The results
    page asks before offering the link, and `reopen` asks again before it acts."""
    latest = latest_submitted(assessment.ward)
    if latest is not None and latest.id != assessment.id:
        # Its actions have moved on to the newer plan, and resubmitting it would make it the
        # latest again, turning the ward's trend back to front.
        return (
            "Only the ward's latest submitted assessment can be reopened. A newer one was "
            f"submitted on {uk_time(latest.submitted_at):%-d %B %Y}."
        )
    if draft_for(assessment.ward) is not None:
        return IN_PROGRESS
    return None


def reopen(assessment: Assessment, user: User, reason: str) -> bool:
    """A lead reopens the ward's latest submitted assessment; the reason is kept in the audit
    trail. Returns False if it was already reopened; raises CannotReopen with the reason it
    cannot be."""
    problem = reopen_problem(assessment)
    if problem:
        raise CannotReopen(problem)
    try:
        reopened = db.session.execute(
            update(Assessment)
            .where(Assessment.id == assessment.id, Assessment.status == SUBMITTED)
            .values(status=DRAFT, submitted_at=None, submitted_by_id=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:
        # Another lead started or reopened one since the check above (one draft per ward).
        db.session.rollback()
        raise CannotReopen(IN_PROGRESS) from None
    if reopened.rowcount != 1:
        db.session.rollback()
        return False
    existing = db.session.get(AssessmentResult, assessment.id)
    if existing is not None:
        db.session.delete(existing)
    audit.record(
        "reopen",
        assessment,
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        before={"status": SUBMITTED},
        after={"status": DRAFT},
        detail=reason,
        user=user,
    )
    db.session.commit()
    db.session.refresh(assessment)
    return True


def latest_submitted(ward: Ward) -> Assessment | None:
    """The ward's most recently submitted assessment, if any."""
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.ward_id == ward.id, Assessment.status == SUBMITTED)
        .order_by(Assessment.submitted_at.desc())
        .limit(1)
    )


def previous_submitted(assessment: Assessment) -> Assessment | None:
    """The ward's submitted assessment before this one, for the comparison."""
    if assessment.submitted_at is None:
        return None
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.ward_id == assessment.ward_id,
            Assessment.status == SUBMITTED,
            Assessment.submitted_at < assessment.submitted_at,
        )
        .order_by(Assessment.submitted_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Comparison:
    previous: Assessment
    removed: list[RestrictionFound]
    introduced: list[RestrictionFound]
    still_in_place: list[RestrictionFound]
    change_percent: float
    # Found last time under an item that this assessment's framework version no longer asks
    # about, or no longer counts as a restriction: not removed by the ward.
    not_counted_now: list[RestrictionFound]
    current_version: str

    @property
    def framework_changed(self) -> bool:
        return self.previous.framework_version != self.current_version


def compare(assessment: Assessment) -> Comparison | None:
    previous = previous_submitted(assessment)
    if previous is None or previous.result is None or assessment.result is None:
        return None
    framework = frameworks.for_assessment(assessment)
    counted = {i.id for i in framework.items if i.can_be_blanket}
    now = {r.item_id: r for r in assessment.result.restrictions}
    before = {r.item_id: r for r in previous.result.restrictions}
    return Comparison(
        previous=previous,
        removed=[before[i] for i in before if i not in now and i in counted],
        introduced=[now[i] for i in now if i not in before],
        still_in_place=[now[i] for i in now if i in before],
        change_percent=round(
            assessment.result.overall_percent - previous.result.overall_percent, 1
        ),
        not_counted_now=[before[i] for i in before if i not in counted],
        current_version=assessment.framework_version,
    )

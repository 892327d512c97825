"""The action plan: created from the engine's plan at submission, then owned and tracked by the
ward team. Every change is audited; a stale edit is refused."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from .. import audit, frameworks
from ..assessments.services import draft_for, latest_submitted
from ..csv_files import cell
from ..dates import add_months, uk_time
from ..engine import (
    NEVER_JUSTIFIED_WORDS,
    ActionSpec,
    Framework,
    Item,
    PlannedAction,
    as_planned,
    plan,
)
from ..extensions import db
from ..locks import lock_wards
from ..models import (
    ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    PRIORITIES,
    Action,
    Assessment,
    User,
    Ward,
    WardMembership,
    utcnow,
)

PRIORITY_ORDER = {p: n for n, p in enumerate(PRIORITIES)}
# The fields a person edits; an audit row records each one that changed.
EDITABLE = (
    "text",
    "priority",
    "owner_user_id",
    "owner_name",
    "due_date",
    "status",
    "not_doing_reason",
    "notes",
    "review_date",
    "lived_experience",
)


def _versions(framework: Framework) -> list[Framework]:
    """Every version of this framework on the server, `framework` first."""
    others = [
        fw for fw in frameworks.registry().values() if fw.id == framework.id and fw is not framework
    ]
    return [framework, *others]


def _unedited(action: Action, framework: Framework) -> bool:
    """Whether the action's text is still word for word the framework's, as some version of it
    plans the action's key: nobody has edited it, so a later plan may rewrite it. Any version,
    not only `framework`: the text was made by the version the action was first planned with
    or by the one it was last rewritten to, and an item's title (in a safeguards action's
    text) can change between versions."""
    key = action.action_key
    return key is not None and any(as_planned(fw, key, action.text) for fw in _versions(framework))


def _spec(framework: Framework, key: str) -> ActionSpec | None:
    """The action `key` ("item-id/action-id") as `framework` describes it or, if it has no
    such action, another version that has it (1.0.0 for its separate safeguard actions)."""
    item_id, _, action_id = key.partition("/")
    for fw in _versions(framework):
        try:
            spec = fw.item(item_id).action(action_id)
        except KeyError:
            continue
        if spec is not None:
            return spec
    return None


def _uncovered(framework: Framework, planned: PlannedAction, replaced: list[Action]) -> bool:
    """Whether `planned` (an action with steps) lists a missing safeguard that none of the
    `replaced` actions (an earlier version's, open) is about. A step and an old action are
    about the same safeguard when they have the same conditions: 1.0.0's `explain` and the
    step "an explanation for patients and carers" both ask for `explained` answered no."""
    spec = framework.item(planned.item_id).action(planned.action_id)
    if spec is None or not spec.steps:
        return False
    covered = set()
    for action in replaced:
        old = _spec(framework, action.action_key) if action.action_key else None
        if old is not None:
            covered.add(old.when)
    listed = set(planned.text.split("\n")[1:])  # each step on a line of its own, as `plan` writes
    return any(f"- {step.text}" in listed and step.when not in covered for step in spec.steps)


def _safeguard_ids(framework: Framework) -> set[str]:
    """The ids of the standard (safeguard) actions of every version, and those they replace."""
    return {
        action_id
        for fw in _versions(framework)
        for a in fw.standard_actions
        for action_id in (a.id, *a.replaces)
    }


def _no_longer_applies(action: Action, framework: Framework) -> Item | None:
    """The item, if `action` is the framework's untouched safeguard action for an item that
    `framework` never counts as a blanket restriction (1.2.0's three governance items), or
    never counts as justified (1.3.0's `never_justified` items, such as holding everyone's
    letters): safeguards are not what it needs, so the action asks for something that does
    not apply, and the item's own actions say what to do instead.

    Untouched: not started, no owner, no notes, its text unedited. One the team has begun
    (an owner, notes, in progress) carries forward like any other, for the team to close."""
    if action.source != "framework" or action.action_key is None:
        return None
    if (
        action.status != "not-started"
        or action.owner_user_id is not None
        or (action.owner_name or "").strip()
        or (action.notes or "").strip()
    ):
        return None
    item_id, _, action_id = action.action_key.partition("/")
    try:
        item = framework.item(item_id)
    except KeyError:
        return None
    if (
        (item.can_be_blanket and not item.never_justified)
        or item.action(action_id) is not None
        or action_id not in _safeguard_ids(framework)
        or not _unedited(action, framework)
    ):
        return None
    return item


def _close(
    action: Action, item: Item, assessment: Assessment, user: User, framework: Framework
) -> None:
    """Close a safeguard action that no longer applies, as not doing, where it is: it stays on
    the plan it was made for, as a record, and stops counting as open for the ward."""
    submitted = (
        f"Closed when an assessment on version {framework.version} of the framework was submitted"
    )
    if item.never_justified:
        reason = (
            f'{submitted}: that version says "{item.title}" {NEVER_JUSTIFIED_WORDS}, so '
            "safeguards would not make it acceptable."
        )
    else:
        reason = (
            f'{submitted}: that version does not count "{item.title}" as a blanket restriction, '
            "so it has no safeguards to put in place."
        )
    before = {"status": action.status, "not_doing_reason": action.not_doing_reason}
    action.status = "not-doing"
    action.not_doing_reason = reason
    action.version += 1  # an edit begun on the open action is refused, not merged
    action.updated_at = utcnow()
    action.updated_by_id = user.id
    audit.record(
        "update",
        action,
        before=before,
        after={"status": action.status, "not_doing_reason": reason},
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        detail="Closed by the framework: the safeguards no longer apply",
        user=user,
    )


def _carry_forward(
    action: Action,
    assessment: Assessment,
    user: User,
    framework: Framework,
    planned: PlannedAction | None,
) -> None:
    """Move an open action to the new assessment. If the new plan suggests the same action
    (`planned`) and nobody has edited its text (it is still the words of some version of the
    framework), the text becomes the new plan's: a safeguards action then lists only the
    safeguards still missing, under the item's current title.

    An action already on this assessment (it is being resubmitted after it was reopened) stays
    where it is, but its unedited text follows the new answers in the same way; that rewrite
    is audited as a change."""
    moving = action.assessment_id != assessment.id
    rewrite = (
        planned is not None
        and action.action_key == planned.key
        and action.text != planned.text
        and _unedited(action, framework)
    )
    if not moving and not rewrite:
        return
    before: dict = {}
    after: dict = {}
    if moving:
        before["assessment_id"], after["assessment_id"] = action.assessment_id, assessment.id
    if rewrite:
        before["text"], after["text"] = action.text, planned.text
        action.text = planned.text
        action.version += 1  # an edit begun on the old text is refused, not merged
        action.updated_at = utcnow()
        action.updated_by_id = user.id
    audit.record(
        "carry-forward" if moving else "update",
        action,
        before=before,
        after=after,
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        detail="" if moving else "Rewritten from the resubmitted answers",
        user=user,
    )
    action.assessment_id = assessment.id


def create_plan(
    assessment: Assessment, framework: Framework, answers: dict, user: User
) -> list[Action]:
    """Add the framework's triggered actions to the ward's plan.

    Open actions the ward already has for the same restriction and action carry forward to
    this assessment instead of being duplicated; their text, if nobody has edited it, becomes
    the new plan's (see `_carry_forward`). On resubmitting a reopened assessment the same goes
    for the actions already on it; one it has had, even if closed since, is not suggested again.

    Open actions that a newer framework version's action `replaces` (1.0.0's six safeguard
    actions, which 1.1.0 folds into one `safeguards` action) carry forward too: the team keeps
    the actions it is working on. The new action is added as well when it lists a missing
    safeguard that none of those old actions is about (it then lists every missing safeguard,
    as it always does); when they cover every missing safeguard, it is added once they are
    closed.

    Every other open action comes too, the team's own and those the new answers no longer call
    for (a restriction removed, even on a resubmission: they stay open, with their text, until
    someone closes them; nothing the team has is deleted). The exception is an unedited
    safeguard action for an item that this version never counts as a blanket restriction
    (1.2.0's governance items): its safeguards do not apply, so it is closed as not doing, with
    the reason, on the plan it is on, rather than staying open and counting as open (and
    overdue) for the ward.
    """
    today = uk_time(assessment.submitted_at or utcnow()).date()  # the day it was in the UK
    # The ward first (an action being added takes turns with this: see add_action), then its
    # open actions, locked until the submission commits (PostgreSQL), so an edit saved
    # meanwhile is not overwritten by the carry-forward, nor the carry-forward by it.
    lock_wards([assessment.ward_id])
    open_actions = db.session.scalars(
        select(Action)
        .where(Action.ward_id == assessment.ward_id, Action.status.in_(OPEN_ACTION_STATUSES))
        .order_by(Action.id)
        .with_for_update()
    ).all()
    open_by_key = {a.action_key: a for a in open_actions if a.action_key is not None}
    # Resubmitting a reopened assessment: an action it already has, even one closed since,
    # is not suggested a second time.
    already_planned = set(
        db.session.scalars(
            select(Action.action_key).where(
                Action.assessment_id == assessment.id, Action.action_key.is_not(None)
            )
        )
    )
    created = []
    handled: set[int] = set()
    for planned in plan(framework, answers):
        existing = [
            open_by_key.pop(key) for key in (planned.key, *planned.replaces) if key in open_by_key
        ]
        for action in existing:
            _carry_forward(action, assessment, user, framework, planned)
            handled.add(action.id)
        if planned.key in already_planned:
            continue
        if existing and (
            any(a.action_key == planned.key for a in existing)
            or not _uncovered(framework, planned, existing)
        ):
            continue
        action = Action(
            ward_id=assessment.ward_id,
            assessment_id=assessment.id,
            origin_assessment_id=assessment.id,
            item_id=planned.item_id,
            domain_id=planned.domain_id,
            action_key=planned.key,
            text=planned.text,
            priority=planned.priority,
            due_date=today + timedelta(days=planned.due_days),
            review_date=add_months(today, framework.review_period_months),
            source="framework",
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        db.session.add(action)
        created.append(action)
    # The rest of the ward's open actions come too: the team's own, and any the new answers
    # no longer call for (still open until someone closes them). Left behind, they would
    # drop out of the plan the team sees while still counting as open for the ward.
    for action in open_actions:
        if action.id in handled:
            continue
        item = _no_longer_applies(action, framework)
        if item is not None:
            _close(action, item, assessment, user, framework)
        else:
            _carry_forward(action, assessment, user, framework, None)
    db.session.flush()
    for action in created:
        audit.record(
            "create",
            action,
            after={
                "text": action.text,
                "priority": action.priority,
                "due_date": str(action.due_date),
            },
            ward_id=assessment.ward_id,
            assessment_id=assessment.id,
            user=user,
        )
    return created


# --- which plan the team works on ----------------------------------------------------------


def current_plan(ward: Ward) -> Assessment | None:
    """The plan the ward team works on: its latest submitted assessment's, or, while that
    assessment is reopened, the reopened one's (its actions stay with it). A new draft has no
    plan until it is submitted. Older plans keep the actions closed on them, as a record; an
    action added or reopened there would be missing from the team's plan yet still count as
    open for the ward."""
    draft = draft_for(ward)
    if draft is not None and _has_actions(draft):
        return draft
    return latest_submitted(ward)


def _has_actions(assessment: Assessment) -> bool:
    # Actions are made only when an assessment is submitted, so a draft that has them is one
    # that was submitted and then reopened.
    return (
        db.session.scalar(select(Action.id).where(Action.assessment_id == assessment.id).limit(1))
        is not None
    )


def is_current_plan(assessment: Assessment) -> bool:
    current = current_plan(assessment.ward)
    return current is not None and current.id == assessment.id


# --- reading the plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One action as people read it: with its restriction and section in words."""

    action: Action
    restriction: str
    domain: str
    overdue: bool

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.action.status, self.action.status)

    @property
    def priority_label(self) -> str:
        return PRIORITIES.get(self.action.priority, self.action.priority)


@dataclass(frozen=True)
class PlanFilters:
    status: str = ""  # a status id, "overdue", or "" for all
    domain: str = ""
    owner: str = ""  # an owner's name as shown, "none" for unassigned, or "" for all

    @property
    def active(self) -> bool:
        return bool(self.status or self.domain or self.owner)


def plan_rows(
    assessment: Assessment, framework: Framework, today: date, filters: PlanFilters | None = None
) -> list[PlanRow]:
    """The assessment's actions, most urgent first, optionally filtered."""
    actions = db.session.scalars(
        select(Action).where(Action.assessment_id == assessment.id).order_by(Action.id)
    ).all()
    rows = [
        PlanRow(
            action=a,
            restriction=_title(framework.item, a.item_id),
            domain=_title(framework.domain, a.domain_id),
            overdue=a.is_overdue(today),
        )
        for a in actions
    ]
    if filters is not None:
        rows = [r for r in rows if _matches(r, filters)]
    rows.sort(
        key=lambda r: (
            PRIORITY_ORDER.get(r.action.priority, 9),
            r.action.due_date or date.max,
            r.action.id,
        )
    )
    return rows


def _title(lookup, key: str | None) -> str:
    if not key:
        return ""
    try:
        return lookup(key).title
    except KeyError:  # an action carried forward from a version without this item
        return key


def _matches(row: PlanRow, f: PlanFilters) -> bool:
    a = row.action
    if f.status == "overdue" and not row.overdue:
        return False
    if f.status and f.status != "overdue" and a.status != f.status:
        return False
    if f.domain and a.domain_id != f.domain:
        return False
    if f.owner == "none" and a.owner_label:
        return False
    if f.owner and f.owner != "none" and a.owner_label != f.owner:
        return False
    return True


def owner_names(assessment: Assessment) -> list[str]:
    """Everyone who owns an action in this plan, for the owner filter."""
    return sorted(
        {
            a.owner_label
            for a in db.session.scalars(select(Action).where(Action.assessment_id == assessment.id))
            if a.owner_label
        }
    )


def ward_team(ward: Ward) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(WardMembership)
            .where(WardMembership.ward_id == ward.id, User.active.is_(True))
            .order_by(User.name)
        )
    )


# --- changing the plan ---------------------------------------------------------------------


@dataclass
class ActionInput:
    text: str
    priority: str
    owner_user_id: int | None
    owner_name: str
    due_date: date | None
    status: str
    not_doing_reason: str
    notes: str
    review_date: date | None
    lived_experience: bool | None

    def values(self) -> dict:
        values = {name: getattr(self, name) for name in EDITABLE}
        if self.owner_user_id is not None:
            values["owner_name"] = ""
        if self.status != "not-doing":
            values["not_doing_reason"] = ""
        return values


class StaleEdit(Exception):
    """Someone saved the action after this edit began; `current` is what they saved."""

    def __init__(self, current: Action):
        super().__init__("stale edit")
        self.current = current


def snapshot(action: Action) -> dict:
    """The editable fields as plain values, for the audit trail."""
    out = {}
    for name in EDITABLE:
        value = getattr(action, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def update_action(action: Action, data: ActionInput, based_on_version: int, user: User) -> bool:
    """Save an edit made to the given version; refuse it if someone has saved since.

    Returns False when nothing changed.
    """
    before = snapshot(action)
    values = data.values()
    after = {
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in {**before, **values}.items()
    }
    if action.version == based_on_version and before == after:
        return False
    saved = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.version == based_on_version)
        .values(**values, version=Action.version + 1, updated_at=utcnow(), updated_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if saved.rowcount != 1:
        db.session.rollback()
        current = db.session.get(Action, action.id)
        db.session.refresh(current)
        raise StaleEdit(current)
    db.session.refresh(action)
    changed_before, changed_after = audit.changes(before, snapshot(action))
    audit.record(
        "update",
        action,
        before=changed_before,
        after=changed_after,
        ward_id=action.ward_id,
        assessment_id=action.assessment_id,
        user=user,
    )
    return True


class NotCurrentPlan(Exception):
    """The plan is no longer the ward's current one (a new assessment was submitted)."""


def add_action(
    assessment: Assessment, framework: Framework, item_id: str, data: ActionInput, user: User
) -> Action:
    """The team's own action, optionally about one of the framework's restrictions, on the
    ward's current plan. Checked after taking the ward's lock, which a submission also takes,
    so an action added while a new assessment is submitted is either carried forward with
    the others or refused, never left behind on the old plan."""
    lock_wards([assessment.ward_id])
    if not is_current_plan(assessment):
        raise NotCurrentPlan()
    domain_id = framework.domain_of(item_id).id if item_id else None
    action = Action(
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        origin_assessment_id=assessment.id,
        item_id=item_id or None,
        domain_id=domain_id,
        source="team",
        created_by_id=user.id,
        updated_by_id=user.id,
        **data.values(),
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        "create",
        action,
        after=snapshot(action),
        ward_id=assessment.ward_id,
        assessment_id=assessment.id,
        user=user,
    )
    return action


# --- the spreadsheet -----------------------------------------------------------------------

CSV_HEADINGS = (
    "Action",
    "Restriction",
    "Section",
    "Priority",
    "Owner",
    "Due date",
    "Overdue",
    "Status",
    "Reason for not doing",
    "Notes",
    "Review date",
    "People with lived experience involved",
    "Added by",
)


def plan_csv(rows: list[PlanRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADINGS)
    for r in rows:
        a = r.action
        writer.writerow(
            [
                cell(v)
                for v in (
                    a.text,
                    r.restriction,
                    r.domain,
                    r.priority_label,
                    a.owner_label,
                    a.due_date.isoformat() if a.due_date else "",
                    "Yes" if r.overdue else "No",
                    r.status_label,
                    a.not_doing_reason,
                    a.notes,
                    a.review_date.isoformat() if a.review_date else "",
                    "" if a.lived_experience is None else "Yes" if a.lived_experience else "No",
                    "Ward team" if a.source == "team" else "Framework",
                )
            ]
        )
    return out.getvalue()

"""Administration rules: providers, wards, user accounts, ward teams and commissioner remits.

Views call these functions and commit. Each change adds an audit row (committed with it). A
change the rules refuse raises Refused, carrying the message users read and the form field it
is about.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from .. import audit
from ..auth.passwords import hash_password, password_problem
from ..engine import summary
from ..extensions import db
from ..locks import lock_wards
from ..models import (
    ROLE_LEAD,
    WARD_ROLES,
    Assessment,
    CommissionerRemit,
    FrameworkRecord,
    Provider,
    User,
    Ward,
    WardMembership,
)

EMAIL_TAKEN = "An account already uses this email address"


class Refused(Exception):
    """A change the rules do not allow. `problems` maps each form field to what is wrong with
    it, in words for the user (field None: the change as a whole)."""

    def __init__(self, message: str, field: str | None = None, *, problems: dict | None = None):
        super().__init__(message)
        self.problems = problems or {field: message}


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- providers and wards -----------------------------------------------------------------


def _same_name(column, name: str):
    """The same name, ignoring case. SQLite's lower() only folds ASCII letters, so the exact
    name is matched too: "ÄRZTE" is then found even where lower() leaves it as it is, instead
    of reaching the unique index as an error."""
    return or_(column == name, func.lower(column) == name.lower())


def _provider_name_taken(name: str, exclude: Provider | None = None) -> bool:
    query = select(Provider.id).where(_same_name(Provider.name, name))
    if exclude is not None:
        query = query.where(Provider.id != exclude.id)
    return db.session.scalar(query) is not None


def add_provider(name: str) -> Provider:
    name = name.strip()
    if _provider_name_taken(name):
        raise Refused(f"There is already a provider called {name}", "name")
    provider = Provider(name=name)
    db.session.add(provider)
    db.session.flush()
    audit.record("provider-added", provider, after={"name": name})
    return provider


def rename_provider(provider: Provider, name: str) -> None:
    name = name.strip()
    if _provider_name_taken(name, exclude=provider):
        raise Refused(f"There is already a provider called {name}", "name")
    if name == provider.name:
        return
    audit.record("provider-renamed", provider, before={"name": provider.name}, after={"name": name})
    provider.name = name


def _ward_name_taken(provider: Provider, name: str, exclude: Ward | None = None) -> bool:
    query = select(Ward.id).where(Ward.provider_id == provider.id, _same_name(Ward.name, name))
    if exclude is not None:
        query = query.where(Ward.id != exclude.id)
    return db.session.scalar(query) is not None


def add_ward(provider: Provider, name: str) -> Ward:
    name = name.strip()
    if _ward_name_taken(provider, name):
        raise Refused(f"{provider.name} already has a ward called {name}", "name")
    ward = Ward(provider=provider, name=name)
    db.session.add(ward)
    db.session.flush()
    audit.record(
        "ward-added", ward, ward_id=ward.id, after={"name": name, "provider": provider.name}
    )
    return ward


def rename_ward(ward: Ward, name: str) -> None:
    name = name.strip()
    if _ward_name_taken(ward.provider, name, exclude=ward):
        raise Refused(f"{ward.provider.name} already has a ward called {name}", "name")
    if name == ward.name:
        return
    audit.record(
        "ward-renamed", ward, ward_id=ward.id, before={"name": ward.name}, after={"name": name}
    )
    ward.name = name


def all_wards() -> list[Ward]:
    """Every ward, grouped by provider then by name (for choosing one from a list)."""
    return list(db.session.scalars(select(Ward).join(Provider).order_by(Provider.name, Ward.name)))


# --- user accounts -----------------------------------------------------------------------


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(name: str, email: str, password: str, *, is_admin: bool = False) -> User:
    """A new, active account. The email address is stored lowercased and must be unused."""
    email = normalise_email(email)
    problems = {}
    if user_by_email(email) is not None:
        problems["email"] = EMAIL_TAKEN
    if problem := password_problem(password, email):
        problems["password"] = problem
    if problems:
        raise Refused(next(iter(problems.values())), problems=problems)
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user-created", user, after={"name": user.name, "email": email, "is_admin": is_admin}
    )
    return user


def rename_user(user: User, name: str) -> None:
    name = name.strip()
    if name == user.name:
        return
    audit.record("user-renamed", user, before={"name": user.name}, after={"name": name})
    user.name = name


def remove_admin_problem(user: User, actor: User) -> str | None:
    """Why this administrator cannot lose their access: nobody locks themselves out."""
    if user.id == actor.id:
        return "You cannot remove your own administrator access"
    return None


def set_admin(user: User, is_admin: bool, actor: User) -> None:
    if not is_admin and (problem := remove_admin_problem(user, actor)):
        raise Refused(problem)
    if user.is_admin == is_admin:
        return
    audit.record(
        "user-admin-changed", user, before={"is_admin": user.is_admin}, after={"is_admin": is_admin}
    )
    user.is_admin = is_admin


def deactivate_problem(user: User, actor: User) -> str | None:
    """Why this account cannot be deactivated: not your own, and not a ward's only lead who
    can sign in (nobody would be left to submit its assessments or manage its team)."""
    if user.id == actor.id:
        return "You cannot deactivate your own account"
    if not user.active:
        return None  # already deactivated: nothing changes
    wards = sorted(
        f"{m.ward.name} ({m.ward.provider.name})" for m in user.memberships if last_lead_problem(m)
    )
    if not wards:
        return None
    names = wards[0] if len(wards) == 1 else ", ".join(wards[:-1]) + " and " + wards[-1]
    that = "that ward" if len(wards) == 1 else "those wards"
    return (
        f"{user.name} is the only ward lead with an active account of {names}. "
        f"Make someone else a ward lead of {that} first."
    )


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivating also signs the person out everywhere (a new session token)."""
    if not active:
        lock_wards(m.ward_id for m in user.memberships if m.role == ROLE_LEAD)
    if not active and (problem := deactivate_problem(user, actor)):
        raise Refused(problem)
    if user.active == active:
        return
    audit.record(
        "user-activated" if active else "user-deactivated",
        user,
        before={"active": user.active},
        after={"active": active},
    )
    user.active = active
    if not active:
        user.session_token = secrets.token_hex(16)


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def search_users(query: str = "", page: int = 1, per_page: int = 50) -> UserPage:
    """Users whose name or email contains the query, by name, one page at a time."""
    stmt = select(User)
    words = query.strip().lower()
    if words:
        like = f"%{words}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    users = db.session.scalars(
        stmt.order_by(func.lower(User.name), User.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return UserPage(list(users), total, page, pages)


# --- ward teams --------------------------------------------------------------------------


def _membership_state(membership: WardMembership) -> dict:
    return {
        "user": membership.user.email,
        "ward": membership.ward.full_name,
        "role": membership.role,
    }


def add_membership(user: User, ward: Ward, role: str) -> WardMembership:
    if role not in WARD_ROLES:
        raise Refused("Select a role", "role")
    if user.ward_role(ward.id) is not None:
        raise Refused(f"{user.name} is already in the {ward.name} team", "email")
    membership = WardMembership(user=user, ward=ward, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "membership-added", membership, ward_id=ward.id, after=_membership_state(membership)
    )
    return membership


def lead_may_add(user: User, ward: Ward) -> bool:
    """Whether a ward lead may add this account to the ward's team by its email address: an
    active account of someone who works for the ward's provider as far as the records show
    (every ward team they are in is the provider's, or they are in none), and who is neither
    an administrator nor a commissioner. Anyone else an administrator adds, so a lead cannot
    pull in another provider's staff or revive a deactivated account."""
    return (
        user.active
        and not user.is_admin
        and not user.remits
        and all(m.ward.provider_id == ward.provider_id for m in user.memberships)
    )


def _other_active_leads(membership: WardMembership) -> int:
    """The ward's other leads who can sign in (a deactivated lead cannot lead the ward)."""
    return db.session.scalar(
        select(func.count())
        .select_from(WardMembership)
        .join(User)
        .where(
            WardMembership.ward_id == membership.ward_id,
            WardMembership.role == ROLE_LEAD,
            WardMembership.id != membership.id,
            User.active.is_(True),
        )
    )


def last_lead_problem(membership: WardMembership) -> str | None:
    """Why this person cannot stop being a lead: every ward keeps a lead who can sign in."""
    if membership.role != ROLE_LEAD or _other_active_leads(membership):
        return None
    ward = membership.ward.name
    if not membership.user.active:
        return f"{ward} has no ward lead with an active account. Make someone a ward lead first."
    return (
        f"{membership.user.name} is the only ward lead of {ward} with an active account. "
        "Make someone else a ward lead first."
    )


def change_role(membership: WardMembership, role: str) -> None:
    if role not in WARD_ROLES:
        raise Refused("Select a role", "role")
    if role == membership.role:
        return
    lock_wards([membership.ward_id])
    problem = last_lead_problem(membership)
    if problem:
        raise Refused(problem, "role")
    before = _membership_state(membership)
    membership.role = role
    audit.record(
        "membership-role-changed",
        membership,
        ward_id=membership.ward_id,
        before=before,
        after=_membership_state(membership),
    )


def remove_membership(membership: WardMembership) -> None:
    lock_wards([membership.ward_id])
    problem = last_lead_problem(membership)
    if problem:
        raise Refused(problem)
    audit.record(
        "membership-removed",
        membership,
        ward_id=membership.ward_id,
        before=_membership_state(membership),
    )
    db.session.delete(membership)


def team(ward: Ward) -> list[WardMembership]:
    """A ward's team: leads first, then by name."""
    return list(
        db.session.scalars(
            select(WardMembership)
            .join(User)
            .where(WardMembership.ward_id == ward.id)
            .order_by(WardMembership.role != ROLE_LEAD, func.lower(User.name))
        )
    )


# --- commissioner remits -----------------------------------------------------------------


def add_remit(user: User, provider: Provider) -> CommissionerRemit:
    if any(r.provider_id == provider.id for r in user.remits):
        raise Refused(f"{user.name} already commissions {provider.name}", "provider_id")
    remit = CommissionerRemit(user=user, provider=provider)
    db.session.add(remit)
    db.session.flush()
    audit.record("remit-added", remit, after={"user": user.email, "provider": provider.name})
    return remit


def remove_remit(remit: CommissionerRemit) -> None:
    audit.record(
        "remit-removed", remit, before={"user": remit.user.email, "provider": remit.provider.name}
    )
    db.session.delete(remit)


# --- frameworks --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkVersion:
    framework_id: str
    version: str
    title: str
    published: object
    summary: str | None  # None when the version is not on disk
    loaded_at: object
    assessments: int
    #: the files on disk are not the ones recorded when this version was loaded
    changed: bool = False


def framework_versions(on_disk: dict) -> list[FrameworkVersion]:
    """Every version on disk or recorded as loaded, with how many assessments use it."""
    records = {(r.framework_id, r.version): r for r in db.session.scalars(select(FrameworkRecord))}
    counts = dict(
        ((fid, version), n)
        for fid, version, n in db.session.execute(
            select(Assessment.framework_id, Assessment.framework_version, func.count()).group_by(
                Assessment.framework_id, Assessment.framework_version
            )
        )
    )
    rows = []
    for key in sorted(set(on_disk) | set(records) | set(counts)):
        framework = on_disk.get(key)
        record = records.get(key)
        rows.append(
            FrameworkVersion(
                framework_id=key[0],
                version=key[1],
                title=framework.title if framework else (record.title if record else key[0]),
                published=framework.published if framework else None,
                summary=summary(framework) if framework else None,
                loaded_at=record.loaded_at if record else None,
                assessments=counts.get(key, 0),
                changed=bool(framework and record and record.checksum != framework.digest),
            )
        )
    return rows

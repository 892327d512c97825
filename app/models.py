"""The database schema: every table the app keeps, in one file so the data reads in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


ROLE_LEAD = "lead"
ROLE_MEMBER = "member"
WARD_ROLES = {ROLE_LEAD: "Ward lead", ROLE_MEMBER: "Ward team member"}

DRAFT = "draft"
SUBMITTED = "submitted"

ACTION_STATUSES = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "done": "Done",
    "not-doing": "Not doing",
}
OPEN_ACTION_STATUSES = ("not-started", "in-progress")
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}


class Provider(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    wards: Mapped[list[Ward]] = relationship(back_populates="provider", order_by="Ward.name")


class Ward(db.Model):
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="wards")
    memberships: Mapped[list[WardMembership]] = relationship(
        back_populates="ward", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.provider.name}"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Changing this signs the user out everywhere (it is part of the session's user id).
    session_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    memberships: Mapped[list[WardMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    remits: Mapped[list[CommissionerRemit]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_commissioner(self) -> bool:
        return bool(self.remits)

    def ward_role(self, ward_id: int) -> str | None:
        for m in self.memberships:
            if m.ward_id == ward_id:
                return m.role
        return None


class WardMembership(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "ward_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=ROLE_MEMBER)

    user: Mapped[User] = relationship(back_populates="memberships")
    ward: Mapped[Ward] = relationship(back_populates="memberships")


class CommissionerRemit(db.Model):
    """A commissioner sees every ward of the providers in their remit."""

    __table_args__ = (UniqueConstraint("user_id", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)

    user: Mapped[User] = relationship(back_populates="remits")
    provider: Mapped[Provider] = relationship()


class FrameworkRecord(db.Model):
    """A framework version the app has loaded; its checksum guards against edits once in use."""

    __table_args__ = (UniqueConstraint("framework_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Assessment(db.Model):
    # The review's "latest and previous submitted assessment per ward" reads this index.
    __table_args__ = (
        Index("ix_assessment_ward_status_submitted", "ward_id", "status", "submitted_at"),
        # At most one draft per ward, kept by the database: two leads starting (or reopening)
        # at the same moment on two app servers cannot split the team's answers over two.
        Index(
            "uq_assessment_one_draft_per_ward",
            "ward_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    framework_id: Mapped[str] = mapped_column(String(100))
    framework_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    ward: Mapped[Ward] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    result: Mapped[AssessmentResult | None] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    def answers_by_item(self) -> dict[str, Answer]:
        return {a.item_id: a for a in self.answers}


class Answer(db.Model):
    """One item's answers; `version` refuses a save based on a stale copy."""

    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    evidence: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship()


class AssessmentResult(db.Model):
    """Scores written when an assessment is submitted, so reviews aggregate in SQL."""

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    overall_percent: Mapped[float] = mapped_column(Float)
    overall_rag: Mapped[str] = mapped_column(String(20))
    blanket_count: Mapped[int] = mapped_column(Integer, default=0)
    unjustified_count: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="result")
    domains: Mapped[list[DomainResult]] = relationship(
        cascade="all, delete-orphan", order_by="DomainResult.position"
    )
    restrictions: Mapped[list[RestrictionFound]] = relationship(cascade="all, delete-orphan")


class DomainResult(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_result.assessment_id"), index=True
    )
    domain_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[float] = mapped_column(Float)
    rag: Mapped[str] = mapped_column(String(20))


class RestrictionFound(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_result.assessment_id"), index=True
    )
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(100), index=True)
    domain_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    justified: Mapped[bool] = mapped_column(Boolean)


class Action(db.Model):
    """One action of a ward's plan. Open actions carry forward to the ward's next assessment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    origin_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    item_id: Mapped[str | None] = mapped_column(String(100))
    domain_id: Mapped[str | None] = mapped_column(String(100))
    action_key: Mapped[str | None] = mapped_column(String(200), index=True)
    text: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="not-started", index=True)
    not_doing_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    review_date: Mapped[date | None] = mapped_column(Date)
    # None: nobody has said yet (framework actions start so); the add and edit forms ask.
    lived_experience: Mapped[bool | None] = mapped_column(Boolean, default=None)
    source: Mapped[str] = mapped_column(String(20), default="framework")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    ward: Mapped[Ward] = relationship()
    assessment: Mapped[Assessment] = relationship(foreign_keys=[assessment_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def owner_label(self) -> str:
        return self.owner.name if self.owner else self.owner_name


class AuditEvent(db.Model):
    """Append-only record of who did what, when, and what changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor: Mapped[str] = mapped_column(String(320), default="")
    event: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50), default="")
    object_id: Mapped[str] = mapped_column(String(50), default="")
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("ward.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")


class RenderedDocument(db.Model):
    """Rendered PDFs keyed by a hash of their content, shared by every app process."""

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- Security (issue 7): sign-in rate limiting and one-time password reset links -----------


class SignInFailure(db.Model):
    """A failed sign-in, kept briefly so every app process counts the same failures.

    `key` is "ip:<address>" or "account:<email as typed>", so an email with no account locks
    exactly like one that has an account.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class PasswordResetLink(db.Model):
    """A one-time link to set a new password. Only a hash of the token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

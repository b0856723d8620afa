"""The directory's data model: technoparks, their hosts, programmes, news, users and history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import text_index
from ..extensions import db
from .dates import DatePrecision, utcnow


class LocationPrecision(enum.StrEnum):
    """What a stored map point is known to point at."""

    BUILDING = "building"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"
    UNKNOWN = "unknown"


class Status(enum.StrEnum):
    """Whether a technopark takes children today."""

    OPEN = "open"
    PLANNED = "planned"
    CLOSED = "closed"


class Role(enum.StrEnum):
    """What a signed-in user may do."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"


def enum_column(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column stored as its string values, checked by the database."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


technopark_direction = Table(
    "technopark_direction",
    db.metadata,
    Column("technopark_id", ForeignKey("technopark.id", ondelete="CASCADE"), primary_key=True),
    Column("direction_id", ForeignKey("direction.id", ondelete="CASCADE"), primary_key=True),
)

technopark_news = Table(
    "technopark_news",
    db.metadata,
    Column("technopark_id", ForeignKey("technopark.id", ondelete="CASCADE"), primary_key=True),
    Column("news_article_id", ForeignKey("news_article.id", ondelete="CASCADE"), primary_key=True),
)

coordinator_grant = Table(
    "coordinator_grant",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("technopark_id", ForeignKey("technopark.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(db.Model):
    """A host organisation: a technopolis, a university, an enterprise…"""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(500))

    technoparks: Mapped[list[Technopark]] = relationship(back_populates="host_organization")


class Program(db.Model):
    """A programme that creates or funds technoparks, such as АСИ's «Новая модель»."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    operator: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)

    technoparks: Mapped[list[Technopark]] = relationship(back_populates="program")


class Direction(db.Model):
    """A field children study: robotics, IT, aerospace, biotech…"""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    technoparks: Mapped[list[Technopark]] = relationship(
        secondary=technopark_direction, back_populates="directions"
    )


class Technopark(db.Model):
    """A children's technopark as parents see it and coordinators keep it."""

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="position_complete"),
        CheckConstraint(
            "age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="age_order"
        ),
        CheckConstraint("age_min IS NULL OR age_min >= 0", name="age_min_positive"),
        CheckConstraint(
            "(opening_date IS NULL) = (opening_date_precision IS NULL)",
            name="opening_date_complete",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status_as_of IS NULL) = (status_as_of_precision IS NULL)",
            name="status_as_of_complete",
        ),
        # The nearest-N search narrows by a box on both coordinates before ranking.
        Index("ix_technopark_position", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    network: Mapped[str | None] = mapped_column(String(120))
    host_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="SET NULL"), index=True
    )
    opening_date: Mapped[date | None] = mapped_column(Date)
    opening_date_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "date_precision")
    )
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "technopark_status"), default=Status.OPEN
    )
    # Which page states the status, and as of when: a status no source states is not shown
    # as fact.
    status_source_url: Mapped[str | None] = mapped_column(String(1000))
    status_as_of: Mapped[date | None] = mapped_column(Date)
    status_as_of_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "status_as_of_precision")
    )
    # A mobile technopark travels from its base city to schools around it.
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120), index=True)
    district: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[LocationPrecision] = mapped_column(
        enum_column(LocationPrecision, "location_precision"), default=LocationPrecision.UNKNOWN
    )
    location_note: Mapped[str | None] = mapped_column(Text)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[str | None] = mapped_column(Text)
    # Where a parent signs a child up: the regional navigator's page or the technopark's own.
    enrolment_url: Mapped[str | None] = mapped_column(String(500))
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Why a record stays a draft (no public source found, say); shown in the workspace.
    unpublished_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last change a person made to the facts; loading the seed is not one.
    facts_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Benchmark records are marked so they can never pass for real listings.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Set when a person changes the record; the seed never overwrites such a record.
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Case- and ё-folded words for search, kept in step by search.refresh_search_text.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    host_organization: Mapped[Organization | None] = relationship(back_populates="technoparks")
    program: Mapped[Program | None] = relationship(back_populates="technoparks")
    directions: Mapped[list[Direction]] = relationship(
        secondary=technopark_direction, back_populates="technoparks", order_by="Direction.name"
    )
    news: Mapped[list[NewsArticle]] = relationship(
        secondary=technopark_news,
        back_populates="technoparks",
        order_by="NewsArticle.published_on.desc().nulls_last()",
    )
    coordinators: Mapped[list[User]] = relationship(
        secondary=coordinator_grant, back_populates="technoparks"
    )
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    # A save that carries a stale version updates no row and raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    @property
    def has_position(self) -> bool:
        """Whether a sourced map point is stored."""
        return self.latitude is not None and self.longitude is not None

    @property
    def position_is_approximate(self) -> bool:
        """Whether the stored point is only near the technopark, not its building."""
        return self.has_position and self.location_precision != LocationPrecision.BUILDING


# create_all builds the text search index together with the table, and drop_all removes it.
event.listen(Technopark.__table__, "after_create", text_index.index_new_table)
event.listen(Technopark.__table__, "before_drop", text_index.drop_with_table)


class NewsArticle(db.Model):
    """A news article about one or more technoparks, linked to its original."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    technoparks: Mapped[list[Technopark]] = relationship(
        secondary=technopark_news, back_populates="news", order_by="Technopark.name"
    )

    # A save from an older version updates no row and raises StaleDataError, as for technoparks.
    __mapper_args__ = {"version_id_col": version}


class User(UserMixin, db.Model):
    """A person who signs in: an administrator or a programme coordinator."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), default=Role.COORDINATOR)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    technoparks: Mapped[list[Technopark]] = relationship(
        secondary=coordinator_grant, back_populates="coordinators", order_by="Technopark.name"
    )
    # Every browser signed in to the account; removing one ends that sign-in.
    sign_ins: Mapped[list[SignIn]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The token of the sign-in this request came with (not stored: only its hash is).
    sign_in_token = None

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash and end every sign-in of the old password."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_every_sign_in()

    def end_every_sign_in(self) -> None:
        """Sign out every browser: their cookies name sign-ins that no longer exist."""
        self.sign_ins.clear()

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login's identity, kept in the cookie: the id and this sign-in's token."""
        if not self.sign_in_token:
            raise ValueError("the user has no sign-in: start one before login_user")
        return f"{self.id}:{self.sign_in_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class SignIn(db.Model):
    """One browser signed in to an account, from the sign-in until it signs out.

    The cookie carries a random token; only its SHA-256 is stored, so a copy of the database
    signs nobody in. Signing out deletes the row, and a cookie copied before is refused.
    """

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="sign_ins")


class AuditEntry(db.Model):
    """One changed field of one record: who, when, what before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Who acted when no user did: "seed", "import", "cli".
    actor: Mapped[str | None] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # The record's version after the action, for actions that raise it: the history can
    # then say what a record looked like at any version (directory/domain/history.py).
    version: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    user: Mapped[User | None] = relationship()


# ---------------------------------------------------------------- visitors, staff and mail


class ReportStatus(enum.StrEnum):
    """Where a visitor's report stands: open, or how the coordinators closed it."""

    OPEN = "open"
    # The suggestion was saved as the technopark's new value.
    APPLIED = "applied"
    # The coordinator corrected the listing by hand.
    DONE = "done"
    REJECTED = "rejected"


# The reports that corrected a listing, counted on its profile.
CORRECTED = (ReportStatus.APPLIED, ReportStatus.DONE)


class CorrectionReport(db.Model):
    """A visitor's report of a mistake on a profile, and what its coordinators made of it."""

    __tablename__ = "correction_report"
    __table_args__ = (Index("ix_correction_report_technopark_status", "technopark_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(ForeignKey("technopark.id", ondelete="CASCADE"))
    # One of the technopark's typed fields (columns.TYPED_FIELDS), or "other".
    field: Mapped[str] = mapped_column(String(60))
    suggested_value: Mapped[str] = mapped_column(Text)
    # Where to say how the report was resolved; a visitor may leave none.
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="ru")
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, "report_status"), default=ReportStatus.OPEN
    )
    # Why it was rejected, in the coordinator's words; the reporter is told.
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    technopark: Mapped[Technopark] = relationship()
    resolved_by: Mapped[User | None] = relationship()


class AccessRequestStatus(enum.StrEnum):
    """Where a staff member's request to keep a technopark's listing stands."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class AccessRequest(db.Model):
    """Someone who works at a technopark asks to coordinate its listing."""

    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(
        ForeignKey("technopark.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    status: Mapped[AccessRequestStatus] = mapped_column(
        enum_column(AccessRequestStatus, "access_request_status"),
        default=AccessRequestStatus.OPEN,
        index=True,
    )
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The account that was created or granted when the request was approved.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    technopark: Mapped[Technopark] = relationship()
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class LinkPurpose(enum.StrEnum):
    """Why a one-time password link was sent."""

    # A new account chooses its first password.
    WELCOME = "welcome"
    # Someone who forgot their password chooses a new one.
    RESET = "reset"


class PasswordLink(db.Model):
    """A one-time link to choose a password: only its hash is stored, it expires, it works once."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the token in the link: a copy of the database opens no account.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "password_link_purpose"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change it tells of, sent afterwards.

    Until sent_at is set the message is pending: a failed attempt is recorded and tried
    again later, so no email is lost while the mail server is away.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Addresses separated by commas.
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A body holding a password link is erased once sent.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A sender has taken the message until then; one that died lets it go when it passes.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

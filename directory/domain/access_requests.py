"""Staff of a technopark asking to keep its listing, and administrators answering them.

Approving creates a coordinator account for the address (or grants the technopark to the
existing account); the caller then sends a one-time link to choose a password. A request
whose address is on the technopark's own web domain is likelier to come from its staff,
so the workspace says so.
"""

from __future__ import annotations

import enum
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from . import operations
from .accounts import AccountError, create_user_without_password, user_by_email
from .models import (
    AccessRequest,
    AccessRequestStatus,
    Role,
    Technopark,
    User,
    utcnow,
)


class RequestClosed(Exception):
    """The request was answered meanwhile."""


class DomainMatch(enum.StrEnum):
    """Where the requester's email address lives, compared with the technopark's sites."""

    TECHNOPARK = "technopark"
    HOST = "host"
    NONE = "none"


# ---------------------------------------------------------------- reading


def open_access_requests() -> list[AccessRequest]:
    """Unanswered requests, oldest first, with their technoparks and hosts loaded."""
    return list(
        db.session.execute(
            select(AccessRequest)
            .where(AccessRequest.status == AccessRequestStatus.OPEN)
            .options(
                selectinload(AccessRequest.technopark).selectinload(Technopark.host_organization)
            )
            .order_by(AccessRequest.created_at, AccessRequest.id)
        ).scalars()
    )


def count_open_access_requests() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(AccessRequest)
        .where(AccessRequest.status == AccessRequestStatus.OPEN)
    ).scalar_one()


def access_request_by_id(request_id: int) -> AccessRequest | None:
    return db.session.get(AccessRequest, request_id)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def site_domain(url: str | None) -> str | None:
    """The host of a web address without its www., or None."""
    if not url:
        return None
    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.") or None


def same_site(domain: str, site: str | None) -> bool:
    """The mail domain is the site's domain, or one is a subdomain of the other."""
    if not domain or not site:
        return False
    return domain == site or domain.endswith("." + site) or site.endswith("." + domain)


def domain_match(access_request: AccessRequest) -> DomainMatch:
    """Whether the email's domain matches the technopark's website, or else its host's."""
    domain = email_domain(access_request.email)
    technopark = access_request.technopark
    if same_site(domain, site_domain(technopark.website)):
        return DomainMatch.TECHNOPARK
    host = technopark.host_organization
    if host is not None and same_site(domain, site_domain(host.website)):
        return DomainMatch.HOST
    return DomainMatch.NONE


# ---------------------------------------------------------------- writing


def submit_access_request(
    technopark: Technopark,
    name: str,
    position: str,
    email: str,
    message: str | None,
    language: str,
) -> tuple[AccessRequest, bool]:
    """Store a request; an open one from the same address for the same technopark is kept
    instead. Returns the request and whether it is new."""
    email = email.strip()
    existing = db.session.execute(
        select(AccessRequest).where(
            AccessRequest.technopark_id == technopark.id,
            func.lower(AccessRequest.email) == email.lower(),
            AccessRequest.status == AccessRequestStatus.OPEN,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    access_request = AccessRequest(
        technopark=technopark,
        name=name.strip(),
        position=position.strip(),
        email=email,
        message=(message or "").strip() or None,
        language=language,
        status=AccessRequestStatus.OPEN,
    )
    db.session.add(access_request)
    db.session.flush()
    return access_request, True


def close_request(
    access_request: AccessRequest,
    status: AccessRequestStatus,
    admin: User,
    note: str | None = None,
    user: User | None = None,
) -> None:
    """Answer an open request; RequestClosed when it was answered meanwhile."""
    closed = db.session.execute(
        update(AccessRequest)
        .where(
            AccessRequest.id == access_request.id,
            AccessRequest.status == AccessRequestStatus.OPEN,
        )
        .values(
            status=status,
            resolved_at=utcnow(),
            resolved_by_id=admin.id,
            resolution_note=note,
            user_id=user.id if user else None,
        )
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise RequestClosed(access_request.id)
    db.session.refresh(access_request)


def approve_access_request(access_request: AccessRequest, admin: User) -> tuple[User, bool]:
    """Create the coordinator's account (or use the existing one) and grant the technopark.

    Returns the account and whether it was created; AccountError for a deactivated
    account, which an administrator reactivates first.
    """
    user = user_by_email(access_request.email)
    created = user is None
    if user is None:
        user = create_user_without_password(
            access_request.email, access_request.name, Role.COORDINATOR
        )
        operations.log_changes("user", user.id, "create", {"email": (None, user.email)}, user=admin)
    elif not user.active:
        raise AccountError("deactivated")
    close_request(access_request, AccessRequestStatus.APPROVED, admin, user=user)
    if not user.is_admin:
        operations.grant(user, access_request.technopark, admin)
    db.session.flush()
    return user, created


def reject_access_request(access_request: AccessRequest, admin: User, reason: str) -> None:
    close_request(access_request, AccessRequestStatus.REJECTED, admin, note=reason.strip())
    db.session.flush()

"""Dashboard users, which tenants they may see, and failed logins (throttling)."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.enums import Role

if TYPE_CHECKING:
    from app.models.tenant import Tenant


class User(IdMixin, TimestampMixin, UserMixin, Base):
    __repr_columns__ = ("email", "role")
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.STAFF)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None]
    # Part of every session cookie (see get_id); raising it ends all the sessions issued before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    memberships: Mapped[list[TenantMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every session cookie issued so far for this user invalid, on every device."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Set a new password; whoever held a session with the old one is logged out."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def check_unknown_password(password: str) -> bool:
    """The work of check_password for an account that does not exist (so timing reveals nothing); False."""
    check_password_hash(_unmatchable_hash(), password)
    return False


@functools.cache
def _unmatchable_hash() -> str:
    # Made with the same method and cost as real hashes, from a password nobody knows.
    return generate_password_hash(secrets.token_urlsafe(32))



class TenantMembership(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenant_memberships"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship()



class LoginFailure(IdMixin, Base):
    """One failed login (or one being checked); recent rows for an email or address throttle further attempts."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)

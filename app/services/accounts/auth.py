"""Password login with throttling after repeated failures, and ending a user's sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.models import LoginFailure, User, utcnow
from app.models.user import check_unknown_password

# PostgreSQL advisory lock taken while an attempt is recorded and counted (any fixed number will do).
_LOGIN_COUNT_LOCK = 4_105_213


@dataclass
class LoginAttempt:
    email: str
    failure_id: str | None  # the row that counts this attempt; None when it was refused unchecked

    @property
    def throttled(self) -> bool:
        return self.failure_id is None


@dataclass
class LoginResult:
    user: User | None = None
    throttled: bool = False


def _recent(column, value: str) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(select(func.count()).where(column == value, LoginFailure.at >= since)) or 0


def _over_limit(email: str, remote_addr: str | None) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    # Throttling counts per address with a higher ceiling, so one attacker cannot lock everyone out.
    if remote_addr and _recent(LoginFailure.remote_addr, remote_addr) > limit * 4:
        return True
    return _recent(LoginFailure.email, email) > limit


def _serialize_counting() -> None:
    """One attempt at a time is recorded and counted. SQLite's single writer already ensures it; under
    PostgreSQL's READ COMMITTED two attempts could each miss the other's uncommitted row."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOGIN_COUNT_LOCK})


def start_login(email: str, remote_addr: str | None) -> LoginAttempt:
    """Record the attempt as a failure, then count it with the others; beyond the limit it is refused.

    The caller commits before checking the password: concurrent attempts then see each other exactly,
    so a burst gets no more password checks than the limit allows."""
    email = email.strip().lower()
    _serialize_counting()
    failure = LoginFailure(email=email, remote_addr=remote_addr, at=utcnow())
    db.session.add(failure)
    db.session.flush()
    if _over_limit(email, remote_addr):
        # A refused attempt leaves no row: the window runs from the last checked failure.
        db.session.delete(failure)
        db.session.flush()
        return LoginAttempt(email, None)
    return LoginAttempt(email, failure.id)


def finish_login(attempt: LoginAttempt, password: str) -> LoginResult:
    """Check the password of a recorded attempt; on success its failures are forgotten."""
    if attempt.throttled:
        return LoginResult(throttled=True)
    user = db.session.scalar(select(User).where(User.email == attempt.email))
    # The same hash work whether the account exists, is switched off or not: timing reveals nothing.
    matched = user.check_password(password) if user else check_unknown_password(password)
    if not matched or not user.active:
        return LoginResult()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == attempt.email))
    user.last_login_at = utcnow()
    db.session.flush()
    return LoginResult(user=user)


def end_sessions(user: User) -> None:
    """Log the user out everywhere: this browser and any other holding one of their session cookies."""
    user.end_sessions()
    db.session.flush()


def save_locale(user: User, lang: str) -> None:
    """The user's interface language, kept across sessions and devices."""
    user.locale = lang
    db.session.flush()

"""Password login with throttling after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from app.extensions import db
from app.models import LoginFailure, User, utcnow


@dataclass
class LoginResult:
    user: User | None = None
    throttled: bool = False


def _recent_failures(email: str, remote_addr: str | None) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    who = LoginFailure.email == email
    if remote_addr:
        who = or_(who, LoginFailure.remote_addr == remote_addr)
    return db.session.scalar(select(func.count()).where(who, LoginFailure.at >= since)) or 0


def attempt_login(email: str, password: str, remote_addr: str | None) -> LoginResult:
    """Check credentials unless the email or address is throttled; record failures."""
    email = email.strip().lower()
    # Throttling counts per address with a higher ceiling, so one attacker cannot lock everyone out.
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if _recent_failures(email, None) >= limit or _recent_failures("", remote_addr) >= limit * 4:
        return LoginResult(throttled=True)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not user.check_password(password):
        db.session.add(LoginFailure(email=email, remote_addr=remote_addr, at=utcnow()))
        db.session.flush()
        return LoginResult()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    db.session.flush()
    return LoginResult(user=user)

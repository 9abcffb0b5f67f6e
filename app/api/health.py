"""Health answers: /healthz for operators and the seed's GET on the webhook URL."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db, huey

bp = Blueprint("health", __name__)


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@bp.get("/api/webhooks/chatwoot")
def webhook_health():
    return jsonify(success=True, message="Webhook de Chatwoot activo", timestamp=iso_now())


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure of a dependency is reported, not raised
        return f"error: {type(exc).__name__}: {exc}"[:300]
    return "ok"


@bp.get("/healthz")
def healthz():
    checks = {
        "database": _check(lambda: db.session.execute(text("SELECT 1"))),
        "queue": _check(huey.pending_count),
    }
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", checks=checks), 200 if healthy else 503

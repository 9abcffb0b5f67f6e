"""POST endpoints Chatwoot delivers webhooks to: answered at once, processed by the worker."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from app.crypto import SecretDecryptError
from app.extensions import csrf, db
from app.services.webhooks.intake import (
    MAX_BODY_BYTES,
    Delivery,
    IntakeResult,
    WebhookRejected,
    receive_on_account_url,
    receive_on_token_url,
)

bp = Blueprint("chatwoot_webhooks", __name__)
csrf.exempt(bp)


def _delivery() -> Delivery:
    # One byte over the limit is read, so a chunked body of exactly 1 MiB is told apart from a longer one.
    request.max_content_length = MAX_BODY_BYTES + 1
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise WebhookRejected(413, "too_large", "El cuerpo supera 1 MiB") from None
    headers = request.headers
    return Delivery(body=body, signature=headers.get("X-Chatwoot-Signature"),
                    timestamp=headers.get("X-Chatwoot-Timestamp"), delivery_id=headers.get("X-Chatwoot-Delivery"))


def _answer(receive: Callable[[], IntakeResult]):
    try:
        result = receive()
        db.session.commit()
    except WebhookRejected as rejected:
        db.session.rollback()
        return jsonify(success=False, code=rejected.code, error=rejected.message), rejected.status
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("webhook not stored")
        return jsonify(success=False, code="unavailable", error="No se pudo guardar el evento; reintente"), 503
    except SecretDecryptError:
        # The tenant's secret was encrypted with a key no longer configured: the sender may retry once
        # someone re-enters it, so this is "cannot store now", never a 500.
        db.session.rollback()
        current_app.logger.error("webhook refused: the tenant's webhook secret cannot be decrypted")
        return jsonify(success=False, code="secret_unreadable",
                       error="El secreto del webhook del salón no se puede descifrar; hay que volver a "
                             "introducirlo"), 503
    body = {"success": True, "status": result.status, "event": result.event}
    body.update({k: v for k, v in (("event_id", result.event_id), ("reason", result.reason)) if v})
    return jsonify(body), 200


@bp.post("/api/webhooks/chatwoot")
def receive():
    return _answer(lambda: receive_on_account_url(_delivery()))


@bp.post("/api/webhooks/chatwoot/<webhook_token>")
def receive_with_token(webhook_token: str):
    return _answer(lambda: receive_on_token_url(webhook_token, _delivery()))

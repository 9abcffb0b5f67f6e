"""POST endpoints Chatwoot delivers webhooks to: answered at once, processed by the worker.

The acknowledgement is the one place where speed is the product: Chatwoot gives a delivery 5 seconds and
never retries, and a campaign's replies arrive all at once. So the two POST URLs are answered by a small
WSGI handler in front of Flask instead of Flask's request cycle, whose request context, session, CSRF,
login and header hooks cost more than the work itself (profile in README, "Benchmarks"). The handler does
what a route does: parse, call one service, render JSON. Every other method and URL goes on to Flask.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_input_stream

from app.crypto import SecretDecryptError
from app.security import standard_headers
from app.services.webhooks.intake import (
    MAX_BODY_BYTES,
    Delivery,
    IntakeResult,
    WebhookRejected,
    receive_on_account_url,
    receive_on_token_url,
)

PATH = "/api/webhooks/chatwoot"
log = logging.getLogger("webhooks")


class WebhookEndpoints:
    """WSGI middleware: POST /api/webhooks/chatwoot[/<webhook_token>] answered here, the rest by `wrapped`."""

    def __init__(self, app: Flask, wrapped: Callable):
        self.app, self.wrapped = app, wrapped
        self.headers = [("Content-Type", "application/json"),
                        *standard_headers(app.config.get("ENV_NAME") == "production")]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        receive = _receiver(environ) if environ.get("REQUEST_METHOD") == "POST" else None
        if receive is None:
            return self.wrapped(environ, start_response)
        with self.app.app_context():
            status, body = self._answer(receive, environ)
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        start_response(f"{status} {HTTP_STATUS_CODES[status]}", [*self.headers, ("Content-Length", str(len(data)))])
        return [data]

    def _answer(self, receive: Callable[[Delivery], IntakeResult], environ: dict) -> tuple[int, dict]:
        try:
            result = receive(_delivery(environ))  # the row is committed by the intake itself
        except WebhookRejected as rejected:
            return rejected.status, {"success": False, "code": rejected.code, "error": rejected.message}
        except SQLAlchemyError:  # the app context's teardown drops the session, failed transaction and all
            log.exception("webhook not stored")
            return 503, {"success": False, "code": "unavailable", "error": "No se pudo guardar el evento; reintente"}
        except SecretDecryptError:
            # The tenant's secret was encrypted with a key no longer configured: the sender may retry once
            # someone re-enters it, so this is "cannot store now", never a 500.
            log.error("webhook refused: the tenant's webhook secret cannot be decrypted")
            return 503, {"success": False, "code": "secret_unreadable",
                         "error": "El secreto del webhook del salón no se puede descifrar; hay que volver a "
                                  "introducirlo"}
        except Exception:
            if self.app.testing or self.app.debug:  # as Flask does: a test sees the error itself
                raise
            log.exception("webhook failed")
            return 500, {"success": False, "code": "internal_error", "error": "Error interno; reintente"}
        body = {"success": True, "status": result.status, "event": result.event}
        body.update({k: v for k, v in (("event_id", result.event_id), ("reason", result.reason)) if v})
        return 200, body


def _receiver(environ: dict) -> Callable[[Delivery], IntakeResult] | None:
    """The intake for this path: the bare URL, the per-tenant token URL, or None (not ours)."""
    path = environ.get("PATH_INFO", "")
    if path == PATH:
        return receive_on_account_url
    token = path[len(PATH) + 1:] if path.startswith(PATH + "/") else ""
    if not token or "/" in token:
        return None
    token = token.encode("latin-1").decode("utf-8", "replace")  # WSGI hands the path over as latin-1
    return lambda delivery: receive_on_token_url(token, delivery)


def _delivery(environ: dict) -> Delivery:
    # One byte over the limit is read, so a chunked body of exactly 1 MiB is told apart from a longer one.
    try:
        body = get_input_stream(environ, max_content_length=MAX_BODY_BYTES + 1).read()
    except RequestEntityTooLarge:
        raise WebhookRejected(413, "too_large", "El cuerpo supera 1 MiB") from None
    except ClientDisconnected:
        # Fewer bytes than Content-Length promised: nothing usable arrived. An empty body lets the checks
        # answer in their order (an unknown token 404, a signature 401, else 400 for a body that is not JSON).
        body = b""
    return Delivery(body=body, signature=environ.get("HTTP_X_CHATWOOT_SIGNATURE"),
                    timestamp=environ.get("HTTP_X_CHATWOOT_TIMESTAMP"),
                    delivery_id=environ.get("HTTP_X_CHATWOOT_DELIVERY"))

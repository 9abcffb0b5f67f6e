"""Request plumbing of the simulator app: fault injection, request log, authentication, params."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, g, request

from .errors import (
    BOTS_FORBIDDEN,
    INVALID_TOKEN,
    NOT_IN_ACCOUNT,
    ApiError,
    not_found,
    sign_in_required,
    unauthorized,
)
from .faults import FailRule, RequestRecord
from .formats import rails_json, ruby_int
from .records import Account, User
from .simulator import ChatwootSimulator

EXTENSION_KEY = "chatwoot_simulator"
RETRY_LATER = "Retry later\n"
SERVICE_UNAVAILABLE = ("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
                       "<body><h1>Service Unavailable</h1></body></html>\n")
_SEARCH_PATH = re.compile(r"/api/v1/accounts/(\d+)/contacts/search")


@dataclass
class Ctx:
    """Who is calling, and for which account."""

    sim: ChatwootSimulator
    user: User
    account: Account


def current_sim() -> ChatwootSimulator:
    """The simulator this app serves."""
    return current_app.extensions[EXTENSION_KEY]


def render_api_error(error: ApiError) -> tuple[Any, int]:
    """Render an ApiError body with its status."""
    return error.body, error.status


def apply_faults() -> Response | None:
    """Injected faults and Rack::Attack run before Rails, hence before authentication."""
    sim = current_sim()
    g.sim_started_at = sim.now()
    sim.faults.wait_if_held(request.method, request.path)
    delay = sim.faults.latency_for(request.path)
    if delay:
        time.sleep(delay)
    if sim.faults.down:
        return Response(SERVICE_UNAVAILABLE, 503, content_type="text/html")
    rule = sim.faults.take_failure(request.path)
    if rule is not None:
        return failure_response(rule)
    if sim.faults.take_rate_limit():
        return retry_later()
    match = _SEARCH_PATH.match(request.path)
    if match and not sim.search_allowed(match.group(1)):
        return retry_later()
    return None


def retry_later() -> Response:
    """Rack::Attack's throttled response: plain text, no Retry-After."""
    return Response(RETRY_LATER, 429, content_type="text/plain")


def failure_response(rule: FailRule) -> Response:
    """An injected failure: JSON for dicts/lists, text for strings, a Rails-like error otherwise."""
    if isinstance(rule.body, str):
        return Response(rule.body, rule.status, content_type="text/plain")
    body = rule.body
    if body is None:
        body = {"status": rule.status, "error": _reason(rule.status)}
    return Response(rails_json(body), rule.status, content_type="application/json; charset=utf-8")


def _reason(status: int) -> str:
    """The standard reason phrase of a status code."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def record_request(response: Response) -> Response:
    """Log every answered request (never the token), and label JSON like Rails does."""
    sim = current_sim()
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    body = request.get_json(silent=True) if request.is_json else None
    sim.record_request(RequestRecord(
        method=request.method, path=request.path, query=request.args.to_dict(), json=body,
        status=response.status_code, at=g.get("sim_started_at", sim.now()),
        token_present=access_token() is not None))
    return response


def save_changes(response: Response) -> Response:
    """A request that changed something is written to the state file (when the simulator has one)."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
        current_sim().save()
    return response


def access_token() -> str | None:
    """`api_access_token` / `Api-Access-Token` (the same WSGI key); blank counts as absent."""
    token = request.headers.get("Api-Access-Token", "").strip()
    return token or None


def authenticate(sim: ChatwootSimulator, allow_bots: bool) -> User:
    """Token checks in Chatwoot's order: missing, unknown, then bots on user-only endpoints."""
    token = access_token()
    if token is None:
        raise sign_in_required()
    user = sim.db.users.get(token)
    if user is None:
        raise unauthorized(INVALID_TOKEN)
    if user.is_bot and not allow_bots:
        raise unauthorized(BOTS_FORBIDDEN)
    return user


def account_context(sim: ChatwootSimulator, raw_account_id: str, allow_bots: bool) -> Ctx:
    """Authenticate, then find the account (404) and check membership (401)."""
    user = authenticate(sim, allow_bots)
    account = sim.db.accounts.get(ruby_int(raw_account_id))
    if account is None:
        raise not_found()
    if account.id not in user.account_ids:
        raise unauthorized(NOT_IN_ACCOUNT)
    return Ctx(sim, user, account)


def request_params() -> dict[str, Any]:
    """Rails `params`: query string merged with the JSON (or form) body."""
    params: dict[str, Any] = request.args.to_dict()
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        params.update(body)
    elif request.form:
        params.update(request.form.to_dict())
    return params


def account_endpoint(blueprint: Any, rule: str, methods: tuple[str, ...] = ("GET",),
                     bots: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view under /api/v1/accounts/<account_id>; it runs under the simulator lock with a Ctx."""
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        def endpoint(account_id: str, **kwargs: Any) -> Any:
            sim = current_sim()
            with sim.lock:
                return view(account_context(sim, account_id, bots), **kwargs)
        blueprint.add_url_rule("/api/v1/accounts/<account_id>" + rule, view.__name__, endpoint,
                               methods=list(methods))
        return view
    return decorator

"""Response headers that hold on every page (a strict CSP with no inline script), private pages never
cached, HSTS in production, and the reverse proxies whose X-Forwarded-* headers are believed."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def framed_only_by(response: Response, origin: str | None) -> Response:
    """This one response may be framed by `origin` alone (a Chatwoot Dashboard App); no origin: by nobody."""
    ancestors = origin or "'none'"
    response.headers["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    response.framed_by = origin  # X-Frame-Options has no "this origin only": the CSP alone decides
    return response


def standard_headers(production: bool) -> list[tuple[str, str]]:
    """The headers every answer carries: Flask's pages add them after each request, the webhook handler
    in front of Flask with its own answers."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    return [*headers, ("Strict-Transport-Security", HSTS)] if production else headers


def _set_headers(response: Response) -> Response:
    framed = getattr(response, "framed_by", None) is not None
    for name, value in standard_headers(current_app.config.get("ENV_NAME") == "production"):
        if not (framed and name == "X-Frame-Options"):
            response.headers.setdefault(name, value)
    # Without a cookie nobody is logged in: API calls skip loading the session.
    if request.endpoint != "static" and request.cookies and current_user.is_authenticated:
        # A logged-in page holds a salon's data: no browser or proxy cache may keep a copy (the back
        # button on a shared computer after logout).
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

"""Response headers that hold on every page (a strict CSP with no inline script), private pages never
cached, HSTS in production, and the reverse proxies whose X-Forwarded-* headers are believed."""

from __future__ import annotations

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
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
    """The headers every answer carries (for answers made outside Flask's request cycle: the webhooks)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    return [*headers, ("Strict-Transport-Security", HSTS)] if production else headers


def _set_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if getattr(response, "framed_by", None) is None:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # Without a cookie nobody is logged in: webhook and API calls skip loading the session.
    if request.endpoint != "static" and request.cookies and current_user.is_authenticated:
        # A logged-in page holds a salon's data: no browser or proxy cache may keep a copy (the back
        # button on a shared computer after logout).
        response.headers["Cache-Control"] = "no-store"
    return response


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus building the signer for requests that carry no session cookie:
    every webhook and API call (the webhook acknowledgement is the hot path; INTERFACES §4)."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    app.after_request(_set_headers)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

"""The Dashboard App panel (INTERFACES §9) without a browser: token, CSP, what it reveals, the CLI."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from app.extensions import db
from app.models import (
    Appointment,
    Notification,
    NotificationChannel,
    NotificationStatus,
    NotificationType,
    utcnow,
)
from tests.fixtures.notifications import make_client
from tests.fixtures.simulator import ACCOUNT_ID


def panel_url(app, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["chatwoot", "panel-url", "uno", *extra])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_the_panel_is_framed_by_the_tenants_chatwoot_only_and_needs_no_session(app, wired_tenant, chatwoot):
    url = panel_url(app)
    assert "/chatwoot/app/" in url and panel_url(app) == url, "the URL stays until rotated"
    response = app.test_client().get(urlsplit(url).path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors {chatwoot.url}" in csp and "script-src 'self'" in csp
    assert "X-Frame-Options" not in response.headers and "Set-Cookie" not in response.headers
    assert "<script src=\"/static/js/chatwoot-panel.js\"" in response.text and "<script>" not in response.text
    assert app.test_client().get("/").headers["X-Frame-Options"] == "DENY", "other pages still refuse framing"


def test_unknown_and_rotated_tokens_are_404(app, wired_tenant):
    http = app.test_client()
    old = "/chatwoot/app/" + panel_url(app).rsplit("/", 1)[-1]
    new = "/chatwoot/app/" + panel_url(app, "--rotate").rsplit("/", 1)[-1]
    assert http.get(old).status_code == 404 and http.get(old + "/contact").status_code == 404
    assert http.get(new).status_code == 200 and http.get("/chatwoot/app/nope").status_code == 404


def test_the_contact_fragment_shows_her_and_nothing_for_another_account(app, wired_tenant):
    client = make_client(wired_tenant, "cp-ana", "+525512345678", "Ana", "Ruiz", chatwoot_contact_id="41")
    db.session.add(Appointment(tenant_id=wired_tenant.id, client_id=client.id, staff_name="Lupita",
                               service_name="Tinte", starts_at=utcnow() + timedelta(days=2)))
    db.session.commit()
    base = "/chatwoot/app/" + panel_url(app).rsplit("/", 1)[-1] + "/contact"
    http = app.test_client()
    mine = http.get(f"{base}?account_id={ACCOUNT_ID}&contact_id=41").text
    assert "Ana Ruiz" in mine and "Tinte" in mine and "Lupita" in mine
    other = http.get(f"{base}?account_id=2&contact_id=41").text
    assert "Ana" not in other and "Tinte" not in other and 'id="panel-empty"' in other
    likely = http.get(f"{base}?account_id={ACCOUNT_ID}&contact_id=77&phone=%2B525512345678").text
    assert 'id="panel-empty"' in likely and "Ana" not in likely, "a client linked elsewhere is not offered"


def test_one_click_links_the_likely_client_with_a_signed_single_purpose_token(app, wired_tenant, other_tenant):
    from sqlalchemy import select

    from app.models import AuditLog, Client

    make_client(wired_tenant, "cp-ana", "+525512345678", "Ana", "Ruiz")
    base = "/chatwoot/app/" + panel_url(app).rsplit("/", 1)[-1]
    http = app.test_client()
    page = http.get(f"{base}/contact?account_id={ACCOUNT_ID}&contact_id=77&phone=%2B525512345678").text
    action = page.split('name="link_token" value="', 1)[1].split('"', 1)[0]
    assert http.post(f"{base}/link", data={"link_token": action + "x"}).status_code == 400
    other = app.test_cli_runner().invoke(args=["chatwoot", "panel-url", "dos"]).output.strip().rsplit("/", 1)[-1]
    assert http.post(f"/chatwoot/app/{other}/link", data={"link_token": action}).status_code == 400, "another tenant"

    linked = http.post(f"{base}/link", data={"link_token": action, "account_id": str(ACCOUNT_ID)})
    assert linked.status_code == 200 and 'id="panel-client"' in linked.text and "Ana Ruiz" in linked.text
    db.session.expire_all()
    client = db.session.scalar(select(Client).where(Client.tenant_id == wired_tenant.id))
    assert client.chatwoot_contact_id == "77" and client.attributes_due_at is not None
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "client.link"))
    assert audit.actor == "chatwoot-panel" and audit.details["contact_id"] == "77"
    assert http.post(f"{base}/link", data={"link_token": action}).status_code == 400, "used once"


def test_statuses_and_types_read_in_spanish_in_the_panel(app, wired_tenant):
    client = make_client(wired_tenant, "cp-eva", "+525512340000", "Eva", "Mora", chatwoot_contact_id="42")
    db.session.add_all([
        Appointment(tenant_id=wired_tenant.id, client_id=client.id, service_name="Corte", status="cancel_requested",
                    starts_at=utcnow() + timedelta(days=1)),
        Appointment(tenant_id=wired_tenant.id, client_id=client.id, service_name="Tinte", status="no_show",
                    starts_at=utcnow() - timedelta(days=9)),
        Notification(tenant_id=wired_tenant.id, client_id=client.id, type=NotificationType.APPOINTMENT_REMINDER,
                     channel=NotificationChannel.CHATWOOT, status=NotificationStatus.DELIVERED, message="Hola",
                     attempts=1)])
    db.session.commit()
    base = "/chatwoot/app/" + panel_url(app).rsplit("/", 1)[-1] + "/contact"
    page = app.test_client().get(f"{base}?account_id={ACCOUNT_ID}&contact_id=42").text
    assert "Cancelación pedida" in page and "No asistió" in page
    assert "Recordatorio de cita · Entregada" in page
    for raw in ("cancel_requested", "no_show", "APPOINTMENT_REMINDER", "delivered"):
        assert raw not in page

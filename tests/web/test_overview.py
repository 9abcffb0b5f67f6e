"""The tenant overview: one card per health signal, each linking to its screen."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import (
    Client,
    Notification,
    NotificationStatus,
    SyncRun,
    SyncStatus,
    UnmatchedContact,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from app.services.settings.health import check_connection


def _webhook(tenant, n, status=WebhookStatus.DONE, age=timedelta(0)):
    return WebhookEvent(tenant_id=tenant.id, event="message_created", dedupe_key=f"k{n}", raw_body="{}",
                        status=status, received_at=utcnow() - age)


def _notification(tenant, status, age=timedelta(0)):
    return Notification(tenant_id=tenant.id, type="TEST", channel="CHATWOOT", message="hola", status=status,
                        created_at=utcnow() - age)


def test_fresh_tenant_explains_what_to_do(admin, tenant):
    page = admin.get("/t/uno/")
    assert page.status_code == 200
    assert "Sin configurar" in page.text and "URL de la API, token de acceso, ID de la cuenta." in page.text
    assert "Aún no se ha recibido ninguno" in page.text
    assert "Nunca" in page.text
    assert 'href="/t/uno/settings/"' in page.text and 'href="/t/uno/sync/"' in page.text


def test_cards_count_the_last_24_hours(admin, tenant, other_tenant):
    db.session.add_all([
        _webhook(tenant, 1), _webhook(tenant, 2, WebhookStatus.FAILED), _webhook(tenant, 3, age=timedelta(hours=30)),
        _webhook(other_tenant, 4, WebhookStatus.FAILED),
        _notification(tenant, NotificationStatus.SENT), _notification(tenant, NotificationStatus.READ),
        _notification(tenant, NotificationStatus.FAILED),
        _notification(tenant, NotificationStatus.SENT, timedelta(days=2)),
        _notification(other_tenant, NotificationStatus.FAILED),
        UnmatchedContact(tenant_id=tenant.id, chatwoot_contact_id="77", reason="no_match"),
        UnmatchedContact(tenant_id=other_tenant.id, chatwoot_contact_id="78", reason="no_match"),
        Client(tenant_id=tenant.id, first_name="Ana", phone="5512345678", chatwoot_contact_id="9"),
        Client(tenant_id=tenant.id, first_name="Luz", phone="5512345679"),
    ])
    db.session.commit()
    from app.services.settings.overview import tenant_overview

    o = tenant_overview(tenant)
    assert (o.webhooks_24h, o.failed_webhooks, o.unmatched_waiting) == (2, 1, 1)
    assert (o.sent_24h, o.failed_24h, o.clients, o.linked_clients) == (2, 1, 2, 1)
    page = admin.get("/t/uno/")
    assert "en 24 h" in page.text and "message_created" not in page.text
    assert re.search(r'· Mensaje\s+<span class="badge', page.text)
    assert 'href="/t/uno/contacts/unmatched"' in page.text
    assert 'href="/t/uno/webhooks/"' in page.text and 'href="/t/uno/notifications/"' in page.text


def test_credentials_card_shows_the_last_live_check(admin, wired_tenant):
    check_connection(wired_tenant.id)
    db.session.commit()
    page = admin.get("/t/uno/")
    assert "Válidas" in page.text and "Integración CRM" in page.text and "Channel::Api" in page.text


def test_last_sync_card_shows_result_and_error(admin, tenant):
    db.session.add(SyncRun(tenant_id=tenant.id, status=SyncStatus.FAILED, total=10, processed=4, created=1,
                           linked=2, updated=1, failed=0, error="Chatwoot: Invalid Access Token"))
    db.session.commit()
    page = admin.get("/t/uno/")
    assert "Fallida" in page.text and "Sincronizados 4 de 10" in page.text
    assert "Chatwoot: Invalid Access Token" in page.text


@pytest.mark.parametrize("url", ["/t/dos/"])
def test_staff_of_another_tenant_gets_404(staff, other_tenant, url):
    assert staff.get(url).status_code == 404


def test_logged_out_goes_to_login(app, tenant):
    response = app.test_client().get("/t/uno/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

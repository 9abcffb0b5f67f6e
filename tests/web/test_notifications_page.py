"""The notifications page: Spanish status badges with the reason, filters, keyset pages, retry."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db, huey
from app.models import Client, Notification

T0 = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)


def add_notification(tenant, client=None, n=1, at=T0, **fields):
    rows = []
    for i in range(n):
        values = {"type": "APPOINTMENT_REMINDER", "channel": "CHATWOOT", "status": "sent", "message": f"aviso {i}",
                  **fields}
        rows.append(Notification(tenant_id=tenant.id, client_id=client.id if client else None,
                                 created_at=at + timedelta(minutes=i), **values))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def messages(html):
    return re.findall(r'<td class="preview">([^<\n]*)', html)


@pytest.fixture
def client(tenant):
    row = Client(tenant_id=tenant.id, first_name="Ana", last_name="García", phone="5512345678")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def mixed(tenant, client):
    add_notification(tenant, client, message="recordatorio leído", status="read", read_at=T0)
    add_notification(tenant, client, at=T0 + timedelta(minutes=1), message="confirmación fallida", status="failed",
                     type="APPOINTMENT_CONFIRMATION", last_error="Chatwoot answered 503", attempts=5)
    add_notification(tenant, client, at=T0 + timedelta(minutes=2), message="promo omitida", status="skipped",
                     type="MARKETING", reason="el cliente no acepta promociones")
    return client


def test_statuses_show_as_spanish_badges_with_the_reason(tenant, admin, mixed):
    page = admin.get("/t/uno/notifications/")
    assert page.status_code == 200
    assert messages(page.text) == ["promo omitida", "confirmación fallida", "recordatorio leído"]
    assert '<span class="badge badge-bad">Fallida</span>' in page.text
    assert "Chatwoot answered 503" in page.text
    assert "Omitida" in page.text and "el cliente no acepta promociones" in page.text
    assert "Leída" in page.text and "Recordatorio de cita" in page.text and "Ana García" in page.text


def test_only_failed_notifications_offer_retry(tenant, admin, mixed):
    page = admin.get("/t/uno/notifications/")
    failed = db.session.query(Notification).filter_by(status="failed").one()
    retry_forms = re.findall(r'action="([^"]+/retry)"', page.text)
    assert retry_forms == [f"/t/uno/notifications/{failed.id}/retry"]


@pytest.mark.parametrize(("query", "expected"), [
    ("status=failed", ["confirmación fallida"]),
    ("status=read", ["recordatorio leído"]),
    ("type=MARKETING", ["promo omitida"]),
    ("type=APPOINTMENT_REMINDER&status=read", ["recordatorio leído"]),
    ("type=APPOINTMENT_REMINDER&status=failed", []),
    ("status=bogus", ["promo omitida", "confirmación fallida", "recordatorio leído"]),
])
def test_filters(tenant, admin, mixed, query, expected):
    assert messages(admin.get(f"/t/uno/notifications/?{query}").text) == expected


def test_retry_puts_a_failed_notification_back_in_the_queue(tenant, admin, mixed):
    failed = db.session.query(Notification).filter_by(status="failed").one()
    while huey.dequeue() is not None:
        pass
    response = admin.post(f"/t/uno/notifications/{failed.id}/retry", data={"status": "failed"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/uno/notifications/?status=failed")
    db.session.expire_all()
    failed = db.session.get(Notification, failed.id)
    assert failed.status == "pending" and failed.attempts == 0
    task = huey.dequeue()
    assert task is not None and failed.id in task.args
    assert "puesta de nuevo en la cola" in admin.get("/t/uno/notifications/").text


def test_retrying_a_notification_that_is_not_failed_changes_nothing(tenant, admin, mixed):
    read = db.session.query(Notification).filter_by(status="read").one()
    response = admin.post(f"/t/uno/notifications/{read.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, read.id).status == "read"
    assert "Solo se reintentan las notificaciones fallidas" in admin.get("/t/uno/notifications/").text


def test_pages_follow_the_cursor(tenant, admin, client):
    add_notification(tenant, client, n=75)
    first = admin.get("/t/uno/notifications/")
    assert len(messages(first.text)) == 50
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = admin.get(next_url)
    assert len(messages(second.text)) == 25 and 'rel="next"' not in second.text
    assert set(messages(first.text)).isdisjoint(messages(second.text))


def test_htmx_gets_the_list_partial_only(tenant, admin, mixed):
    page = admin.get("/t/uno/notifications/?status=failed", headers={"HX-Request": "true"})
    assert "<html" not in page.text and page.text.lstrip().startswith('<section id="notification-list"')
    assert messages(page.text) == ["confirmación fallida"]


def test_empty_state_says_where_notifications_come_from(tenant, admin):
    assert "Aún no se ha enviado ninguna notificación" in admin.get("/t/uno/notifications/").text


def test_another_tenants_page_and_notifications_are_404(tenant, other_tenant, staff):
    theirs = add_notification(other_tenant, status="failed")[0]
    assert staff.get("/t/dos/notifications/").status_code == 404
    assert staff.post(f"/t/uno/notifications/{theirs.id}/retry").status_code == 404
    assert staff.post(f"/t/dos/notifications/{theirs.id}/retry").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).status == "failed"
    assert "aviso 0" not in staff.get("/t/uno/notifications/").text


def test_logged_out_is_sent_to_login(app, tenant):
    response = app.test_client().get("/t/uno/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

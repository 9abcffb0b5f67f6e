"""A write that meets a database locked by another connection: a Spanish message, nothing changed, never a 500."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ApiKey,
    AuditLog,
    ChatwootConfig,
    LoginFailure,
    NotificationSettings,
    SyncRun,
    SyncStatus,
    Tenant,
)
from tests.conftest import Browser

BUSY = "La base de datos está ocupada por otra operación y no se guardó nada"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_form_is_shown_again_with_the_message(admin, tenant, locked_database):
    lines = count(AuditLog)
    response = admin.post("/admin/tenants", {"name": "Salón Nuevo", "timezone": "America/Mexico_City",
                                             "region": "MX"})
    assert response.status_code == 503 and BUSY in response.text
    assert 'value="Salón Nuevo"' in response.text  # what was typed is kept for the retry
    assert count(Tenant) == 1 and count(AuditLog) == lines


def test_a_settings_section_keeps_its_stored_values(admin, tenant, locked_database):
    response = admin.post("/t/uno/settings/toggles", {"chatwoot_enabled": "y", "auto_create": "y"})
    assert response.status_code == 503 and BUSY in response.text
    db.session.expire_all()
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    assert settings.chatwoot_enabled is False


def test_a_button_action_redirects_back_with_the_message(admin, tenant, locked_database):
    run = SyncRun(tenant_id=tenant.id, status=SyncStatus.QUEUED, total=0, errors=[])
    locked_database.execute("ROLLBACK")  # let the test write its row first, then lock again
    db.session.add(run)
    db.session.commit()
    locked_database.execute("BEGIN IMMEDIATE")
    response = admin.post(f"/t/uno/sync/{run.id}/cancel")
    assert response.status_code == 302
    assert BUSY in admin.get("/t/uno/sync/").text
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == SyncStatus.QUEUED
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "sync.cancel")) is None


def test_login_says_the_database_is_busy(app, admin_user, locked_database):
    visitor = Browser(app)
    response = visitor.login(admin_user.email, "wrong password")
    assert response.status_code == 503 and BUSY in response.text
    assert count(LoginFailure) == 0


def test_a_section_without_its_own_note_says_it_in_a_flash(admin, tenant, locked_database):
    response = admin.post("/t/uno/settings/webhook-secret", {"secret": "secreto-nuevo-y-largo"})
    assert response.status_code == 503 and BUSY in response.text
    db.session.expire_all()
    assert db.session.scalar(select(ChatwootConfig.webhook_secret).where(ChatwootConfig.tenant_id == tenant.id)) \
        is None


def test_an_api_key_is_not_created_and_its_section_says_why(admin, tenant, locked_database):
    response = admin.post("/t/uno/settings/api-keys", {"name": "Caja"})
    assert response.status_code == 503 and BUSY in response.text and "cpk_" not in response.text
    assert count(ApiKey) == 0


def test_a_panel_url_rotation_is_not_done_and_says_why(admin, tenant, locked_database):
    response = admin.post("/t/uno/settings/panel-url", {})
    assert response.status_code == 302
    locked_database.execute("ROLLBACK")
    assert BUSY in admin.get("/t/uno/settings/agents").text
    db.session.expire_all()
    assert db.session.scalar(select(ChatwootConfig.panel_token).where(ChatwootConfig.tenant_id == tenant.id)) is None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "settings.panel_token_rotated")) is None
    locked_database.execute("BEGIN IMMEDIATE")  # held again for the fixture's teardown

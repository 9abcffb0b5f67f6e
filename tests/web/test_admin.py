"""Administration: tenants, users and the audit log, for administrators only (404 for everyone else)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ChatwootConfig, NotificationSettings, Tenant, User, utcnow
from tests.conftest import PASSWORD, Browser

HX = {"HX-Request": "true"}
ADMIN_GETS = ["/admin/", "/admin/audit"]
ADMIN_POSTS = ["/admin/tenants", "/admin/users", "/admin/users/x/active"]


def test_index_lists_tenants_and_users(admin, admin_user, staff_user, tenant):
    page = admin.get("/admin/")
    assert page.status_code == 200
    assert "Salón Uno" in page.text and staff_user.email in page.text and admin_user.email in page.text
    assert 'href="/admin/audit"' in page.text


def test_admin_link_only_for_admins(admin, staff, tenant):
    assert 'href="/admin/"' in admin.get("/t/uno/").text
    assert 'href="/admin/"' not in staff.get("/t/uno/").text


def test_create_tenant_with_its_settings_rows(admin, admin_user):
    response = admin.post("/admin/tenants", {"name": "Estética Norte", "slug": "", "timezone": "America/Monterrey",
                                             "region": "mx"})
    assert response.status_code == 302
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "estetica-norte"))
    assert (tenant.timezone, tenant.phone_region) == ("America/Monterrey", "MX")
    assert db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    assert db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    line = db.session.scalar(select(AuditLog).where(AuditLog.action == "tenant.create"))
    assert line.actor == admin_user.email and line.tenant_id == tenant.id


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "timezone": "America/Mexico_City", "region": "MX"}, "Escribe el nombre del salón"),
    ({"name": "Otro Uno", "slug": "uno", "timezone": "America/Mexico_City", "region": "MX"}, "Ya existe un salón"),
    ({"name": "X", "timezone": "Mars/Olympus", "region": "MX"}, "Zona horaria desconocida"),
    ({"name": "X", "timezone": "America/Mexico_City", "region": "MEX"}, "Dos letras"),
])
def test_tenant_errors_keep_the_input(admin, tenant, data, message):
    response = admin.post("/admin/tenants", data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data["timezone"]}"' in response.text
    assert len(db.session.scalars(select(Tenant)).all()) == 1


def test_create_staff_user_who_can_then_log_in(app, admin, tenant, other_tenant):
    response = admin.post("/admin/users", {"email": "Nuevo@Example.com", "role": "staff", "tenants": [tenant.id],
                                           "password": "una clave larga"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nuevo@example.com"))
    assert [m.tenant_id for m in user.memberships] == [tenant.id] and user.role == "staff"
    b = Browser(app)
    assert b.login("nuevo@example.com", "una clave larga").status_code == 302
    assert b.get("/t/uno/").status_code == 200 and b.get("/t/dos/").status_code == 404
    line = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create", AuditLog.object_id == user.id))
    assert line.details["tenants"] == ["uno"] and line.actor == "admin@example.com"


def test_user_errors(admin, staff_user, tenant):
    staff_without_tenant = admin.post("/admin/users", {"email": "a@example.com", "role": "staff",
                                                       "password": "una clave larga"})
    assert staff_without_tenant.status_code == 422 and "al menos un salón" in staff_without_tenant.text
    assert 'value="a@example.com"' in staff_without_tenant.text and "una clave larga" not in staff_without_tenant.text
    taken = admin.post("/admin/users", {"email": staff_user.email, "role": "admin", "password": "una clave larga"})
    assert taken.status_code == 422 and "Ya existe un usuario con ese correo" in taken.text
    short = admin.post("/admin/users", {"email": "b@example.com", "role": "admin", "password": "corta"})
    assert short.status_code == 422 and "Al menos 10 caracteres" in short.text


def test_deactivate_and_activate(app, admin, admin_user, staff_user, tenant):
    staff_browser = Browser(app)
    staff_browser.login(staff_user.email)
    assert admin.post(f"/admin/users/{staff_user.id}/active", {"active": "0"}).status_code == 302
    db.session.refresh(staff_user)
    assert staff_user.active is False
    assert staff_browser.get("/t/uno/").status_code == 302  # the open session ends too
    assert Browser(app).login(staff_user.email, PASSWORD).status_code == 401
    admin.post(f"/admin/users/{staff_user.id}/active", {"active": "1"})
    db.session.refresh(staff_user)
    assert staff_user.active is True
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.created_at))]
    assert actions[-2:] == ["user.deactivate", "user.activate"]
    refused = admin.post(f"/admin/users/{admin_user.id}/active", {"active": "0"}, follow_redirects=True)
    assert "No puedes desactivar tu propia cuenta" in refused.text
    db.session.refresh(admin_user)
    assert admin_user.active is True


def test_audit_log_newest_first_keyset_paginated_and_filtered(admin, tenant, other_tenant):
    start = utcnow() - timedelta(hours=2)
    for i in range(55):
        db.session.add(AuditLog(tenant_id=tenant.id, actor="a@example.com", action=f"test.{i:02d}",
                                created_at=start + timedelta(minutes=i)))
    db.session.add(AuditLog(tenant_id=other_tenant.id, actor="b@example.com", action="test.other",
                            created_at=utcnow()))
    db.session.commit()
    first = admin.get("/admin/audit").text
    assert first.index("test.other") < first.index("test.54") < first.index("test.10")
    assert "test.05" not in first and "Salón Dos" in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "before=" in older and "offset" not in older
    rest = admin.get(older, headers={**HX, "HX-Target": "audit-log"}).text
    assert "<html" not in rest and "test.05" in rest and "test.00" in rest and "test.54" not in rest
    only_dos = admin.get(f"/admin/audit?tenant={other_tenant.id}").text
    assert "test.other" in only_dos and "test.54" not in only_dos


def test_staff_gets_404_everywhere(staff, tenant):
    for url in ADMIN_GETS:
        assert staff.get(url).status_code == 404, url
    for url in ADMIN_POSTS:
        assert staff.post(url, {"name": "X", "timezone": "UTC", "region": "MX"}).status_code == 404, url
    assert len(db.session.scalars(select(Tenant)).all()) == 1


def test_logged_out_goes_to_login(app):
    for url in ADMIN_GETS:
        response = app.test_client().get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url

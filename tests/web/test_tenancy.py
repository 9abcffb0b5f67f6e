"""Staff see only their tenants: another tenant's page or object is a 404."""

from app.extensions import db
from app.models import Client
from app.tenancy import get_scoped_or_404


def test_staff_cannot_open_another_tenant(staff, other_tenant):
    assert staff.get("/t/dos/").status_code == 404
    assert staff.get("/t/uno/").status_code == 200


def test_admin_sees_every_tenant(admin, tenant, other_tenant):
    assert admin.get("/t/dos/").status_code == 200
    home = admin.get("/")
    assert "Salón Uno" in home.text and "Salón Dos" in home.text


def test_logged_out_is_redirected_to_login(app, tenant):
    response = app.test_client().get("/t/uno/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_scoped_lookup_hides_other_tenants_objects(app, tenant, other_tenant):
    from flask import g
    from werkzeug.exceptions import NotFound

    theirs = Client(tenant_id=other_tenant.id, first_name="Otra", phone="5511112222")
    db.session.add(theirs)
    db.session.commit()
    with app.test_request_context():
        g.tenant = tenant
        try:
            get_scoped_or_404(Client, theirs.id)
        except NotFound:
            pass
        else:
            raise AssertionError("another tenant's client was returned")
        g.tenant = other_tenant
        assert get_scoped_or_404(Client, theirs.id).id == theirs.id


def test_switcher_refuses_foreign_tenant(staff, other_tenant):
    assert staff.get("/switch?tenant=dos").status_code == 404

"""DEFAULT_PHONE_REGION: the region for numbers without a country code wherever a tenant names none."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Client, Role
from app.phone import canonical_phone, configured_region, parse_phone
from app.services.accounts.tenants import create_tenant, create_user
from tests.conftest import PASSWORD, Browser, dispose_engines, make_app

BARE_SAO_PAULO_MOBILE = "(11) 98765-4321"


@pytest.fixture
def br_app(tmp_path):
    app = make_app(tmp_path, DEFAULT_PHONE_REGION="BR")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        dispose_engines()


def test_a_new_tenant_and_a_bare_local_number_resolve_with_the_default_region(br_app):
    tenant = create_tenant("Salão Paulista")
    client = Client(tenant_id=tenant.id, first_name="Ana", phone=BARE_SAO_PAULO_MOBILE)
    db.session.add(client)
    db.session.commit()
    assert tenant.phone_region == "BR"
    assert client.phone_e164 == "+5511987654321"
    assert canonical_phone(BARE_SAO_PAULO_MOBILE) == "+5511987654321"
    assert parse_phone("11 98765 4321", "").region == "BR"


def test_the_tenants_own_region_wins_over_the_default(br_app):
    tenant = create_tenant("Salón Centro", region="MX")
    client = Client(tenant_id=tenant.id, first_name="Juan", phone="55 1234 5678")
    db.session.add(client)
    db.session.commit()
    assert client.phone_e164 == "+525512345678"


def test_tenant_create_on_the_command_line_uses_the_default_region(br_app):
    runner = br_app.test_cli_runner()
    assert runner.invoke(args=["tenant", "create", "Salão Rio", "--slug", "rio"]).exit_code == 0
    assert runner.invoke(args=["tenant", "create", "Salón Sur", "--slug", "sur", "--region", "ar"]).exit_code == 0
    listing = runner.invoke(args=["tenant", "list"]).output
    assert re.search(r"\trio\tSalão Rio\t[^\t]+\tBR$", listing, re.M), listing
    assert re.search(r"\tsur\tSalón Sur\t[^\t]+\tAR$", listing, re.M), listing


def test_the_new_tenant_form_proposes_the_default_region(br_app):
    create_user("admin@example.com", PASSWORD, role=Role.ADMIN)
    db.session.commit()
    admin = Browser(br_app)
    admin.login("admin@example.com")
    page = admin.get("/admin/")
    assert re.search(r'name="region"[^>]*value="BR"', page.text) or re.search(
        r'value="BR"[^>]*name="region"', page.text), page.text


def test_without_an_app_the_region_is_mexico():
    assert configured_region() == "MX"
    assert canonical_phone("55 1234 5678") == "+525512345678"

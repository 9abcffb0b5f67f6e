"""One reviewed migration chain: up and down on SQLite and PostgreSQL, and it matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.extensions import db
from app.services.accounts.tenants import create_tenant
from tests.conftest import reset_schema


def _tables():
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(any_db_app):
    reset_schema()
    upgrade()
    assert set(db.metadata.tables) <= _tables()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert set(db.metadata.tables) <= _tables()


def test_migrations_match_the_models(any_db_app):
    reset_schema()
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_seed_sql_options_a_and_b_run_unchanged(any_db_app):
    tenant = create_tenant("Salón SQL", slug="sql")
    db.session.commit()
    option_a = """
UPDATE notification_settings
SET
  chatwoot_enabled = true,
  chatwoot_api_url = 'https://app.chatwoot.com',
  chatwoot_api_token = 'tu-token-aqui',
  chatwoot_account_id = 'tu-account-id',
  chatwoot_inbox_id = 'tu-inbox-id'
WHERE tenant_id = 'tu-tenant-id';
""".replace("tu-tenant-id", tenant.id)
    option_b = """
UPDATE chatwoot_configs
SET
  enable_notifications = true,
  api_access_token = 'tu-token-aqui',
  account_id = 'tu-account-id',
  inbox_id = 'tu-inbox-id'
WHERE tenant_id = 'tu-tenant-id';
""".replace("tu-tenant-id", tenant.id)
    assert db.session.execute(text(option_a)).rowcount == 1
    assert db.session.execute(text(option_b)).rowcount == 1
    db.session.commit()
    row_a = db.session.execute(text("SELECT chatwoot_enabled, chatwoot_api_token FROM notification_settings "
                                    "WHERE tenant_id = :t"), {"t": tenant.id}).one()
    row_b = db.session.execute(text("SELECT enable_notifications, inbox_id FROM chatwoot_configs "
                                    "WHERE tenant_id = :t"), {"t": tenant.id}).one()
    assert bool(row_a[0]) is True and row_a[1] == "tu-token-aqui"
    assert bool(row_b[0]) is True and row_b[1] == "tu-inbox-id"


def test_one_contact_one_client_migration_reports_and_clears_duplicate_links(any_db_app, capsys):
    """Links stored before the rule: each contact keeps its first link, the others are cleared and reported."""
    reset_schema()
    upgrade(revision="0005_one_active_sync")
    now = "2026-01-01 10:00:00+00:00"
    db.session.execute(text("INSERT INTO tenants (id, name, slug, timezone, phone_region, created_at, updated_at) "
                            "VALUES ('t1', 'Uno', 'uno', 'America/Mexico_City', 'MX', :now, :now)"), {"now": now})
    rows = [("first", "5511111111", "12", "2026-01-01 09:00:00+00:00"),
            ("second", "5522222222", "12", "2026-02-01 09:00:00+00:00"),
            ("alone", "5533333333", "13", "2026-01-01 09:00:00+00:00"),
            ("unlinked", "5544444444", None, None)]
    for client_id, phone, contact, linked_at in rows:
        db.session.execute(text(
            "INSERT INTO clients (id, tenant_id, first_name, last_name, phone, marketing_opt_out, "
            "chatwoot_contact_id, chatwoot_attributes_hash, chatwoot_linked_at, created_at, updated_at) VALUES "
            "(:id, 't1', 'C', '', :phone, false, :contact, 'h', :linked, :now, :now)"),
            {"id": client_id, "phone": phone, "contact": contact, "linked": linked_at, "now": now})
    db.session.commit()
    upgrade()
    links = dict(db.session.execute(text("SELECT id, chatwoot_contact_id FROM clients")).all())
    assert links == {"first": "12", "second": None, "alone": "13", "unlinked": None}
    assert "Chatwoot contact 12 was linked to clients first, second; kept first, cleared the link of second" \
        in capsys.readouterr().out

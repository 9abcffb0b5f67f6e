"""per-tenant ids: CitaPlanner ids unique per salon; one client per canonical phone per salon

Revision ID: 0008_per_tenant_ids
Revises: 0007_secrets_prefix
Create Date: 2026-12-02 16:00:00

CitaPlanner's ids were the primary keys, so they were unique across salons: a second salon could not
use "cli_1" and learnt that another salon had it. They move to external_id (unique with the tenant);
existing rows keep their primary key and get it as their CitaPlanner id, so every reference stays valid.

phone_e164 becomes unique with the tenant. Clients that already share a canonical number are reported
and left as they are, except that their canonical number is cleared: none of them is linked by phone
until staff fix the numbers (saving a client's phone sets it again).

notifications.request_hash remembers the request that used an Idempotency-Key.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0008_per_tenant_ids"
down_revision = "0007_secrets_prefix"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _report_and_clear_shared_phones() -> None:
    bind = op.get_bind()
    shared = bind.execute(sa.text(
        "SELECT tenant_id, phone_e164 FROM clients WHERE phone_e164 IS NOT NULL "
        "GROUP BY tenant_id, phone_e164 HAVING COUNT(*) > 1")).all()
    for tenant_id, phone in shared:
        ids = bind.execute(sa.text("SELECT id FROM clients WHERE tenant_id = :t AND phone_e164 = :p ORDER BY id"),
                           {"t": tenant_id, "p": phone}).scalars().all()
        log.warning("tenant %s: clients %s share the phone %s; none of them is matched by phone until "
                    "their numbers are fixed", tenant_id, ", ".join(ids), phone)
        bind.execute(sa.text("UPDATE clients SET phone_e164 = NULL WHERE tenant_id = :t AND phone_e164 = :p"),
                     {"t": tenant_id, "p": phone})


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE clients SET external_id = id")
    op.execute("UPDATE appointments SET external_id = id")
    _report_and_clear_shared_phones()
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint("uq_clients_phone_tenant_id", type_="unique")
        batch_op.drop_index("ix_clients_tenant_id_phone_e164")
        batch_op.create_unique_constraint(batch_op.f("uq_clients_tenant_id_external_id"), ["tenant_id", "external_id"])
        batch_op.create_unique_constraint(batch_op.f("uq_clients_tenant_id_phone_e164"), ["tenant_id", "phone_e164"])
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_appointments_tenant_id_external_id"),
                                          ["tenant_id", "external_id"])


def downgrade():
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_appointments_tenant_id_external_id"), type_="unique")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_clients_tenant_id_phone_e164"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_clients_tenant_id_external_id"), type_="unique")
        batch_op.create_index("ix_clients_tenant_id_phone_e164", ["tenant_id", "phone_e164"], unique=False)
        batch_op.create_unique_constraint("uq_clients_phone_tenant_id", ["phone", "tenant_id"])
        batch_op.drop_column("external_id")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("request_hash")

"""one Chatwoot contact, one client: a unique (tenant_id, chatwoot_contact_id), the contact tasks the
dashboard hands to the worker, and the number a test message was typed for

Revision ID: 0006_one_contact_one_client
Revises: 0005_one_active_sync
Create Date: 2026-12-02 16:00:00

Links stored before the rule may put two clients on one contact. The constraint cannot be created over
them, and failing the upgrade would leave the salon stuck, so each such contact keeps its first link
(earliest chatwoot_linked_at, then lowest id) and the others are cleared; every cleared link is printed
and logged, so staff can check those clients (they are linked again by hand or by their next message).
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006_one_contact_one_client"
down_revision = "0005_one_active_sync"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

CLIENTS = sa.table("clients", sa.column("id", sa.String), sa.column("tenant_id", sa.String),
                   sa.column("chatwoot_contact_id", sa.String), sa.column("chatwoot_linked_at", sa.DateTime),
                   sa.column("chatwoot_attributes_hash", sa.String))


def _report(message: str) -> None:
    print(message)
    log.warning(message)


def _shared_contacts(conn) -> list[tuple[str, str]]:
    """(tenant_id, contact_id) of every contact linked to more than one client."""
    query = (sa.select(CLIENTS.c.tenant_id, CLIENTS.c.chatwoot_contact_id)
             .where(CLIENTS.c.chatwoot_contact_id.is_not(None))
             .group_by(CLIENTS.c.tenant_id, CLIENTS.c.chatwoot_contact_id).having(sa.func.count() > 1))
    return [tuple(row) for row in conn.execute(query)]


def _clear_extra_links(conn) -> None:
    for tenant_id, contact_id in _shared_contacts(conn):
        ids = [row.id for row in conn.execute(
            sa.select(CLIENTS.c.id).where(CLIENTS.c.tenant_id == tenant_id,
                                          CLIENTS.c.chatwoot_contact_id == contact_id)
            # NULL linked_at sorts last on both backends
            .order_by(CLIENTS.c.chatwoot_linked_at.is_(None), CLIENTS.c.chatwoot_linked_at, CLIENTS.c.id))]
        kept, extra = ids[0], ids[1:]
        _report(f"tenant {tenant_id}: Chatwoot contact {contact_id} was linked to clients {', '.join(ids)}; "
                f"kept {kept}, cleared the link of {', '.join(extra)}")
        conn.execute(sa.update(CLIENTS).where(CLIENTS.c.id.in_(extra)).values(
            chatwoot_contact_id=None, chatwoot_linked_at=None, chatwoot_attributes_hash=None))


def upgrade():
    _clear_extra_links(op.get_bind())
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_clients_tenant_id_chatwoot_contact_id"),
                                          ["tenant_id", "chatwoot_contact_id"])
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_phone", sa.String(length=40), nullable=True))
    op.create_table(
        "contact_tasks",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("push_contact_id", sa.String(length=40), nullable=True),
        sa.Column("clear_contact_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failed_step", sa.String(length=8), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.String(length=40), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_contact_tasks_client_id_clients"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_contact_tasks_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_contact_tasks_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_tasks")),
    )
    with op.batch_alter_table("contact_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_tasks_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_tasks_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_contact_tasks_status_leased_until", ["status", "leased_until"], unique=False)


def downgrade():
    op.drop_table("contact_tasks")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("to_phone")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_clients_tenant_id_chatwoot_contact_id"), type_="unique")

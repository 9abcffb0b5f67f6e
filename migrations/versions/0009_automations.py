"""automations: per-tenant automation settings, the replies they send, booking callback deliveries

Revision ID: 0009_automations
Revises: 0006_one_contact_one_client
Create Date: 2026-12-02 17:00:00

The appointment status `cancel_requested` needs no schema change (statuses are plain strings).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_automations"
down_revision = "0006_one_contact_one_client"
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column("id", sa.String(length=40), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def _tenant_fk(table):
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
                                   ondelete="CASCADE")


def upgrade():
    op.create_table(
        "automation_settings",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("confirm_enabled", sa.Boolean(), nullable=False),
        sa.Column("confirm_text", sa.Text(), nullable=True),
        sa.Column("cancel_text", sa.Text(), nullable=True),
        sa.Column("optout_enabled", sa.Boolean(), nullable=False),
        sa.Column("optout_text", sa.Text(), nullable=True),
        sa.Column("optin_text", sa.Text(), nullable=True),
        sa.Column("out_of_hours_enabled", sa.Boolean(), nullable=False),
        sa.Column("out_of_hours_text", sa.Text(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("closed_dates", sa.JSON(), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=True),
        sa.Column("callback_secret", sa.Text(), nullable=True),
        *_stamps(),
        _tenant_fk("automation_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_automation_settings_tenant_id")),
    )
    op.create_table(
        "automation_replies",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("chatwoot_message_id", sa.String(length=40), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_automation_replies_appointment_id_appointments"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_automation_replies_client_id_clients"),
                                ondelete="SET NULL"),
        _tenant_fk("automation_replies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_replies")),
        sa.UniqueConstraint("tenant_id", "kind", "dedupe_key",
                            name=op.f("uq_automation_replies_tenant_id_kind_dedupe_key")),
    )
    with op.batch_alter_table("automation_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_automation_replies_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_automation_replies_status_created_at"), ["status", "created_at"],
                              unique=False)
    op.create_table(
        "callback_deliveries",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_callback_deliveries_appointment_id_appointments"), ondelete="SET NULL"),
        _tenant_fk("callback_deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_deliveries")),
    )
    with op.batch_alter_table("callback_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_deliveries_tenant_id_created_at"), ["tenant_id", "created_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_callback_deliveries_status_next_attempt_at"),
                              ["status", "next_attempt_at"], unique=False)


def downgrade():
    op.drop_table("callback_deliveries")
    op.drop_table("automation_replies")
    op.drop_table("automation_settings")

"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 02:24:38.830484

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: every lookup path has an index; names follow the metadata convention.
    op.create_table(
        "login_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_remote_addr"), ["remote_addr"], unique=False)

    op.create_table(
        "tenants",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("phone_region", sa.String(length=2), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_keys",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_api_keys_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("tenant_id", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=True),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_log_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_audit_log_tenant_id_created_at", ["tenant_id", "created_at"], unique=False)

    op.create_table(
        "chatwoot_configs",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("website_token", sa.Text(), nullable=True),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("api_access_token", sa.Text(), nullable=True),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("inbox_id", sa.String(length=40), nullable=True),
        sa.Column("enable_notifications", sa.Boolean(), nullable=False),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("webhook_token", sa.String(length=64), nullable=False),
        sa.Column("accept_unsigned_webhooks", sa.Boolean(), nullable=False),
        sa.Column("auto_create_clients", sa.Boolean(), nullable=False),
        sa.Column("last_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_check_ok", sa.Boolean(), nullable=True),
        sa.Column("last_check_message", sa.Text(), nullable=True),
        sa.Column("inbox_name", sa.String(length=200), nullable=True),
        sa.Column("inbox_channel_type", sa.String(length=60), nullable=True),
        sa.Column("attribute_definitions_ready", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_chatwoot_configs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chatwoot_configs")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_chatwoot_configs_tenant_id")),
        sa.UniqueConstraint("webhook_token", name=op.f("uq_chatwoot_configs_webhook_token")),
    )
    op.create_table(
        "clients",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("marketing_opt_out", sa.Boolean(), nullable=False),
        sa.Column("chatwoot_contact_id", sa.String(length=40), nullable=True),
        sa.Column("chatwoot_attributes_hash", sa.String(length=64), nullable=True),
        sa.Column("chatwoot_linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_clients_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("phone", "tenant_id", name=op.f("uq_clients_phone_tenant_id")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_chatwoot_contact_id"), ["chatwoot_contact_id"], unique=False)
        batch_op.create_index(
            "ix_clients_tenant_id_last_name_first_name", ["tenant_id", "last_name", "first_name"], unique=False
        )
        batch_op.create_index("ix_clients_tenant_id_phone_e164", ["tenant_id", "phone_e164"], unique=False)

    op.create_table(
        "notification_settings",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("whatsapp_enabled", sa.Boolean(), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("sms_enabled", sa.Boolean(), nullable=False),
        sa.Column("push_enabled", sa.Boolean(), nullable=False),
        sa.Column("chatwoot_enabled", sa.Boolean(), nullable=False),
        sa.Column("chatwoot_api_url", sa.String(length=500), nullable=True),
        sa.Column("chatwoot_api_token", sa.Text(), nullable=True),
        sa.Column("chatwoot_account_id", sa.String(length=40), nullable=True),
        sa.Column("chatwoot_inbox_id", sa.String(length=40), nullable=True),
        sa.Column("whatsapp_inbox_id", sa.String(length=40), nullable=True),
        sa.Column("sms_inbox_id", sa.String(length=40), nullable=True),
        sa.Column("email_inbox_id", sa.String(length=40), nullable=True),
        sa.Column("whatsapp_templates", sa.JSON(), nullable=False),
        sa.Column("reminder_offsets_minutes", sa.String(length=100), nullable=False),
        sa.Column("quiet_hours_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_hours_end", sa.String(length=5), nullable=True),
        sa.Column("send_confirmations", sa.Boolean(), nullable=False),
        sa.Column("send_cancellations", sa.Boolean(), nullable=False),
        sa.Column("send_reschedules", sa.Boolean(), nullable=False),
        sa.Column("send_reminders", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notification_settings_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_notification_settings_tenant_id")),
    )
    op.create_table(
        "notification_templates",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notification_templates_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_templates")),
        sa.UniqueConstraint("tenant_id", "type", name=op.f("uq_notification_templates_tenant_id_type")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("started_by_id", sa.String(length=40), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_sync_runs_started_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sync_runs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_sync_runs_tenant_id_created_at", ["tenant_id", "created_at"], unique=False)

    op.create_table(
        "tenant_memberships",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_memberships_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tenant_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_memberships")),
        sa.UniqueConstraint("user_id", "tenant_id", name=op.f("uq_tenant_memberships_user_id_tenant_id")),
    )
    with op.batch_alter_table("tenant_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_memberships_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "webhook_events",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("raw_body", sa.Text(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_webhook_events_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name=op.f("uq_webhook_events_tenant_id_dedupe_key")),
    )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_events_status_leased_until", ["status", "leased_until"], unique=False)
        batch_op.create_index(
            "ix_webhook_events_tenant_id_received_at_id", ["tenant_id", "received_at", "id"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("staff_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_appointments_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_appointments_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_client_id_starts_at", ["client_id", "starts_at"], unique=False)
        batch_op.create_index("ix_appointments_tenant_id_starts_at", ["tenant_id", "starts_at"], unique=False)

    op.create_table(
        "chatwoot_interactions",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("chatwoot_contact_id", sa.String(length=40), nullable=True),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=40), nullable=True),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("content_preview", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_chatwoot_interactions_client_id_clients"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_chatwoot_interactions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chatwoot_interactions")),
    )
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chatwoot_interactions_client_id_created_at", ["client_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_chatwoot_interactions_tenant_id_chatwoot_contact_id", ["tenant_id", "chatwoot_contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_chatwoot_interactions_tenant_id_created_at_id", ["tenant_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_chatwoot_interactions_tenant_id_event_created_at", ["tenant_id", "event", "created_at"], unique=False
        )

    op.create_table(
        "unmatched_contacts",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("chatwoot_contact_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("candidate_client_ids", sa.JSON(), nullable=False),
        sa.Column("last_message_preview", sa.String(length=500), nullable=True),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_client_id", sa.String(length=40), nullable=True),
        sa.Column("resolved_by_id", sa.String(length=40), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_unmatched_contacts_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_client_id"],
            ["clients.id"],
            name=op.f("fk_unmatched_contacts_resolved_client_id_clients"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_unmatched_contacts_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmatched_contacts")),
        sa.UniqueConstraint(
            "tenant_id", "chatwoot_contact_id", name=op.f("uq_unmatched_contacts_tenant_id_chatwoot_contact_id")
        ),
    )
    with op.batch_alter_table("unmatched_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unmatched_contacts_tenant_id_status_last_seen_at", ["tenant_id", "status", "last_seen_at"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chatwoot_contact_id", sa.String(length=40), nullable=True),
        sa.Column("chatwoot_conversation_id", sa.String(length=40), nullable=True),
        sa.Column("chatwoot_message_id", sa.String(length=40), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_notifications_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_notifications_client_id_clients"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name=op.f("uq_notifications_tenant_id_idempotency_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_chatwoot_message_id"), ["chatwoot_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_notifications_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_notifications_tenant_id_created_at_id", ["tenant_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_tenant_id_status_created_at", ["tenant_id", "status", "created_at"], unique=False
        )


def downgrade():
    # Reviewed by hand: every lookup path has an index; names follow the metadata convention.
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_tenant_id_status_created_at")
        batch_op.drop_index("ix_notifications_tenant_id_created_at_id")
        batch_op.drop_index("ix_notifications_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notifications_client_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_chatwoot_message_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_appointment_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("unmatched_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_unmatched_contacts_tenant_id_status_last_seen_at")

    op.drop_table("unmatched_contacts")
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_chatwoot_interactions_tenant_id_event_created_at")
        batch_op.drop_index("ix_chatwoot_interactions_tenant_id_created_at_id")
        batch_op.drop_index("ix_chatwoot_interactions_tenant_id_chatwoot_contact_id")
        batch_op.drop_index("ix_chatwoot_interactions_client_id_created_at")

    op.drop_table("chatwoot_interactions")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_tenant_id_starts_at")
        batch_op.drop_index("ix_appointments_client_id_starts_at")

    op.drop_table("appointments")
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_events_tenant_id_received_at_id")
        batch_op.drop_index("ix_webhook_events_status_leased_until")

    op.drop_table("webhook_events")
    with op.batch_alter_table("tenant_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_memberships_tenant_id"))

    op.drop_table("tenant_memberships")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_runs_tenant_id_created_at")

    op.drop_table("sync_runs")
    op.drop_table("notification_templates")
    op.drop_table("notification_settings")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_tenant_id_phone_e164")
        batch_op.drop_index("ix_clients_tenant_id_last_name_first_name")
        batch_op.drop_index(batch_op.f("ix_clients_chatwoot_contact_id"))

    op.drop_table("clients")
    op.drop_table("chatwoot_configs")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_tenant_id_created_at")
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_tenant_id"))

    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("tenants")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_remote_addr"))
        batch_op.drop_index(batch_op.f("ix_login_failures_email"))
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))

    op.drop_table("login_failures")

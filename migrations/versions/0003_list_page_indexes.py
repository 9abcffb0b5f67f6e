"""list page indexes: dashboard filters that also serve the keyset order, client search by first name

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:00:00

Without statistics SQLite picks an index that yields the (time, id) order over one that matches a filter
but needs a sort, and then reads the whole tenant to find rare rows (failed events, one client's history).
Filter indexes that end in (time, id) satisfy both, so they are the ones chosen (EXPLAIN QUERY PLAN).
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, index name, columns) created by this revision
NEW = (
    ("clients", "ix_clients_tenant_id_first_name_last_name", ["tenant_id", "first_name", "last_name"]),
    ("clients", "ix_clients_tenant_id_chatwoot_linked_at_id", ["tenant_id", "chatwoot_linked_at", "id"]),
    ("chatwoot_interactions", "ix_chatwoot_interactions_tenant_id_event_created_at_id",
     ["tenant_id", "event", "created_at", "id"]),
    ("chatwoot_interactions", "ix_chatwoot_interactions_tenant_id_client_id_created_at_id",
     ["tenant_id", "client_id", "created_at", "id"]),
    ("notifications", "ix_notifications_tenant_id_status_created_at_id", ["tenant_id", "status", "created_at", "id"]),
    ("notifications", "ix_notifications_tenant_id_type_created_at_id", ["tenant_id", "type", "created_at", "id"]),
    ("webhook_events", "ix_webhook_events_tenant_id_status_received_at_id",
     ["tenant_id", "status", "received_at", "id"]),
    ("audit_log", "ix_audit_log_object_type_object_id_created_at", ["object_type", "object_id", "created_at"]),
)
# (table, index name, columns) replaced by a longer index above
REPLACED = (
    ("chatwoot_interactions", "ix_chatwoot_interactions_tenant_id_event_created_at",
     ["tenant_id", "event", "created_at"]),
    ("notifications", "ix_notifications_tenant_id_status_created_at", ["tenant_id", "status", "created_at"]),
)


def upgrade():
    for table, name, _columns in REPLACED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    for table, name, columns in NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(NEW):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    for table, name, columns in REPLACED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)

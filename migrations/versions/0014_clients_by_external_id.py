"""clients looked up by CitaPlanner id across salons

Revision ID: 0014_clients_by_external_id
Revises: 0013_interactions_by_message
Create Date: 2026-12-04 03:00:00

The seed's `send_notification(recipient_id=...)` names no salon, so the client is looked up by CitaPlanner
id in every salon (to refuse an id that several salons use). The unique (tenant_id, external_id) cannot
serve that, so the lookup read every client.
"""

from alembic import op

revision = "0014_clients_by_external_id"
down_revision = "0013_interactions_by_message"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index("ix_clients_external_id", ["external_id"], unique=False)


def downgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_external_id")

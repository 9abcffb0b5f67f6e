"""the interaction log looked up by Chatwoot message id

Revision ID: 0013_interactions_by_message
Revises: 0012_analytics
Create Date: 2026-12-04 02:50:00

Every message webhook asks whether its message was logged already (or sent by us), every receipt moves
the rows of its message, and sending a message looks for its echo: all by (tenant_id, message_id), which
until now read every interaction of the tenant.
"""

from alembic import op

revision = "0013_interactions_by_message"
down_revision = "0012_analytics"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.create_index("ix_chatwoot_interactions_tenant_id_message_id", ["tenant_id", "message_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_chatwoot_interactions_tenant_id_message_id")

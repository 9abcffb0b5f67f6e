"""analytics: daily roll-ups, who wrote each outgoing message, conversations' first messages by index

Revision ID: 0012_analytics
Revises: 0011_attributes_owed_since
Create Date: 2026-12-02 20:30:00

`analytics_days` holds the interaction figures of finished days (the worker fills it; the page computes a
missing day live). `chatwoot_interactions.sender_kind` tells a person's reply from an automatic one; rows
logged before stay NULL and count as a person's, which is what the log showed them as. The new index
serves "first customer message / first reply of a conversation".
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_analytics"
down_revision = "0011_attributes_owed_since"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "analytics_days",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages_in", sa.Integer(), nullable=False),
        sa.Column("messages_out", sa.Integer(), nullable=False),
        sa.Column("response_seconds", sa.JSON(), nullable=False),
        sa.Column("conversations_unanswered", sa.Integer(), nullable=False),
        sa.Column("new_customers", sa.Integer(), nullable=False),
        sa.Column("booked_within_7d", sa.Integer(), nullable=False),
        sa.Column("booked_new_clients", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_analytics_days_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_analytics_days")),
    )
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_kind", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_chatwoot_interactions_tenant_id_conversation_id_created_at",
                              ["tenant_id", "conversation_id", "created_at"])


def downgrade():
    with op.batch_alter_table("chatwoot_interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_chatwoot_interactions_tenant_id_conversation_id_created_at")
        batch_op.drop_column("sender_kind")
    op.drop_table("analytics_days")

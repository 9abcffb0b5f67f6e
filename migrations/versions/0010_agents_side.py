"""the agents' side: attributes owed a push (debounced by the worker), Chatwoot edits flowing back

Revision ID: 0010_agents_side
Revises: 0004_session_version
Create Date: 2026-12-02 17:00:00

Every change to a linked client or its appointments marks `clients.attributes_due_at`; the worker pushes
the latest state once it is due and clears it. Existing clients start with nothing owed.
`chatwoot_configs.accept_contact_edits` lets agents' name/email edits flow back; off for everyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_agents_side"
down_revision = "0004_session_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attributes_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_clients_attributes_due_at", ["attributes_due_at"])
    with op.batch_alter_table("chatwoot_configs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accept_contact_edits", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table("chatwoot_configs", schema=None) as batch_op:
        batch_op.drop_column("accept_contact_edits")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_attributes_due_at")
        batch_op.drop_column("attributes_due_at")

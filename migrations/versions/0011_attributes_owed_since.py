"""fresh attributes: since when a push is owed, so a burst of changes that never pauses is still pushed

Revision ID: 0011_attributes_owed_since
Revises: 0010_agents_side
Create Date: 2026-12-02 20:15:00

Each change moves `clients.attributes_due_at` ten seconds on; `attributes_owed_since` keeps the first
change of the burst, and the due time never goes past it by more than the cap (INTERFACES §9: within a
minute). Nothing is owed for existing rows, so the column starts empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_attributes_owed_since"
down_revision = "0010_agents_side"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attributes_owed_since", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("attributes_owed_since")

"""client delivery locks: one notification delivery per client at a time, across workers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "client_delivery_locks",
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_delivery_locks_client_id_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_delivery_locks")),
    )


def downgrade():
    op.drop_table("client_delivery_locks")

"""session version: a per-user counter carried in the session cookie, raised on logout and password change

Revision ID: 0004_session_version
Revises: 0003
Create Date: 2026-11-29 10:00:00

Flask's session cookie is signed, not stored: without a server-side value to compare with, a cookie copied
before a logout or a password reset kept working. Existing users start at 1; their current cookies carry no
version at all, so everyone logs in once more after this upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_session_version"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")

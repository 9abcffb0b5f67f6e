"""one active sync run per tenant: a partial unique index on sync_runs(tenant_id)

Revision ID: 0005_one_active_sync
Revises: 0008_per_tenant_ids
Create Date: 2026-12-02 16:00:00

Eight concurrent "start sync" requests made three runs: the check-then-insert raced. The index makes
the database refuse a second queued or running run; start_sync then returns the active one. Runs left
active twice by that race are closed as cancelled (all but the newest) before the index is created.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_one_active_sync"
down_revision = "0008_per_tenant_ids"
branch_labels = None
depends_on = None

ACTIVE_WHERE = "status IN ('queued', 'running')"


def upgrade():
    op.execute(sa.text(
        "UPDATE sync_runs SET status = 'cancelled', finished_at = CURRENT_TIMESTAMP, "
        "error = 'another run was active for this salon' "
        f"WHERE {ACTIVE_WHERE} AND id NOT IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER "
        f"(PARTITION BY tenant_id ORDER BY created_at DESC, id DESC) AS n FROM sync_runs WHERE {ACTIVE_WHERE}) "
        "AS ranked WHERE n = 1)"))
    op.create_index("uq_sync_runs_one_active", "sync_runs", ["tenant_id"], unique=True,
                    sqlite_where=sa.text(ACTIVE_WHERE), postgresql_where=sa.text(ACTIVE_WHERE))


def downgrade():
    op.drop_index("uq_sync_runs_one_active", table_name="sync_runs")

"""the agents' side: attributes owed a push (debounced by the worker), Chatwoot edits flowing back

Revision ID: 0010_agents_side
Revises: 0009_automations
Create Date: 2026-12-02 17:00:00

Every change to a linked client or its appointments marks `clients.attributes_due_at`; the worker pushes
the latest state once it is due and clears it. Existing clients start with nothing owed.
`chatwoot_configs.accept_contact_edits` lets agents' name/email edits flow back; off for everyone.
Stylists map to agents (`stylist_agents`), with a default agent or team per tenant; `conversation_assignments`
keeps one assignment call per conversation; `quick_replies` remembers which canned responses are ours.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_agents_side"
down_revision = "0009_automations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attributes_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_clients_attributes_due_at", ["attributes_due_at"])
    with op.batch_alter_table("chatwoot_configs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accept_contact_edits", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("default_agent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("default_team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("panel_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_chatwoot_configs_panel_token"), ["panel_token"])
    op.create_table(
        "stylist_agents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("staff_name", sa.String(length=200), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_stylist_agents_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stylist_agents")),
        sa.UniqueConstraint("tenant_id", "staff_name", name=op.f("uq_stylist_agents_tenant_id_staff_name")),
    )
    op.create_table(
        "conversation_assignments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_conversation_assignments_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_assignments")),
        sa.UniqueConstraint("tenant_id", "conversation_id",
                            name=op.f("uq_conversation_assignments_tenant_id_conversation_id")),
    )
    op.create_table(
        "quick_replies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("short_code", sa.String(length=60), nullable=False),
        sa.Column("canned_response_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_quick_replies_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_replies")),
        sa.UniqueConstraint("tenant_id", "short_code", name=op.f("uq_quick_replies_tenant_id_short_code")),
    )


def downgrade():
    op.drop_table("quick_replies")
    op.drop_table("conversation_assignments")
    op.drop_table("stylist_agents")
    with op.batch_alter_table("chatwoot_configs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_chatwoot_configs_panel_token"), type_="unique")
        batch_op.drop_column("panel_token")
        batch_op.drop_column("default_team_id")
        batch_op.drop_column("default_agent_id")
        batch_op.drop_column("accept_contact_edits")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_attributes_due_at")
        batch_op.drop_column("attributes_due_at")

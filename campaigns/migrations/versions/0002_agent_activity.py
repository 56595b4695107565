"""agent activity history

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("started_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_agent_activity_agent_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_activity")),
        sa.UniqueConstraint("event_id", name=op.f("uq_agent_activity_event_id")),
    )
    op.create_index(
        op.f("ix_agent_activity_agent_id_agent_activity_started_at"),
        "agent_activity",
        ["agent_id", "started_at"],
    )
    op.create_index(op.f("ix_agent_activity_started_at"), "agent_activity", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_agent_activity_started_at"), table_name="agent_activity")
    op.drop_index(
        op.f("ix_agent_activity_agent_id_agent_activity_started_at"), table_name="agent_activity"
    )
    op.drop_table("agent_activity")

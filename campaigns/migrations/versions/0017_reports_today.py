"""reports_today: indexes for today's live report figures (promises made, disputes opened and
resolved, replies received, opt-outs of the day)

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("promises", "created_at"),
    ("disputes", "created_at"),
    ("disputes", "resolved_at"),
    ("inbound_messages", "created_at"),
    ("channel_permissions", "opted_out_at"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)

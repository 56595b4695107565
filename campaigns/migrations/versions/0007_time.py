"""recycling: per-campaign recycling rules, the reason an attempt recycled an account, and
when a payment plan broke

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("recycling", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("recycle_reason", sa.String(length=20), nullable=True))
    with op.batch_alter_table("payment_plans") as batch:
        batch.add_column(
            sa.Column("broken_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_plans") as batch:
        batch.drop_column("broken_at")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("recycle_reason")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("recycling")

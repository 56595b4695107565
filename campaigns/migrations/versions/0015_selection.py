"""selection: a campaign's progress per account, and an index in pick order

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from campaigns.models.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_progress",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("last_attempt_id", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_campaign_progress_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_progress_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_campaign_progress_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["last_attempt_id"],
            ["attempts.id"],
            name=op.f("fk_campaign_progress_last_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "account_id", name=op.f("pk_campaign_progress")),
    )
    op.create_index(op.f("ix_campaign_progress_account_id"), "campaign_progress", ["account_id"])
    op.create_index(op.f("ix_campaign_progress_client_id"), "campaign_progress", ["client_id"])
    op.create_index(
        "ix_accounts_pick_order",
        "accounts",
        [
            "client_id",
            sa.column("priority_boost").desc(),
            "due_date",
            sa.column("balance").desc(),
            "id",
        ],
    )
    # Backfill from the attempts already made.
    op.execute(
        "INSERT INTO campaign_progress"
        " (campaign_id, account_id, last_attempt_id, first_at, attempts, client_id)"
        " SELECT campaign_id, account_id, max(id), min(created_at), count(*), min(client_id)"
        " FROM attempts WHERE campaign_id IS NOT NULL GROUP BY campaign_id, account_id"
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_pick_order", table_name="accounts")
    op.drop_table("campaign_progress")

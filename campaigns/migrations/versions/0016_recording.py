"""recording: campaigns that record their calls, and the provider's recording on each attempt

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("record_calls", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("recording_sid", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("recording_url", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("recording_url")
        batch.drop_column("recording_sid")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("record_calls")

"""wrap-up per campaign: base time, the most an agent may extend it to, and the disposition
recorded when it runs out

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("wrap_up_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("wrap_up_max_seconds", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("wrap_up_default_disposition", sa.String(length=20), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        for column in ("wrap_up_default_disposition", "wrap_up_max_seconds", "wrap_up_seconds"):
            batch.drop_column(column)

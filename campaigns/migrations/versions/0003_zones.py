"""debtors' candidate time zones

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 05:45:00

Adds `debtors.timezones` (every candidate zone, primary first, space-separated) and
`debtors.stated_timezone` (the zone a portfolio file stated). Existing rows get their current zone
as their only candidate, so nothing changes until `acuerdo debtors zones` recomputes them from
their region and phones (docs/compliance.md, "The debtor's time zones").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezones", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("stated_timezone", sa.String(length=64), nullable=True))
    op.execute("UPDATE debtors SET timezones = timezone")
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.alter_column("timezones", existing_type=sa.String(length=1000), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_debtors_client_id_debtors_timezones_debtors_country"),
            ["client_id", "timezones", "country"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_debtors_client_id_debtors_timezones_debtors_country"))
        batch_op.drop_column("stated_timezone")
        batch_op.drop_column("timezones")

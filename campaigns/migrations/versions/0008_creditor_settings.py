"""creditor settings: payment link, product scripts, extra forbidden phrases, contract targets
and the inbound callback offer

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("payment_link_template", sa.String(length=500), nullable=True))
        batch.add_column(
            sa.Column("product_scripts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch.add_column(
            sa.Column(
                "extra_forbidden_phrases", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )
        batch.add_column(
            sa.Column("recovery_target_pct", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch.add_column(
            sa.Column("kept_rate_target_pct", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "inbound_callback_offer_seconds",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("120"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        for column in (
            "inbound_callback_offer_seconds",
            "kept_rate_target_pct",
            "recovery_target_pct",
            "extra_forbidden_phrases",
            "product_scripts",
            "payment_link_template",
        ):
            batch.drop_column(column)

"""accounts: the note a dispute is resolved with; when a debtor's reply was read, and by whom

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("read_at", campaigns.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("read_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_inbound_messages_read_by_id_users"), "users", ["read_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_constraint(op.f("fk_inbound_messages_read_by_id_users"), type_="foreignkey")
        batch.drop_column("read_by_id")
        batch.drop_column("read_at")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("resolution_note")

"""manager workspace: users who must change a temporary password, creditor settings versions

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "client_settings_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_label", sa.String(length=80), nullable=False),
        sa.Column("created_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_settings_versions_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_client_settings_versions_changed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_settings_versions")),
        sa.UniqueConstraint(
            "client_id", "version", name=op.f("uq_client_settings_versions_client_id_version")
        ),
    )
    op.create_index(
        op.f("ix_client_settings_versions_client_id"),
        "client_settings_versions",
        ["client_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_client_settings_versions_client_id"), table_name="client_settings_versions"
    )
    op.drop_table("client_settings_versions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")

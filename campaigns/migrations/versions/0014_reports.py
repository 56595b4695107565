"""reports: daily figures kept in summary tables by the rollup

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The rollup and today's live figures read a day of attempts, outcomes and refusals.
    op.create_index(op.f("ix_attempts_created_at"), "attempts", ["created_at"], unique=False)
    op.create_index(op.f("ix_outcomes_created_at"), "outcomes", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_contact_refusals_checked_at"), "contact_refusals", ["checked_at"], unique=False
    )
    op.create_table(
        "report_provisional_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("computed_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_provisional_days")),
    )
    op.create_table(
        "report_rolled_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rolled_up_at", campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_rolled_days")),
    )
    op.create_table(
        "report_contact_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("product", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("aging_bucket", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("connected", sa.Integer(), nullable=False),
        sa.Column("right_party", sa.Integer(), nullable=False),
        sa.Column("promises", sa.Integer(), nullable=False),
        sa.Column("amount_promised", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("promises_due", sa.Integer(), nullable=False),
        sa.Column("promises_kept", sa.Integer(), nullable=False),
        sa.Column("promises_broken", sa.Integer(), nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount_kept", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("answer_wait_seconds", sa.Float(), nullable=False),
        sa.Column("answer_waits", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("replied", sa.Integer(), nullable=False),
        sa.Column("disputes_opened", sa.Integer(), nullable=False),
        sa.Column("disputes_resolved", sa.Integer(), nullable=False),
        sa.Column("opt_outs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_contact_days_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_contact_days")),
    )
    op.create_index(
        "ix_report_contact_days_day", "report_contact_days", ["day", "client_id"], unique=False
    )
    op.create_table(
        "report_debtor_contact_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("debtors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_debtor_contact_days_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_debtor_contact_days")),
    )
    op.create_index(
        "ix_report_debtor_contact_days_day",
        "report_debtor_contact_days",
        ["day", "client_id"],
        unique=False,
    )
    op.create_table(
        "report_portfolio_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=True),
        sa.Column("product", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("aging_bucket", sa.String(length=8), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("assigned", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("collected", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_portfolio_days_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_portfolio_days")),
    )
    op.create_index(
        "ix_report_portfolio_days_day", "report_portfolio_days", ["day", "client_id"], unique=False
    )
    op.create_table(
        "report_refusal_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_refusal_days_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_refusal_days")),
    )
    op.create_index(
        "ix_report_refusal_days_day", "report_refusal_days", ["day", "client_id"], unique=False
    )
    op.create_table(
        "report_roll_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=True),
        sa.Column("product", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("from_bucket", sa.String(length=8), nullable=False),
        sa.Column("to_bucket", sa.String(length=8), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_roll_months_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_roll_months")),
    )
    op.create_index(
        "ix_report_roll_months_month", "report_roll_months", ["month", "client_id"], unique=False
    )
    op.create_table(
        "report_agent_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Integer(), nullable=False),
        sa.Column("right_party", sa.Integer(), nullable=False),
        sa.Column("promises", sa.Integer(), nullable=False),
        sa.Column("amount_promised", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount_kept", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_report_agent_days_agent_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_report_agent_days_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_agent_days")),
    )
    op.create_index(
        "ix_report_agent_days_day", "report_agent_days", ["day", "agent_id"], unique=False
    )
    op.create_table(
        "report_agent_state_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_report_agent_state_days_agent_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_agent_state_days")),
    )
    op.create_index(
        "ix_report_agent_state_days_day",
        "report_agent_state_days",
        ["day", "agent_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_report_agent_state_days_day", table_name="report_agent_state_days")
    op.drop_table("report_agent_state_days")
    op.drop_index("ix_report_agent_days_day", table_name="report_agent_days")
    op.drop_table("report_agent_days")
    op.drop_index("ix_report_roll_months_month", table_name="report_roll_months")
    op.drop_table("report_roll_months")
    op.drop_index("ix_report_refusal_days_day", table_name="report_refusal_days")
    op.drop_table("report_refusal_days")
    op.drop_index("ix_report_portfolio_days_day", table_name="report_portfolio_days")
    op.drop_table("report_portfolio_days")
    op.drop_index("ix_report_debtor_contact_days_day", table_name="report_debtor_contact_days")
    op.drop_table("report_debtor_contact_days")
    op.drop_index("ix_report_contact_days_day", table_name="report_contact_days")
    op.drop_table("report_contact_days")
    op.drop_table("report_rolled_days")
    op.drop_table("report_provisional_days")
    op.drop_index(op.f("ix_contact_refusals_checked_at"), table_name="contact_refusals")
    op.drop_index(op.f("ix_outcomes_created_at"), table_name="outcomes")
    op.drop_index(op.f("ix_attempts_created_at"), table_name="attempts")

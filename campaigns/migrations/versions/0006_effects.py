"""one outcome per attempt

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00

Outcomes recorded twice for the same attempt (two tabs submitting in wrap-up) keep their rows, but
only the first stays linked to the attempt; then the attempt's outcome becomes unique.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE outcomes SET attempt_id = NULL WHERE attempt_id IS NOT NULL AND id > "
            "(SELECT MIN(kept.id) FROM outcomes AS kept "
            "WHERE kept.attempt_id = outcomes.attempt_id)"
        )
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_attempt_id"))
        batch_op.create_index(batch_op.f("ix_outcomes_attempt_id"), ["attempt_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_attempt_id"))
        batch_op.create_index(batch_op.f("ix_outcomes_attempt_id"), ["attempt_id"], unique=False)

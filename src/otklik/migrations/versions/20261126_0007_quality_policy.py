"""Reply policy: each channel's warn/block level per checker flag, and the agents' overrides and
dismissals kept as labelled examples for the checker's evaluation.

Reviewed after autogenerate. Two new tables; no existing table changes, so SQLite rebuilds nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import otklik.core.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quality_policies",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_quality_policies")),
    )
    op.create_table(
        "quality_feedback",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("customer_message", sa.Text(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("disputed", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("ticket_id", ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_quality_feedback_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_quality_feedback_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_feedback")),
    )
    op.create_index("ix_quality_feedback_ticket_id", "quality_feedback", ["ticket_id"], unique=False)
    op.create_index("ix_quality_feedback_created_at", "quality_feedback", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_quality_feedback_created_at", table_name="quality_feedback")
    op.drop_index("ix_quality_feedback_ticket_id", table_name="quality_feedback")
    op.drop_table("quality_feedback")
    op.drop_table("quality_policies")

"""Routing: each agent's presence, shift (in their own time zone) and languages.

Reviewed after autogenerate. One new table keyed by the agent; no existing table changes,
so SQLite rebuilds nothing. Skills and capacity already live on ``agent_skills`` and ``agents``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import otklik.core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "routing_profiles",
        sa.Column("agent_id", ID, autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=True),
        sa.Column("status_since", WHEN, nullable=True),
        sa.Column("last_seen_at", WHEN, nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("shift", sa.JSON(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_routing_profiles_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_routing_profiles")),
    )


def downgrade() -> None:
    op.drop_table("routing_profiles")

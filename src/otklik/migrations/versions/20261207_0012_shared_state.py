"""live_signals and rate_buckets: typing, viewing and flood buckets that every server process sees.

UNLOGGED on PostgreSQL: hints and buckets are worth nothing after a crash, so they skip the
write-ahead log (and its replicas). ADR 0005.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from otklik.core.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "live_signals",
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("who", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "ticket_id", "who", name=op.f("pk_live_signals")),
        prefixes=unlogged,
    )
    op.create_index(op.f("ix_live_signals_until"), "live_signals", ["until"])
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("spent", sa.Boolean(), nullable=False),
        sa.Column("full_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
        prefixes=unlogged,
    )
    op.create_index(op.f("ix_rate_buckets_full_at"), "rate_buckets", ["full_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_buckets_full_at"), table_name="rate_buckets")
    op.drop_table("rate_buckets")
    op.drop_index(op.f("ix_live_signals_until"), table_name="live_signals")
    op.drop_table("live_signals")

"""An index on ticket_links.from_ticket_id: every ticket page and queue row loads its links.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ticket_links_from_ticket_id", "ticket_links", ["from_ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_links_from_ticket_id", table_name="ticket_links")

"""tickets.first_response_business_seconds (the first response's wait in business time, recorded with
it), messages.wait_seconds and wait_business_seconds (the customer's wait a reply ended), and an index
on tickets.created_at for the reports' periods (issue 15).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("first_response_business_seconds", sa.Integer(), nullable=True))
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])
    op.add_column("messages", sa.Column("wait_seconds", sa.Integer(), nullable=True))
    op.add_column("messages", sa.Column("wait_business_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("wait_business_seconds")
        batch_op.drop_column("wait_seconds")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("first_response_business_seconds")

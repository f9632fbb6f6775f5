"""agents.session_generation and customers.session_generation: a sign-out ends every browser session of
the agent, or every portal session of the customer (issue 14).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("customers", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("session_generation")

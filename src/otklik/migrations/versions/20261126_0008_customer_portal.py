"""Customer portal: one-time sign-in links, the survey after a closing, escalations by the customer.

Reviewed after autogenerate. Three new tables; no existing table changes, so SQLite rebuilds
nothing. ``uq_ticket_escalations_open`` is partial (one unacknowledged escalation per ticket) on
both databases.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import otklik.core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("delivery_state", sa.String(length=10), nullable=False),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_portal_links_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
    )
    op.create_index(op.f("ix_portal_links_customer_id"), "portal_links", ["customer_id"], unique=False)
    op.create_table(
        "ticket_surveys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("closing_at", WHEN, nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ticket_surveys_customer_id_customers"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_surveys_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_surveys")),
        sa.UniqueConstraint("ticket_id", "closing_at", name=op.f("uq_ticket_surveys_ticket_id_closing_at")),
    )
    op.create_table(
        "ticket_escalations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("escalated_to", ID, nullable=False),
        sa.Column("escalated_at", WHEN, nullable=False),
        sa.Column("ack_due_at", WHEN, nullable=False),
        sa.Column("acknowledged_at", WHEN, nullable=True),
        sa.Column("acknowledged_by", ID, nullable=True),
        sa.Column("alerted_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["agents.id"],
            name=op.f("fk_ticket_escalations_acknowledged_by_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_ticket_escalations_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalated_to"], ["agents.id"], name=op.f("fk_ticket_escalations_escalated_to_agents"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_escalations_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_escalations")),
    )
    op.create_index(
        "ix_ticket_escalations_ticket_id", "ticket_escalations", ["ticket_id", "escalated_at"], unique=False
    )
    op.create_index(
        "uq_ticket_escalations_open",
        "ticket_escalations",
        ["ticket_id"],
        unique=True,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
        sqlite_where=sa.text("acknowledged_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_ticket_escalations_open",
        table_name="ticket_escalations",
        postgresql_where=sa.text("acknowledged_at IS NULL"),
        sqlite_where=sa.text("acknowledged_at IS NULL"),
    )
    op.drop_index("ix_ticket_escalations_ticket_id", table_name="ticket_escalations")
    op.drop_table("ticket_escalations")
    op.drop_table("ticket_surveys")
    op.drop_index(op.f("ix_portal_links_customer_id"), table_name="portal_links")
    op.drop_table("portal_links")

"""Links and merges: linking codes, customer and ticket merges, ticket links, dismissed offers,
per-sender rate counters; ``merged_into_id`` on customers and tickets, ``sender_identity_id`` on messages.

Reviewed after autogenerate. The new columns on existing tables are added in place
(on SQLite with the foreign key inline, as 0002 does) so SQLite never rebuilds ``tickets``,
``messages`` or ``customers``: a rebuild would drop them under cascading foreign keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import otklik.core.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merge_dismissals",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=False),
        sa.Column("second_id", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_dismissals")),
        sa.UniqueConstraint("kind", "first_id", "second_id", name=op.f("uq_merge_dismissals_kind_first_id_second_id")),
    )
    op.create_table(
        "sender_rates",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("window", sa.String(length=10), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", "window", name=op.f("pk_sender_rates")),
    )
    op.create_table(
        "customer_merges",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("survivor_id", ID, nullable=False),
        sa.Column("merged_id", ID, nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("undone_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["customers.id"], name=op.f("fk_customer_merges_merged_id_customers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["customers.id"], name=op.f("fk_customer_merges_survivor_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    op.create_index("ix_customer_merges_merged_id", "customer_merges", ["merged_id"], unique=False)
    op.create_index(op.f("ix_customer_merges_survivor_id"), "customer_merges", ["survivor_id"], unique=False)
    op.create_table(
        "link_codes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("used_by_identity_id", sa.BigInteger(), nullable=True),
        sa.Column("delivery_state", sa.String(length=10), nullable=False),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_link_codes_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_link_codes_code")),
    )
    op.create_index(op.f("ix_link_codes_customer_id"), "link_codes", ["customer_id"], unique=False)
    op.create_table(
        "ticket_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_ticket_id", ID, nullable=False),
        sa.Column("to_ticket_id", ID, nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["from_ticket_id"], ["tickets.id"], name=op.f("fk_ticket_links_from_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_ticket_id"], ["tickets.id"], name=op.f("fk_ticket_links_to_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_links")),
        sa.UniqueConstraint(
            "kind", "from_ticket_id", "to_ticket_id", name=op.f("uq_ticket_links_kind_from_ticket_id_to_ticket_id")
        ),
    )
    op.create_index("ix_ticket_links_to_ticket_id", "ticket_links", ["to_ticket_id"], unique=False)
    op.create_table(
        "ticket_merges",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("source_id", ID, nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("undone_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["tickets.id"], name=op.f("fk_ticket_merges_source_id_tickets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["tickets.id"], name=op.f("fk_ticket_merges_target_id_tickets"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_merges")),
    )
    op.create_index("ix_ticket_merges_source_id", "ticket_merges", ["source_id"], unique=False)
    op.create_index(op.f("ix_ticket_merges_target_id"), "ticket_merges", ["target_id"], unique=False)
    _add_reference("customers", "merged_into_id", "customers")
    _add_reference("tickets", "merged_into_id", "tickets")
    _add_reference("messages", "sender_identity_id", "identities")


#: (table, column, target) of the foreign keys added in place, for the downgrade
REFERENCES = (
    ("messages", "sender_identity_id", "identities"),
    ("tickets", "merged_into_id", "tickets"),
    ("customers", "merged_into_id", "customers"),
)


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable foreign key column, added in place on both databases."""
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a referencing column in place only when the reference is inline
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id) ON DELETE SET NULL"
        )
        return
    op.add_column(table, sa.Column(column, ID, nullable=True))
    op.create_foreign_key(name, table, target, [column], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    """PostgreSQL only: SQLite cannot drop a column that carries a foreign key."""
    if op.get_bind().dialect.name == "sqlite":
        raise NotImplementedError("downgrade below 0004 is not supported on SQLite: restore the backup of var/")
    for table, column, target in REFERENCES:
        op.drop_constraint(f"fk_{table}_{column}_{target}", table, type_="foreignkey")
        op.drop_column(table, column)
    op.drop_index(op.f("ix_ticket_merges_target_id"), table_name="ticket_merges")
    op.drop_index("ix_ticket_merges_source_id", table_name="ticket_merges")
    op.drop_table("ticket_merges")
    op.drop_index("ix_ticket_links_to_ticket_id", table_name="ticket_links")
    op.drop_table("ticket_links")
    op.drop_index(op.f("ix_link_codes_customer_id"), table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_index(op.f("ix_customer_merges_survivor_id"), table_name="customer_merges")
    op.drop_index("ix_customer_merges_merged_id", table_name="customer_merges")
    op.drop_table("customer_merges")
    op.drop_table("sender_rates")
    op.drop_table("merge_dismissals")

"""Timers and outbox: the job table, channel settings, notifications, calendars, SLA policies.

Reviewed after autogenerate. New columns on existing tables are added with plain
ADD COLUMN (foreign keys inline) so SQLite never rebuilds ``tickets``: a rebuild
would drop the table under cascading foreign keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import otklik.core.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "business_calendars",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("always_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_business_calendars_name")),
    )
    op.create_table(
        "channel_settings",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("inactivity_close_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_settings")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=80), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_pending_due",
            ["due_at", "id"],
            unique=False,
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index("ix_jobs_state_finished", ["state", "finished_at"], unique=False)
        batch_op.create_index(
            "uq_jobs_pending_key",
            ["key"],
            unique=True,
            postgresql_where=sa.text("state = 'pending' AND key IS NOT NULL"),
            sqlite_where=sa.text("state = 'pending' AND key IS NOT NULL"),
        )

    op.create_table(
        "sla_policies",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("org_tier", sa.String(length=20), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("next_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("calendar_id", ID, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["business_calendars.id"],
            name=op.f("fk_sla_policies_calendar_id_business_calendars"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("agent_id", ID, nullable=False),
        sa.Column("ticket_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("read_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_notifications_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_notifications_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_agent_unread", ["agent_id", "read_at", "id"], unique=False)

    op.add_column("agents", sa.Column("is_head_of_support", sa.Boolean(), nullable=False, server_default=sa.false()))
    _add_reference("teams", "calendar_id", "business_calendars")
    op.add_column("teams", sa.Column("last_digest_on", sa.Date(), nullable=True))
    _add_reference("tickets", "sla_policy_id", "sla_policies")
    for column in (
        "waiting_since",
        "first_response_at",
        "first_response_due_at",
        "next_response_due_at",
        "resolution_due_at",
        "last_reminded_at",
    ):
        op.add_column("tickets", sa.Column(column, WHEN, nullable=True))
    op.add_column("tickets", sa.Column("age_escalation", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_tickets_waiting", "tickets", ["waiting_since"], unique=False)


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
        raise NotImplementedError("downgrade below 0002 is not supported on SQLite: restore the backup of var/")
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    with op.batch_alter_table("tickets", recreate="never") as batch_op:
        for column in (
            "age_escalation",
            "last_reminded_at",
            "resolution_due_at",
            "next_response_due_at",
            "first_response_due_at",
            "first_response_at",
            "waiting_since",
        ):
            batch_op.drop_column(column)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_tickets_sla_policy_id_sla_policies", "tickets", type_="foreignkey")
        op.drop_constraint("fk_teams_calendar_id_business_calendars", "teams", type_="foreignkey")
    op.drop_column("tickets", "sla_policy_id")
    op.drop_column("teams", "last_digest_on")
    op.drop_column("teams", "calendar_id")
    op.drop_column("agents", "is_head_of_support")
    op.drop_index("ix_notifications_agent_unread", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("sla_policies")
    op.drop_index("ix_jobs_state_finished", table_name="jobs")
    op.drop_index("uq_jobs_pending_key", table_name="jobs")
    op.drop_index("ix_jobs_pending_due", table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("channel_settings")
    op.drop_table("business_calendars")

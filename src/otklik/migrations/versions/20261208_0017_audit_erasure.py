"""audit_events: append-only except for erasure (issue 14).

The right to be forgotten reaches the audit log: an event about a forgotten customer's tickets keeps
what happened, when and by whom, but its data (which may quote the customer) becomes
``{"erased": true}``, and the customer's name as an actor becomes the forgotten customer's. That one
change is allowed; every other UPDATE and every DELETE is still refused by the database.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the name a forgotten customer's audit rows carry (otklik.privacy.rules.FORGOTTEN_NAME)
FORGOTTEN = "Удалённый клиент / Forgotten customer"

PG_GUARD = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.data::jsonb = '{{"erased": true}}'::jsonb
       AND NEW.actor_name IN (OLD.actor_name, '{FORGOTTEN}')
       AND NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.entity = OLD.entity
       AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id AND NEW.ticket_id IS NOT DISTINCT FROM OLD.ticket_id
       AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;  -- erasure: the one change the log allows
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
"""

PG_STRICT = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_ERASURE = f"""
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    json(NEW.data) = json('{{"erased": true}}')
    AND NEW.actor_name IN (OLD.actor_name, '{FORGOTTEN}')
    AND NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.entity = OLD.entity
    AND NEW.entity_id IS OLD.entity_id AND NEW.ticket_id IS OLD.ticket_id
    AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS OLD.actor_id
    AND NEW.created_at = OLD.created_at
)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
"""

SQLITE_STRICT = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_GUARD)
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute(SQLITE_ERASURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_STRICT)
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute(SQLITE_STRICT)

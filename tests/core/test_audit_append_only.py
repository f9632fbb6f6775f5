"""The audit log is append-only at the database itself, on every backend.

The triggers come from the first migration; these tests go around the ORM on
purpose (raw SQL, as a careless script would) and through it, and expect the
database to refuse. Each refused statement runs in a savepoint so the test's
outer transaction survives and can show the row is untouched.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from otklik.core import audit
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent

events = AuditEvent.__table__


def _two_events(db: Session) -> tuple[int, int]:
    actor = Actor.system("tests")
    first = audit.record(db, actor=actor, action="test.recorded", entity="test", entity_id=1, data={"n": 1})
    second = audit.record(db, actor=actor, action="test.recorded", entity="test", entity_id=2, data={"n": 2})
    db.commit()  # releases the session's savepoint; the outer test transaction stays open
    return first.id, second.id


def _stored(connection: Connection, event_id: int) -> tuple[str, int | None] | None:
    row = connection.execute(select(events.c.action, events.c.entity_id).where(events.c.id == event_id)).first()
    return None if row is None else (row.action, row.entity_id)


def _refused(connection: Connection, statement: Executable) -> None:
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(statement)
    savepoint.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(lambda i: update(events).where(events.c.id == i).values(action="tampered"), id="core-update"),
        pytest.param(lambda i: update(events).values(actor_name="nobody"), id="core-update-all-rows"),
        pytest.param(
            lambda i: text("UPDATE audit_events SET created_at = created_at WHERE id = :i").bindparams(i=i),
            id="raw-update-same-value",
        ),
        pytest.param(
            lambda i: update(events).where(events.c.id == i).values(data={"erased": True}, action="tampered"),
            id="erasure-that-changes-more",
        ),
        pytest.param(
            lambda i: update(events).where(events.c.id == i).values(data={"erased": True}, actor_name="nobody"),
            id="erasure-under-another-name",
        ),
        pytest.param(lambda i: delete(events).where(events.c.id == i), id="core-delete"),
        pytest.param(lambda i: text("DELETE FROM audit_events"), id="raw-delete-all"),
    ],
)
def test_update_and_delete_are_refused_by_the_database(
    db: Session, connection: Connection, statement: Callable[[int], Executable]
) -> None:
    first, second = _two_events(db)
    before = connection.scalar(select(func.count()).select_from(events))

    _refused(connection, statement(first))

    # the outer transaction is alive and nothing moved
    assert _stored(connection, first) == ("test.recorded", 1)
    assert _stored(connection, second) == ("test.recorded", 2)
    assert connection.scalar(select(func.count()).select_from(events)) == before


def test_the_orm_cannot_change_or_remove_a_recorded_event(db: Session, connection: Connection) -> None:
    first, _ = _two_events(db)

    event = db.get(AuditEvent, first)
    assert event is not None
    event.action = "tampered"
    with pytest.raises(DBAPIError, match="append-only"):
        db.flush()
    db.rollback()  # back to the session's own savepoint; the outer test transaction survives
    assert _stored(connection, first) == ("test.recorded", 1)

    event = db.get(AuditEvent, first)
    assert event is not None
    assert event.action == "test.recorded"
    db.delete(event)
    with pytest.raises(DBAPIError, match="append-only"):
        db.flush()
    db.rollback()
    assert _stored(connection, first) == ("test.recorded", 1)


def test_appending_still_works_after_a_refusal(db: Session, connection: Connection) -> None:
    first, _ = _two_events(db)
    _refused(connection, delete(events).where(events.c.id == first))
    third = audit.record(db, actor=Actor.system("tests"), action="test.recorded", entity="test", entity_id=3)
    db.commit()
    assert third.id > first
    assert _stored(connection, third.id) == ("test.recorded", 3)


def test_erasure_is_the_one_change_allowed(db: Session, connection: Connection) -> None:
    """Issue 14: a forgotten customer's words leave the log; what happened, when and by whom stay."""
    first, second = _two_events(db)
    forgotten = "Удалённый клиент / Forgotten customer"
    connection.execute(update(events).where(events.c.id == first).values(data={"erased": True}, actor_name=forgotten))
    row = connection.execute(select(events).where(events.c.id == first)).one()
    assert (row.action, row.entity_id, row.data, row.actor_name) == ("test.recorded", 1, {"erased": True}, forgotten)
    assert _stored(connection, second) == ("test.recorded", 2)

"""Values read once per database transaction: a worker's batch reads the same settings rows for
hundreds of jobs, and re-reading them is most of what some jobs cost.

A value cached in a transaction is seen by that transaction and by the savepoints inside it;
a savepoint that is rolled back takes its own values with it (the parent reads afresh), and a
writer of the rows behind a value calls ``forget`` so the rest of its transaction reads afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy.orm import Session, SessionTransaction

T = TypeVar("T")


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _within(current: SessionTransaction, owner: SessionTransaction) -> bool:
    walk: SessionTransaction | None = current
    while walk is not None:
        if walk is owner:
            return True
        walk = walk.parent
    return False


def per_transaction(session: Session, key: str, build: Callable[[], T]) -> T:
    """``build()`` once per transaction (and the savepoints inside it) for ``key``."""
    current = _innermost(session)
    cached = session.info.get(key)
    if cached is not None and current is not None and _within(current, cached[0]):
        return cast(T, cached[1])
    value = build()
    if current is not None:
        session.info[key] = (current, value)
    return value


def forget(session: Session, key: str) -> None:
    """The rows behind ``key`` changed: the next reader in this session reads them again."""
    session.info.pop(key, None)

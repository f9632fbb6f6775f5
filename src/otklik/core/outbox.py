"""The transactional outbox: a side effect is a job written with the change that causes it.

A reply is ``queued`` the moment its delivery job commits together with the message;
the worker delivers it through the channel adapter and records the outcome. Outbox
entries live in the one job table (``core.jobs``), keyed ``message:<id>:<topic>`` so
each message has at most one pending delivery and can be found from the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core import jobs


def entry_key(message_id: int, topic: str) -> str:
    return f"message:{message_id}:{topic}"


def enqueue(
    session: Session, topic: str, payload: dict[str, Any], *, message_id: int, due_at: datetime | None = None
) -> jobs.Job:
    """Add the side effect ``topic`` for ``message_id`` to the caller's transaction."""
    return jobs.schedule(session, topic, payload, due_at=due_at, key=entry_key(message_id, topic), fresh=True)


def queued_message_ids(session: Session, message_ids: Iterable[int], topic: str) -> set[int]:
    """Which of ``message_ids`` have an outbox entry for ``topic`` (in any state)."""
    wanted = {entry_key(m, topic): m for m in message_ids}
    if not wanted:
        return set()
    keys = session.scalars(select(jobs.Job.key).where(jobs.Job.key.in_(list(wanted))))
    return {wanted[k] for k in keys if k is not None}

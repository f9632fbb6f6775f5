"""Short-lived signals about a ticket (who types, who has it open), shared by every server process.

A signal is a hint worth nothing seconds later, so it carries its own expiry and nobody cleans
up after it but an occasional sweep. Two stores with one shape (ADR 0005): ``MemorySignals`` for
the embedded SQLite desk, which runs one server process; ``DatabaseSignals`` for PostgreSQL with
several ``serve`` processes or machines, in an UNLOGGED table (a crash may forget hints, never
messages). Neither store knows what the topics mean; ``otklik.web.presence`` does.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import BigInteger, Engine, String, delete, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime

#: (topic, who) → name, for the signals of one ticket that are still on
Live = dict[tuple[str, int], str]
#: a repeated signal whose stored expiry is still this fresh is not written again
REWRITE_SLACK = timedelta(seconds=3)
#: every so many writes a store forgets what has expired
SWEEP_EVERY = 500
#: a signal that ended this long before a new one was put is surely over (signals last seconds)
FORGET_AFTER = timedelta(minutes=1)


class Signal(Base):
    """One hint: ``who`` (an agent id, 0 for the customer) does ``topic`` on a ticket until ``until``."""

    __tablename__ = "live_signals"

    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # no foreign key: a hint
    who: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Signals(Protocol):
    """Where signals live: put one, drop one, read a ticket's live ones."""

    def put(self, topic: str, ticket_id: int, who: int, name: str, until: datetime) -> None: ...

    def drop(self, topic: str, ticket_id: int, who: int) -> None: ...

    def live(self, ticket_id: int, at: datetime) -> Live: ...


class MemorySignals:
    """Signals in this process's memory, shared by its threads."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str, int], tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def put(self, topic: str, ticket_id: int, who: int, name: str, until: datetime) -> None:
        with self._lock:
            self._entries[(ticket_id, topic, who)] = (name, until)
            if len(self._entries) > 5 * SWEEP_EVERY:
                self._entries = {k: v for k, v in self._entries.items() if v[1] > until - FORGET_AFTER}

    def drop(self, topic: str, ticket_id: int, who: int) -> None:
        with self._lock:
            self._entries.pop((ticket_id, topic, who), None)

    def live(self, ticket_id: int, at: datetime) -> Live:
        with self._lock:
            return {
                (topic, who): name
                for (ticket, topic, who), (name, until) in self._entries.items()
                if ticket == ticket_id and until > at
            }


class DatabaseSignals:
    """Signals in the ``live_signals`` table, seen by every process on the database (PostgreSQL).

    Each call is its own short transaction on ``engine``, a small pool of its own (see
    ``otklik.core.shared``), so a request or a stream holding a connection of the main pool
    never waits on that pool for a second one. A signal repeated while its stored expiry is
    still fresh (a page marking its agent as viewing every second) is not written again.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._written: dict[tuple[int, str, int], tuple[str, datetime]] = {}
        self._writes = 0
        self._lock = threading.Lock()

    def put(self, topic: str, ticket_id: int, who: int, name: str, until: datetime) -> None:
        key = (ticket_id, topic, who)
        with self._lock:
            known = self._written.get(key)
            if known is not None and known[0] == name and known[1] >= until - REWRITE_SLACK:
                return
            self._written[key] = (name, until)
            self._writes += 1
            sweep = self._writes % SWEEP_EVERY == 0
            if sweep:
                self._written = {k: v for k, v in self._written.items() if v[1] > until - FORGET_AFTER}
        statement = postgresql.insert(Signal).values(topic=topic, ticket_id=ticket_id, who=who, name=name, until=until)
        statement = statement.on_conflict_do_update(
            index_elements=["topic", "ticket_id", "who"],
            set_={"name": statement.excluded.name, "until": statement.excluded.until},
        )
        with self._engine.begin() as connection:
            connection.execute(statement)
            if sweep:
                connection.execute(delete(Signal).where(Signal.until < until - FORGET_AFTER))

    def drop(self, topic: str, ticket_id: int, who: int) -> None:
        with self._lock:
            self._written.pop((ticket_id, topic, who), None)
        with self._engine.begin() as connection:
            connection.execute(
                delete(Signal).where(Signal.topic == topic, Signal.ticket_id == ticket_id, Signal.who == who)
            )

    def live(self, ticket_id: int, at: datetime) -> Live:
        query = select(Signal.topic, Signal.who, Signal.name).where(Signal.ticket_id == ticket_id, Signal.until > at)
        with self._engine.connect() as connection:
            return {(topic, who): name for topic, who, name in connection.execute(query)}

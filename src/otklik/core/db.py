"""Engine, declarative base and the unit of work, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Engine, Float, Integer, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from otklik.core.clock import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: 64-bit ids on PostgreSQL; SQLite needs plain INTEGER for its rowid alias.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Every table of every domain."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware.

    SQLite keeps no zone, so naive values read back are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = as_utc(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads as the SQL function it is
    """``seconds_between(start, end)``: ``end − start`` in seconds, computed by the database (reports
    aggregate durations in SQL rather than fetching every pair of timestamps)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


class utc_hour(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it is
    """``utc_hour(moment)``: the hour of day (0–23) of a stored timestamp in UTC."""

    type = Integer()
    inherit_cache = True


@compiles(utc_hour)
def _hour_postgresql(element: utc_hour, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(HOUR FROM ({moment}) AT TIME ZONE 'UTC') AS INTEGER)"


@compiles(utc_hour, "sqlite")
def _hour_sqlite(element: utc_hour, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(strftime('%H', {moment}) AS INTEGER)"


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cursor.close()
    # SQLite's own lower() folds ASCII only, so ILIKE (lower(a) LIKE lower(b)) would miss «иван» in «Иван».
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


BUSY_SECONDS = 10.0
_HELD = "otklik_writer_turn"


class SqliteWriters:
    """One SQLite transaction at a time per process, waiting in line in the operating system.

    IMMEDIATE takes SQLite's write lock up front, so writers never fail on a lock
    upgrade. But SQLite's busy handler polls with growing sleeps, so under many
    concurrent requests an unlucky waiter can sleep past ``busy_timeout`` and fail
    although nothing was wrong. Queuing the process's transactions on a lock first
    leaves SQLite's handler only the rare contention with other processes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, conn: Any) -> None:
        if not self._lock.acquire(timeout=BUSY_SECONDS):
            raise sqlite3.OperationalError(f"database is locked (waited {BUSY_SECONDS:g} s for the writer's turn)")
        conn.info[_HELD] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release(conn.info)
            raise

    def end(self, conn: Any) -> None:
        self._release(conn.info)

    def on_reset(self, _dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        # a connection handed back to the pool mid-transaction gives its turn back too
        self._release(record.info)

    def on_invalidate(self, _dbapi_connection: Any, record: Any, _exception: BaseException | None) -> None:
        self._release(record.info)  # a connection thrown away mid-transaction as well

    def _release(self, info: dict[str, Any]) -> None:
        if info.pop(_HELD, False):
            self._lock.release()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings Otklik relies on."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        writers = SqliteWriters()
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "commit", writers.end)
        event.listen(engine, "rollback", writers.end)
        event.listen(engine.pool, "reset", writers.on_reset)
        event.listen(engine.pool, "invalidate", writers.on_invalidate)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (handlers render them)."""
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


T = TypeVar("T")


def without_jit(session: Session) -> None:
    """PostgreSQL compiles a query whose estimated cost looks large; the reports' aggregates look
    huge to the planner (correlated subqueries) and are cheap: at a million tickets compiling one was
    0.9 s of a 1.0 s query. A report's transaction turns JIT off for itself (SQLite has none)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def request_session(factory: sessionmaker[Session] | None, fallback: Session | None = None) -> Iterator[Session]:
    """A session from ``factory`` for the length of one request, closed after it: handlers commit
    explicitly, anything uncommitted rolls back (ADR 0002). No ``factory``: ``fallback`` itself (the
    reports' replica when none is configured is the request's own session)."""
    if factory is None:
        assert fallback is not None
        yield fallback
        return
    session = factory()
    try:
        yield session
    finally:
        session.close()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""The durable job engine: every timer and every side effect is a row with a due time.

A job is scheduled in the caller's transaction, so it exists exactly when the
change that caused it committed. Workers claim due jobs (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises claimers) and
lease them for a few seconds, then run them in chunks, each transaction locking
the tickets its jobs name before the jobs themselves (``run_due``): the job's
database effects and its ``done`` mark commit together, so a crash re-runs the
job once its lease ends and no job's effects land twice. Jobs flagged ``io``
(network sends) are claimed one per transaction so no lock is held across
another job's I/O; their outside effect is at-least-once, which is why
deliveries carry stable ids (e.g. Message-ID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from otklik.core import clock
from otklik.core.db import Base, BigIntPK, UTCDateTime

log = logging.getLogger("otklik.jobs")


class JobState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(Base):
    """A unit of deferred work. ``key`` names a timer so it can be moved or cancelled."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index(
            "ix_jobs_pending_due",
            "due_at",
            "id",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(
            "uq_jobs_pending_key",
            "key",
            unique=True,
            postgresql_where=text("state = 'pending' AND key IS NOT NULL"),
            sqlite_where=text("state = 'pending' AND key IS NOT NULL"),
        ),
        Index("ix_jobs_state_finished", "state", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str | None] = mapped_column(String(160))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default=JobState.PENDING.value)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    last_error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: a handler may return a time to run again (the job stays pending, e.g. the next SLA stage)
Handler = Callable[[Session, Job], datetime | None]
FailureHook = Callable[[Session, Job, str], None]


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """How a kind of job runs: its handler, whether it does I/O, what to do when it gives up."""

    kind: str
    handler: Handler
    io: bool = False
    max_attempts: int = 8
    every: timedelta | None = None
    on_failure: FailureHook | None = None
    on_retry: FailureHook | None = None


_TASKS: dict[str, TaskSpec] = {}


class RetryLater(Exception):
    """Raised by a handler that cannot finish now (e.g. a channel is down); counts as an attempt."""


def task(
    kind: str,
    *,
    io: bool = False,
    max_attempts: int = 8,
    every: timedelta | None = None,
    on_failure: FailureHook | None = None,
    on_retry: FailureHook | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``kind``. ``every`` makes it periodic (see ``ensure_periodic``);
    ``on_retry`` and ``on_failure`` record what went wrong where people look (they run after
    the failed attempt was rolled back)."""

    def register(handler: Handler) -> Handler:
        _TASKS[kind] = TaskSpec(kind, handler, io, max_attempts, every, on_failure, on_retry)
        return handler

    return register


def registered() -> dict[str, TaskSpec]:
    return dict(_TASKS)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts``: 5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def schedule(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    due_at: datetime | None = None,
    key: str | None = None,
    max_attempts: int | None = None,
    fresh: bool = False,
) -> Job:
    """Add a job to the caller's transaction. A pending job with the same ``key`` is moved instead.

    ``fresh`` skips that look-up when the caller knows no such job can exist (a new ticket).
    """
    moment = clock.now()
    spec = _TASKS.get(kind)
    attempts_allowed = max_attempts or (spec.max_attempts if spec else 8)
    if key is not None and not fresh:
        existing = session.scalars(select(Job).where(Job.key == key, Job.state == JobState.PENDING.value)).first()
        if existing is not None:
            existing.kind = kind
            existing.payload = payload or {}
            existing.due_at = due_at or moment
            existing.max_attempts = attempts_allowed
            return existing
    job = Job(
        kind=kind,
        key=key,
        payload=payload or {},
        state=JobState.PENDING.value,
        due_at=due_at or moment,
        attempts=0,
        max_attempts=attempts_allowed,
        created_at=moment,
    )
    session.add(job)
    return job


def cancel_prefix(session: Session, prefix: str) -> int:
    """Cancel every pending job whose key starts with ``prefix`` (a closed ticket's timers)."""
    result = session.execute(
        update(Job)
        .where(Job.key.startswith(prefix, autoescape=True), Job.state == JobState.PENDING.value)
        .values(state=JobState.CANCELLED.value, finished_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel(session: Session, key: str) -> int:
    """Cancel the pending job named ``key``; returns how many were cancelled (0 or 1)."""
    result = session.execute(
        update(Job)
        .where(Job.key == key, Job.state == JobState.PENDING.value)
        .values(state=JobState.CANCELLED.value, finished_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending(session: Session, key: str) -> Job | None:
    """The pending job named ``key``, if any."""
    return session.scalars(select(Job).where(Job.key == key, Job.state == JobState.PENDING.value)).first()


def list_jobs(session: Session, state: str, limit: int = 50) -> list[Job]:
    """The newest jobs in ``state`` (failed ones are what people need to see)."""
    return list(session.scalars(select(Job).where(Job.state == state).order_by(Job.id.desc()).limit(limit)))


def ensure_periodic(session: Session) -> int:
    """Make sure every periodic task has its next run pending; returns how many were added."""
    added = 0
    for spec in _TASKS.values():
        if spec.every is not None and pending(session, f"periodic:{spec.kind}") is None:
            try:
                with session.begin_nested():  # a worker starting at the same moment may win the key
                    schedule(session, spec.kind, {}, key=f"periodic:{spec.kind}")
            except IntegrityError:
                continue
            added += 1
    return added


def _claim(session: Session, kinds: list[str] | None, exclude: list[str] | None, limit: int) -> list[Job]:
    query = (
        select(Job)
        .where(Job.state == JobState.PENDING.value, Job.due_at <= clock.now())
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    if kinds is not None:
        query = query.where(Job.kind.in_(kinds))
    if exclude:
        query = query.where(Job.kind.not_in(exclude))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _run_one(session: Session, job: Job, worker: str) -> None:
    spec = _TASKS.get(job.kind)
    now = clock.now()
    job.worker = worker
    job.attempts += 1
    if spec is None:
        job.state, job.last_error, job.finished_at = JobState.FAILED.value, f"no handler for kind {job.kind!r}", now
        log.error("job %s failed: no handler for %s", job.id, job.kind)
        return
    try:
        with session.begin_nested():
            again = spec.handler(session, job)
    except Exception as exc:  # any failure of a handler is recorded, never lost
        job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= job.max_attempts:
            job.state, job.finished_at = JobState.FAILED.value, now
            log.warning("job %s (%s) failed for good: %s", job.id, job.kind, job.last_error)
            if spec.on_failure is not None:
                with session.begin_nested():
                    spec.on_failure(session, job, job.last_error)
        else:
            job.due_at = now + backoff(job.attempts)
            if spec.on_retry is not None:
                with session.begin_nested():
                    spec.on_retry(session, job, job.last_error)
        return
    _finish(session, job, spec, again, now)


def _finish(session: Session, job: Job, spec: TaskSpec, again: datetime | None, now: datetime) -> None:
    """A handler returned: run again at ``again``, or done (and a periodic task's next run)."""
    if again is not None:
        job.due_at, job.attempts, job.last_error = again, 0, None
        return
    job.state, job.finished_at = JobState.DONE.value, now
    if spec.every is not None:
        session.flush()  # the finished row must leave the pending-key index before its successor
        schedule(session, spec.kind, {}, due_at=now + spec.every, key=f"periodic:{spec.kind}")


def _run_batch(session: Session, jobs: list[Job], worker: str) -> None:
    """Run a claimed batch in one savepoint; if any handler fails, undo it and run job by job.

    One savepoint per job costs several round trips each; one per batch lets the inserts of
    all handlers flush together. Only jobs without I/O come here, so a batch that is rolled
    back leaves no trace, and the job-by-job rerun records each failure exactly as before.
    """
    specs = [_TASKS.get(job.kind) for job in jobs]
    if len(jobs) < 2 or any(spec is None for spec in specs):
        for job in jobs:
            _run_one(session, job, worker)
        return
    now = clock.now()
    results: list[datetime | None] = []
    try:
        with session.begin_nested():
            for job, spec in zip(jobs, specs, strict=True):
                assert spec is not None
                job.worker = worker
                job.attempts += 1
                results.append(spec.handler(session, job))
    except Exception:  # someone in the batch failed: the careful path finds who, and records it
        log.info("a batch of %d jobs had a failure; running them one by one", len(jobs))
        for job in jobs:
            _run_one(session, job, worker)
        return
    for job, spec, again in zip(jobs, specs, results, strict=True):
        assert spec is not None
        _finish(session, job, spec, again, now)


#: how long a leased batch is hidden from other workers before it runs (and after a crash, before
#: another worker may take it); once the batch runs, its row locks keep it its own
LEASE = timedelta(seconds=10)
#: jobs that lock rows (``before_batch``) per transaction: few enough that the tickets they lock are
#: not held from intake for long
CHUNK = 20


@dataclass(frozen=True, slots=True)
class Leased:
    """A job leased to a worker, as the lease returned it: enough to know what it will touch."""

    id: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowLock:
    """Rows a kind of job changes, named from its payload (``keys``), and how to lock a set of them in
    the one global order (``lock``): a batch takes these before it locks its own jobs."""

    keys: Callable[[dict[str, Any]], list[int]]
    lock: Callable[[Session, list[int]], None]


#: registered by the domains (``before_batch``): tickets, by ascending id
_ROW_LOCKS: list[RowLock] = []


def before_batch(keys: Callable[[dict[str, Any]], list[int]], lock: Callable[[Session, list[int]], None]) -> None:
    """Register rows a batch must lock first: ``keys(payload)`` names them, ``lock(session, keys)``
    takes them in the order every other writer takes them."""
    _ROW_LOCKS.append(RowLock(keys, lock))


def _chunks(leased: list[Leased]) -> list[list[Leased]]:
    """The batch cut so that each transaction locks rows for at most ``CHUNK`` of its jobs; jobs
    that lock nothing (a ping, a digest) ride along without limit."""
    chunks: list[list[Leased]] = [[]]
    weight = 0
    for job in leased:
        locks = any(row_lock.keys(job.payload) for row_lock in _ROW_LOCKS)
        if locks and weight == CHUNK:
            chunks.append([])
            weight = 0
        chunks[-1].append(job)
        weight += locks
    return [chunk for chunk in chunks if chunk]


def _lease(session: Session, exclude: list[str], limit: int, worker: str) -> tuple[list[Leased], datetime]:
    """Claim a batch and hide it from other workers until ``LEASE`` from now, in one statement,
    then commit: the batch holds no lock while it waits for the locks its handlers need."""
    now = clock.now()
    until = now + LEASE
    due = select(Job.id).where(Job.state == JobState.PENDING.value, Job.due_at <= now)
    if exclude:
        due = due.where(Job.kind.not_in(exclude))
    due = due.order_by(Job.due_at, Job.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = session.execute(
        update(Job)
        .where(Job.id.in_(due.scalar_subquery()))
        .values(due_at=until, worker=worker)
        .returning(Job.id, Job.payload)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((Leased(row.id, row.payload or {}) for row in rows), key=lambda job: job.id), until


def _leased(session: Session, ids: list[int], until: datetime, worker: str) -> list[Job]:
    """The leased jobs, locked, that are still ours: a job someone moved meanwhile (a new message
    pushed its timer on) is left for its new time."""
    query = (
        select(Job)
        .where(Job.id.in_(ids), Job.state == JobState.PENDING.value, Job.worker == worker, Job.due_at == until)
        .order_by(Job.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def run_due(factory: sessionmaker[Session], *, worker: str, batch: int = 200) -> int:
    """Claim and run due jobs once; returns how many ran. Safe to call from many processes.

    A batch is leased in one short transaction and run in chunks (``_chunks``), each in a transaction
    that first locks, in the global order, the rows its jobs will change (``before_batch``), and only
    then the jobs. A transaction that changes a ticket and then moves one of its timers (intake) takes
    them in the same order, so it and a worker never wait for each other in a circle.
    """
    io_kinds = [k for k, spec in _TASKS.items() if spec.io]
    ran = 0
    with factory() as session, session.begin():
        leased, until = _lease(session, io_kinds, batch, worker)
    for chunk in _chunks(leased):
        with factory() as session, session.begin():
            for row_lock in _ROW_LOCKS:
                row_lock.lock(session, [key for job in chunk for key in row_lock.keys(job.payload)])
            jobs = _leased(session, [job.id for job in chunk], until, worker)
            _run_batch(session, jobs, worker)
            ran += len(jobs)
    for _ in range(batch if io_kinds else 0):
        with factory() as session, session.begin():
            claimed = _claim(session, io_kinds, None, 1)
            if not claimed:
                break
            _run_one(session, claimed[0], worker)
            ran += 1
    return ran

"""The job engine on both databases: run once, retry with backoff, fail visibly, keyed timers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock, jobs
from otklik.core.jobs import Job, JobState

RAN: Counter[str] = Counter()
FAILED_FOR_GOOD: list[str] = []


@jobs.task("test.count")
def _count(session: Session, job: Job) -> datetime | None:
    RAN[job.payload["name"]] += 1
    return None


@jobs.task("test.flaky", max_attempts=3, on_failure=lambda s, j, e: FAILED_FOR_GOOD.append(e))
def _flaky(session: Session, job: Job) -> datetime | None:
    RAN[job.payload["name"]] += 1
    raise RuntimeError("канал недоступен")


@jobs.task("test.stages")
def _stages(session: Session, job: Job) -> datetime | None:
    RAN[job.payload["name"]] += 1
    if RAN[job.payload["name"]] < 3:
        return clock.now() + timedelta(minutes=10)
    return None


@jobs.task("test.io", io=True)
def _io(session: Session, job: Job) -> datetime | None:
    RAN[job.payload["name"]] += 1
    return None


@jobs.task("test.periodic", every=timedelta(minutes=5))
def _periodic(session: Session, job: Job) -> datetime | None:
    RAN["periodic"] += 1
    return None


@pytest.fixture(autouse=True)
def _reset(frozen_clock: clock.FrozenClock) -> None:
    RAN.clear()
    FAILED_FOR_GOOD.clear()


def _job(db: Session, job_id: int) -> Job:
    db.expire_all()
    found = db.get(Job, job_id)
    assert found is not None
    return found


def test_a_due_job_runs_once(db: Session, session_factory: sessionmaker[Session]) -> None:
    job = jobs.schedule(db, "test.count", {"name": "a"})
    db.commit()
    assert jobs.run_due(session_factory, worker="w1") == 1
    assert jobs.run_due(session_factory, worker="w1") == 0
    assert RAN["a"] == 1
    done = _job(db, job.id)
    assert (done.state, done.attempts, done.worker) == (JobState.DONE.value, 1, "w1")


def test_a_future_job_waits_for_its_time(
    db: Session, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    jobs.schedule(db, "test.count", {"name": "later"}, due_at=clock.now() + timedelta(hours=2))
    db.commit()
    assert jobs.run_due(session_factory, worker="w") == 0
    frozen_clock.advance(timedelta(hours=2))
    assert jobs.run_due(session_factory, worker="w") == 1
    assert RAN["later"] == 1


def test_failures_retry_with_backoff_then_fail_visibly(
    db: Session, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    job = jobs.schedule(db, "test.flaky", {"name": "f"})
    db.commit()
    start = clock.now()
    jobs.run_due(session_factory, worker="w")
    first = _job(db, job.id)
    assert first.state == JobState.PENDING.value
    assert first.attempts == 1
    assert first.due_at == start + timedelta(seconds=5)
    assert first.last_error == "RuntimeError: канал недоступен"
    frozen_clock.advance(timedelta(seconds=5))
    jobs.run_due(session_factory, worker="w")
    assert _job(db, job.id).due_at == start + timedelta(seconds=15)  # 5 s, then 10 s more
    frozen_clock.advance(timedelta(seconds=10))
    jobs.run_due(session_factory, worker="w")
    final = _job(db, job.id)
    assert (final.state, final.attempts) == (JobState.FAILED.value, 3)
    assert FAILED_FOR_GOOD == ["RuntimeError: канал недоступен"]
    assert [j.id for j in jobs.list_jobs(db, "failed")] == [job.id]
    assert RAN["f"] == 3


def test_an_unknown_kind_fails_with_its_name(db: Session, session_factory: sessionmaker[Session]) -> None:
    job = jobs.schedule(db, "test.nobody_handles_this", {})
    db.commit()
    jobs.run_due(session_factory, worker="w")
    failed = _job(db, job.id)
    assert failed.state == JobState.FAILED.value
    assert "test.nobody_handles_this" in (failed.last_error or "")


def test_a_keyed_timer_is_moved_not_duplicated_and_can_be_cancelled(db: Session) -> None:
    first = jobs.schedule(db, "test.count", {"name": "k"}, key="ticket:1:hold", due_at=clock.now() + timedelta(hours=1))
    db.flush()
    moved = jobs.schedule(db, "test.count", {"name": "k"}, key="ticket:1:hold", due_at=clock.now() + timedelta(hours=3))
    db.flush()
    assert moved.id == first.id
    assert moved.due_at == clock.now() + timedelta(hours=3)
    jobs.schedule(db, "test.count", {"name": "x"}, key="ticket:1:auto_close")
    jobs.schedule(db, "test.count", {"name": "y"}, key="ticket:10:auto_close")
    db.flush()
    assert jobs.cancel(db, "ticket:1:hold") == 1
    assert jobs.cancel(db, "ticket:1:hold") == 0
    assert jobs.cancel_prefix(db, "ticket:1:") == 1  # not ticket:10
    pending = db.scalars(select(Job.key).where(Job.state == JobState.PENDING.value)).all()
    assert pending == ["ticket:10:auto_close"]


def test_a_handler_can_walk_through_stages(
    db: Session, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    job = jobs.schedule(db, "test.stages", {"name": "s"})
    db.commit()
    jobs.run_due(session_factory, worker="w")
    assert _job(db, job.id).state == JobState.PENDING.value
    assert jobs.run_due(session_factory, worker="w") == 0  # next stage is 10 minutes away
    for _ in range(2):
        frozen_clock.advance(timedelta(minutes=10))
        jobs.run_due(session_factory, worker="w")
    assert RAN["s"] == 3
    assert _job(db, job.id).state == JobState.DONE.value


def test_io_and_plain_jobs_both_run_in_one_round(db: Session, session_factory: sessionmaker[Session]) -> None:
    for name in ("p1", "p2"):
        jobs.schedule(db, "test.count", {"name": name})
    for name in ("i1", "i2", "i3"):
        jobs.schedule(db, "test.io", {"name": name})
    db.commit()
    assert jobs.run_due(session_factory, worker="w") == 5
    assert sorted(RAN) == ["i1", "i2", "i3", "p1", "p2"]


def test_a_periodic_task_keeps_exactly_one_next_run(
    db: Session, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    assert jobs.ensure_periodic(db) >= 1
    assert jobs.ensure_periodic(db) == 0
    db.commit()
    jobs.run_due(session_factory, worker="w")
    assert RAN["periodic"] == 1
    upcoming = jobs.pending(db, "periodic:test.periodic")
    assert upcoming is not None
    assert upcoming.due_at == clock.now() + timedelta(minutes=5)
    frozen_clock.advance(timedelta(minutes=5))
    jobs.run_due(session_factory, worker="w")
    assert RAN["periodic"] == 2


def test_backoff_doubles_and_is_capped() -> None:
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert jobs.backoff(30) == timedelta(hours=1)


@jobs.task("test.audited")
def _audited(session: Session, job: Job) -> datetime | None:
    from otklik.core import audit
    from otklik.core.actors import Actor

    audit.record(session, actor=Actor.system("test"), action="test.audited", entity="job", entity_id=job.id)
    if job.payload.get("fail"):
        raise RuntimeError("this one breaks")
    return None


def test_one_failure_in_a_batch_costs_the_others_nothing(db: Session, session_factory: sessionmaker[Session]) -> None:
    from otklik.core.audit import AuditEvent

    good = [jobs.schedule(db, "test.audited", {}) for _ in range(5)]
    bad = jobs.schedule(db, "test.audited", {"fail": True})
    good += [jobs.schedule(db, "test.audited", {}) for _ in range(5)]
    db.commit()
    assert jobs.run_due(session_factory, worker="w") == 11
    db.expire_all()
    for job in good:
        assert (_job(db, job.id).state, _job(db, job.id).attempts) == (JobState.DONE.value, 1)
    failed = _job(db, bad.id)
    assert (failed.state, failed.attempts, failed.last_error) == (
        JobState.PENDING.value,
        1,
        "RuntimeError: this one breaks",
    )
    recorded = db.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "test.audited")).all()
    assert sorted(recorded) == sorted(j.id for j in good)  # exactly once each, the failed one's row undone

"""State every server process must see alike (issue 13, ADR 0005): flood buckets and live signals.

Two store objects on one database stand for two server processes; with the memory stores each
would keep its own, which is exactly the defect: N processes gave a caller N times the allowance
and showed «печатает…» only to streams served by the process that heard it.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from otklik.core import limiter as limiter_module
from otklik.core import signals as signals_module
from otklik.core.limiter import DatabaseLimiter, MemoryLimiter, Rate, RateBucket
from otklik.core.shared import open_shared, shared_mode
from otklik.core.signals import DatabaseSignals, MemorySignals, Signal
from otklik.web.presence import TypingBoard, ViewerBoard

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def pg(engine: Engine) -> Engine:
    """The session's PostgreSQL database: the shared stores are PostgreSQL's (SQLite runs one process)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the database stores are PostgreSQL's; SQLite keeps this state in memory")
    return engine


@pytest.fixture
def ticket_id() -> int:
    return 10**12 + uuid.uuid4().int % 10**12  # no other test's signals on it (the rows are committed)


@pytest.fixture
def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_a_caller_has_one_allowance_across_processes(pg: Engine, key: str) -> None:
    first, second, rate = DatabaseLimiter(pg), DatabaseLimiter(pg), Rate(burst=3, per_minute=60)
    answers = [limiter.hit(key, NOW, rate) for limiter in (first, second, first, second)]
    assert answers[:3] == [0, 0, 0]
    assert answers[3] == 1  # the fourth request waits a second, whichever process serves it
    assert second.hit(key, NOW + timedelta(seconds=1), rate) == 0  # refilled at the rate, shared too


def test_memory_limiters_each_give_the_whole_allowance(key: str) -> None:
    """What the database store fixes: per-process buckets let two processes pass twice the burst."""
    first, second, rate = MemoryLimiter(), MemoryLimiter(), Rate(burst=3, per_minute=60)
    assert [limiter.hit(key, NOW, rate) for limiter in (first, second) * 3] == [0] * 6


def test_concurrent_hits_spend_each_token_once(pg: Engine, key: str) -> None:
    limiters, rate = [DatabaseLimiter(pg) for _ in range(4)], Rate(burst=5, per_minute=1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda n: limiters[n % 4].hit(key, NOW, rate), range(24)))
    assert waits.count(0) == 5
    assert all(wait >= 1 for wait in waits if wait)


def test_a_long_key_is_stored_as_its_digest(pg: Engine) -> None:
    key = "login:" + "x" * 400 + f"{uuid.uuid4().hex}@example.com"
    limiter, rate = DatabaseLimiter(pg), Rate(burst=1, per_minute=60)
    assert limiter.hit(key, NOW, rate) == 0
    assert limiter.hit(key, NOW, rate) == 1
    assert limiter.hit(key + "y", NOW, rate) == 0  # a different caller, not a truncation twin


def test_full_buckets_are_swept(pg: Engine, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limiter_module, "SWEEP_EVERY", 2)
    limiter, rate = DatabaseLimiter(pg), Rate(burst=2, per_minute=60)
    limiter.hit(key, NOW, rate)  # one token spent: full again a second later
    limiter.hit(key + ":other", NOW + timedelta(minutes=5), rate)  # the second hit sweeps
    with Session(pg) as session:
        keys = set(session.scalars(select(RateBucket.key).where(RateBucket.key.startswith(key))))
    assert keys == {key + ":other"}


def test_typing_heard_by_one_process_shows_in_another(pg: Engine, ticket_id: int) -> None:
    heard, shown = TypingBoard(DatabaseSignals(pg)), TypingBoard(DatabaseSignals(pg))
    heard.customer(ticket_id, True, NOW)
    heard.agent(ticket_id, "Марина", NOW)
    assert shown.customer_typing(ticket_id, NOW + timedelta(seconds=5))
    assert shown.agent_typing(ticket_id, NOW + timedelta(seconds=5)) == "Марина"
    assert not shown.customer_typing(ticket_id, NOW + timedelta(seconds=7))  # faded: nobody repeated it
    heard.agent(ticket_id, None, NOW + timedelta(seconds=1))
    assert shown.agent_typing(ticket_id, NOW + timedelta(seconds=2)) is None  # stopped, seen at once


def test_viewers_on_other_processes_are_seen(pg: Engine, ticket_id: int) -> None:
    marina, anna = ViewerBoard(DatabaseSignals(pg)), ViewerBoard(DatabaseSignals(pg))
    marina.viewing(ticket_id, 1, "Марина", NOW)
    anna.typing(ticket_id, 2, "Анна", NOW)
    assert marina.others(ticket_id, 1, NOW + timedelta(seconds=1)) == (["Анна"], ["Анна"])
    assert anna.others(ticket_id, 2, NOW + timedelta(seconds=1)) == (["Марина"], [])
    anna.left(ticket_id, 2)
    assert marina.others(ticket_id, 1, NOW + timedelta(seconds=2)) == ([], [])


def test_a_repeated_signal_is_not_rewritten_while_fresh(pg: Engine, ticket_id: int) -> None:
    signals = DatabaseSignals(pg)

    def stored_until() -> datetime:
        with Session(pg) as session:
            return session.scalars(select(Signal.until).where(Signal.ticket_id == ticket_id)).one()

    signals.put("viewing", ticket_id, 1, "Марина", NOW + timedelta(seconds=12))
    signals.put("viewing", ticket_id, 1, "Марина", NOW + timedelta(seconds=13))  # a poll a second later
    assert stored_until() == NOW + timedelta(seconds=12)
    signals.put("viewing", ticket_id, 1, "Марина", NOW + timedelta(seconds=16))  # past the slack
    assert stored_until() == NOW + timedelta(seconds=16)


def test_expired_signals_are_swept(pg: Engine, ticket_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signals_module, "SWEEP_EVERY", 2)
    signals = DatabaseSignals(pg)
    signals.put("viewing", ticket_id, 1, "Марина", NOW)
    signals.put("viewing", ticket_id, 2, "Анна", NOW + timedelta(hours=1))  # the second write sweeps
    with Session(pg) as session:
        left = set(session.scalars(select(Signal.who).where(Signal.ticket_id == ticket_id)))
    assert left == {2}


def test_memory_signals_are_local_to_the_process(ticket_id: int) -> None:
    one, other = TypingBoard(MemorySignals()), TypingBoard(MemorySignals())
    one.customer(ticket_id, True, NOW)
    assert one.customer_typing(ticket_id, NOW)
    assert not other.customer_typing(ticket_id, NOW)


def test_the_setting_picks_the_store(engine: Engine) -> None:
    expected = "memory" if engine.dialect.name == "sqlite" else "database"
    assert shared_mode("auto", engine) == expected
    assert shared_mode("memory", engine) == "memory"
    with pytest.raises(ValueError, match="expected one of auto, memory, database"):
        shared_mode("redis", engine)
    if engine.dialect.name == "sqlite":
        with pytest.raises(ValueError, match="needs PostgreSQL"):
            open_shared(engine, "database")
    else:
        shared = open_shared(engine, "auto")
        assert isinstance(shared.limiter, DatabaseLimiter)
        assert isinstance(shared.signals, DatabaseSignals)


def test_shared_pool_is_one_per_database_and_process(pg: Engine) -> None:
    first, second = open_shared(pg, "database"), open_shared(pg, "database")
    assert isinstance(first.limiter, DatabaseLimiter)
    assert isinstance(second.limiter, DatabaseLimiter)
    assert first.limiter._engine is second.limiter._engine  # many apps in a process: one small pool
    assert first.limiter._engine is not pg  # never the main pool (a stream holds one of those)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    burst=st.integers(min_value=1, max_value=5),
    per_minute=st.integers(min_value=1, max_value=600),
    gaps=st.lists(st.integers(min_value=-2_000, max_value=30_000), min_size=1, max_size=12),
)
def test_the_database_bucket_answers_as_take_does(pg: Engine, burst: int, per_minute: int, gaps: list[int]) -> None:
    """The one-statement spend in SQL and the pure ``take`` agree on every sequence of hits (the
    clock going back included)."""
    key, rate = f"prop:{uuid.uuid4().hex}", Rate(burst, per_minute)  # not random: hypothesis seeds it
    database, memory, at = DatabaseLimiter(pg), MemoryLimiter(), NOW
    for gap in gaps:
        at += timedelta(milliseconds=gap)
        assert database.hit(key, at, rate) == memory.hit(key, at, rate)

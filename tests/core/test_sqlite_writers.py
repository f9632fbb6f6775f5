"""SQLite writers wait their turn in line: many concurrent requests all land, and every way a
transaction ends (commit, rollback, a connection handed back mid-transaction) passes the turn on."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import SADeprecationWarning

from otklik.channels.base import InboundMessage
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import do_receive_inbound
from otklik.messages.models import Message
from tests.conftest import migrated_url


def test_many_concurrent_writers_all_land(tmp_path: Path) -> None:
    engine = make_engine(migrated_url("sqlite", str(tmp_path), "writers"), pool_size=24, max_overflow=0)
    factory = make_session_factory(engine)
    failures: list[BaseException] = []
    start = threading.Barrier(24)

    def writer(n: int) -> None:
        start.wait()
        for k in range(8):
            try:
                with unit_of_work(factory) as session:
                    inbound = InboundMessage(
                        Channel.WEBCHAT, f"w{n}-{k}", IdentityKind.WEB, f"visitor-{n}", "Где заказ?"
                    )
                    do_receive_inbound(session, inbound)
            except BaseException as exc:  # every failure is the finding
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with factory() as session:
        stored = session.scalar(select(func.count()).select_from(Message))
    engine.dispose()
    assert failures == []
    assert stored == 24 * 8


def test_every_ending_passes_the_turn_on(tmp_path: Path) -> None:
    engine = make_engine(migrated_url("sqlite", str(tmp_path), "turns"))
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.commit()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.rollback()
    conn = engine.connect()
    conn.execute(text("SELECT 1"))
    conn.close()  # back to the pool mid-transaction
    other: list[int] = []
    worker = threading.Thread(target=lambda: other.append(_one(engine)))
    worker.start()
    worker.join(timeout=5)
    engine.dispose()
    assert other == [1]  # a leaked turn would have kept this thread waiting


def _one(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT 1")).scalar_one())


def test_the_pool_listeners_use_sqlalchemy_2_signatures(tmp_path: Path) -> None:
    """The writers' pool listeners are called the SQLAlchemy 2 way (no deprecated conversion), and a
    connection handed back mid-transaction still gives the writer's turn back."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SADeprecationWarning)
        engine = make_engine(f"sqlite:///{tmp_path}/listeners.db")
        connection = engine.connect()
        connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this connection holds the turn
        connection.close()  # handed back mid-transaction: the pool resets it
        with engine.begin() as second:  # would wait BUSY_SECONDS if the turn had not come back
            second.execute(text("SELECT 1"))
    engine.dispose()
    assert [str(w.message) for w in caught if issubclass(w.category, SADeprecationWarning)] == []

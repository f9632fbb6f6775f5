"""``otklik serve`` on SQLite runs the worker inside the app: a due job runs without any other process."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from otklik.core import jobs
from otklik.core.audit import AuditEvent
from otklik.core.config import Settings, wants_embedded_worker
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.main import create_app
from otklik.worker.diagnostics import PING
from tests.conftest import migrated_url


def test_the_app_runs_due_jobs_while_it_serves(tmp_path: Path) -> None:
    engine = make_engine(migrated_url("sqlite", str(tmp_path), "embedded"))
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        for _ in range(3):
            jobs.schedule(session, PING, {})
    app = create_app(engine, embedded_worker=True)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        deadline = time.monotonic() + 15
        done = 0
        while time.monotonic() < deadline and done < 3:
            with factory() as session:
                done = session.scalar(select(func.count()).where(AuditEvent.action == "diagnostics.ping")) or 0
            time.sleep(0.1)
    engine.dispose()
    assert done == 3


def test_the_worker_is_embedded_on_sqlite_only_unless_told() -> None:
    assert wants_embedded_worker(Settings(database_url="sqlite:///./var/x.db"))
    assert not wants_embedded_worker(Settings(database_url="postgresql+psycopg://u@h/db"))
    assert wants_embedded_worker(Settings(database_url="postgresql+psycopg://u@h/db", embedded_worker="on"))
    assert not wants_embedded_worker(Settings(database_url="sqlite:///./var/x.db", embedded_worker="off"))

"""Shared fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

Each test gets one connection inside an outer transaction that is rolled back
afterwards; the code under test commits to a savepoint on it. PostgreSQL is
required whenever ``OTKLIK_TEST_POSTGRES_URL`` is set or CI is running: if it
cannot be reached the run fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from otklik.agents.actions import do_create_agent, do_create_token
from otklik.agents.models import Agent
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.core.migrate import upgrade
from otklik.main import create_app
from otklik.worker import registry

registry.load()  # as every process does at start: every job kind, and who subscribes to intake
# Each test's app gets fresh flood buckets and typing signals, as a new process would; the shared
# (PostgreSQL) store commits outside the test's rolled-back transaction, so tests/core/test_shared.py
# and tests/deploy/test_two_servers.py test it on databases of their own.
os.environ.setdefault("OTKLIK_SHARED_STATE", "memory")
get_settings.cache_clear()

PG_URL = os.environ.get("OTKLIK_TEST_POSTGRES_URL")
PG_REQUIRED = bool(PG_URL) or os.environ.get("CI") == "true" or os.environ.get("OTKLIK_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"] if PG_REQUIRED else ["sqlite"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if PG_REQUIRED and not PG_URL:
        pytest.exit("CI needs PostgreSQL: set OTKLIK_TEST_POSTGRES_URL (see .ci/run)", returncode=3)


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Create (or recreate) database ``name`` on the server of ``base_url``; returns its URL."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the run must fail loudly, never skip
        pytest.fail(f"PostgreSQL at {make_url(base_url).host} is required but unreachable: {exc}", pytrace=False)
    finally:
        admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Remove a database that ``fresh_postgres_database`` made (no-op for SQLite)."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not PG_URL:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def migrated_url(backend: str, tmp_dir: str, tag: str) -> str:
    """A brand-new database of ``backend`` with every migration applied."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir}/{tag}.db"
    else:
        assert PG_URL
        url = fresh_postgres_database(PG_URL, f"otklik_test_{tag}_{os.getpid()}")
    upgrade(url)
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = migrated_url(request.param, str(tmp_path_factory.mktemp("db")), "main")
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_postgres_database(url)


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[Engine]:
    """A PostgreSQL database of the test's own, for real commits and real locks between connections
    (deadlocks, terminated backends); skipped only where no PostgreSQL is configured (CI has one)."""
    if not PG_URL:
        pytest.skip("needs PostgreSQL (OTKLIK_TEST_POSTGRES_URL); CI sets it")
    url = migrated_url("postgresql", str(tmp_path), "own")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_postgres_database(url)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    fake = clock.FrozenClock(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))  # Monday, 12:05 in Moscow
    previous = clock.install(fake)
    yield fake
    clock.install(previous)


@dataclass
class Persona:
    """An agent with a live token, ready to call the API."""

    agent: Agent
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _persona(session: Session, email: str, name: str, role: str, teams: list[str], skills: dict[str, int]) -> Persona:
    actor = Actor.system("tests")
    agent = do_create_agent(session, email=email, name=name, role=role, teams=teams, skills=skills, actor=actor)
    return Persona(agent, do_create_token(session, agent, actor=actor))


@dataclass
class Cast:
    """The people of the stories: an admin, a lead and agents of two teams."""

    admin_olga: Persona
    lead_boris: Persona
    agent_marina: Persona
    agent_anna: Persona
    agent_pavel: Persona


@pytest.fixture
def cast(db: Session) -> Cast:
    people = Cast(
        admin_olga=_persona(db, "olga@otklik.test", "Ольга Админова", "admin", [], {}),
        lead_boris=_persona(db, "boris@otklik.test", "Борис Лидов", "lead", ["FBO"], {"shipping": 3}),
        agent_marina=_persona(db, "marina@otklik.test", "Марина Складова", "agent", ["FBO"], {"shipping": 2}),
        agent_anna=_persona(db, "anna@otklik.test", "Анна Финансова", "agent", ["Финансы"], {"finance": 2}),
        agent_pavel=_persona(db, "pavel@otklik.test", "Павел Второй", "agent", ["Финансы"], {"finance": 1}),
    )
    db.commit()
    return people


@pytest.fixture
def client(engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(engine)
    app.state.session_factory = session_factory
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def unique(prefix: str = "m") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"

"""Reports read from a read replica when one is configured (issue 13: «a read replica for analytics»).

The "replica" here is a second migrated database of the same engine holding other tickets: what is
tested is that ``GET /api/v1/analytics/channels`` reads from ``OTKLIK_REPORTS_DATABASE_URL`` while
everything else (the agent's token included) stays on the primary. Streaming replication itself is
PostgreSQL's, not ours.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.base import InboundMessage
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.main import create_app
from otklik.messages.actions import do_receive_inbound
from tests.conftest import Cast, drop_postgres_database, migrated_url


@pytest.fixture
def replica(engine: Engine, tmp_path: Path) -> tuple[str, int]:
    """A database of the same engine with three VK tickets the primary does not have."""
    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    url = migrated_url(backend, str(tmp_path), "replica")
    other = make_engine(url)
    with Session(other) as session:
        for number in range(3):
            inbound = InboundMessage(Channel.VK, f"replica-{number}", IdentityKind.VK, f"id{number}", "Где заказ?")
            do_receive_inbound(session, inbound)
        session.commit()
    other.dispose()
    yield url, 3
    drop_postgres_database(url)


def _vk_tickets(app_client: TestClient, cast: Cast) -> int:
    answer = app_client.get("/api/v1/analytics/channels?days=7", headers=cast.lead_boris.headers)
    assert answer.status_code == 200, answer.text
    return next(row["tickets"] for row in answer.json()["channels"] if row["channel"] == "vk")


def test_reports_read_the_replica_and_the_rest_the_primary(
    engine: Engine, session_factory: sessionmaker[Session], cast: Cast, replica: tuple[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    url, tickets = replica

    def app_with(reports_url: str | None) -> TestClient:
        if reports_url:
            monkeypatch.setenv("OTKLIK_REPORTS_DATABASE_URL", reports_url)
        else:
            monkeypatch.delenv("OTKLIK_REPORTS_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        app = create_app(engine)
        app.state.session_factory = session_factory  # the primary: this test's transaction
        return TestClient(app, raise_server_exceptions=False)

    try:
        assert _vk_tickets(app_with(None), cast) == 0  # the primary has none
        assert _vk_tickets(app_with(url), cast) == tickets  # the lead's token was checked on the primary
    finally:
        monkeypatch.delenv("OTKLIK_REPORTS_DATABASE_URL", raising=False)
        get_settings.cache_clear()

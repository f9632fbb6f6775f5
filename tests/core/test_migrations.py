"""The migrations build the schema the models describe, on both databases, and unwind on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect

from otklik.core.migrate import alembic_config, downgrade, upgrade
from tests.conftest import BACKENDS, drop_postgres_database, migrated_url


def test_schema_matches_the_models(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    command.check(alembic_config(url))  # raises when the models and the migrated schema differ
    tables = set(inspect(engine).get_table_names())
    assert {"tickets", "messages", "jobs", "audit_events", "notifications", "sla_policies"} <= tables
    assert "outbox" not in tables  # deliveries live in the job table


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not configured (CI always configures it)")
def test_postgresql_migrates_down_and_up_again(tmp_path: Path) -> None:
    url = migrated_url("postgresql", str(tmp_path), "migrations")
    engine = create_engine(url)
    try:
        downgrade(url, "base")
        assert "tickets" not in inspect(engine).get_table_names()
        upgrade(url)
        command.check(alembic_config(url))
    finally:
        engine.dispose()
        drop_postgres_database(url)

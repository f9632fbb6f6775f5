"""The ``otklik`` command line as the contract names it: migrate, agents create, tokens create."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.agents.models import Agent
from otklik.cli.main import app
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.main import create_app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file that every command of the test talks to, through the environment."""
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def migrated(database: str, runner: CliRunner) -> str:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    return database


def agents_in(url: str) -> list[Agent]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Agent).order_by(Agent.id)))
    finally:
        engine.dispose()


def test_migrate_creates_the_schema_and_is_repeatable(database: str, runner: CliRunner) -> None:
    first = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0, first.output
    assert "database is up to date" in first.stdout
    engine = make_engine(database)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"agents", "customers", "identities", "tickets", "messages", "audit_events"} <= tables
    again = runner.invoke(app, ["migrate"])
    assert again.exit_code == 0, again.output


def test_agents_create_with_role_skills_and_team(migrated: str, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "agents",
            "create",
            "--email",
            "Marina@Otklik.test",
            "--name",
            "Марина Складова",
            "--role",
            "lead",
            "--skills",
            "shipping, returns",
            "--team",
            "FBO",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "marina@otklik.test" in result.stdout
    [agent] = agents_in(migrated)
    assert (agent.email, agent.name, agent.role, agent.active) == (
        "marina@otklik.test",
        "Марина Складова",
        "lead",
        True,
    )
    assert sorted(s.category for s in agent.skills) == ["returns", "shipping"]
    assert [t.name for t in agent.teams] == ["FBO"]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--role", "boss"], "role"),
        (["--skills", "shipping,astrology"], "astrology"),
        (["--email", "not-an-email"], "email"),
    ],
    ids=["bad role", "unknown skill", "bad email"],
)
def test_agents_create_refuses_bad_input_with_exit_2_in_both_languages(
    migrated: str, runner: CliRunner, args: list[str], names: str
) -> None:
    base = {"--email": "kirill@otklik.test", "--name": "Кирилл", "--role": "agent"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = runner.invoke(app, ["agents", "create", *[part for pair in base.items() for part in pair]])
    assert result.exit_code == 2, result.output
    assert "Ошибка:" in result.stderr
    assert "Error:" in result.stderr
    assert names in result.stderr
    assert result.stdout == ""
    assert agents_in(migrated) == []


def test_agents_create_refuses_a_taken_email(migrated: str, runner: CliRunner) -> None:
    command = ["agents", "create", "--email", "anna@otklik.test", "--name", "Анна", "--role", "agent"]
    assert runner.invoke(app, command).exit_code == 0
    again = runner.invoke(app, [*command[:-1], "admin"])
    assert again.exit_code == 2
    assert "anna@otklik.test" in again.stderr
    assert [a.role for a in agents_in(migrated)] == ["agent"]


def test_tokens_create_prints_a_working_token_alone_on_the_last_line(migrated: str, runner: CliRunner) -> None:
    created = runner.invoke(
        app, ["agents", "create", "--email", "olga@otklik.test", "--name", "Ольга", "--role", "admin"]
    )
    assert created.exit_code == 0, created.output
    result = runner.invoke(app, ["tokens", "create", "--agent", "OLGA@otklik.test"])
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    token = last.strip()
    assert last == token
    assert " " not in token
    assert len(token) >= 32

    engine = make_engine(migrated)
    try:
        with TestClient(create_app(engine)) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, me.text
            assert me.json()["email"] == "olga@otklik.test"
            assert me.json()["role"] == "admin"
            # a second token is a different one; both work
            second = runner.invoke(app, ["tokens", "create", "--agent", "olga@otklik.test"]).stdout.splitlines()[-1]
            assert second != token
            assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    finally:
        engine.dispose()


def test_tokens_create_for_an_unknown_agent_fails_with_exit_2(migrated: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["tokens", "create", "--agent", "ghost@otklik.test"])
    assert result.exit_code == 2
    assert "ghost@otklik.test" in result.stderr
    assert "Ошибка:" in result.stderr
    assert "Error:" in result.stderr
    assert result.stdout == ""


def test_agents_count_is_untouched_by_failed_commands(migrated: str, runner: CliRunner) -> None:
    runner.invoke(app, ["agents", "create", "--email", "x@otklik.test", "--name", "X", "--role", "nobody"])
    runner.invoke(app, ["tokens", "create", "--agent", "x@otklik.test"])
    engine = make_engine(migrated)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Agent)) == 0
    finally:
        engine.dispose()

"""``otklik kb import`` (the seed set, idempotent) and ``otklik bot eval`` (the numbers, the bar)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from otklik.cli.main import app
from otklik.core.config import get_settings


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_kb_import_loads_the_seed_once(database: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    first = runner.invoke(app, ["kb", "import"])
    assert first.exit_code == 0, first.output
    assert "56 created" in first.output
    again = runner.invoke(app, ["kb", "import"])
    assert "0 created, 0 updated, 56 unchanged" in again.output
    reindexed = runner.invoke(app, ["kb", "reindex"])
    assert reindexed.exit_code == 0
    assert "56" in reindexed.output


def test_bot_eval_prints_precision_coverage_and_handoff_and_holds_the_bar_on_held_out() -> None:
    result = CliRunner().invoke(app, ["bot", "eval", "--split", "heldout", "--strict", "--show"])
    assert result.exit_code == 0, result.output
    assert "heldout:" in result.output
    assert "answer precision" in result.output
    assert "coverage" in result.output
    assert "personal handed off" in result.output

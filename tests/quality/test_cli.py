"""``otklik quality eval`` prints per-flag precision and recall and the bar."""

from __future__ import annotations

from typer.testing import CliRunner

from otklik.cli.main import app


def test_eval_prints_the_table() -> None:
    result = CliRunner().invoke(app, ["quality", "eval", "--split", "heldout", "--strict"])
    assert result.exit_code == 0, result.output
    for code in ("cliche", "hedging", "blame", "stalling", "kb_dump", "refusal_without_reason", "micro"):
        assert code in result.output
    assert "good replies flagged" in result.output
    assert "bar met" in result.output


def test_check_one_draft() -> None:
    result = CliRunner().invoke(app, ["quality", "check", "Ожидайте ответа."])
    assert result.exit_code == 1
    assert "stalling" in result.output
    assert CliRunner().invoke(app, ["quality", "check", "Анна ответит до 15:00."]).exit_code == 0


def test_unknown_split() -> None:
    assert CliRunner().invoke(app, ["quality", "eval", "--split", "nope"]).exit_code == 2

"""Agents' overrides and dismissals feed the checker's evaluation: ``otklik quality eval
--with-feedback`` reads them from the database as extra labelled examples (gold: the flags at the
time minus the disputed ones) and reports them apart from the held-out numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.cli.main import app
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.quality.checker import check_reply
from otklik.quality.models import QualityFeedback
from otklik.quality.queries import feedback_examples
from tests.conftest import migrated_url


def stored(reply: str, decision: str, disputed: list[str], reason: str) -> QualityFeedback:
    found = check_reply(reply)
    return QualityFeedback(
        decision=decision, reason=reason, reply=reply, customer_message=None, lang=found.lang, public=True,
        flags=[{"code": f.code, "start": f.start, "end": f.end, "text": f.fragment, "level": "block"}
               for f in found.flags],
        disputed=disputed, created_at=clock.now(),
    )  # fmt: skip


@pytest.fixture
def feedback_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file holding one override and one dismissal, as ``otklik`` will find it."""
    url = migrated_url("sqlite", str(tmp_path), "feedback")
    engine = make_engine(url)
    with Session(engine) as session:
        session.add(stored("Мы понимаем ваше негодование. Анна напишет до 15:00.", "override", ["cliche"], "просили"))
        session.add(stored("Ожидайте ответа. Постараемся помочь.", "dismissal", ["stalling"], "автоответ"))
        session.commit()
        examples = feedback_examples(session)
    engine.dispose()
    assert [(e.decision, e.disputed) for e in examples] == [("override", ("cliche",)), ("dismissal", ("stalling",))]
    assert examples[0].item.flags == ()  # the disputed cliché is not gold
    assert [f.code for f in examples[1].item.flags] == ["hedging"]  # the undisputed hedge stays gold
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_eval_with_feedback_reports_the_agents_examples_apart_from_the_held_out_numbers(feedback_db: str) -> None:
    result = CliRunner().invoke(app, ["quality", "eval", "--split", "heldout", "--strict", "--with-feedback"])
    assert result.exit_code == 0, result.output
    held_out, _, feedback = result.output.partition("agents' feedback")
    assert "bar met" in held_out  # the bar is judged on the held-out split alone
    assert "2 (обход блокировки / overrides 1, отклонено / dismissals 1)" in feedback
    assert "micro" in feedback
    assert "disputed flags still raised: 2/2" in feedback


def test_eval_without_feedback_does_not_touch_the_database(feedback_db: str) -> None:
    result = CliRunner().invoke(app, ["quality", "eval", "--split", "heldout"])
    assert result.exit_code == 0, result.output
    assert "agents' feedback" not in result.output

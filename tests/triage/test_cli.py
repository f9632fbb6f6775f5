"""``otklik triage train`` and ``otklik triage eval`` end to end, and an agent's correction in the
database changing the next model's answer on that text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.agents.actions import actor_of, do_create_agent
from otklik.channels.base import InboundMessage
from otklik.cli.main import app
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.core.migrate import upgrade
from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.messages.actions import do_receive_inbound
from otklik.tickets.actions import do_triage
from otklik.triage.model import load
from otklik.triage.queries import agent_labels


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/triage.db"
    upgrade(url)
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_train_on_a_subset_then_eval_prints_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "small.npz"
    runner = CliRunner()
    trained = runner.invoke(app, ["triage", "train", "--limit", "300", "--out", str(out), "--no-corrections"])
    assert trained.exit_code == 0, trained.output
    assert "Модель записана / model written" in trained.output
    assert out.exists()
    scored = runner.invoke(app, ["triage", "eval", "--model", str(out), "--split", "test"], env={"COLUMNS": "200"})
    assert scored.exit_code == 0, scored.output
    for expected in ("category accuracy", "precision", "recall", "F1", "urgent recall", "true \\ predicted"):
        assert expected in scored.output
    assert "shipping" in scored.output
    assert "urgent" in scored.output


def test_eval_refuses_an_unknown_split() -> None:
    result = CliRunner().invoke(app, ["triage", "eval", "--split", "somewhere"])
    assert result.exit_code != 0


def test_an_agents_correction_changes_the_next_model(database: str, tmp_path: Path) -> None:
    text = "Подскажите, пожалуйста, кто у вас занимается подарочной упаковкой для корпоративных заказов"
    before = load(_train(tmp_path / "before.npz", corrections=False)).predict(text)
    wanted = Category.FINANCE if before.category != "finance" else Category.ORDERS
    engine = make_engine(database)
    with Session(engine) as session:
        agent = do_create_agent(
            session, email="lena@otklik.test", name="Лена", role="agent", actor=Actor.system("tests")
        )
        inbound = InboundMessage(Channel.EMAIL, "m-correction-1", IdentityKind.EMAIL, "client@example.com", text)
        ticket = do_receive_inbound(session, inbound).ticket
        do_triage(session, ticket, category=wanted, urgency=Urgency.LOW, owner=agent, actor=actor_of(agent))
        session.commit()
        [label] = agent_labels(session)
    engine.dispose()
    assert (label.text, label.category, label.urgency) == (text, wanted.value, "low")

    after = load(_train(tmp_path / "after.npz", corrections=True)).predict(text)
    assert (after.category, after.urgency) == (wanted.value, "low")
    assert after.category != before.category


def _train(out: Path, *, corrections: bool) -> Path:
    flag = "--corrections" if corrections else "--no-corrections"
    result = CliRunner().invoke(app, ["triage", "train", "--limit", "200", "--out", str(out), flag])
    assert result.exit_code == 0, result.output
    if corrections:
        assert "agents' corrections: 1" in result.output
    return out

"""The bot's fixtures: the seed knowledge base in the test database, a worker round, a fixed triage."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from otklik.bot.tasks import use_triager
from otklik.bot.triage_link import TriageView
from otklik.core import jobs
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.kb.seed import ImportSummary, do_import_seed, load_seed
from otklik.triage.settings import get_triage_settings
from otklik.worker import registry

registry.load()

#: what the tests' triage says: urgent when someone stands at a warehouse right now
URGENT_WORDS = ("стою на складе", "водитель на складе", "аккаунт взломали")


def fixed_triage(text: str) -> TriageView:
    lowered = text.lower()
    urgent = any(w in lowered for w in URGENT_WORDS)
    category = "shipping" if "склад" in lowered or "поставк" in lowered else "orders"
    return TriageView(category, "urgent" if urgent else "normal", 0.9 if urgent else 0.7, "test")


@pytest.fixture
def seeded(db: Session) -> ImportSummary:
    """The seed articles, committed to the test's savepoint."""
    summary = do_import_seed(db, load_seed(), actor=Actor.system("tests"))
    db.commit()
    return summary


@pytest.fixture
def triage(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], TriageView]]:
    """The bot's tests bring their own triage: the real model's job is switched off so it cannot
    overrule this one through routing (its recall-first urgency threshold flags some plain questions)."""
    monkeypatch.setenv("OTKLIK_TRIAGE_ENABLED", "false")
    get_settings.cache_clear()
    get_triage_settings.cache_clear()
    use_triager(fixed_triage)
    yield fixed_triage
    use_triager(None)
    get_settings.cache_clear()
    get_triage_settings.cache_clear()


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """One worker round, as ``otklik worker`` does it."""

    def round_() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    return round_

"""Per-sender rate limits, counted in the database. Since issue 12 they protect people, not rows:
a message beyond the limit is stored on the sender's ticket like any other (a channel such as
Telegram never sends an acknowledged update again), but it wakes nobody — no bot turn is scheduled
for it — and its audit row names the limit it went over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels import registry
from otklik.core import clock, jobs
from otklik.core.audit import AuditEvent
from otklik.core.config import get_settings
from otklik.core.jobs import Job, JobState
from otklik.messages.models import Message
from tests.channels.test_webhook_route import ToyViber
from tests.conftest import Cast, unique


@pytest.fixture
def tight(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OTKLIK_RATE_PER_MINUTE", "3")
    monkeypatch.setenv("OTKLIK_RATE_PER_DAY", "5")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Any:
    """One worker round."""

    def round_() -> int:
        return jobs.run_due(session_factory, worker="test")

    return round_


def inbound(client: TestClient, cast: Cast, sender: str, external_id: str | None = None) -> object:
    body = {"channel": "telegram", "external_id": external_id or unique(), "sender": {"kind": "telegram",
            "value": sender}, "text": "Ответьте!"}  # fmt: skip
    return client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_anna.headers)


def stored(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(Message)) or 0)


def over_rate(db: Session) -> list[str]:
    db.expire_all()
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "message.received").order_by(AuditEvent.id))
    return [str(row.data.get("over_rate", "")) for row in rows]


def bot_turns_pending(db: Session, ticket_id: int) -> int:
    db.expire_all()
    query = select(func.count()).select_from(Job).where(Job.key == f"bot:{ticket_id}", Job.state == JobState.PENDING)
    return int(db.scalar(query) or 0)


def test_a_message_over_the_limit_is_stored_and_wakes_nobody(
    client: TestClient, cast: Cast, db: Session, frozen_clock: clock.FrozenClock, tight: None, run: Any
) -> None:
    frozen_clock.advance(timedelta(seconds=15))  # 09:05:15
    first = unique()
    tickets = set()
    for n in range(3):
        answer = inbound(client, cast, "flood_tg", first if n == 0 else None)
        assert answer.status_code == 201  # type: ignore[attr-defined]
        tickets.add(answer.json()["ticket_id"])  # type: ignore[attr-defined]
    (ticket_id,) = tickets
    run()  # the bot reads the three messages; no turn is left pending
    assert bot_turns_pending(db, ticket_id) == 0
    before = stored(db)
    fourth = inbound(client, cast, "flood_tg")
    assert fourth.status_code == 201  # type: ignore[attr-defined]  # stored, not refused
    assert fourth.json()["ticket_id"] in tickets  # type: ignore[attr-defined]  # folded into the sender's ticket
    assert stored(db) == before + 1
    assert bot_turns_pending(db, ticket_id) == 0  # …and nobody was woken for it
    assert over_rate(db)[-1] == "3/minute"
    assert inbound(client, cast, "flood_tg", first).status_code == 200  # type: ignore[attr-defined]  # a retry is no new message
    assert inbound(client, cast, "calm_tg").status_code == 201  # type: ignore[attr-defined]  # others are not held up
    frozen_clock.advance(timedelta(seconds=45))
    assert inbound(client, cast, "flood_tg").status_code == 201  # type: ignore[attr-defined]
    assert over_rate(db)[-1] == ""  # a new minute: within the limit again
    assert bot_turns_pending(db, ticket_id) == 1
    frozen_clock.advance(timedelta(minutes=1))
    inbound(client, cast, "flood_tg")
    inbound(client, cast, "flood_tg")
    assert over_rate(db)[-1] == "5/day"


def test_a_public_author_over_the_limit_is_stored_too(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, tight: None
) -> None:
    for n in range(4):
        body = {"url": f"https://site.test/p/{n}", "author": "Angry" if n == 3 else "angry", "text": "Безобразие"}
        answer = client.post("/api/v1/channels/public/mentions", json=body, headers=cast.agent_anna.headers)
        assert answer.status_code == 201, answer.text


def test_a_webhook_flood_is_stored_whole(
    client: TestClient, cast: Cast, db: Session, frozen_clock: clock.FrozenClock, tight: None
) -> None:
    """Issue 12, item 4: 30 messages of one chat in a few seconds (a 21-photo album is enough) were
    acknowledged to the channel, 10 of them dropped for the per-sender limit."""
    registry.WEBHOOKS["viber"] = lambda _settings: ToyViber()
    try:
        batch = [{"id": f"f{n}", "from": "79990001122", "text": f"Сообщение {n}"} for n in range(30)]
        answer = client.post("/api/v1/channels/viber/webhook", content=json.dumps(batch),
                             headers={"X-Toy-Secret": "s3cret"})  # fmt: skip
    finally:
        del registry.WEBHOOKS["viber"]
    assert answer.json() == {"ok": True, "stored": 30, "duplicates": 0, "refused": 0}
    texts = set(db.scalars(select(Message.text).where(Message.channel == "viber")))
    assert {f"Сообщение {n}" for n in range(30)} <= texts
    assert len(set(db.scalars(select(Message.ticket_id).where(Message.channel == "viber")))) == 1
    health = client.get("/api/v1/settings/channels/health", headers=cast.admin_olga.headers)
    viber = next(c for c in health.json()["items"] if c["channel"] == "viber")
    assert viber["last_error"] is None  # a busy customer is no channel fault

"""Per-sender rate limits, counted in the database: beyond the limit a message is refused with 429,
Retry-After and a problem naming the limit, and nothing of it is stored; a webhook flood is
reported message by message, never dropped silently."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.channels import registry
from otklik.core import clock
from otklik.core.config import get_settings
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


def inbound(client: TestClient, cast: Cast, sender: str, external_id: str | None = None) -> object:
    body = {"channel": "telegram", "external_id": external_id or unique(), "sender": {"kind": "telegram",
            "value": sender}, "text": "Ответьте!"}  # fmt: skip
    return client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_anna.headers)


def stored(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(Message)) or 0)


def test_the_fourth_message_in_a_minute_waits_for_the_next_minute(
    client: TestClient, cast: Cast, db: Session, frozen_clock: clock.FrozenClock, tight: None
) -> None:
    frozen_clock.advance(timedelta(seconds=15))  # 09:05:15
    first = unique()
    for n in range(3):
        answer = inbound(client, cast, "flood_tg", first if n == 0 else None)
        assert answer.status_code == 201  # type: ignore[attr-defined]
    before = stored(db)
    refused = inbound(client, cast, "flood_tg")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert refused.headers["retry-after"] == "45"  # type: ignore[attr-defined]
    assert refused.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    problem = refused.json()  # type: ignore[attr-defined]
    assert (problem["code"], problem["limit"], problem["retry_after"]) == ("rate_limited", "3/minute", 45)
    assert "3/minute" in problem["detail"]
    assert stored(db) == before
    assert inbound(client, cast, "flood_tg", first).status_code == 200  # type: ignore[attr-defined]  # a retry is no new message
    assert inbound(client, cast, "calm_tg").status_code == 201  # type: ignore[attr-defined]  # others are not held up
    frozen_clock.advance(timedelta(seconds=45))
    assert inbound(client, cast, "flood_tg").status_code == 201  # type: ignore[attr-defined]
    assert inbound(client, cast, "flood_tg").status_code == 201  # type: ignore[attr-defined]
    frozen_clock.advance(timedelta(minutes=1))
    day = inbound(client, cast, "flood_tg")
    assert day.status_code == 429  # type: ignore[attr-defined]
    assert day.json()["limit"] == "5/day"  # type: ignore[attr-defined]
    assert day.headers["retry-after"] == str(int((timedelta(hours=14, minutes=53)).total_seconds()))  # type: ignore[attr-defined]


def test_the_public_mentions_endpoint_is_limited_per_author(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, tight: None
) -> None:
    for n in range(3):
        body = {"url": f"https://site.test/p/{n}", "author": "angry", "text": "Безобразие"}
        assert (
            client.post("/api/v1/channels/public/mentions", json=body, headers=cast.agent_anna.headers).status_code
            == 201
        )
    body = {"url": "https://site.test/p/9", "author": "Angry", "text": "Безобразие"}
    refused = client.post("/api/v1/channels/public/mentions", json=body, headers=cast.agent_anna.headers)
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")


def test_a_webhook_flood_is_refused_message_by_message(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, tight: None, caplog: pytest.LogCaptureFixture
) -> None:
    registry.WEBHOOKS["viber"] = lambda _settings: ToyViber()
    try:
        batch = [{"id": f"f{n}", "from": "79990001122", "text": f"Сообщение {n}"} for n in range(5)]
        answer = client.post("/api/v1/channels/viber/webhook", content=json.dumps(batch),
                             headers={"X-Toy-Secret": "s3cret"})  # fmt: skip
    finally:
        del registry.WEBHOOKS["viber"]
    assert answer.json() == {"ok": True, "stored": 3, "refused": 2}
    assert "viber f3 refused: Too many messages" in caplog.text
    health = client.get("/api/v1/settings/channels/health", headers=cast.admin_olga.headers)
    viber = next(c for c in health.json()["items"] if c["channel"] == "viber")
    assert viber["last_error"].startswith("f4: Too many messages from viber:79990001122: at most 3/minute")

"""Shared pieces of the messenger stories: a stand-in API, channel settings, a worker round, the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels import registry as channels
from otklik.channels.adapters import telegram, viber, vk, whatsapp
from otklik.core import jobs, outbox
from otklik.core.config import get_settings
from otklik.messages.actions import DELIVER
from otklik.messages.models import Attachment, Message
from otklik.worker import registry
from tests.channels.standin import StandIn, running
from tests.conftest import Persona

registry.load()
FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture(kind: str, name: str) -> bytes:
    """A recorded payload, byte for byte as the channel would send it."""
    return (FIXTURES / kind / name).read_bytes()


def fixture_json(kind: str, name: str) -> dict[str, Any]:
    return dict(json.loads(fixture(kind, name)))


def dump(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def real_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry's own rows, whatever another test module swapped in for its toys."""
    for table, rows in (
        (channels.WEBHOOKS, {"telegram": telegram.webhook, "vk": vk.webhook, "whatsapp": whatsapp.webhook}),
        (channels.SENDERS, {"telegram": telegram.sender, "vk": vk.sender, "whatsapp": whatsapp.sender}),
    ):
        for channel, factory in rows.items():
            monkeypatch.setitem(table, channel, factory)
    monkeypatch.setitem(channels.WEBHOOKS, "viber", viber.adapter)
    monkeypatch.setitem(channels.SENDERS, "viber", viber.adapter)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with running() as server:
        yield server


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set ``OTKLIK_*`` settings for this test: ``configure(telegram_bot_token="...")``."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"OTKLIK_{name.upper()}", value)
        get_settings.cache_clear()

    yield set_
    get_settings.cache_clear()


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """One worker round, as ``otklik worker`` does it."""
    return lambda: jobs.run_due(session_factory, worker="test")


def tickets(client: TestClient, who: Persona, channel: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/tickets", params={"channel": channel}, headers=who.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def only_ticket(client: TestClient, who: Persona, channel: str) -> dict[str, Any]:
    found = tickets(client, who, channel)
    assert len(found) == 1, found
    return found[0]


def messages(client: TestClient, who: Persona, ticket_id: int) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def reply(client: TestClient, who: Persona, ticket_id: int, text: str) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/tickets/{ticket_id}/replies", json={"text": text, "public": True}, headers=who.headers
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["delivery"]["state"] == "queued"
    return dict(answer.json())


def health(client: TestClient, admin: Persona, channel: str) -> dict[str, Any]:
    answer = client.get("/api/v1/settings/channels/health", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    return next(dict(h) for h in answer.json()["items"] if h["channel"] == channel)


def delivery_job(db: Session, message_id: int) -> jobs.Job:
    db.expire_all()
    job = db.scalar(select(jobs.Job).where(jobs.Job.key == outbox.entry_key(message_id, DELIVER)))
    assert job is not None
    return job


def stored(db: Session, message_id: int) -> tuple[Message, list[Attachment]]:
    """The message row and its files, for what the API does not show (placeholder flag, bytes)."""
    db.expire_all()
    message = db.get(Message, message_id)
    assert message is not None
    files = list(db.scalars(select(Attachment).where(Attachment.message_id == message_id).order_by(Attachment.id)))
    return message, files

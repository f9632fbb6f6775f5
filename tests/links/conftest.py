"""Fixtures of the link tests: a stand-in e-mail channel that keeps what it sends, and a worker round."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels import registry
from otklik.channels.base import DeliveryResult, OutboundMessage
from otklik.core import jobs
from otklik.worker import registry as tasks

tasks.load()


class Outbox:
    """A stand-in e-mail channel that keeps what it was asked to send."""

    channel = "email"

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.sent.append(message)
        return DeliveryResult(True, external_id=f"<mail-{len(self.sent)}@test>")


@pytest.fixture
def mailbox() -> Iterator[Outbox]:
    box = Outbox()
    previous = registry.SENDERS.get("email")
    registry.SENDERS["email"] = lambda _settings: box
    yield box
    if previous is not None:
        registry.SENDERS["email"] = previous


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Any:
    """One worker round."""

    def round_() -> int:
        return jobs.run_due(session_factory, worker="test")

    return round_

"""Fixtures of the reply-policy and parity tests: stand-in channels that keep what they send
(Telegram and the public site need no credentials here), and one worker round."""

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
CHANNELS = ("telegram", "public", "webchat", "vk")


class Sent:
    """Every reply a stand-in channel was asked to send, in order."""

    def __init__(self) -> None:
        self.messages: list[OutboundMessage] = []

    def adapter(self, channel: str) -> Any:
        outbox = self

        class StandIn:
            def send(self, message: OutboundMessage) -> DeliveryResult:
                outbox.messages.append(message)
                return DeliveryResult(True, external_id=f"{channel}-out-{len(outbox.messages)}")

        return StandIn()

    def on(self, channel: str) -> list[str]:
        return [m.text for m in self.messages if m.channel == channel]


@pytest.fixture
def sent() -> Iterator[Sent]:
    box = Sent()
    previous = {channel: registry.SENDERS.get(channel) for channel in CHANNELS}
    for channel in CHANNELS:
        registry.SENDERS[channel] = lambda _settings, channel=channel: box.adapter(channel)
    yield box
    for channel, factory in previous.items():
        if factory is None:
            registry.SENDERS.pop(channel, None)
        else:
            registry.SENDERS[channel] = factory


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Any:
    """One worker round: due jobs only (deliveries and timers), no periodic sweeps."""

    def round_() -> int:
        return jobs.run_due(session_factory, worker="test")

    return round_

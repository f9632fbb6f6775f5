"""The adapter protocol: every channel turns our outbound message into its own send call.

Adapters hold no business logic: they import only this module, ``core`` and their
own client library; ``send`` is their only I/O and reports what the channel said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A reply to deliver: who to, what, and the ids that thread it in the customer's client."""

    message_id: int
    ticket_id: int
    channel: str
    recipient: str
    text: str
    subject: str = ""
    agent_name: str = ""
    reply_to_external_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What the channel answered: ``sent`` only on its confirmation; ``permanent`` failures are not retried."""

    sent: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False


class ChannelAdapter(Protocol):
    """What the delivery task needs from a channel."""

    channel: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


class ChannelNotConfigured(Exception):
    """No adapter can deliver on this channel here (credentials or settings missing)."""

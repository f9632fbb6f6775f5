"""The adapter protocol: every channel turns our outbound message into its own send call.

Adapters hold no business logic: they import only this module, ``core`` and their
own client library; ``send`` is their only I/O and reports what the channel said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from otklik.core.taxonomy import Channel, IdentityKind

#: attachments larger than this are not stored (the message says so instead)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    """A file that came with a message, checked by the adapter for type and size."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A customer's message in the channel-neutral form every adapter produces.

    ``thread_refs`` are the channel's ids of earlier messages this one answers (e-mail
    In-Reply-To/References); ``ticket_hint`` a ticket number the customer quoted (#10234);
    ``placeholder`` marks content we cannot show (a sticker, a view-once photo): the text
    then describes it so the ticket shows something instead of nothing; ``edit_of`` is the
    external id of the message this one edits; ``source`` keeps the original bytes (MIME).
    """

    channel: Channel
    external_id: str
    sender_kind: IdentityKind
    sender_value: str
    text: str
    display_name: str | None = None
    subject: str | None = None
    url: str | None = None
    sent_at: datetime | None = None
    attachments: tuple[InboundAttachment, ...] = ()
    thread_refs: tuple[str, ...] = ()
    ticket_hint: int | None = None
    placeholder: bool = False
    edit_of: str | None = None
    source: bytes | None = None
    source_type: str | None = None


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
    #: the channel refused our credentials (a revoked bot token): the channel turns red
    credentials_rejected: bool = False


class ChannelAdapter(Protocol):
    """What the delivery task needs from a channel."""

    channel: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


class ChannelNotConfigured(Exception):
    """No adapter can deliver on this channel here (credentials or settings missing)."""


class ChannelAuthError(Exception):
    """A webhook call failed the channel's own authentication (secret, signature)."""


class PayloadError(Exception):
    """A webhook payload is malformed as a whole; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """What one webhook call carried: messages to take in, and what to answer the channel."""

    messages: tuple[InboundMessage, ...] = ()
    #: a body the channel expects back (e.g. VK's confirmation string); None → {"ok": true}
    reply_text: str | None = None


class WebhookAdapter(Protocol):
    """A channel that calls us: check who is calling, then turn the payload into messages."""

    channel: str

    def verify(self, headers: Mapping[str, str], body: bytes) -> None: ...

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome: ...

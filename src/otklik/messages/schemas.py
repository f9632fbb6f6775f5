"""API shapes for messages: inbound intake, replies, the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from otklik.core.schemas import NON_BLANK, StrictIn, UTCTime
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.schemas import value_by_kind
from otklik.messages.models import Message


class SenderIn(StrictIn):
    model_config = ConfigDict(json_schema_extra=value_by_kind)

    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)


class InboundIn(StrictIn):
    """The contract's inbound message (extra fields are refused, so typos are caught)."""

    channel: Channel
    external_id: str = Field(min_length=1, max_length=200)
    sender: SenderIn
    text: str = Field(min_length=1, max_length=100_000, pattern=NON_BLANK)
    subject: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    sent_at: UTCTime | None = None


class InboundOut(BaseModel):
    ticket_id: int
    message_id: int
    duplicate: bool


class InboundAcceptedOut(BaseModel):
    """``Prefer: respond-async``: the item is journaled; ``status_url`` tells what it became."""

    id: int
    status_url: str


class InboundItemOut(BaseModel):
    """A journaled item: ``pending``, ``built`` (its ticket and message) or ``failed`` (``error`` says why)."""

    id: int
    state: Literal["pending", "built", "failed"]
    ticket_id: int | None
    message_id: int | None
    duplicate: bool
    error: str | None


class ReplyIn(StrictIn):
    text: str = Field(min_length=1, max_length=100_000, pattern=NON_BLANK)
    public: bool = True
    #: a holding message («5 минут»): the ticket goes on hold for this long, then returns to the queue
    follow_up_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    #: send a public reply the channel's quality policy blocks, for this reason (audited; otklik.quality)
    override_reason: str | None = Field(default=None, max_length=2000)


class AuthorOut(BaseModel):
    kind: str
    id: int | None
    name: str


class DeliveryOut(BaseModel):
    state: str
    error: str | None = None


class MessageOut(BaseModel):
    id: int
    ticket_id: int
    direction: str
    public: bool
    channel: str
    text: str
    author: AuthorOut
    created_at: datetime
    delivery: DeliveryOut | None
    #: "owner" on the desk's notice naming the case's owner (not an answer), otherwise null
    notice: str | None = None

    @classmethod
    def of(cls, message: Message, *, text: str | None = None) -> MessageOut:
        """``text``: the message as the caller reads it, when it differs from the stored text (a bot
        hand-off note in the caller's language, ``otklik.bot.notes.shown_text``)."""
        if message.author_agent is not None:
            author = AuthorOut(kind="agent", id=message.author_agent.id, name=message.author_agent.name)
        elif message.author_customer is not None:
            author = AuthorOut(kind="customer", id=message.author_customer.id, name=message.author_customer.name)
        else:
            author = AuthorOut(kind="system", id=None, name="Otklik")
        delivery = (
            DeliveryOut(state=message.delivery_state, error=message.delivery_error) if message.delivery_state else None
        )
        return cls(
            id=message.id,
            ticket_id=message.ticket_id,
            direction=message.direction,
            public=message.public,
            channel=message.channel,
            text=message.text if text is None else text,
            author=author,
            created_at=message.created_at,
            delivery=delivery,
            notice=(message.facts or {}).get("notice"),
        )


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None

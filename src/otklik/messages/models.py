"""Message table: every inbound and outbound message, public reply or internal note."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.agents.models import Agent
from otklik.core.db import Base, BigIntPK, UTCDateTime
from otklik.customers.models import Customer


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Delivery(StrEnum):
    """Where an outbound message is: only the channel's confirmation makes it ``sent``."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Message(Base):
    """One message on a ticket. ``(channel, external_id)`` is unique, so retries are dropped."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_messages_ticket_id_id", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(10))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(200))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    author_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    #: the address an inbound message came from (whether it is verified decides cross-channel joining)
    sender_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_state: Mapped[str | None] = mapped_column(String(10))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    #: content we could not show (a sticker, a view-once photo): ``text`` describes it instead
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: a note the desk writes itself (the bot's hand-off): its facts, ``{"kind": ..., ...}``, so a page
    #: renders it in the reader's language; ``text`` holds it in the desk's default language (Russian)
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the customer's wait this reply ended when it reached them, in seconds and in the open time of
    #: the ticket's SLA calendar (the reports' response times); None when it ended no wait
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    wait_business_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author_agent: Mapped[Agent | None] = relationship(lazy="joined")
    author_customer: Mapped[Customer | None] = relationship(lazy="joined")


class Attachment(Base):
    """A file that came with a message; stored in the database so it commits with the message."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_message_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageSource(Base):
    """The original bytes of an inbound message (e.g. the whole MIME mail), kept as received."""

    __tablename__ = "message_sources"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(120))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class JournalState(StrEnum):
    PENDING = "pending"
    BUILT = "built"
    FAILED = "failed"


class JournalItem(Base):
    """One inbound item as a channel handed it over, appended before anything is built from it.

    Appending it (one statement, idempotent on ``(channel, key)``) and committing is intake's
    acknowledgement; the pipeline (``otklik.messages.pipeline``) builds tickets and messages from
    pending items in batches, lane by lane (a lane is a set of senders, so one sender's messages are
    built in the order they came), and records what each became — or why it could not be built.
    """

    __tablename__ = "inbound_journal"
    __table_args__ = (
        UniqueConstraint("channel", "key"),
        Index("ix_inbound_journal_state_lane_id", "state", "lane", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    #: the channel's id of the item (a mail's Message-ID with a digest of its content, as mail
    #: clients reuse ids): a redelivery meets the stored item and is a duplicate
    key: Mapped[str] = mapped_column(String(240))
    lane: Mapped[int] = mapped_column(Integer)
    #: the channel-neutral message (``otklik.channels.base.InboundMessage``) as JSON
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default=JournalState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    #: the item repeated a message stored before the journal saw it
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

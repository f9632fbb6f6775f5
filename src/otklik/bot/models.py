"""The bot's memory of a conversation: one row per turn it took on a ticket.

A turn is an answer (the public message it sent, naming an article), a hand-off (the internal
note for the person who takes over) or an acknowledged «спасибо». The rows tell the bot which
customer messages it has already considered, which articles it has offered, and that it has
handed off (after which it stays silent on the ticket).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, BigIntPK, UTCDateTime


class TurnKind(StrEnum):
    ANSWERED = "answered"
    HANDED_OFF = "handed_off"
    THANKED = "thanked"


class BotTurn(Base):
    """What the bot did after the customer's messages up to ``upto_message_id``."""

    __tablename__ = "bot_turns"
    __table_args__ = (Index("ix_bot_turns_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    #: why: ``confident`` for an answer; for a hand-off one of ``otklik.bot.rules.HandoffReason``
    reason: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    upto_message_id: Mapped[int] = mapped_column(BigInteger)
    #: the bot's public answer or its internal hand-off note
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id", ondelete="SET NULL"))
    article_version: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

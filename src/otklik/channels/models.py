"""Per-channel settings an admin can change (inactivity window, later credentials and policies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime


class ChannelSettings(Base):
    """One row per channel that an admin has configured; absent rows mean the defaults."""

    __tablename__ = "channel_settings"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    inactivity_close_seconds: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class ChannelHealth(Base):
    """What each channel last did: admins see it turn red instead of staying green while losing messages."""

    __tablename__ = "channel_health"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_outbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credentials_rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

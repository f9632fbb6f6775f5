"""Per-channel settings an admin can change (inactivity window, later credentials and policies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime


class ChannelSettings(Base):
    """One row per channel that an admin has configured; absent rows mean the defaults."""

    __tablename__ = "channel_settings"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    inactivity_close_seconds: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)

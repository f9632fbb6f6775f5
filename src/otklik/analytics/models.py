"""The dashboard's stored figures: a snapshot per view, refreshed by a job, so the page reads one row
instead of aggregating a month of tickets on every visit (``analytics.snapshots``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime


class ReportSnapshot(Base):
    """The figures of one view (``key``, e.g. ``health:channel:28``) as computed at ``computed_at``."""

    __tablename__ = "report_snapshots"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)

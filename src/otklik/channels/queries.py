"""Reads of channel settings, with the defaults filled in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.channels.models import ChannelSettings
from otklik.channels.rules import DEFAULT_INACTIVITY_SECONDS
from otklik.core.taxonomy import Channel


def inactivity_seconds(session: Session, channel: str) -> int:
    """How long a solved ticket on ``channel`` waits for the customer before closing."""
    row = session.get(ChannelSettings, channel)
    if row is not None:
        return row.inactivity_close_seconds
    return DEFAULT_INACTIVITY_SECONDS[Channel(channel)]


def settings_view(session: Session, channel: Channel) -> dict[str, object]:
    row = session.get(ChannelSettings, channel.value)
    return {
        "channel": channel.value,
        "inactivity_close_seconds": inactivity_seconds(session, channel.value),
        "default_inactivity_close_seconds": DEFAULT_INACTIVITY_SECONDS[channel],
        "updated_at": row.updated_at.isoformat() if row else None,
    }

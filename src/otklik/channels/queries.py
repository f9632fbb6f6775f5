"""Reads of channel settings, with the defaults filled in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.channels.models import ChannelHealth, ChannelSettings
from otklik.channels.rules import DEFAULT_INACTIVITY_SECONDS, health_state
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


def health_view(session: Session) -> list[dict[str, object]]:
    """Every channel's last inbound, last outbound, last error and its colour."""
    rows = {row.channel: row for row in session.scalars(select(ChannelHealth))}
    view: list[dict[str, object]] = []
    for channel in Channel:
        row = rows.get(channel.value)
        stamps = {
            "last_inbound_at": row.last_inbound_at if row else None,
            "last_outbound_at": row.last_outbound_at if row else None,
            "last_error_at": row.last_error_at if row else None,
            "credentials_rejected_at": row.credentials_rejected_at if row else None,
        }
        view.append(
            {
                "channel": channel.value,
                "state": health_state(**stamps),
                "last_error": row.last_error if row else None,
                **{k: (v.isoformat() if v else None) for k, v in stamps.items()},
            }
        )
    return view

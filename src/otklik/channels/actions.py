"""Writes of channel settings (admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from otklik.channels.models import ChannelHealth, ChannelSettings
from otklik.channels.rules import MAX_INACTIVITY_SECONDS, MIN_INACTIVITY_SECONDS
from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.errors import InvalidInput
from otklik.core.taxonomy import Channel


def do_set_inactivity(
    session: Session, channel: Channel, seconds: int, *, actor: Actor, at: datetime | None = None
) -> ChannelSettings:
    """Change how long solved tickets on ``channel`` wait before closing. Emits ``channel.settings_changed``.

    Tickets already solved follow the new window: the caller reschedules their timers.
    """
    if not MIN_INACTIVITY_SECONDS <= seconds <= MAX_INACTIVITY_SECONDS:
        raise InvalidInput(
            "invalid_field",
            field="inactivity_close_seconds",
            reason=f"от {MIN_INACTIVITY_SECONDS} до {MAX_INACTIVITY_SECONDS} / from {MIN_INACTIVITY_SECONDS} "
            f"to {MAX_INACTIVITY_SECONDS}",
        )
    moment = at or clock.now()
    row = session.get(ChannelSettings, channel.value)
    previous = row.inactivity_close_seconds if row else None
    if row is None:
        row = ChannelSettings(channel=channel.value, inactivity_close_seconds=seconds, updated_at=moment)
        session.add(row)
    row.inactivity_close_seconds = seconds
    row.updated_at = moment
    row.updated_by = actor.id
    audit.record(
        session,
        actor=actor,
        action="channel.settings_changed",
        entity="channel",
        entity_id=None,
        data={"channel": channel.value, "inactivity_close_seconds": {"from": previous, "to": seconds}},
        at=moment,
    )
    return row


def _health(session: Session, channel: str) -> ChannelHealth:
    """The channel's row, made on its first event; two first events at once make one row."""
    row = session.get(ChannelHealth, channel)
    if row is None:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ChannelHealth)
        session.execute(insert.values(channel=channel).on_conflict_do_nothing())
        row = session.get(ChannelHealth, channel)
        assert row is not None  # ours, or a concurrent first event's, committed before our insert returned
    return row


def do_note_inbound(session: Session, channel: str, *, at: datetime | None = None, wait: bool = True) -> None:
    """The channel delivered something to us. ``wait=False``: not when another transaction holds the
    channel's row — intake's batches must never wait behind a delivery that holds it while it waits for
    a ticket the batch holds; the next batch notes it."""
    moment = at or clock.now()
    if wait:
        _health(session, channel).last_inbound_at = moment
        return
    free = session.scalars(
        select(ChannelHealth).where(ChannelHealth.channel == channel).with_for_update(skip_locked=True)
    ).first()
    if free is not None:
        free.last_inbound_at = moment
    elif session.get(ChannelHealth, channel) is None:  # not locked but missing: the channel's first word
        _health(session, channel).last_inbound_at = moment


def do_note_outbound(session: Session, channel: str, *, at: datetime | None = None) -> None:
    """The channel confirmed something we sent; confirmed traffic clears rejected credentials."""
    row = _health(session, channel)
    row.last_outbound_at = at or clock.now()
    row.credentials_rejected_at = None


def do_note_error(
    session: Session, channel: str, error: str, *, credentials: bool = False, at: datetime | None = None
) -> None:
    """Something on the channel failed; ``credentials`` when the channel refused our keys."""
    moment = at or clock.now()
    row = _health(session, channel)
    row.last_error = error[:2000]
    row.last_error_at = moment
    if credentials:
        row.credentials_rejected_at = moment

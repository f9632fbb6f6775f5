"""Pure decisions about keeping a customer's words: how long each channel keeps them, and whether a
customer may be forgotten now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from otklik.core.errors import InvalidInput

#: what a message, a subject or a question reads after its words were erased
ERASED = "[удалено / erased]"
FORGOTTEN_NAME = "Удалённый клиент / Forgotten customer"
#: the ticket states in which nothing is waiting for anyone any more
SETTLED = frozenset({"solved", "closed"})
ANY = "*"


@dataclass(frozen=True, slots=True)
class Retention:
    """Days after closing that each channel's tickets keep their words; ``ANY`` for the others.
    A channel absent (and no ``ANY``) keeps them for ever."""

    days: dict[str, int]

    def keep_for(self, channel: str) -> timedelta | None:
        days = self.days.get(channel, self.days.get(ANY))
        return None if days is None else timedelta(days=days)

    def due(self, channel: str, closed_at: datetime | None, now: datetime) -> bool:
        """A closed ticket whose channel's time is up."""
        keep = self.keep_for(channel)
        return keep is not None and closed_at is not None and closed_at + keep <= now


def parse_retention(text: str, channels: frozenset[str]) -> Retention:
    """``email=730,telegram=365,*=1095`` (``OTKLIK_RETENTION``): days after closing, per channel."""
    days: dict[str, int] = {}
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        channel, _, value = (s.strip() for s in piece.partition("="))
        if channel != ANY and channel not in channels:
            raise InvalidInput("invalid_field", field="OTKLIK_RETENTION", reason=f"{channel}?")
        if not value.isdigit() or int(value) < 1:
            raise InvalidInput("invalid_field", field="OTKLIK_RETENTION", reason=f"{piece}: 1…")
        days[channel] = int(value)
    return Retention(days)


def unsettled(statuses: dict[int, str]) -> list[int]:
    """The tickets (id → status) that still wait for someone: a customer with one is not forgotten
    until an agent has finished it — erasing the words of a live case would leave an agent a case
    without a question."""
    return sorted(ticket for ticket, status in statuses.items() if status not in SETTLED)

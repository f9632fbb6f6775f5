"""Public mentions: a post or comment about us on a public site becomes a public ticket and, when
its author is a customer with an open private case, the strongest signal that the private
channel failed: the case «went public after N days» and its urgency rises (intake links them,
whatever door the post came in by; see ``messages.actions._link_public``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.channels.base import InboundMessage
from otklik.core.taxonomy import Channel
from otklik.messages.actions import Intake, do_receive_inbound
from otklik.tickets.links import WENT_PUBLIC
from otklik.tickets.models import Ticket, TicketLink


@dataclass(frozen=True, slots=True)
class Mention:
    """What intake did with a public post, and the private cases its ticket is linked to."""

    intake: Intake
    links: tuple[TicketLink, ...]


def do_receive_mention(session: Session, inbound: InboundMessage, *, at: datetime | None = None) -> Mention:
    """Store a public post (``inbound.channel`` is public); a repeat of the same post changes nothing.

    Emits what ``do_receive_inbound`` emits: ``message.received`` and, per newly linked private
    ticket, ``ticket.went_public`` and ``ticket.urgency_raised``.
    """
    assert inbound.channel is Channel.PUBLIC
    intake = do_receive_inbound(session, inbound, at=at)
    return Mention(intake, _went_public(intake.ticket))


def went_public_links(session: Session, ticket_id: int) -> tuple[TicketLink, ...]:
    """The private cases the public ticket ``ticket_id`` is linked to as «went public»."""
    ticket = session.get(Ticket, ticket_id)
    return _went_public(ticket) if ticket is not None else ()


def _went_public(ticket: Ticket) -> tuple[TicketLink, ...]:
    return tuple(link for link in ticket.links_out if link.kind == WENT_PUBLIC)

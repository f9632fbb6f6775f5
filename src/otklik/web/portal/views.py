"""What the portal's pages show, in plain words: a ticket's status, owner, promised times, the next
answer we owe (late is said so), the customer's own clock, the conversation and the escalation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel import dates as babel_dates

from otklik.core import clock
from otklik.core.taxonomy import label
from otklik.customers.models import Customer
from otklik.messages.models import Direction, Message
from otklik.messages.portal import EscalationOffer
from otklik.tickets import clocks
from otklik.tickets.models import Ticket, TicketEscalation
from otklik.tickets.rules import STOPPED, EscalationReason, Status
from otklik.timers.sla import Target
from otklik.web.ui import N_, format_duration, format_when, tr

STATUS = {
    Status.NEW.value: N_("Received, waiting for a specialist"),
    Status.OPEN.value: N_("In progress"),
    Status.PENDING_CUSTOMER.value: N_("We answered and are waiting for your reply"),
    Status.ON_HOLD.value: N_("We are checking and will come back to you"),
    Status.SOLVED.value: N_("We think it is solved: please confirm"),
    Status.CLOSED.value: N_("Closed"),
}
DELIVERY = {"queued": N_("sending"), "sent": N_("delivered"), "failed": N_("not delivered")}
REASON = {
    EscalationReason.SLA_BREACHED: N_("We have missed the time we promised you."),
    EscalationReason.NO_ANSWER: N_("You have waited days for an answer on the merits."),
}
#: what a page says after a form did its work (a fixed word per outcome: nothing the caller typed)
DONE = {
    "solved": N_("Thank you! The request is closed."),
    "reopened": N_("The request is back in progress: its owner will come back to you."),
    "survey": N_("Thank you! Your answer is saved."),
    "escalated": N_("Done: the lead has your request."),
}


@dataclass(frozen=True, slots=True)
class Line:
    """One sentence about time; ``late`` when it tells of a missed target."""

    text: str
    late: bool = False


def _duration(delta: timedelta, lang: str) -> str:
    return format_duration(max(int(delta.total_seconds()), 60), lang)


def _promise_when(until: datetime, now: datetime, lang: str) -> str:
    """«26 декабря» for a promise days away; with the hour when it is close."""
    style = "d MMMM" if until - now > timedelta(hours=24) else "d MMMM, HH:mm"
    return format_when(until, lang, style=style)


def next_answer(ticket: Ticket, now: datetime, lang: str) -> Line | None:
    """The expected time of our next answer, honestly: the live response target while we owe one."""
    if ticket.status == Status.ON_HOLD.value and ticket.hold_until is not None:
        return Line(tr(lang, "We will write to you by %(when)s", when=_promise_when(ticket.hold_until, now, lang)))
    if ticket.status == Status.PENDING_CUSTOMER.value:
        return Line(tr(lang, "We answered: the next word is yours"))
    due = clocks.live_due(ticket, Target.RESPONSE)
    if due is None or ticket.status in STOPPED:
        return None
    if due <= now:
        return Line(tr(lang, "Our answer is late by %(duration)s", duration=_duration(now - due, lang)), late=True)
    return Line(tr(lang, "We will answer by %(when)s", when=format_when(due, lang)))


def resolution(ticket: Ticket, now: datetime, lang: str) -> Line | None:
    """The promised solution time while the case is open; a pending promise speaks instead (the
    customer agreed to wait for it)."""
    due = ticket.resolution_due_at
    if due is None or ticket.status in STOPPED:
        return None
    if ticket.status == Status.ON_HOLD.value and ticket.hold_until is not None and ticket.hold_until > now:
        return None
    if due <= now:
        return Line(tr(lang, "The solution is late by %(duration)s", duration=_duration(now - due, lang)), late=True)
    return Line(tr(lang, "Solution promised by %(when)s", when=format_when(due, lang)))


def customer_clock(ticket: Ticket, now: datetime, lang: str) -> Line | None:
    """The customer's own clock: from their first word, holds included, until closed."""
    since = ticket.first_customer_message_at
    if since is None:
        return None
    if ticket.closed_at is not None:
        span = ticket.closed_at - since
        if span < timedelta(minutes=1):
            return Line(tr(lang, "Closed within a minute"))
        return Line(tr(lang, "Closed after %(duration)s", duration=_duration(span, lang)))
    if now - since < timedelta(minutes=1):
        return Line(tr(lang, "You have been waiting less than a minute"))
    return Line(tr(lang, "You have been waiting %(duration)s", duration=_duration(now - since, lang)))


@dataclass(frozen=True, slots=True)
class Card:
    """A ticket as the list and the ticket page show it."""

    id: int
    number: str
    subject: str
    channel: str
    status: str
    status_text: str
    owner: str | None
    author: str | None
    #: the promise while on hold («Мы напишем вам до 26 декабря»), else the next answer we owe
    next: Line | None
    resolution: Line | None
    clock: Line | None
    updated: str
    #: the agent's own words of a promise still pending, shown verbatim
    promise: str | None = None


def card(ticket: Ticket, me: Customer, now: datetime, lang: str) -> Card:
    return Card(
        id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        channel=label(ticket.channel, lang),
        status=ticket.status,
        status_text=tr(lang, STATUS.get(ticket.status, N_("In progress"))),
        owner=ticket.assignee.name if ticket.assignee is not None else None,
        author=ticket.customer.name if ticket.customer_id != me.id else None,
        next=next_answer(ticket, now, lang),
        resolution=resolution(ticket, now, lang),
        clock=customer_clock(ticket, now, lang),
        updated=format_when(ticket.updated_at, lang),
        promise=ticket.hold_promise if ticket.status == Status.ON_HOLD.value else None,
    )


@dataclass(frozen=True, slots=True)
class Said:
    """One public message: who, when, what (text only), and how its delivery went."""

    mine: bool
    author: str
    when: str
    iso: str
    text: str
    delivery_state: str | None
    delivery: str | None


def said(message: Message, ticket: Ticket, me: Customer, lang: str) -> Said:
    inbound = message.direction == Direction.INBOUND.value
    if inbound:
        author = tr(lang, "You") if ticket.customer_id == me.id else ticket.customer.name
    else:
        author = message.author_agent.name if message.author_agent is not None else tr(lang, "Support")
    state = message.delivery_state if not inbound else None
    return Said(
        mine=inbound,
        author=author,
        when=format_when(message.created_at, lang),
        iso=message.created_at.isoformat(),
        text=message.text,
        delivery_state=state,
        delivery=tr(lang, DELIVERY[state]) if state in DELIVERY else None,
    )


def escalation_line(escalation: TicketEscalation | None, lang: str) -> Line | None:
    """Where the customer's escalation stands."""
    if escalation is None:
        return None
    if escalation.acknowledged_at is None:
        return Line(
            tr(lang, "The lead %(name)s will look at your request by %(when)s", name=escalation.lead.name,
               when=format_when(escalation.ack_due_at, lang))
        )  # fmt: skip
    who = escalation.acknowledger.name if escalation.acknowledger is not None else escalation.lead.name
    return Line(
        tr(lang, "Under a lead's control: %(name)s, since %(when)s", name=who,
           when=format_when(escalation.acknowledged_at, lang))
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Offer:
    """The escalate button's words: why, who will look, and by when."""

    reason: str
    promise: str


def offer(found: EscalationOffer | None, lang: str) -> Offer | None:
    if found is None:
        return None
    return Offer(
        reason=tr(lang, REASON[found.reason]),
        promise=tr(lang, "The lead %(name)s gets your request and must respond by %(when)s.",
                   name=found.lead.name, when=format_when(found.ack_due, lang)),
    )  # fmt: skip


def zone_choices(zones: tuple[str, ...], current: str | None, lang: str) -> list[tuple[str, str]]:
    """(IANA name, «Москва (UTC+3)») for the zone picker, the customer's own zone included."""
    names = list(zones) + ([current] if current and current not in zones else [])
    now = clock.now()
    choices = []
    for name in names:
        zone = clock.zone(name)
        offset = now.astimezone(zone).strftime("%z")
        place = babel_dates.get_timezone_location(zone, locale=lang, return_city=True)
        minutes = f":{offset[3:]}" if offset[3:] != "00" else ""
        choices.append((name, f"{place} (UTC{int(offset[:3]):+d}{minutes})"))
    return choices

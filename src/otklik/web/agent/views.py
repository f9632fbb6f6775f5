"""What the agent pages show, computed from domain objects: queues, clocks, timeline entries, flags.

Pure functions over loaded rows (no queries here), so they are cheap to test and to benchmark.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from otklik.agents.rules import Principal
from otklik.bot.notes import shown_text
from otklik.channels.registry import POSTED_BY_HAND
from otklik.core.i18n import one_language
from otklik.messages.models import Delivery, Direction, Message
from otklik.quality import Flag
from otklik.tickets.clocks import live_due
from otklik.tickets.models import Ticket
from otklik.tickets.queries import TicketFilter
from otklik.tickets.rules import STOPPED, Status
from otklik.timers.sla import Target
from otklik.web.ui import N_

ACTIVE = (Status.NEW.value, Status.OPEN.value, Status.PENDING_CUSTOMER.value, Status.ON_HOLD.value)
#: «near breach»: a target due within this window
NEAR = timedelta(minutes=60)
#: «follow-ups due»: a promise due within this window, or already due and unanswered
FOLLOW_UP_AHEAD = timedelta(minutes=60)
#: the timeline shows this many messages at a time, the latest first loaded
WINDOW = 200

STATUS = {
    "new": N_("New"),
    "open": N_("Open"),
    "pending_customer": N_("Waiting for the customer"),
    "on_hold": N_("On hold with a promise"),
    "solved": N_("Solved"),
    "closed": N_("Closed"),
}
DELIVERY = {
    "queued": N_("sending"),
    "awaiting": N_("awaiting publication"),
    "sent": N_("delivered"),
    "failed": N_("not delivered"),
}
IDENTITY = {
    "email": N_("email"),
    "telegram": "Telegram",
    "phone": N_("phone"),
    "vk": N_("VK"),
    "whatsapp": "WhatsApp",
    "viber": "Viber",
    "web": N_("web visitor"),
    "public_handle": N_("public profile"),
}
#: reasons the desk itself records on assignments (others are shown as written)
REASON = {
    "replied": N_("answered first"),
    "triage": N_("at triage"),
    "taken": N_("took it"),
    "assigned": N_("assigned"),
}


@dataclass(frozen=True, slots=True)
class Queue:
    code: str
    title: str
    empty: str


QUEUES = (
    Queue("mine", N_("Mine"), N_("Nothing assigned to you is waiting.")),
    Queue("team", N_("My team"), N_("Your teams have nothing open.")),
    Queue("near_breach", N_("Near SLA breach"), N_("No target runs out within the hour.")),
    Queue("breached", N_("Breached"), N_("No target is breached.")),
    Queue("follow_ups", N_("Follow-ups due"), N_("No promise is coming due.")),
    Queue("urgent", N_("Urgent"), N_("No urgent tickets.")),
    Queue(
        "unassigned",
        N_("Unassigned"),
        N_("Empty, as it should be: every triaged ticket has a named owner."),
    ),
)
QUEUE_CODES = {q.code: q for q in QUEUES}


def queue_filter(code: str, who: Principal, now: datetime) -> TicketFilter | None:
    """The filter of queue ``code`` for ``who``, in priority order (urgent first, then the earliest
    SLA target due, breached first); None when it cannot hold anything (no team)."""
    found = _queue_filter(code, who, now)
    return dataclasses.replace(found, order="priority") if found is not None else None


def _queue_filter(code: str, who: Principal, now: datetime) -> TicketFilter | None:
    match code:
        case "mine":
            return TicketFilter(statuses=ACTIVE, assignee=who.agent_id)
        case "team":
            return TicketFilter(statuses=ACTIVE, team_ids=tuple(sorted(who.team_ids))) if who.team_ids else None
        case "near_breach":
            return TicketFilter(statuses=ACTIVE, due_before=now + NEAR, due_after=now)
        case "breached":
            return TicketFilter(statuses=ACTIVE, due_before=now)
        case "follow_ups":
            return TicketFilter(
                statuses=(Status.OPEN.value, Status.ON_HOLD.value), follow_up_before=now + FOLLOW_UP_AHEAD
            )
        case "urgent":
            return TicketFilter(statuses=ACTIVE, urgency="urgent")
        case "unassigned":
            return TicketFilter(statuses=ACTIVE, unassigned=True)
    return None


@dataclass(frozen=True, slots=True)
class Clock:
    """One live target: ``state`` is ``ok``, ``near`` or ``breached``; ``done`` when met."""

    code: str
    title: str
    due: datetime | None
    state: str
    done_at: datetime | None = None


def _state(due: datetime, now: datetime) -> str:
    if due <= now:
        return "breached"
    return "near" if due - now <= NEAR else "ok"


def clocks(ticket: Ticket, now: datetime) -> list[Clock]:
    """The ticket's running targets and promises, soonest first; met and stopped ones after."""
    result: list[Clock] = []
    response = live_due(ticket, Target.RESPONSE)
    if response is not None:
        title = N_("First response") if ticket.first_response_at is None else N_("Next response")
        result.append(Clock("response", title, response, _state(response, now)))
    elif ticket.first_response_at is not None:
        result.append(Clock("response", N_("First response"), None, "done", ticket.first_response_at))
    open_ = ticket.status not in STOPPED
    if ticket.resolution_due_at is not None and open_:
        result.append(
            Clock("resolution", N_("Resolution"), ticket.resolution_due_at, _state(ticket.resolution_due_at, now))
        )
    if ticket.hold_until is not None and ticket.status == Status.ON_HOLD.value:
        result.append(Clock("hold", N_("Promise"), ticket.hold_until, _state(ticket.hold_until, now)))
    return result


def soonest_due(ticket: Ticket) -> datetime | None:
    """The earliest running target; none on a solved or closed ticket, whose resolution due time is
    kept for the record but counts down to nothing."""
    if ticket.status in STOPPED:
        return None
    dues = [d for d in (live_due(ticket, Target.RESPONSE), ticket.resolution_due_at) if d is not None]
    return min(dues) if dues else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One message of the timeline as the agent sees it."""

    id: int
    kind: str  # customer | agent | note | system
    author: str
    channel: str
    text: str
    created_at: datetime
    delivery: str | None
    delivery_error: str | None
    edited: bool
    placeholder: bool


#: «русский / English»: how the desk's own notes are stored (a channel not set up, a reply waiting to be
#: posted, a retry's attempt); the Russian half has Cyrillic, the English half none
def _delivery(message: Message) -> str | None:
    """The delivery state an agent reads: a queued reply on a channel posted by hand is not on its
    way anywhere, it waits for a person to post it («ждёт публикации»)."""
    if message.delivery_state == Delivery.QUEUED.value and message.channel in POSTED_BY_HAND:
        return "awaiting"
    return message.delivery_state


def entry(message: Message, lang: str = "ru") -> Entry:
    """The message as the agent reads it in ``lang`` (a bot hand-off note in that language)."""
    if message.direction == Direction.INBOUND.value:
        kind = "customer"
        author = message.author_customer.name if message.author_customer else ""
    elif not message.public:
        kind, author = "note", message.author_agent.name if message.author_agent else ""
    elif message.author_agent is not None:
        kind, author = "agent", message.author_agent.name
    else:
        kind, author = "system", "Otklik"
    return Entry(
        id=message.id,
        kind=kind,
        author=author,
        channel=message.channel,
        text=shown_text(message, lang),
        created_at=message.created_at,
        delivery=_delivery(message),
        delivery_error=one_language(message.delivery_error, lang),
        edited=message.edited_at is not None,
        placeholder=message.placeholder,
    )


@dataclass(frozen=True, slots=True)
class Hit:
    """A message found by search, as the agent reads it in their language."""

    id: int
    ticket_id: int
    channel: str
    created_at: datetime
    text: str


def hits(messages: Sequence[Message], lang: str) -> list[Hit]:
    return [Hit(m.id, m.ticket_id, m.channel, m.created_at, shown_text(m, lang)) for m in messages]


def last_inbound_id(entries: list[Entry]) -> int:
    return max((e.id for e in entries if e.kind == "customer"), default=0)


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    flag: str | None


def segments(text: str, flags: Sequence[Flag]) -> list[Segment]:
    """The draft cut into plain and flagged pieces (overlaps go to the earlier flag), for highlighting."""
    pieces: list[Segment] = []
    cursor = 0
    for flag in sorted(flags, key=lambda f: (f.start, f.end)):
        start, end = max(flag.start, cursor), min(flag.end, len(text))
        if end <= start:
            continue
        if start > cursor:
            pieces.append(Segment(text[cursor:start], None))
        pieces.append(Segment(text[start:end], flag.code))
        cursor = end
    if cursor < len(text):
        pieces.append(Segment(text[cursor:], None))
    return pieces


_VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}|\{([a-z_]+)\}")


def fill(template: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """A canned reply with its variables (``{customer_name}`` or ``{{ customer_name }}``) filled in,
    and the names it used that we do not know (left in place, for the agent to fix)."""
    unknown: list[str] = []

    def swap(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in values:
            return values[name]
        unknown.append(name)
        return match.group(0)

    return _VARIABLE.sub(swap, template), unknown


def hold_until(local: str, zone: str, now: datetime) -> datetime | None:
    """A ``datetime-local`` value (the desk's zone) as an aware moment; None when it is not one."""
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(local.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(now.tzinfo) if now.tzinfo else moment

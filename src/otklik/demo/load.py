"""The demo loader: plays the scripted stories through the domain actions, so all of it is audited.

Nothing is written around the actions: statuses, owners and timestamps are the
effects of messages, replies, holds and verdicts, each at its own moment in the
last three weeks (relative to ``core.clock.now()``). The same clock gives the
same data. ``otklik demo`` calls this once, on an empty database. Public replies
are queued in the outbox like any other and, being the story's past, recorded as
delivered when they were written; every address in the data is fictional.

Every demo agent signs in with the password ``otklik-demo`` (``DEMO_PASSWORD``).
It is published on purpose: the demo is for looking around, never for real
customers. Remove or re-password those accounts before going live.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import otklik.models  # noqa: F401  (every table known: actions flush rows that refer to other domains)
from otklik.agents.actions import do_create_agent, do_ensure_team
from otklik.agents.models import Agent
from otklik.agents.queries import principal_of
from otklik.bot.actions import bot_turn_key
from otklik.channels.base import DeliveryResult, InboundMessage
from otklik.channels.registry import POSTED_BY_HAND
from otklik.core import clock, jobs, outbox
from otklik.core.actors import Actor
from otklik.core.i18n import ru_count
from otklik.customers.actions import do_add_identity, do_create_customer, do_create_organisation
from otklik.customers.models import Customer, Organisation
from otklik.demo.data import AGENTS, CUSTOMERS, DEMO_PASSWORD, ORGANISATIONS, TEAMS
from otklik.demo.spec import (
    AutoClose,
    CustomerSpec,
    Hold,
    Link,
    Note,
    Ref,
    Reply,
    Say,
    Solve,
    Survey,
    Transfer,
    Triage,
    Verdict,
)
from otklik.demo.stories import TICKETS
from otklik.demo.timeline import Event, hold_until, ru_date, schedule
from otklik.demo.traffic import traffic
from otklik.messages.actions import (
    DELIVER,
    do_confirm_posted,
    do_promise,
    do_receive_inbound,
    do_record_delivery,
    do_reply,
)
from otklik.messages.models import Message
from otklik.routing.presence import WEEKDAYS, do_set_shift
from otklik.tickets.actions import (
    agent_actor,
    check_assign,
    customer_actor,
    do_add_reference,
    do_assign,
    do_auto_close,
    do_customer_verdict,
    do_propose_solution,
    do_triage,
)
from otklik.tickets.models import Ticket
from otklik.tickets.portal import do_submit_survey
from otklik.tickets.rules import Status
from otklik.timers.actions import do_create_calendar, do_create_policy

DEMO_ACTOR = Actor.system("demo")
#: people and teams exist well before the first ticket of the demo
SETUP_DAYS = 90
#: (name, urgency, first response, next response, resolution) in minutes of the 7/7 calendar
SERVICE_LEVELS = (
    ("Обычно 7/7 / Normal 7/7", "normal", 120, 240, 72 * 60),
    ("Низкая 7/7 / Low 7/7", "low", 9 * 60, 18 * 60, 120 * 60),
)


@dataclass
class Desk:
    """What the loader has created so far, by the keys the data uses."""

    agents: dict[str, Agent] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)


def load_demo(session: Session) -> str:
    """Create the demo's people and play its tickets; returns a one-line summary.

    Precondition: none of the demo agents' e-mails is taken (the CLI loads only
    into a database without tickets). Emits whatever the actions emit.
    """
    now = clock.now().replace(second=0, microsecond=0)
    desk = Desk()
    _people(session, desk, now - timedelta(days=SETUP_DAYS))
    _service_hours(session, now - timedelta(days=SETUP_DAYS))
    everyday_customers, everyday_tickets = traffic(now, TICKETS)
    specs = {spec.key: spec for spec in (*CUSTOMERS, *everyday_customers)}
    for event in schedule(now, TICKETS + everyday_tickets):
        _play(session, desk, specs, event)
    statuses = Counter(ticket.status for ticket in desk.tickets.values())
    by_status = ", ".join(f"{status.value} {statuses[status.value]}" for status in Status)
    return (
        f"{ru_count(len(desk.agents), 'сотрудник', 'сотрудника', 'сотрудников')}, "
        f"{ru_count(len(TEAMS), 'команда', 'команды', 'команд')}, "
        f"{ru_count(len(ORGANISATIONS), 'организация', 'организации', 'организаций')}, "
        f"{ru_count(len(desk.customers), 'клиент', 'клиента', 'клиентов')}, "
        f"{ru_count(len(desk.tickets), 'обращение', 'обращения', 'обращений')} ({by_status})"
    )


def _service_hours(session: Session, since: datetime) -> None:
    """The demo desk works seven days a week, as a marketplace's support does: normal and low
    urgency are measured on a 7/7 calendar (urgent runs 24/7 anyway)."""
    calendar = do_create_calendar(
        session, name="Поддержка 7/7 / Support 7/7", timezone="Europe/Moscow", hours=[], holidays=[],
        always_open=True, actor=DEMO_ACTOR, at=since,
    )  # fmt: skip
    for name, urgency, first, following, resolution in SERVICE_LEVELS:
        do_create_policy(
            session, name=name, urgency=urgency, category=None, org_tier=None, first_response_minutes=first,
            next_response_minutes=following, resolution_minutes=resolution, calendar_id=calendar.id,
            actor=DEMO_ACTOR, at=since,
        )  # fmt: skip


def _people(session: Session, desk: Desk, since: datetime) -> None:
    for name in TEAMS:
        do_ensure_team(session, name, actor=DEMO_ACTOR, at=since)
    for agent in AGENTS:
        desk.agents[agent.key] = do_create_agent(
            session,
            email=agent.email,
            name=agent.name,
            role=agent.role,
            password=DEMO_PASSWORD,
            skills={category.value: level for category, level in agent.skills},
            teams=list(agent.teams),
            capacity=agent.capacity,
            actor=DEMO_ACTOR,
            at=since,
        )
        if agent.shift is not None:
            every_day = {day: [agent.shift] for day in WEEKDAYS}
            do_set_shift(session, desk.agents[agent.key], timezone="Europe/Moscow", days=every_day, actor=DEMO_ACTOR,
                         at=since)  # fmt: skip
    organisations: dict[str, Organisation] = {
        org.key: do_create_organisation(session, name=org.name, sla_tier=org.sla_tier, actor=DEMO_ACTOR, at=since)
        for org in ORGANISATIONS
    }
    for spec in CUSTOMERS:
        if spec.first_contact:
            continue  # intake meets them with their first message
        customer = do_create_customer(
            session,
            name=spec.name,
            organisation=organisations[spec.organisation] if spec.organisation else None,
            is_org_admin=spec.org_admin,
            actor=DEMO_ACTOR,
            at=since,
        )
        for identity in spec.identities:
            do_add_identity(
                session,
                customer,
                kind=identity.kind,
                value=identity.value,
                verified=identity.verified,
                actor=DEMO_ACTOR,
                at=since,
            )
        desk.customers[spec.key] = customer


def _sender(spec: CustomerSpec, event: Event) -> str:
    for identity in spec.identities:
        if identity.kind is event.ticket.via:
            return identity.value
    raise ValueError(f"demo ticket {event.ticket.key}: {spec.key} has no {event.ticket.via.value} address")


def _receive(session: Session, desk: Desk, spec: CustomerSpec, event: Event, text: str) -> None:
    """The customer's message through intake, checked to land on the ticket the script means."""
    ticket_spec = event.ticket
    intake = do_receive_inbound(
        session,
        InboundMessage(
            channel=ticket_spec.channel,
            external_id=f"demo-{ticket_spec.key}-{event.order[1]}",
            sender_kind=ticket_spec.via,
            sender_value=_sender(spec, event),
            display_name=spec.name,
            subject=ticket_spec.subject,
            text=text,
            sent_at=event.at,
        ),
        at=event.at,
    )
    # the story tells what happened next; a worker started after the demo must not have the bot answer
    # weeks-old messages (on Telegram with no bot token that was a delivery failure: the channel «сбой»)
    jobs.cancel(session, bot_turn_key(intake.ticket.id))
    expected = desk.tickets.get(ticket_spec.key)
    if expected is None:
        if any(intake.ticket is known for known in desk.tickets.values()):
            raise ValueError(f"demo ticket {ticket_spec.key} joined an older ticket: close that one first")
        desk.tickets[ticket_spec.key] = intake.ticket
        desk.customers.setdefault(spec.key, intake.ticket.customer)
    elif intake.ticket is not expected:
        raise ValueError(f"demo ticket {ticket_spec.key}: a later message opened another ticket")


def _play(session: Session, desk: Desk, customers: dict[str, CustomerSpec], event: Event) -> None:
    """One step through its action."""
    at, step = event.at, event.step
    if isinstance(step, Say):
        _receive(session, desk, customers[event.ticket.customer], event, step.text)
        return
    ticket = desk.tickets[event.ticket.key]
    match step:
        case Triage():
            _triage(session, desk, ticket, event, step)
        case Reply() | Note():
            agent = desk.agents[step.agent]
            message = do_reply(session, ticket, agent=agent, text=step.text, public=isinstance(step, Reply), at=at)
            if message.public and message.channel in POSTED_BY_HAND:  # the agent posted it there at once
                jobs.cancel(session, outbox.entry_key(message.id, DELIVER))
                do_confirm_posted(session, message, url=f"https://{message.channel}.example/{message.id}",
                                  agent=agent, at=at)  # fmt: skip
            elif message.public:
                _delivered_in_the_past(session, message, at)
        case Hold():
            until = hold_until(step, at)
            promise = step.promise.format(date=ru_date(until))
            said = do_promise(session, ticket, agent=desk.agents[step.agent], text=promise, until=until, at=at)
            _delivered_in_the_past(session, said, at)
        case Solve():
            do_propose_solution(session, ticket, actor=agent_actor(desk.agents[step.agent]), at=at)
        case Verdict():
            do_customer_verdict(session, ticket, solved=step.solved, actor=customer_actor(ticket.customer), at=at)
        case Survey() | AutoClose():
            _after_closing(session, ticket, step, at)
        case Transfer():
            by, target = desk.agents[step.by], desk.agents[step.to]
            check_assign(principal_of(by), ticket, target)
            do_assign(session, ticket, target, actor=agent_actor(by), reason=step.reason, at=at)
        case Ref():
            actor = agent_actor(desk.agents[step.agent])
            do_add_reference(session, ticket, kind=step.kind, value=step.value, actor=actor, at=at)
        case Link():
            actor = agent_actor(desk.agents[step.agent])
            value = str(_ticket(desk, step.ticket, event).id)
            do_add_reference(session, ticket, kind="ticket", value=value, actor=actor, at=at)


def _after_closing(session: Session, ticket: Ticket, step: Survey | AutoClose, at: datetime) -> None:
    """The inactivity window ran out, or the customer answered the survey of the closed ticket."""
    if isinstance(step, AutoClose):
        do_auto_close(session, ticket, at=at)
    else:
        do_submit_survey(session, ticket, ticket.customer, solved=step.solved, rating=step.rating, comment=None, at=at)


def _delivered_in_the_past(session: Session, message: Message, at: datetime) -> None:
    """A demo reply belongs to the story's past: its channel took it as it was written.

    Without this, a worker started after the demo would try to deliver weeks-old fictional replies.
    """
    jobs.cancel(session, outbox.entry_key(message.id, DELIVER))
    do_record_delivery(session, message, DeliveryResult(True, external_id=f"demo:{message.id}"), at=at)


def _triage(session: Session, desk: Desk, ticket: Ticket, event: Event, step: Triage) -> None:
    """The agent takes the ticket, or a lead hands it to them (with the lead's rights checked)."""
    owner = desk.agents[step.agent]
    by = desk.agents[step.by or step.agent]
    if ticket.assignee_id is None and by is not owner:
        check_assign(principal_of(by), ticket, owner)
    elif ticket.assignee_id not in (None, owner.id):
        raise ValueError(f"demo ticket {event.ticket.key}: a new owner comes by Transfer, not Triage")
    do_triage(
        session,
        ticket,
        category=step.category,
        urgency=step.urgency,
        owner=owner,
        actor=agent_actor(by),
        at=event.at,
    )


def _ticket(desk: Desk, key: str, event: Event) -> Ticket:
    ticket = desk.tickets.get(key)
    if ticket is None:
        raise ValueError(f"demo ticket {event.ticket.key}: {key} does not exist yet")
    return ticket

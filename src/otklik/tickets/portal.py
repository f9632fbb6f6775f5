"""The customer portal's side of tickets: which tickets a customer sees, the tokens of their sign-in
links (``customers.portal`` keeps the links), the survey after a closing, and escalation by the
customer to a named lead who must acknowledge it.

Reads are ``customer_tickets`` and ``access_customer_ticket`` (the only permission-checked fetch
for a customer); writes are ``do_*`` and never commit. Whether the customer may escalate needs the
public timeline, which lives a layer up: ``messages.portal`` gathers the facts and calls here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.models import Agent
from otklik.agents.queries import heads_of_support, leads_of_team
from otklik.agents.rules import Principal, Role
from otklik.channels.webvisitor import sign, verify
from otklik.core import audit, clock, jobs
from otklik.core.actors import Actor, ActorKind
from otklik.core.audit import AuditEvent
from otklik.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from otklik.customers.models import Customer, PortalLink
from otklik.tickets import clocks
from otklik.tickets.actions import customer_actor
from otklik.tickets.models import Ticket, TicketEscalation, TicketSurvey
from otklik.tickets.rules import MAX_SURVEY_COMMENT, RATINGS, EscalationReason, Status
from otklik.timers.rules import add_business_time

#: the signing purpose of sign-in links: a visitor token or a ticket link never opens the portal
PORTAL_LINK = "portal-link"
ESCALATION_ACK_DUE = "portal.escalation_ack_due"
_LINK_PAYLOAD = re.compile(r"^([1-9][0-9]{0,17})-([0-9a-f]{32})$")
#: how many of a customer's tickets one portal page lists at most
LIST_LIMIT = 200


class PortalSettings(BaseSettings):
    """The portal's knobs (``OTKLIK_PORTAL_*``)."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_PORTAL_", extra="ignore")

    #: a sign-in link works this long, once
    link_minutes: int = 30
    #: a customer's session lasts this long after sign-in
    session_hours: float = 12.0
    #: days without a substantive answer after which the customer may escalate
    quiet_days: float = 3.0
    #: business hours (the ticket's calendar) a lead has to acknowledge an escalation
    ack_hours: float = 4.0
    #: sign-in requests per e-mail address (whoever asks): a burst, refilled at this many a minute
    login_burst: int = 5
    login_per_minute: float = 1.0
    #: the same per caller's address, whatever the e-mail
    login_ip_burst: int = 20
    login_ip_per_minute: float = 10.0


@lru_cache(maxsize=1)
def portal_settings() -> PortalSettings:
    """Read once; tests call ``portal_settings.cache_clear()`` after changing the environment."""
    return PortalSettings()


# ---- sign-in links -------------------------------------------------------------------------


def portal_link_token(secret: bytes, link: PortalLink) -> str:
    """The link's token: its id and nonce, signed for the portal only."""
    return sign(secret, PORTAL_LINK, f"{link.id}-{link.nonce}")


def portal_link_ref(secret: bytes, token: str) -> tuple[int, str] | None:
    """``(id, nonce)`` named by a genuine token, else None (forged, damaged, another purpose)."""
    payload = verify(secret, PORTAL_LINK, token)
    found = _LINK_PAYLOAD.match(payload) if payload is not None else None
    return (int(found.group(1)), found.group(2)) if found else None


def portal_link_url(secret: bytes, link: PortalLink) -> str:
    return f"{link.base_url.rstrip('/')}/portal/in/{portal_link_token(secret, link)}"


# ---- what a customer sees ------------------------------------------------------------------


def may_see(customer: Customer, ticket: Ticket) -> bool:
    """The customer's own ticket, or (an organisation's admin) any ticket of their organisation's people."""
    if ticket.customer_id == customer.id:
        return True
    org = customer.organisation_id
    return customer.is_org_admin and org is not None and ticket.customer.organisation_id == org


def customer_tickets(session: Session, customer: Customer, *, company: bool = False) -> list[Ticket]:
    """The customer's tickets on every channel (``company``: their organisation's, for its admin),
    newest activity first; duplicates merged into another ticket are left out (it carries them)."""
    query = select(Ticket).where(Ticket.merged_into_id.is_(None))
    if company and customer.is_org_admin and customer.organisation_id is not None:
        query = query.join(Customer, Customer.id == Ticket.customer_id).where(
            Customer.organisation_id == customer.organisation_id
        )
    else:
        query = query.where(Ticket.customer_id == customer.id)
    return list(session.scalars(query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(LIST_LIMIT)).unique())


def access_customer_ticket(session: Session, customer: Customer, ticket_id: int) -> Ticket:
    """The ticket, if ``customer`` may see it. Another's ticket is the same 404 as a missing one,
    so a customer learns nothing about tickets that are not theirs."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not may_see(customer, ticket):
        raise NotFound("ticket_not_found", ticket_id=ticket_id)
    return ticket


def check_own(customer: Customer, ticket: Ticket) -> None:
    """Only the person who wrote answers for the ticket («решено», the survey)."""
    if ticket.customer_id != customer.id:
        raise Forbidden("portal_not_yours", ticket_id=ticket.id)


# ---- the survey ----------------------------------------------------------------------------


def survey_of(session: Session, ticket: Ticket) -> TicketSurvey | None:
    """The answer about the ticket's latest closing, if the customer gave one."""
    if ticket.closed_at is None:
        return None
    return session.scalars(
        select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id, TicketSurvey.closing_at == ticket.closed_at)
    ).first()


def closed_by_customer(session: Session, ticket: Ticket) -> bool:
    """Whether the ticket's latest closing was the customer's own «Решено» (not the silence window):
    then the survey must not ask again whether the problem was solved."""
    if ticket.closed_at is None:
        return False
    latest = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "ticket.status_changed")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return latest is not None and latest.data.get("to") == "closed" and latest.data.get("cause") == "confirm"


def list_surveys(session: Session, ticket_id: int) -> list[TicketSurvey]:
    return list(
        session.scalars(select(TicketSurvey).where(TicketSurvey.ticket_id == ticket_id).order_by(TicketSurvey.id))
    )


def do_submit_survey(
    session: Session,
    ticket: Ticket,
    customer: Customer,
    *,
    solved: bool,
    rating: int | None,
    comment: str | None,
    at: datetime,
) -> TicketSurvey:
    """The customer's answer about a closed ticket, once per closing. Emits ``ticket.surveyed``."""
    check_own(customer, ticket)
    if ticket.status != Status.CLOSED.value or ticket.closed_at is None:
        raise Conflict("survey_not_closed", ticket_id=ticket.id)
    if rating is not None and rating not in RATINGS:
        raise InvalidInput("invalid_field", field="rating", reason="1–5")
    text = (comment or "").replace("\x00", "").strip()
    if len(text) > MAX_SURVEY_COMMENT:
        raise InvalidInput("invalid_field", field="comment", reason=f"≤ {MAX_SURVEY_COMMENT}")
    if survey_of(session, ticket) is not None:
        raise Conflict("survey_done", ticket_id=ticket.id)
    survey = TicketSurvey(
        ticket_id=ticket.id,
        customer_id=customer.id,
        closing_at=ticket.closed_at,
        solved=solved,
        rating=rating,
        comment=text or None,
        created_at=at,
    )
    session.add(survey)
    session.flush()
    audit.record(
        session, actor=customer_actor(customer), action="ticket.surveyed", entity="ticket", entity_id=ticket.id,
        ticket_id=ticket.id, data={"solved": solved, "rating": rating}, at=at,
    )  # fmt: skip
    return survey


# ---- escalation by the customer ------------------------------------------------------------


def open_escalation(session: Session, ticket_id: int) -> TicketEscalation | None:
    """The escalation a lead has not acknowledged yet, if any."""
    return session.scalars(
        select(TicketEscalation).where(
            TicketEscalation.ticket_id == ticket_id, TicketEscalation.acknowledged_at.is_(None)
        )
    ).first()


def latest_escalation(session: Session, ticket_id: int) -> TicketEscalation | None:
    return session.scalars(
        select(TicketEscalation)
        .where(TicketEscalation.ticket_id == ticket_id)
        .order_by(TicketEscalation.escalated_at.desc(), TicketEscalation.id.desc())
        .limit(1)
    ).first()


def list_escalations(session: Session, ticket_id: int) -> list[TicketEscalation]:
    return list(
        session.scalars(
            select(TicketEscalation).where(TicketEscalation.ticket_id == ticket_id).order_by(TicketEscalation.id)
        )
    )


def escalation_lead(session: Session, ticket: Ticket) -> Agent | None:
    """Who will look: a lead of the ticket's team other than its owner; else the head of support
    (the admins when nobody is marked so). None when the desk has nobody to escalate to."""
    leads = [a for a in leads_of_team(session, ticket.team_id) if a.id != ticket.assignee_id]
    if leads:
        return leads[0]
    heads = [a for a in heads_of_support(session) if a.id != ticket.assignee_id] or heads_of_support(session)
    return heads[0] if heads else None


def ack_deadline(session: Session, ticket: Ticket, at: datetime, hours: float) -> datetime:
    """``hours`` of the ticket's business calendar after ``at`` (nights and weekends do not count)."""
    calendar = clocks.policy_for(session, ticket).calendar
    return add_business_time(at, timedelta(hours=hours), calendar)


def do_escalate(
    session: Session,
    ticket: Ticket,
    *,
    reason: EscalationReason,
    lead: Agent,
    ack_due: datetime,
    actor: Actor,
    at: datetime,
) -> TicketEscalation:
    """Put the case in front of ``lead``, who is told at once and must acknowledge by ``ack_due``;
    past it the head of support is alerted (a timer). Callers check the reason first
    (``messages.portal.do_customer_escalate``). Emits ``ticket.escalated_by_customer``."""
    if open_escalation(session, ticket.id) is not None:
        raise Conflict("escalation_open", ticket_id=ticket.id)
    escalation = TicketEscalation(
        ticket_id=ticket.id,
        customer_id=actor.id if actor.kind is ActorKind.CUSTOMER else None,
        reason=reason.value,
        escalated_to=lead.id,
        lead=lead,
        escalated_at=at,
        ack_due_at=ack_due,
    )
    session.add(escalation)
    session.flush()
    ticket.updated_at = at
    params = {"ticket_id": ticket.id, **clock.stamped("due", ack_due), "reason_ru": _REASONS[reason][0],
              "reason_en": _REASONS[reason][1], "owner": ticket.assignee.name if ticket.assignee else "—"}  # fmt: skip
    do_notify(session, [lead.id], kind="portal_escalation", ticket_id=ticket.id, params=params, at=at)
    jobs.schedule(
        session, ESCALATION_ACK_DUE, {"escalation_id": escalation.id}, due_at=ack_due,
        key=clocks.key(ticket.id, "escalation_ack"),
    )  # fmt: skip
    audit.record(
        session, actor=actor, action="ticket.escalated_by_customer", entity="ticket", entity_id=ticket.id,
        ticket_id=ticket.id, at=at,
        data={"escalation_id": escalation.id, "reason": reason.value, "lead": {"id": lead.id, "name": lead.name},
              "ack_due_at": ack_due.isoformat()},
    )  # fmt: skip
    return escalation


_REASONS = {
    EscalationReason.SLA_BREACHED: ("срок нарушен", "a target was breached"),
    EscalationReason.NO_ANSWER: ("давно нет ответа по существу", "no substantive answer for days"),
}


def check_acknowledge(who: Principal, escalation: TicketEscalation, *, is_head: bool) -> None:
    """The named lead acknowledges; so may the head of support or an admin in their stead."""
    if who.agent_id != escalation.escalated_to and not is_head and who.role is not Role.ADMIN:
        raise Forbidden("escalation_ack_forbidden", name=escalation.lead.name)


def do_acknowledge_escalation(
    session: Session, escalation: TicketEscalation, *, agent: Agent, actor: Actor, at: datetime
) -> None:
    """The lead has seen the case: the alert timer stops. Emits ``ticket.escalation_acknowledged``."""
    escalation.acknowledged_at = at
    escalation.acknowledged_by = agent.id
    escalation.acknowledger = agent
    jobs.cancel(session, clocks.key(escalation.ticket_id, "escalation_ack"))
    audit.record(
        session, actor=actor, action="ticket.escalation_acknowledged", entity="ticket",
        entity_id=escalation.ticket_id, ticket_id=escalation.ticket_id, at=at,
        data={"escalation_id": escalation.id, "late": at > escalation.ack_due_at},
    )  # fmt: skip


def do_alert_unacknowledged(session: Session, escalation: TicketEscalation, *, at: datetime) -> bool:
    """The lead let the deadline pass: the head of support (the admins when nobody is) is told,
    once. Returns whether anyone was alerted. Emits ``ticket.escalation_overdue``."""
    if escalation.acknowledged_at is not None or escalation.alerted_at is not None or at < escalation.ack_due_at:
        return False
    escalation.alerted_at = at
    heads = [a.id for a in heads_of_support(session)]
    params = {
        "ticket_id": escalation.ticket_id,
        "lead": escalation.lead.name,
        **clock.stamped("due", escalation.ack_due_at),
    }
    do_notify(session, heads, kind="portal_escalation_overdue", ticket_id=escalation.ticket_id, params=params, at=at)
    audit.record(
        session, actor=Actor.system("timer"), action="ticket.escalation_overdue", entity="ticket",
        entity_id=escalation.ticket_id, ticket_id=escalation.ticket_id, at=at,
        data={"escalation_id": escalation.id, "lead": escalation.lead.name, "alerted": heads},
    )  # fmt: skip
    return bool(heads)

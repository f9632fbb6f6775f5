"""The agents' side of the customer portal: send a customer a sign-in link, acknowledge the
customer's escalation, read escalations and surveys of a ticket."""

from __future__ import annotations

from fastapi import APIRouter, Request

from otklik.api.deps import DB, AuthDep, PathId
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import NotFound
from otklik.customers.portal import check_link_channel, do_create_portal_link
from otklik.customers.queries import get_customer
from otklik.messages.actions import RECIPIENT_KIND
from otklik.tickets.portal import (
    check_acknowledge,
    do_acknowledge_escalation,
    list_escalations,
    list_surveys,
    open_escalation,
    portal_settings,
)
from otklik.tickets.portal_schemas import (
    EscalationList,
    EscalationOut,
    PortalLinkIn,
    PortalLinkOut,
    SurveyList,
    SurveyOut,
)
from otklik.tickets.queries import access_ticket

router = APIRouter(tags=["portal"])


@router.post("/customers/{customer_id}/portal-link", status_code=201, response_model=PortalLinkOut)
def send_portal_link(customer_id: PathId, body: PortalLinkIn, request: Request, db: DB, auth: AuthDep) -> PortalLinkOut:
    """A one-time sign-in link to the portal, queued to the customer's address on ``channel`` (the
    worker sends it; ``delivery_state`` follows). It works once, for ``OTKLIK_PORTAL_LINK_MINUTES``."""
    customer = get_customer(db, customer_id)
    recipient = check_link_channel(customer, RECIPIENT_KIND[body.channel])
    link = do_create_portal_link(
        db, customer, channel=body.channel.value, recipient=recipient,
        base_url=get_settings().public_base_url or str(request.base_url), actor=auth.actor, at=clock.now(),
        minutes=portal_settings().link_minutes,
    )  # fmt: skip
    db.commit()
    return PortalLinkOut.of(link)


@router.post("/tickets/{ticket_id}/escalation/ack", response_model=EscalationOut)
def acknowledge(ticket_id: PathId, db: DB, auth: AuthDep) -> EscalationOut:
    """The named lead (or the head of support, or an admin) has the customer's escalation in hand:
    the head of support will not be alerted."""
    access_ticket(db, auth.principal, ticket_id)
    escalation = open_escalation(db, ticket_id)
    if escalation is None:
        raise NotFound("escalation_not_found", ticket_id=ticket_id)
    check_acknowledge(auth.principal, escalation, is_head=auth.agent.is_head_of_support)
    do_acknowledge_escalation(db, escalation, agent=auth.agent, actor=auth.actor, at=clock.now())
    db.commit()
    return EscalationOut.of(escalation)


@router.get("/tickets/{ticket_id}/escalations", response_model=EscalationList)
def escalations(ticket_id: PathId, db: DB, auth: AuthDep) -> EscalationList:
    access_ticket(db, auth.principal, ticket_id)
    return EscalationList(items=[EscalationOut.of(e) for e in list_escalations(db, ticket_id)])


@router.get("/tickets/{ticket_id}/surveys", response_model=SurveyList)
def surveys(ticket_id: PathId, db: DB, auth: AuthDep) -> SurveyList:
    """The customer's answers after each closing: «Ваша проблема решена?», rating, comment."""
    access_ticket(db, auth.principal, ticket_id)
    return SurveyList(items=[SurveyOut.of(s) for s in list_surveys(db, ticket_id)])

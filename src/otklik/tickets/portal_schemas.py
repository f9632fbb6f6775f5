"""API shapes of the customer portal's agent side: sign-in links, escalations, surveys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from otklik.agents.schemas import AgentRef
from otklik.core.schemas import StrictIn
from otklik.core.taxonomy import Channel
from otklik.customers.models import PortalLink
from otklik.tickets.models import TicketEscalation, TicketSurvey


class PortalLinkIn(StrictIn):
    #: the channel the link goes through: email or a messenger where the customer has an address
    channel: Channel


class PortalLinkOut(BaseModel):
    """A queued sign-in link; its token is never shown (only the customer's inbox gets it)."""

    id: int
    customer_id: int
    channel: str
    recipient: str
    expires_at: datetime
    delivery_state: str
    delivery_error: str | None

    @classmethod
    def of(cls, link: PortalLink) -> PortalLinkOut:
        return cls(
            id=link.id,
            customer_id=link.customer_id,
            channel=link.channel,
            recipient=link.recipient,
            expires_at=link.expires_at,
            delivery_state=link.delivery_state,
            delivery_error=link.delivery_error,
        )


class EscalationOut(BaseModel):
    id: int
    ticket_id: int
    reason: str
    lead: AgentRef
    escalated_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: AgentRef | None
    alerted_at: datetime | None

    @classmethod
    def of(cls, escalation: TicketEscalation) -> EscalationOut:
        lead = AgentRef.of(escalation.lead)
        assert lead is not None
        return cls(
            id=escalation.id,
            ticket_id=escalation.ticket_id,
            reason=escalation.reason,
            lead=lead,
            escalated_at=escalation.escalated_at,
            ack_due_at=escalation.ack_due_at,
            acknowledged_at=escalation.acknowledged_at,
            acknowledged_by=AgentRef.of(escalation.acknowledger),
            alerted_at=escalation.alerted_at,
        )


class SurveyOut(BaseModel):
    id: int
    ticket_id: int
    closing_at: datetime
    solved: bool
    rating: int | None
    comment: str | None
    created_at: datetime

    @classmethod
    def of(cls, survey: TicketSurvey) -> SurveyOut:
        return cls(
            id=survey.id,
            ticket_id=survey.ticket_id,
            closing_at=survey.closing_at,
            solved=survey.solved,
            rating=survey.rating,
            comment=survey.comment,
            created_at=survey.created_at,
        )


class EscalationList(BaseModel):
    items: list[EscalationOut]


class SurveyList(BaseModel):
    items: list[SurveyOut]

"""API shapes for tickets."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from otklik.agents.schemas import AgentRef
from otklik.core.i18n import LANGS, translate, translate_plural
from otklik.core.schemas import NON_BLANK, Id, StrictIn, UTCTime
from otklik.core.taxonomy import Category, Urgency
from otklik.customers.schemas import CustomerRef
from otklik.tickets.models import Ticket, TicketLink


class ReferenceOut(BaseModel):
    kind: str
    value: str


class LinkOut(BaseModel):
    """A relation with another ticket, the same from both ends: ``went_public`` (``from`` is the public
    complaint about the private case ``to``, after ``days`` whole days) or ``merged`` (``from`` → ``to``)."""

    kind: str
    from_ticket_id: int
    to_ticket_id: int
    days: int | None
    label: dict[str, str]
    created_at: datetime

    @classmethod
    def of(cls, link: TicketLink) -> LinkOut:
        if link.kind == "went_public":
            days = link.days or 0
            label = {
                lang: translate("link.went_public", lang, days=translate_plural("count.day", "count.days", days, lang))
                for lang in LANGS
            }
        else:
            label = {
                lang: translate("link.merged", lang, from_id=link.from_ticket_id, to_id=link.to_ticket_id)
                for lang in LANGS
            }
        return cls(
            kind=link.kind,
            from_ticket_id=link.from_ticket_id,
            to_ticket_id=link.to_ticket_id,
            days=link.days,
            label=label,
            created_at=link.created_at,
        )


class HoldOut(BaseModel):
    until: datetime
    promise: str


class SlaOut(BaseModel):
    """The live targets: when we owe the next answer and the solution (None = not running)."""

    waiting_since: datetime | None
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None


class CustomerClockOut(BaseModel):
    """The customer's own clock: since their first message, holds included, until closed."""

    since: datetime | None
    stopped_at: datetime | None
    escalation_level: int


class TicketOut(BaseModel):
    """The contract's ticket, plus what an agent's screen needs."""

    id: int
    number: str
    status: str
    category: str | None
    urgency: str | None
    channel: str
    subject: str
    is_public: bool
    assignee: AgentRef | None
    team: dict[str, object] | None
    customer: CustomerRef
    hold: HoldOut | None
    sla: SlaOut
    customer_clock: CustomerClockOut
    references: list[ReferenceOut]
    links: list[LinkOut]
    merged_into: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        hold = (
            HoldOut(until=ticket.hold_until, promise=ticket.hold_promise or "")
            if ticket.hold_until is not None
            else None
        )
        return cls(
            id=ticket.id,
            number=ticket.number,
            status=ticket.status,
            category=ticket.category,
            urgency=ticket.urgency,
            channel=ticket.channel,
            subject=ticket.subject,
            is_public=ticket.is_public,
            assignee=AgentRef.of(ticket.assignee),
            team={"id": ticket.team.id, "name": ticket.team.name} if ticket.team else None,
            customer=CustomerRef(id=ticket.customer.id, name=ticket.customer.name),
            hold=hold,
            sla=SlaOut(
                waiting_since=ticket.waiting_since,
                first_response_due_at=ticket.first_response_due_at,
                first_response_at=ticket.first_response_at,
                next_response_due_at=ticket.next_response_due_at,
                resolution_due_at=ticket.resolution_due_at,
            ),
            customer_clock=CustomerClockOut(
                since=ticket.first_customer_message_at,
                stopped_at=ticket.closed_at,
                escalation_level=ticket.age_escalation,
            ),
            references=[ReferenceOut(kind=r.kind, value=r.value) for r in ticket.references],
            links=[LinkOut.of(link) for link in sorted([*ticket.links_out, *ticket.links_in], key=lambda k: k.id)],
            merged_into=ticket.merged_into_id,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


class SolveIn(StrictIn):
    text: str | None = Field(default=None, max_length=100_000, pattern=NON_BLANK)
    #: the final reply goes out although the quality policy blocks it, for this reason (otklik.quality)
    override_reason: str | None = Field(default=None, max_length=2000)


class HoldIn(StrictIn):
    until: UTCTime
    #: sent to the customer as a public reply in these words, checked like any reply
    promise: str = Field(min_length=1, max_length=2000, pattern=NON_BLANK)
    override_reason: str | None = Field(default=None, max_length=2000)


class AssignIn(StrictIn):
    agent_id: Id


class TransferIn(StrictIn):
    agent_id: Id
    reason: str = Field(min_length=3, max_length=1000)


class TriageIn(StrictIn):
    category: Category
    urgency: Urgency
    assignee_id: Id | None = None


class ReferenceIn(StrictIn):
    kind: str = Field(pattern="^(order|supply|sku|claim|ticket|other)$")
    value: str = Field(min_length=1, max_length=100)


class VerdictIn(StrictIn):
    solved: bool

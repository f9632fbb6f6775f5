"""A small hand-built history for the support-health reports: rows written straight into the
tables with known times, so every expected figure in the tests is computed by hand from here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from otklik.core.audit import AuditEvent
from otklik.customers.models import Customer
from otklik.messages.models import Message
from otklik.quality.models import QualityFeedback
from otklik.tickets.models import Ticket, TicketEscalation, TicketLink, TicketSurvey

SINCE = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
UNTIL = datetime(2026, 11, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 12, 12, 0, tzinfo=UTC)
Waited = tuple[int, int] | None


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class History:
    """Writes tickets, messages and events; ``ids`` keeps the tickets by the names the tests use."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.customer = Customer(name="Илья", created_at=at(1, 0, month=10))
        db.add(self.customer)
        db.flush()
        self.ids: dict[str, int] = {}

    def ticket(self, name: str, channel: str, created: datetime, **fields: Any) -> Ticket:
        fields.setdefault("status", "open")
        fields.setdefault("first_customer_message_at", created)
        ticket = Ticket(channel=channel, customer_id=self.customer.id, created_at=created, updated_at=created, **fields)
        self.db.add(ticket)
        self.db.flush()
        self.ids[name] = ticket.id
        return ticket

    def message(
        self,
        ticket: Ticket,
        when: datetime,
        *,
        ours: bool,
        agent_id: int | None = None,
        waited: tuple[int, int] | None = None,
    ) -> None:
        """``waited``: the customer's wait this reply ended (calendar, business seconds), as delivery records it."""
        self.db.add(
            Message(
                ticket_id=ticket.id,
                direction="outbound" if ours else "inbound",
                public=True,
                channel=ticket.channel,
                text="…",
                author_agent_id=agent_id if ours else None,
                author_customer_id=None if ours else self.customer.id,
                wait_seconds=waited[0] if waited else None,
                wait_business_seconds=waited[1] if waited else None,
                created_at=when,
            )
        )
        self.db.flush()

    def event(self, ticket: Ticket, action: str, when: datetime, **data: Any) -> None:
        self.db.add(
            AuditEvent(
                ticket_id=ticket.id,
                entity="ticket",
                entity_id=ticket.id,
                action=action,
                actor_kind="system",
                actor_id=None,
                actor_name="history",
                data=data,
                created_at=when,
            )
        )
        self.db.flush()

    def status(self, ticket: Ticket, when: datetime, old: str, new: str, cause: str) -> None:
        self.event(ticket, "ticket.status_changed", when, **{"from": old, "to": new, "cause": cause})

    def survey(self, ticket: Ticket, when: datetime, *, solved: bool, rating: int | None) -> None:
        self.db.add(
            TicketSurvey(
                ticket_id=ticket.id,
                customer_id=self.customer.id,
                closing_at=when,
                solved=solved,
                rating=rating,
                created_at=when,
            )
        )

    def escalation(self, ticket: Ticket, when: datetime, lead_id: int) -> None:
        self.db.add(
            TicketEscalation(
                ticket_id=ticket.id,
                customer_id=self.customer.id,
                reason="no_answer",
                escalated_to=lead_id,
                escalated_at=when,
                ack_due_at=when + timedelta(hours=1),
            )
        )

    def override(self, ticket: Ticket, when: datetime, agent_id: int) -> None:
        self.db.add(
            QualityFeedback(
                decision="override",
                reason="клиент просил именно так",
                reply="…",
                flags=[],
                disputed=["cliche"],
                lang="ru",
                public=False,
                channel=ticket.channel,
                agent_id=agent_id,
                ticket_id=ticket.id,
                created_at=when,
            )
        )

    def went_public(self, private: Ticket, public: Ticket, when: datetime) -> None:
        self.db.add(
            TicketLink(kind="went_public", from_ticket_id=public.id, to_ticket_id=private.id, days=1, created_at=when)
        )


def build(db: Session, *, marina: int, anna: int, boris: int) -> History:
    """The history of the tests: four Telegram tickets, one public, one web chat in the week of
    2 November, and around them tickets the week must leave out."""
    h = History(db)
    # T0: before the period, still waiting for us since 1 October (backlog only)
    h.ticket("T0", "telegram", at(1, 9, month=10), status="open", waiting_since=at(1, 9, month=10))
    # T1: answered in 10 min (due in 30), a promise kept, solved in an hour, closed on the customer's word
    t1 = h.ticket(
        "T1", "telegram", at(2, 10), status="closed", assignee_id=marina, first_response_at=at(2, 10, 10),
        first_response_business_seconds=600, first_response_due_at=at(2, 10, 30), solved_at=at(2, 11),
        closed_at=at(2, 12), resolution_due_at=at(3, 10),
    )  # fmt: skip
    h.message(t1, at(2, 10), ours=False)
    h.message(t1, at(2, 10, 10), ours=True, agent_id=marina, waited=(600, 600))
    h.event(t1, "ticket.held", at(2, 10, 20), until=at(2, 10, 50).isoformat(), promise="…")
    h.status(t1, at(2, 11), "on_hold", "solved", "propose_solution")
    h.status(t1, at(2, 12), "solved", "closed", "confirm")
    h.survey(t1, at(2, 12, 5), solved=True, rating=5)
    # T2: answered two hours late, a second turn answered in 30 min, «не решено» reopened it
    t2 = h.ticket(
        "T2", "telegram", at(3, 9), status="open", assignee_id=marina, first_response_at=at(3, 11),
        first_response_business_seconds=3600, first_response_due_at=at(3, 10), waiting_since=at(10, 13),
    )  # fmt: skip
    h.message(t2, at(3, 9), ours=False)
    h.message(t2, at(3, 11), ours=True, agent_id=marina, waited=(7200, 3600))
    h.message(t2, at(3, 12), ours=False)
    h.message(t2, at(3, 12, 10), ours=False)
    h.message(t2, at(3, 12, 30), ours=True, agent_id=marina, waited=(1800, 900))  # the wait from 12:00
    h.status(t2, at(3, 12, 30), "open", "solved", "propose_solution")
    h.status(t2, at(4, 8), "solved", "open", "reject_solution")
    # T3: nobody answered; its target came on 4 November at 09:00
    h.ticket("T3", "telegram", at(4, 8), status="new", first_response_due_at=at(4, 9), waiting_since=at(4, 8))
    # T4: answered in an hour; one promise broken (the timer took it back), one still running; went public
    t4 = h.ticket(
        "T4", "telegram", at(5, 9), status="on_hold", assignee_id=anna, first_response_at=at(5, 10),
        first_response_business_seconds=1800, hold_until=at(20, 10),
    )  # fmt: skip
    h.event(t4, "ticket.held", at(5, 10), until=at(6, 10).isoformat(), promise="…")
    h.status(t4, at(6, 10), "on_hold", "open", "hold_due")
    h.event(t4, "ticket.held", at(6, 11), until=at(20, 10).isoformat(), promise="…")
    # P1: a public complaint answered in 5 minutes and solved; the survey says «не решено», 1 of 5
    p1 = h.ticket(
        "P1", "public", at(5, 12), status="solved", is_public=True, assignee_id=anna, first_response_at=at(5, 12, 5),
        solved_at=at(5, 13),
    )  # fmt: skip
    h.message(p1, at(5, 12), ours=False)
    h.message(p1, at(5, 12, 5), ours=True, agent_id=anna)
    h.went_public(t4, p1, at(5, 12))
    h.survey(p1, at(5, 14), solved=False, rating=1)
    # W1: a web chat closed by silence (not confirmed); the customer called the lead; two replies checked,
    # one flagged and sent over the block
    w1 = h.ticket("W1", "webchat", at(6, 15), status="closed", solved_at=at(6, 15, 30), closed_at=at(6, 16))
    h.message(w1, at(6, 15), ours=False)
    h.message(w1, at(6, 15, 20), ours=True, agent_id=anna)
    h.message(w1, at(6, 15, 25), ours=True, agent_id=anna)
    h.status(w1, at(6, 16), "solved", "closed", "auto_close")
    h.escalation(w1, at(6, 15, 10), boris)
    h.event(w1, "quality.reply_checked", at(6, 15, 20), flagged=False, codes=[])
    h.event(w1, "quality.reply_checked", at(6, 15, 25), flagged=True, codes=["cliche"])
    h.override(w1, at(6, 15, 25), anna)
    # left out of the week: a merged duplicate inside it, and a ticket after it
    merged_into = h.ids["T1"]
    h.ticket("merged", "telegram", at(2, 10, 1), status="closed", merged_into_id=merged_into)
    h.ticket("after", "telegram", at(9, 0), status="new", waiting_since=at(9, 0))
    db.flush()
    return h

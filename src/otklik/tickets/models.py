"""Ticket and TicketReference tables; links between tickets, merges and dismissed merge offers.

Ticket ids are plain integers starting at 10001 so people can say «обращение #10234».
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.agents.models import Agent, Team
from otklik.core.db import Base, BigIntPK, UTCDateTime
from otklik.customers.models import Customer

FIRST_TICKET_ID = 10001


class Ticket(Base):
    """One case of one customer. ``status`` changes only through ``tickets.actions``."""

    __tablename__ = "tickets"
    __table_args__ = (
        # the agent's queues: by status and owner or team, newest activity first
        Index("ix_tickets_queue_assignee", "status", "assignee_id", "updated_at", "id"),
        Index("ix_tickets_queue_team", "status", "team_id", "updated_at", "id"),
        Index("ix_tickets_updated", "updated_at", "id"),
        # who is waiting for us longest (backlog guard, "near breach" queue)
        Index("ix_tickets_waiting", "waiting_since"),
        Index("ix_tickets_created_at", "created_at"),  # the reports' periods
        # the customer's history
        Index("ix_tickets_customer_history", "customer_id", "created_at"),
        {"sqlite_autoincrement": True},  # with the seed in the migration: ids start at 10001
    )

    id: Mapped[int] = mapped_column(BigIntPK, Identity(start=FIRST_TICKET_ID), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    urgency: Mapped[str | None] = mapped_column(String(10))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="RESTRICT"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    last_public_author: Mapped[str | None] = mapped_column(String(10))
    first_customer_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_customer_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_public_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_promise: Mapped[str | None] = mapped_column(Text)
    requeued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA: the live targets of this ticket under its policy (None = no target running)
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id", ondelete="SET NULL"))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the first response's wait in the SLA calendar's open time, recorded with it (for the reports)
    first_response_business_seconds: Mapped[int | None] = mapped_column(Integer)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the customer's own clock: 0 none, 1 lead, 2 head of support, 3 admin
    age_escalation: Mapped[int] = mapped_column(Integer, default=0)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: a closed duplicate points at the ticket that carries its messages on
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    assignee: Mapped[Agent | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    references: Mapped[list[TicketReference]] = relationship(
        order_by="TicketReference.id", lazy="selectin", cascade="all, delete-orphan"
    )
    links_out: Mapped[list[TicketLink]] = relationship(
        foreign_keys="TicketLink.from_ticket_id", order_by="TicketLink.id", lazy="selectin", viewonly=True
    )
    links_in: Mapped[list[TicketLink]] = relationship(
        foreign_keys="TicketLink.to_ticket_id", order_by="TicketLink.id", lazy="selectin", viewonly=True
    )

    @property
    def number(self) -> str:
        """How people name the ticket: ``#10234``."""
        return f"#{self.id}"


class TicketReference(Base):
    """An outside number the ticket is about (order, supply, SKU, claim), searchable exactly."""

    __tablename__ = "ticket_references"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "value"),
        Index("ix_ticket_references_value", "value"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketLink(Base):
    """A relation between two tickets, read from both ends.

    ``went_public``: the public complaint ``from`` is about the private case ``to``, which had
    gone ``days`` whole days without resolution. ``merged``: ``from`` was merged into ``to``.
    """

    __tablename__ = "ticket_links"
    __table_args__ = (
        UniqueConstraint("kind", "from_ticket_id", "to_ticket_id"),
        Index("ix_ticket_links_to_ticket_id", "to_ticket_id"),
        Index("ix_ticket_links_from_ticket_id", "from_ticket_id"),  # every ticket page loads its links
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    to_ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketMerge(Base):
    """Ticket ``source_id`` merged into ``target_id``; ``snapshot`` holds what undo restores."""

    __tablename__ = "ticket_merges"
    __table_args__ = (Index("ix_ticket_merges_source_id", "source_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    target_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"), index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MergeDismissal(Base):
    """An agent said two tickets (or two customers) are not the same: the offer is not made again."""

    __tablename__ = "merge_dismissals"
    __table_args__ = (UniqueConstraint("kind", "first_id", "second_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    #: ticket | customer
    kind: Mapped[str] = mapped_column(String(10))
    first_id: Mapped[int] = mapped_column(BigInteger)
    second_id: Mapped[int] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketSurvey(Base):
    """The customer's one-question answer after a closing: «Ваша проблема решена?», an optional
    1–5 rating and comment. One per closing of a ticket (``closing_at`` is that ``closed_at``)."""

    __tablename__ = "ticket_surveys"
    __table_args__ = (UniqueConstraint("ticket_id", "closing_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    closing_at: Mapped[datetime] = mapped_column(UTCDateTime)
    solved: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketEscalation(Base):
    """The customer put the case in front of a named lead (``escalated_to``), who owes an
    acknowledgement by ``ack_due_at``; ``alerted_at`` is when the head of support was told they
    had not. At most one unacknowledged escalation per ticket."""

    __tablename__ = "ticket_escalations"
    __table_args__ = (
        Index("ix_ticket_escalations_ticket_id", "ticket_id", "escalated_at"),
        Index(
            "uq_ticket_escalations_open",
            "ticket_id",
            unique=True,
            postgresql_where=text("acknowledged_at IS NULL"),
            sqlite_where=text("acknowledged_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    #: sla_breached | no_answer
    reason: Mapped[str] = mapped_column(String(20))
    escalated_to: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="RESTRICT"))
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead: Mapped[Agent] = relationship(foreign_keys=[escalated_to], lazy="joined", innerjoin=True)
    acknowledger: Mapped[Agent | None] = relationship(foreign_keys=[acknowledged_by], lazy="joined")

"""Imports every domain's models so the metadata is complete (Alembic, tests, demo)."""

from otklik.agents.models import Agent, AgentSkill, ApiToken, Team, TeamMembership
from otklik.core.audit import AuditEvent
from otklik.core.outbox import OutboxEntry
from otklik.customers.models import Customer, Identity, Organisation
from otklik.messages.models import Message
from otklik.tickets.models import Ticket, TicketReference

__all__ = [
    "Agent",
    "AgentSkill",
    "ApiToken",
    "AuditEvent",
    "Customer",
    "Identity",
    "Message",
    "Organisation",
    "OutboxEntry",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketReference",
]

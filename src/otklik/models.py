"""Imports every domain's models so the metadata is complete (Alembic, tests, demo)."""

from otklik.agents.models import Agent, AgentSkill, ApiToken, Notification, Team, TeamMembership
from otklik.channels.models import ChannelHealth, ChannelSettings
from otklik.core.audit import AuditEvent
from otklik.core.jobs import Job
from otklik.customers.models import Customer, Identity, Organisation
from otklik.messages.models import Attachment, Message, MessageSource
from otklik.tickets.models import Ticket, TicketReference
from otklik.timers.models import CalendarRow, SlaPolicy

__all__ = [
    "Agent",
    "AgentSkill",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "CalendarRow",
    "ChannelHealth",
    "ChannelSettings",
    "Customer",
    "Identity",
    "Job",
    "Message",
    "MessageSource",
    "Notification",
    "Organisation",
    "SlaPolicy",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketReference",
]

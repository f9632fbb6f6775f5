"""Imports every domain's models so the metadata is complete (Alembic, tests, demo)."""

from otklik.agents.models import Agent, AgentSkill, ApiToken, Notification, Team, TeamMembership
from otklik.analytics.models import ReportSnapshot
from otklik.bot.models import BotTurn
from otklik.channels.models import ChannelHealth, ChannelSettings
from otklik.core.audit import AuditEvent
from otklik.core.jobs import Job
from otklik.core.limiter import RateBucket
from otklik.core.signals import Signal
from otklik.customers.models import (
    Customer,
    CustomerMerge,
    Identity,
    LinkCode,
    Organisation,
    PortalLink,
    SenderRate,
)
from otklik.kb.models import Article, ArticleVersion
from otklik.messages.models import Attachment, Message, MessageSource
from otklik.quality.models import QualityFeedback, QualityPolicy
from otklik.routing.models import RoutingProfile
from otklik.tickets.models import (
    MergeDismissal,
    Ticket,
    TicketEscalation,
    TicketLink,
    TicketMerge,
    TicketReference,
    TicketSurvey,
)
from otklik.timers.models import CalendarRow, SlaPolicy

__all__ = [
    "Agent",
    "AgentSkill",
    "ApiToken",
    "Article",
    "ArticleVersion",
    "Attachment",
    "AuditEvent",
    "BotTurn",
    "CalendarRow",
    "ChannelHealth",
    "ChannelSettings",
    "Customer",
    "CustomerMerge",
    "Identity",
    "Job",
    "LinkCode",
    "MergeDismissal",
    "Message",
    "MessageSource",
    "Notification",
    "Organisation",
    "PortalLink",
    "QualityFeedback",
    "QualityPolicy",
    "RateBucket",
    "ReportSnapshot",
    "RoutingProfile",
    "SenderRate",
    "Signal",
    "SlaPolicy",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEscalation",
    "TicketLink",
    "TicketMerge",
    "TicketReference",
    "TicketSurvey",
]

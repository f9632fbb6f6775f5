"""The /api/v1 router: every resource under one prefix."""

from fastapi import APIRouter

from otklik.api.routes import (
    agents,
    analytics,
    bot,
    customers,
    inbound,
    kb,
    links,
    messages,
    notifications,
    portal,
    public,
    quality,
    quality_policy,
    routing,
    settings,
    tickets,
    triage,
    webhook_challenges,
    webhooks,
)

api_v1 = APIRouter(prefix="/api/v1")
for module in (
    inbound,
    messages,
    tickets,
    portal,
    customers,
    agents,
    settings,
    notifications,
    webhooks,
    webhook_challenges,
    public,
    links,
    routing,
    quality,
    quality_policy,
    analytics,
    kb,
    bot,
    triage,
):
    api_v1.include_router(module.router)

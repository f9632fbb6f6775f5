"""The /api/v1 router: every resource under one prefix."""

from fastapi import APIRouter

from otklik.api.routes import (
    agents,
    bot,
    customers,
    inbound,
    kb,
    links,
    notifications,
    public,
    quality,
    routing,
    settings,
    tickets,
    webhook_challenges,
    webhooks,
)

api_v1 = APIRouter(prefix="/api/v1")
for module in (
    inbound,
    tickets,
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
    kb,
    bot,
):
    api_v1.include_router(module.router)

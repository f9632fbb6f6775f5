"""The /api/v1 router: every resource under one prefix."""

from fastapi import APIRouter

from otklik.api.routes import (
    agents,
    customers,
    inbound,
    links,
    notifications,
    public,
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
):
    api_v1.include_router(module.router)

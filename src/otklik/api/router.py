"""The /api/v1 router: every resource under one prefix."""

from fastapi import APIRouter

from otklik.api.routes import agents, customers, inbound, notifications, settings, tickets, webhooks

api_v1 = APIRouter(prefix="/api/v1")
for module in (inbound, tickets, customers, agents, settings, notifications, webhooks):
    api_v1.include_router(module.router)

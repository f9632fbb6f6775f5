"""The /api/v1 router: every resource under one prefix."""

from fastapi import APIRouter

from otklik.api.routes import agents, customers, inbound, tickets

api_v1 = APIRouter(prefix="/api/v1")
for module in (inbound, tickets, customers, agents):
    api_v1.include_router(module.router)

"""Admin settings: channel inactivity windows, business calendars, SLA policies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep
from otklik.channels.actions import do_set_inactivity
from otklik.channels.queries import health_view, settings_view
from otklik.core.schemas import Id, StrictIn
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.tickets.actions import do_follow_channel_window
from otklik.timers.actions import do_create_calendar, do_create_policy

router = APIRouter(prefix="/settings", tags=["settings"])


class ChannelSettingsIn(StrictIn):
    inactivity_close_seconds: int


class CalendarIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    timezone: str = Field(default="Europe/Moscow", max_length=64)
    hours: list[list[list[str]]] = Field(default_factory=list, description='7 days, Monday first: [["09:00","18:00"]]')
    holidays: list[str] = Field(default_factory=list, max_length=400)
    always_open: bool = False


class PolicyIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    urgency: Urgency | None = None
    category: Category | None = None
    org_tier: str | None = Field(default=None, max_length=20)
    first_response_minutes: int = Field(ge=1, le=60 * 24 * 30)
    next_response_minutes: int = Field(ge=1, le=60 * 24 * 30)
    resolution_minutes: int = Field(ge=1, le=60 * 24 * 365)
    calendar_id: Id | None = None


@router.get("/channels/health")
def channels_health(db: DB, auth: AuthDep) -> dict[str, list[dict[str, object]]]:
    """Admins and leads: each channel's last traffic and last error; ``red`` means act now."""
    auth.require(Role.ADMIN, Role.LEAD)
    return {"items": health_view(db)}


@router.get("/channels/{channel}")
def read_channel(channel: Channel, db: DB, auth: AuthDep) -> dict[str, object]:
    return settings_view(db, channel)


@router.put("/channels/{channel}")
def update_channel(channel: Channel, body: ChannelSettingsIn, db: DB, auth: AuthDep) -> dict[str, object]:
    """Admins: solved tickets on this channel close after this many seconds of customer silence."""
    auth.require(Role.ADMIN)
    do_set_inactivity(db, channel, body.inactivity_close_seconds, actor=auth.actor)
    do_follow_channel_window(db, channel.value)
    db.commit()
    return settings_view(db, channel)


@router.post("/calendars", status_code=201)
def create_calendar(body: CalendarIn, db: DB, auth: AuthDep) -> dict[str, Any]:
    auth.require(Role.ADMIN)
    row = do_create_calendar(db, actor=auth.actor, **body.model_dump())
    db.commit()
    return {"id": row.id, **body.model_dump()}


@router.post("/sla-policies", status_code=201)
def create_policy(body: PolicyIn, db: DB, auth: AuthDep) -> dict[str, Any]:
    auth.require(Role.ADMIN)
    row = do_create_policy(
        db,
        name=body.name,
        urgency=body.urgency.value if body.urgency else None,
        category=body.category.value if body.category else None,
        org_tier=body.org_tier,
        first_response_minutes=body.first_response_minutes,
        next_response_minutes=body.next_response_minutes,
        resolution_minutes=body.resolution_minutes,
        calendar_id=body.calendar_id,
        actor=auth.actor,
    )
    db.commit()
    return {"id": row.id, **body.model_dump(mode="json")}

"""Admin settings: channel inactivity windows, business calendars, SLA policies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import Field

from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep
from otklik.channels.actions import do_set_inactivity
from otklik.channels.queries import health_view, settings_view
from otklik.core.schemas import Id, StrictIn, TimeZone
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.tickets.actions import do_follow_channel_window
from otklik.timers.actions import do_create_calendar, do_create_policy

router = APIRouter(prefix="/settings", tags=["settings"])
#: a time of day as the calendars store it
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ChannelSettingsIn(StrictIn):
    inactivity_close_seconds: int = Field(ge=1, le=2_592_000)


def _office_week() -> list[list[list[str]]]:
    """Monday to Friday, 09:00–18:00: the default a calendar is created with."""
    return [[["09:00", "18:00"]] for _ in range(5)] + [[], []]


class CalendarIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    timezone: TimeZone = "Europe/Moscow"
    hours: list[list[Annotated[list[Annotated[str, Field(pattern=HHMM)]], Field(min_length=2, max_length=2)]]] = Field(
        default_factory=_office_week,
        min_length=7, max_length=7, description='7 days, Monday first: [["09:00","18:00"]]',
    )  # fmt: skip
    holidays: list[date] = Field(default_factory=list, max_length=400)
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


@router.api_route("/channels/health", methods=["PUT", "POST", "PATCH", "DELETE"], include_in_schema=False)
def channels_health_is_read_only() -> None:
    """Without this, a PUT here would reach ``/channels/{channel}`` as a channel named «health» (a 422)."""
    raise HTTPException(405, detail="read-only", headers={"Allow": "GET"})


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
    row = do_create_calendar(db, actor=auth.actor, **body.model_dump(mode="json"))
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

"""The agent's notifications: SLA warnings, escalations, failed deliveries, digests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from otklik.agents.actions import do_mark_read
from otklik.agents.models import Notification
from otklik.agents.queries import get_notification, list_notifications
from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep, Lang, PathId
from otklik.core import clock
from otklik.core.i18n import one_language, translate
from otklik.core.jobs import JobState, list_jobs
from otklik.core.taxonomy import label
from otklik.routing.queries import agent_zone

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    kind: str
    ticket_id: int | None
    text: str
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, note: Notification, lang: str, zone: str | None = None) -> NotificationOut:
        """The text in the reader's language, its times in the reader's zone (``zone``; the desk's)."""
        params = clock.restamped(dict(note.params), zone)
        if isinstance(params.get("error"), str):  # a channel's «русский / English» error: the reader's half
            params["error"] = one_language(str(params["error"]), lang)
        if isinstance(params.get("channel"), str):  # a channel code: its name in the reader's language
            params["channel"] = label(str(params["channel"]), lang)
        if "target" in params:
            params["target"] = translate(f"target.{params['target']}", lang)
        return cls(
            id=note.id,
            kind=note.kind,
            ticket_id=note.ticket_id,
            text=translate(f"notify.{note.kind}", lang, **params),
            params=note.params,
            created_at=note.created_at,
            read_at=note.read_at,
        )


@router.get("/notifications")
def mine(
    db: DB, auth: AuthDep, lang: Lang, unread: bool = False, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, list[NotificationOut]]:
    rows = list_notifications(db, auth.agent.id, unread_only=unread, limit=limit)
    zone = agent_zone(db, auth.agent.id)
    return {"items": [NotificationOut.of(n, lang, zone) for n in rows]}


@router.post("/notifications/{notification_id}/read")
def read(notification_id: PathId, db: DB, auth: AuthDep, lang: Lang) -> NotificationOut:
    note = get_notification(db, auth.agent.id, notification_id)
    do_mark_read(db, note)
    db.commit()
    return NotificationOut.of(note, lang, agent_zone(db, auth.agent.id))


@router.get("/jobs")
def jobs(
    db: DB, auth: AuthDep, state: JobState = JobState.FAILED, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, list[dict[str, Any]]]:
    """Admins: jobs by state; failed ones stay visible here until someone looks."""
    auth.require(Role.ADMIN)
    return {
        "items": [
            {
                "id": j.id,
                "kind": j.kind,
                "key": j.key,
                "state": j.state,
                "attempts": j.attempts,
                "last_error": j.last_error,
                "due_at": j.due_at.isoformat(),
                "finished_at": j.finished_at.isoformat() if j.finished_at else None,
            }
            for j in list_jobs(db, state, limit)
        ]
    }

"""Channel parity over HTTP (leads and admins): ``GET /api/v1/analytics/channels``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from otklik.agents.rules import Role
from otklik.analytics.queries import channel_parity, went_public_weeks
from otklik.analytics.schemas import ParityOut
from otklik.api.deps import AuthDep, ReportsDB
from otklik.core import clock

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get("/channels", response_model=ParityOut)
def channels(
    db: ReportsDB,
    auth: AuthDep,
    days: Annotated[int, Query(ge=1, le=366, description="tickets created in the last N days")] = 28,
    weeks: Annotated[int, Query(ge=2, le=52, description="complete ISO weeks of the went-public share")] = 8,
) -> ParityOut:
    """Per channel: time to first response (median, p90) and resolution rate, public and private
    side by side; the went-public share per ISO week; and whether each parity alert holds. Read from
    the reports database (a read replica) when one is configured."""
    auth.require(Role.ADMIN, Role.LEAD)
    now = clock.now()
    parity = channel_parity(db, since=now - timedelta(days=days), until=now)
    return ParityOut.of(parity, went_public_weeks(db, now=now, weeks=weeks))

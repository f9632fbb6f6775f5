"""The parity alerts, checked every hour: heads of support and admins are told — at most once a
week per alert — when public complaints get answered faster than private requests, or when the
share of customers who went public after an unresolved private ticket grows week over week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.queries import admins, heads_of_support
from otklik.analytics.queries import alerted, channel_parity, went_public_weeks
from otklik.analytics.rules import growth_percent, iso_week, minutes, public_answered_faster, went_public_growing
from otklik.core import clock
from otklik.core.jobs import Job, task

PARITY_ALERTS = "analytics.parity_alerts"
PUBLIC_FASTER = "parity_public_faster"
WENT_PUBLIC_GROWING = "parity_went_public_growing"
#: the public-faster alert compares the tickets of the last seven days
ALERT_WINDOW = timedelta(days=7)


def _recipients(session: Session) -> list[int]:
    return list(dict.fromkeys(a.id for a in [*heads_of_support(session), *admins(session)]))


def send_parity_alerts(session: Session, now: datetime) -> list[str]:
    """Notify about each parity alert that holds now and was not sent this week; returns the kinds sent."""
    sent = []
    recent = now - timedelta(days=8)
    this_week = iso_week(now)
    if not alerted(session, PUBLIC_FASTER, this_week, since=recent):
        parity = channel_parity(session, since=now - ALERT_WINDOW, until=now)
        if public_answered_faster(parity.public, parity.private):
            params = {
                "week": this_week,
                "days": ALERT_WINDOW.days,
                "public_minutes": minutes(parity.public.median_first_response_seconds),
                "private_minutes": minutes(parity.private.median_first_response_seconds),
                "public_answered": parity.public.answered,
                "private_answered": parity.private.answered,
            }
            do_notify(session, _recipients(session), kind=PUBLIC_FASTER, params=params, at=now)
            sent.append(PUBLIC_FASTER)
    weeks = [w for w in went_public_weeks(session, now=now, weeks=2) if w.complete]
    previous, latest = weeks[-2], weeks[-1]
    if went_public_growing(previous, latest) and not alerted(session, WENT_PUBLIC_GROWING, latest.week, since=recent):
        params = {
            "week": latest.week,
            "previous_week": previous.week,
            "share": f"{latest.share * 100:.1f}",
            "previous_share": f"{previous.share * 100:.1f}",
            "growth": growth_percent(previous, latest),
            "customers": latest.customers,
            "base": latest.base,
        }
        do_notify(session, _recipients(session), kind=WENT_PUBLIC_GROWING, params=params, at=now)
        sent.append(WENT_PUBLIC_GROWING)
    return sent


@task(PARITY_ALERTS, every=timedelta(hours=1))
def handle_parity_alerts(session: Session, job: Job) -> datetime | None:
    send_parity_alerts(session, clock.now())
    return None

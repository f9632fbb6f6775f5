"""The alerts of support health, checked every hour.

* Parity: heads of support and admins are told — at most once a week per alert — when public
  complaints get answered faster than private requests, or when the share of customers who went
  public after an unresolved private ticket grows week over week.
* Health: a channel under the 30 % resolution line over the last 28 days, and a channel whose
  projected backlog will miss the resolution target within a week — told to the leads of the teams
  that work the channel, the heads of support and the admins, once a week per channel.

And every five minutes the dashboard's default views are recomputed (``analytics.snapshots``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from otklik.agents.actions import do_notify
from otklik.agents.queries import admins, heads_of_support, leads_of_team
from otklik.analytics.forecast import below_floor
from otklik.analytics.metrics import Dimension, Scope, health
from otklik.analytics.outlook import projections
from otklik.analytics.queries import alerted, channel_parity, team_ids_of_channel, went_public_weeks
from otklik.analytics.rules import growth_percent, iso_week, minutes, public_answered_faster, went_public_growing
from otklik.analytics.snapshots import REFRESH_EVERY, refresh
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.jobs import Job, task

PARITY_ALERTS = "analytics.parity_alerts"
HEALTH_ALERTS = "analytics.health_alerts"
REFRESH_DASHBOARD = "analytics.refresh_dashboard"
BELOW_FLOOR = "resolution_below_floor"
BREACH_FORECAST = "backlog_breach_forecast"
#: the resolution floor is judged on the tickets of the last four weeks
FLOOR_WINDOW = timedelta(days=28)
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


def _channel_recipients(session: Session, channel: str, since: datetime) -> list[int]:
    leads = [lead for team in team_ids_of_channel(session, channel, since) for lead in leads_of_team(session, team)]
    return list(dict.fromkeys([*(a.id for a in leads), *_recipients(session)]))


def send_health_alerts(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Notify about each channel under the floor or heading for a breach, once per ISO week per
    channel; returns the (kind, channel) pairs sent."""
    sent = []
    week, recent, since = iso_week(now), now - timedelta(days=8), now - FLOOR_WINDOW
    for row in health(session, Scope(since, now, now), Dimension.CHANNEL):
        channel = row.key or ""
        if below_floor(row.volume, row.resolution_rate) and not alerted(
            session, BELOW_FLOOR, week, since=recent, channel=channel
        ):
            params = {
                "week": week, "channel": channel, "resolved": row.resolved, "volume": row.volume,
                "rate": f"{(row.resolution_rate or 0) * 100:.0f}", "days": FLOOR_WINDOW.days,
            }  # fmt: skip
            do_notify(session, _channel_recipients(session, channel, since), kind=BELOW_FLOOR, params=params, at=now)
            sent.append((BELOW_FLOOR, channel))
    for seen in projections(session, now):
        channel = seen.flow.channel
        if seen.breach_day is None or alerted(session, BREACH_FORECAST, week, since=recent, channel=channel):
            continue
        params = {
            "week": week, "channel": channel, "arrivals": f"{seen.flow.arrivals_per_day:.1f}",
            "resolutions": f"{seen.flow.resolutions_per_day:.1f}", "backlog": seen.flow.backlog,
            **clock.stamped("date", now + timedelta(days=seen.breach_day)),
        }  # fmt: skip
        do_notify(session, _channel_recipients(session, channel, since), kind=BREACH_FORECAST, params=params, at=now)
        sent.append((BREACH_FORECAST, channel))
    return sent


@task(REFRESH_DASHBOARD, every=REFRESH_EVERY)
def handle_refresh_dashboard(session: Session, job: Job) -> datetime | None:
    refresh(session, clock.now(), ZoneInfo(get_settings().desk_timezone))
    return None


@task(HEALTH_ALERTS, every=timedelta(hours=1))
def handle_health_alerts(session: Session, job: Job) -> datetime | None:
    send_health_alerts(session, clock.now())
    return None


@task(PARITY_ALERTS, every=timedelta(hours=1))
def handle_parity_alerts(session: Session, job: Job) -> datetime | None:
    send_parity_alerts(session, clock.now())
    return None

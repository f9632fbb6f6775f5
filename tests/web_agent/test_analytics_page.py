"""The support-health dashboard as a lead or admin opens it: the 30 % line and the channel left of
it, public complaints per week, the breach forecast, today's staffing, the figures and their files;
refused to agents. The week is the hand-built one of ``tests/analytics/test_outlook.py``."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.analytics.metrics import Dimension
from otklik.analytics.snapshots import compute, latest, refresh
from otklik.analytics.tasks import REFRESH_DASHBOARD
from otklik.core import clock, jobs
from tests.analytics.test_outlook import MOSCOW, NOW, whatsapp_week
from tests.conftest import Cast
from tests.web_agent.conftest import Desk, log_in


def test_the_dashboard_tells_the_week_in_russian_and_english(
    client: TestClient, db: Session, cast: Cast, desk: Desk, frozen_clock: clock.FrozenClock
) -> None:
    whatsapp_week(db, cast)
    frozen_clock.set(NOW)
    log_in(client, desk.olga.email)
    assert 'href="/agent/analytics"' in client.get("/agent/queues/mine").text
    page = client.get("/agent/analytics")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Здоровье поддержки</h1>" in html
    # public: 13 complaints in 28 days, none resolved — left of the line, marked and named
    assert '<g class="dot below unrated" data-channel="public">' in html
    assert 'data-alert="floor" data-channel="public"' in html
    assert '<g class="dot unrated" data-channel="whatsapp">' in html  # 75 % resolved, no survey yet
    assert "Последняя полная неделя к предыдущей: +40 %." in html
    assert '<tr class="bad-row" data-channel="whatsapp">' in html
    assert "срок решения сорвётся: понедельник, 23 ноября" in html  # the breach of the outlook test
    assert "нужно ещё 3 сотрудника с 10:00 до 11:00" in html
    assert "нужен ещё 1 сотрудник с 11:00 до 12:00" in html
    english = client.get("/agent/analytics?lang=en&by=agent").text
    assert "<h1>Support health</h1>" in english
    assert "3 more agents needed from 10:00 to 11:00" in english
    assert "Марина Складова" in english  # a row per agent
    assert "Monday, 23 November" in english


def test_every_table_as_a_file(
    client: TestClient, db: Session, cast: Cast, desk: Desk, frozen_clock: clock.FrozenClock
) -> None:
    whatsapp_week(db, cast)
    frozen_clock.set(NOW)
    log_in(client, desk.olga.email)
    health = client.get("/agent/analytics/health.csv?by=channel&days=28")
    assert health.headers["content-type"].startswith("text/csv")
    assert health.text.splitlines()[0].startswith("key,label,volume,")
    public = next(line for line in health.text.splitlines() if line.startswith("public,"))
    assert public.endswith(",True")  # below_floor, the last column
    rows = client.get("/agent/analytics/health.json?days=28").json()["rows"]
    assert {row["key"]: row["volume"] for row in rows} == {"public": 13, "whatsapp": 12}
    staffing = client.get("/agent/analytics/staffing.csv").text.splitlines()
    assert staffing[0] == "channel,hour,arrivals_per_hour,needed,rostered,handle_seconds"
    assert "whatsapp,10,3.0,4,1.0,1800.0" in staffing
    backlog = client.get("/agent/analytics/backlog.csv").text
    assert "whatsapp,3,4.0,3.0,3,10.0,2026-11-23" in backlog
    assert "2026-W46,7,True" in client.get("/agent/analytics/weeks.csv").text
    assert client.get("/agent/analytics/outlook.json").json()["public_growth"] == 0.4
    assert client.get("/agent/analytics/other.csv").status_code == 422
    assert client.get("/agent/analytics?period=2026-13").status_code == 422


def test_agents_are_refused(client: TestClient, desk: Desk) -> None:
    log_in(client, desk.marina.email)
    assert 'href="/agent/analytics"' not in client.get("/agent/queues/mine").text
    for path in ("/agent/analytics", "/agent/analytics/health.csv", "/agent/analytics/outlook.json"):
        assert client.get(path).status_code == 403


def test_the_default_view_is_read_from_the_snapshot_the_job_keeps(
    client: TestClient, db: Session, cast: Cast, desk: Desk, frozen_clock: clock.FrozenClock
) -> None:
    h = whatsapp_week(db, cast)
    frozen_clock.set(NOW)
    dimensions = ("channel", "team", "agent", "category")
    views = ("28", "2026-11", "2026-10", "2026-09", "2026-08", "2026-07", "2026-06")
    assert refresh(db, NOW, MOSCOW) == [f"health:{d}:{v}" for v in views for d in dimensions]
    db.commit()
    # five minutes on: the running views again, the months that ended are kept for a day
    assert refresh(db, NOW + timedelta(minutes=5), MOSCOW) == []  # nothing stale yet
    assert refresh(db, NOW + timedelta(minutes=11), MOSCOW) == [f"health:{d}:{v}" for v in ("28", "2026-11")
                                                             for d in dimensions]  # fmt: skip
    db.rollback()
    stored = compute(db, NOW, MOSCOW, Dimension.CHANNEL, NOW - timedelta(days=28), NOW)
    assert latest(db, NOW + timedelta(minutes=1), MOSCOW, Dimension.CHANNEL) == stored  # read back whole
    # a new WhatsApp chat after the snapshot: the page shows the figures as of the snapshot, and says when
    h.ticket("after", "whatsapp", NOW + timedelta(minutes=1), status="new")
    db.commit()
    frozen_clock.set(NOW + timedelta(minutes=4))
    log_in(client, desk.olga.email)
    page = client.get("/agent/analytics").text
    assert "данные на 09:00, пересчитываются каждые пять минут" in page
    assert '<tr class="" data-key="whatsapp">\n      <td>WhatsApp</td>\n      <td>12</td>' in page
    assert "\r\nwhatsapp,whatsapp,12," in client.get("/agent/analytics/health.csv").text  # the file is what you see
    # the month from its own snapshot (November: the same twelve chats)
    november = client.get("/agent/analytics?period=2026-11").text
    assert "данные на 09:00" in november
    assert '<tr class="" data-key="whatsapp">\n      <td>WhatsApp</td>\n      <td>12</td>' in november
    # ten minutes without a refresh (no worker): the page aggregates on the spot
    frozen_clock.set(NOW + timedelta(minutes=11))
    page = client.get("/agent/analytics").text
    assert "данные на 09:11" in page
    assert '<tr class="" data-key="whatsapp">\n      <td>WhatsApp</td>\n      <td>13</td>' in page
    assert "данные на 09:11" in client.get("/agent/analytics?period=2026-11").text  # the running month too
    assert jobs.registered()[REFRESH_DASHBOARD].every == timedelta(minutes=5)

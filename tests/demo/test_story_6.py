"""Story 6 (docs/stories.md), «the head of support on Monday morning», told by the demo's data:
loaded on a Monday at 09:00 Moscow time, the reports say what the story says. The same morning in
Chromium is ``tests/e2e/test_stories.py::test_story_6_the_head_of_support_on_monday_morning``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from otklik.analytics.forecast import Shortfall
from otklik.analytics.metrics import Dimension, Scope, table
from otklik.analytics.outlook import outlook
from otklik.analytics.queries import channel_parity
from otklik.analytics.rules import public_answered_faster
from otklik.analytics.tasks import BELOW_FLOOR, BREACH_FORECAST, send_health_alerts
from otklik.core import clock
from otklik.demo.load import load_demo

MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def monday(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)()
    previous = clock.install(clock.FrozenClock(MONDAY))
    try:
        load_demo(session)
        session.flush()
        yield session
    finally:
        clock.install(previous)
        session.close()
        outer.rollback()
        connection.close()


def test_vk_sits_left_of_the_line_and_is_marked(monday: Session) -> None:
    rows = {
        row["key"]: row for row in table(monday, Scope(MONDAY - timedelta(days=28), MONDAY, MONDAY), Dimension.CHANNEL)
    }
    assert [key for key, row in rows.items() if row["below_floor"]] == ["vk"]
    assert rows["vk"]["resolution_rate"] < 0.3
    assert rows["vk"]["satisfaction"] < 2
    for channel in ("telegram", "webchat", "email"):
        assert rows[channel]["resolution_rate"] > 0.5
        assert rows[channel]["satisfaction"] >= 3.5


def test_public_complaints_grew_forty_percent_and_the_parity_alert_fires(monday: Session) -> None:
    seen = outlook(monday, MONDAY, MOSCOW)
    assert [w.count for w in seen.public_weeks if w.complete][-4:] == [3, 4, 5, 7]
    assert seen.public_growth == pytest.approx(0.4)
    parity = channel_parity(monday, since=MONDAY - timedelta(days=7), until=MONDAY)
    assert public_answered_faster(parity.public, parity.private)
    assert parity.private.median_first_response_seconds > 6 * parity.public.median_first_response_seconds


def test_whatsapp_breaches_on_thursday_and_needs_three_more_agents_from_ten_to_two(monday: Session) -> None:
    seen = outlook(monday, MONDAY, MOSCOW)
    whatsapp = next(p for p in seen.projections if p.flow.channel == "whatsapp")
    assert whatsapp.flow.arrivals_per_day > whatsapp.flow.resolutions_per_day
    assert whatsapp.breach_day is not None
    assert (MONDAY + timedelta(days=whatsapp.breach_day)).astimezone(MOSCOW).date() == date(2026, 11, 26)  # Thursday
    [plan] = [p for p in seen.plans if p.channel == "whatsapp"]
    assert Shortfall(10, 14, 3) in plan.shortfalls
    sent = send_health_alerts(monday, MONDAY)
    assert (BELOW_FLOOR, "vk") in sent
    assert (BREACH_FORECAST, "whatsapp") in sent

"""Support health over a hand-built week (``history.py``): every expected figure below was worked
out by hand from the rows written there, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.analytics.metrics import Dimension, Health, Scope, Spread, health, labels
from otklik.analytics.rules import csv_text, period_bounds
from otklik.core import clock
from tests.analytics.history import NOW, SINCE, UNTIL, build
from tests.conftest import Cast


def by_key(rows: list[Health]) -> dict[str | None, Health]:
    return {row.key: row for row in rows}


def week(
    db: Session, cast: Cast, dimension: Dimension = Dimension.CHANNEL, **only: str | int
) -> dict[str | None, Health]:
    build(db, marina=cast.agent_marina.agent.id, anna=cast.agent_anna.agent.id, boris=cast.lead_boris.agent.id)
    scope = Scope(SINCE, UNTIL, NOW, {Dimension(k): v for k, v in only.items()})
    return by_key(health(db, scope, dimension))


def test_telegram_week_worked_out_by_hand(db: Session, cast: Cast) -> None:
    telegram = week(db, cast)["telegram"]
    # T1–T4; T0 (before), «after» and the merged duplicate are left out
    assert (telegram.volume, telegram.private, telegram.answered) == (4, 4, 3)
    assert telegram.first_response == Spread(3, 3600.0, 7200.0)  # 10 min, 2 h, 1 h
    assert telegram.first_response_business == Spread(3, 1800.0, 3600.0)  # 600, 3600, 1800 s
    # T2's second wait, 12:00 → 12:30 (its first reply's wait is the first response, not a next one)
    assert telegram.next_response == Spread(1, 1800.0, 1800.0)
    assert telegram.next_response_business == Spread(1, 900.0, 900.0)
    assert telegram.resolution == Spread(1, 3600.0, 3600.0)  # T1: 10:00 → solved 11:00
    assert (telegram.resolved, telegram.resolution_rate) == (1, 0.25)
    assert (telegram.confirmed, telegram.confirmed_rate) == (1, 0.25)
    assert (telegram.first_contact, telegram.first_contact_rate) == (1, 1.0)
    assert (telegram.reopened, telegram.ever_resolved, telegram.reopen_rate) == (1, 2, 0.5)
    assert telegram.not_an_answer == 1
    # first response targets: T1 met, T2 late, T3 never answered (its target came); T4 had none
    assert (telegram.sla_first_due, telegram.sla_first_met, telegram.sla_first_rate) == (3, 1, 1 / 3)
    assert (telegram.sla_resolution_due, telegram.sla_resolution_met) == (1, 1)
    assert (telegram.surveys, telegram.satisfaction, telegram.said_solved_rate) == (1, 5.0, 1.0)
    # T1's promise kept; T4's first broken (the timer took it back), its second still running
    assert (telegram.promises, telegram.promises_broken, telegram.promises_pending) == (3, 1, 1)
    assert (telegram.promises_kept, telegram.promises_kept_rate) == (1, 0.5)
    assert (telegram.went_public, telegram.went_public_rate) == (1, 0.25)
    assert (telegram.escalations, telegram.replies_checked, telegram.flag_rate) == (0, 0, None)
    # waiting for us now: T0 since 1 Oct, T3 since 4 Nov, «after» since 9 Nov, T2 since 10 Nov 13:00
    assert telegram.backlog == {"waiting": 4, "day": 4, "week": 2, "month": 1}


def test_public_and_web_chat_of_the_same_week(db: Session, cast: Cast) -> None:
    rows = week(db, cast)
    public, webchat = rows["public"], rows["webchat"]
    assert (public.volume, public.private, public.went_public_rate) == (1, 0, None)
    assert public.first_response == Spread(1, 300.0, 300.0)
    assert (public.resolved, public.confirmed, public.first_contact) == (1, 0, 1)
    assert (public.surveys, public.satisfaction, public.said_solved_rate) == (1, 1.0, 0.0)
    assert public.sla_first_rate is None
    # closed by silence: resolved, never confirmed; two replies, so not at first contact
    assert (webchat.resolved, webchat.confirmed, webchat.first_contact_rate) == (1, 0, 0.0)
    assert webchat.resolution == Spread(1, 1800.0, 1800.0)
    assert (webchat.escalations, webchat.replies_checked, webchat.replies_flagged) == (1, 2, 1)
    assert (webchat.flag_rate, webchat.overrides) == (0.5, 1)
    assert webchat.backlog == {"waiting": 0, "day": 0, "week": 0, "month": 0}
    assert [row.key for row in rows.values()] == ["telegram", "public", "webchat"]  # by volume


def test_per_agent_and_one_channel_only(db: Session, cast: Cast) -> None:
    marina, anna = cast.agent_marina.agent, cast.agent_anna.agent
    rows = week(db, cast, Dimension.AGENT, channel="telegram")
    assert {key: row.volume for key, row in rows.items()} == {str(marina.id): 2, str(anna.id): 1, None: 1}
    assert rows[str(marina.id)].not_an_answer == 1
    assert rows[str(anna.id)].promises_broken == 1
    assert labels(db, Dimension.AGENT, rows) == {str(marina.id): marina.name, str(anna.id): anna.name}


def test_the_health_table_over_http_as_json_and_csv(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    build(db, marina=cast.agent_marina.agent.id, anna=cast.agent_anna.agent.id, boris=cast.lead_boris.agent.id)
    db.commit()
    frozen_clock.set(NOW)
    boris = cast.lead_boris.headers
    body = client.get("/api/v1/analytics/health?since=2026-11-02&until=2026-11-09", headers=boris).json()
    rows = {row["key"]: row for row in body["rows"]}
    assert body["by"] == "channel"
    assert body["floor"] == 0.3
    assert body["since"].startswith("2026-11-01T21:00")  # midnight in Moscow
    telegram = rows["telegram"]
    assert (telegram["volume"], telegram["first_response_median_seconds"], telegram["reopen_rate"]) == (4, 3600.0, 0.5)
    assert (telegram["backlog_month"], telegram["promises_kept"]) == (1, 1)
    assert telegram["below_floor"] is False  # 25 % resolved, but 4 tickets are too few to speak of
    agents = client.get("/api/v1/analytics/health?since=2026-11-02&until=2026-11-09&by=agent", headers=boris).json()
    assert {row["label"] for row in agents["rows"]} == {"Марина Складова", "Анна Финансова", None}
    csv_answer = client.get("/api/v1/analytics/health?since=2026-11-02&until=2026-11-09&format=csv", headers=boris)
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_answer.headers["content-disposition"]
    header, *lines = csv_answer.text.splitlines()
    assert header.startswith("key,label,volume,answered,first_response_median_seconds,")
    assert lines[0].startswith("telegram,telegram,4,3,3600.0,7200.0,")
    bad = client.get("/api/v1/analytics/health?period=November", headers=boris)
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.json()["detail"]
    backwards = client.get("/api/v1/analytics/health?since=2026-11-09&until=2026-11-02", headers=boris)
    assert backwards.status_code == 422
    assert client.get("/api/v1/analytics/health", headers=cast.agent_marina.headers).status_code == 403


def test_a_month_in_the_desk_time_zone_and_a_formula_never_reaches_a_spreadsheet() -> None:
    since, until = period_bounds("2026-12", ZoneInfo("Europe/Moscow"))
    assert (since.isoformat(), until.isoformat()) == ("2026-11-30T21:00:00+00:00", "2026-12-31T21:00:00+00:00")
    with pytest.raises(ValueError, match="YYYY-MM"):
        period_bounds("2026-13", ZoneInfo("Europe/Moscow"))
    text = csv_text([{"label": "=HYPERLINK(1)", "n": None}, {"label": "Марина", "n": 2}])
    assert text.splitlines() == ["label,n", "'=HYPERLINK(1),", "Марина,2"]

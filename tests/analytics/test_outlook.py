"""Where a channel is heading: the projected backlog and its breach day, public complaints per week,
and the hourly Erlang C plan against the agents rostered, each worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.analytics.forecast import Flow, Shortfall, below_floor, growth, project, shortfalls
from otklik.analytics.outlook import flows, outlook
from otklik.analytics.tasks import BELOW_FLOOR, BREACH_FORECAST, HEALTH_ALERTS, send_health_alerts
from otklik.core import clock, jobs
from otklik.routing.models import RoutingProfile
from tests.analytics.history import History
from tests.conftest import Cast

MOSCOW = ZoneInfo("Europe/Moscow")
#: Monday 16 November 2026, 09:00 in Moscow
NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)


def five_days(arrival: datetime) -> datetime:
    return arrival + timedelta(days=5)


def test_the_backlog_grows_by_arrivals_minus_resolutions_until_the_wait_outgrows_the_target() -> None:
    flow = Flow("whatsapp", days=7, arrived=63, resolved=42, backlog=21)  # 9 in, 6 out a day
    seen = project(flow, NOW, five_days)
    assert seen.backlog == (21, 24, 27, 30, 33, 36, 39, 42)
    assert seen.waits_days[:5] == (3.5, 4.0, 4.5, 5.0, 5.5)  # backlog / 6 a day
    assert seen.breach_day == 4  # 5.0 days is still within five; 5.5 is not
    assert flow.growing


def test_no_resolutions_breach_with_the_first_waiting_ticket_and_a_shrinking_backlog_stops_at_zero() -> None:
    stalled = project(Flow("vk", days=7, arrived=7, resolved=0, backlog=0), NOW, five_days)
    assert (stalled.breach_day, stalled.waits_days[1], stalled.backlog[1]) == (1, None, 1.0)
    clearing = project(Flow("email", days=7, arrived=0, resolved=70, backlog=5), NOW, five_days)
    assert (clearing.backlog[:2], clearing.breach_day) == ((5.0, 0.0), None)


def test_growth_floor_and_shortfall_runs() -> None:
    assert (growth(5, 7), growth(0, 3), growth(10, 5)) == (0.4, None, -0.5)
    assert [below_floor(*case) for case in ((5, 0.2), (4, 0.0), (10, 0.3), (10, None))] == [True, False, False, False]
    runs = shortfalls([1, 1, 4, 4, 4, 2, 0], [1, 1, 1, 1, 1, 1, 0])
    assert runs == [Shortfall(2, 5, 3), Shortfall(5, 6, 1)]


def whatsapp_week(db: Session, cast: Cast) -> History:
    """WhatsApp opened on Friday 13 November. Each day: three chats at about 10:10 Moscow time,
    solved 40 minutes after they came (first reply at 10 minutes: 30 minutes of handling), and one at
    11:20 left open. Marina answers there on a Monday shift of 10:00–12:00; Anna answers with no
    shift; Pavel has a shift but never worked the channel. Public complaints: 5 in the week of
    2 November, 7 in the week of 9 November, 1 this morning."""
    h = History(db)
    marina, anna, pavel = cast.agent_marina.agent, cast.agent_anna.agent, cast.agent_pavel.agent
    fbo = marina.teams[0].id
    for day in (13, 14, 15):
        for n, (hour, minute) in enumerate(((7, 10), (7, 20), (7, 30), (8, 20))):
            came = datetime(2026, 11, day, hour, minute, tzinfo=UTC)
            if n < 3:
                ticket = h.ticket(f"w{day}{n}", "whatsapp", came, status="solved", assignee_id=marina.id, team_id=fbo,
                                  first_response_at=came + timedelta(minutes=10),
                                  solved_at=came + timedelta(minutes=40))  # fmt: skip
                h.message(ticket, came + timedelta(minutes=10), ours=True, agent_id=marina.id if n else anna.id)
            else:
                h.ticket(f"w{day}{n}", "whatsapp", came, status="open", waiting_since=came)
    weekdays = [[["10:00", "12:00"]], [], [], [], [], [], []]
    always = [[["00:00", "23:59"]]] * 7
    for agent, shift in ((marina, weekdays), (pavel, always)):
        db.add(
            RoutingProfile(agent_id=agent.id, timezone="Europe/Moscow", shift=shift, languages=["ru"], updated_at=NOW)
        )
    public = [*(datetime(2026, 11, 2 + n, 12, tzinfo=UTC) for n in range(5))]
    public += [datetime(2026, 11, 9 + n % 5, 12, n, tzinfo=UTC) for n in range(7)]
    public += [datetime(2026, 11, 16, 5, tzinfo=UTC)]
    for n, came in enumerate(public):
        h.ticket(f"p{n}", "public", came, status="open", is_public=True)
    db.commit()
    return h


def test_a_new_channel_measured_over_its_own_days(db: Session, cast: Cast) -> None:
    whatsapp_week(db, cast)
    flow = flows(db, NOW)["whatsapp"]
    # first chat 13 Nov 07:10 UTC, now 16 Nov 06:00: under three days, counted as three
    assert (flow.days, flow.arrived, flow.resolved, flow.backlog) == (3, 12, 9, 3)
    assert (flow.arrivals_per_day, flow.resolutions_per_day) == (4.0, 3.0)


def test_the_outlook_of_the_week(db: Session, cast: Cast) -> None:
    whatsapp_week(db, cast)
    seen = outlook(db, NOW, MOSCOW)
    whatsapp = next(p for p in seen.projections if p.flow.channel == "whatsapp")
    # a newcomer waits backlog / 3 a day; the normal target is 27 office hours (Mon–Fri 9–18 Moscow).
    # Sunday: 9 waiting → 3 days → Wednesday 09:00, due Wednesday 18:00 (in time).
    # Next Monday: 10 waiting → 3⅓ days → Thursday 17:00, due Wednesday 18:00: the breach.
    assert whatsapp.backlog == (3, 4, 5, 6, 7, 8, 9, 10)
    assert whatsapp.breach_day == 7
    assert [(w.week, w.count, w.complete) for w in seen.public_weeks[-3:]] == [
        ("2026-W45", 5, True), ("2026-W46", 7, True), ("2026-W47", 1, False),
    ]  # fmt: skip
    assert seen.public_growth == 0.4
    [plan] = [p for p in seen.plans if p.channel == "whatsapp"]
    assert plan.handle_seconds == 1800.0
    ten, eleven = plan.hours[10], plan.hours[11]
    # 10:00: 3 chats an hour × 30 min = 1.5 Erlangs; 3 agents give 77.5 % within a minute, 4 give 93.1 %
    assert (ten.arrivals_per_hour, ten.needed, ten.rostered) == (3.0, 4, 1)
    # 11:00: 0.5 Erlangs; 1 agent gives 50.8 %, 2 give 90.5 %
    assert (eleven.arrivals_per_hour, eleven.needed, eleven.rostered) == (1.0, 2, 1)
    assert sum(h.needed for h in plan.hours) == 6  # nobody is needed in an hour nobody writes
    assert plan.shortfalls == [Shortfall(10, 11, 3), Shortfall(11, 12, 1)]


def test_outlook_and_staffing_over_http(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    whatsapp_week(db, cast)
    frozen_clock.set(NOW)
    body: dict[str, Any] = client.get("/api/v1/analytics/outlook", headers=cast.lead_boris.headers).json()
    whatsapp = next(c for c in body["channels"] if c["channel"] == "whatsapp")
    assert (whatsapp["breach_day"], whatsapp["breach_date"], whatsapp["growing"]) == (7, "2026-11-23", True)
    assert body["public_growth"] == 0.4
    [plan] = [p for p in body["staffing"] if p["channel"] == "whatsapp"]
    assert plan["shortfalls"] == [{"start": 10, "end": 11, "missing": 3}, {"start": 11, "end": 12, "missing": 1}]
    learnt = client.get("/api/v1/analytics/staffing?channel=whatsapp", headers=cast.lead_boris.headers).json()
    assert (learnt["arrivals_per_hour"], learnt["handle_seconds"], learnt["agents"]) == (3.0, 1800.0, 4)
    assert learnt["source"] == {"arrivals_per_hour": "history", "handle_seconds": "history"}
    empty = client.get("/api/v1/analytics/staffing?channel=viber", headers=cast.lead_boris.headers)
    assert empty.status_code == 422
    assert "viber" in empty.json()["detail"]
    assert client.get("/api/v1/analytics/outlook", headers=cast.agent_anna.headers).status_code == 403


def test_a_channel_under_the_line_or_heading_for_a_breach_is_told_to_its_leads_once_a_week(
    client: TestClient, db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    whatsapp_week(db, cast)
    # public: 13 complaints in four weeks, none resolved (under 30 %), 8 came in the last seven days and
    # none went out (breach today); WhatsApp: 9 of 12 resolved, breach in seven days (above)
    sent = send_health_alerts(db, NOW)
    assert sorted(sent) == [(BREACH_FORECAST, "public"), (BREACH_FORECAST, "whatsapp"), (BELOW_FLOOR, "public")]
    db.commit()
    assert send_health_alerts(db, NOW + timedelta(hours=1)) == []  # once a week per channel
    frozen_clock.set(NOW)

    def notes(who: Any, lang: str) -> dict[tuple[str, str], str]:
        items = client.get("/api/v1/notifications", headers={**who.headers, "Accept-Language": lang}).json()["items"]
        return {(n["kind"], n["params"]["channel"]): n["text"] for n in items if "channel" in n["params"]}

    boris = notes(cast.lead_boris, "en")  # leads FBO, the team that works WhatsApp, not the public site
    assert set(boris) == {(BREACH_FORECAST, "whatsapp")}
    assert boris[BREACH_FORECAST, "whatsapp"].startswith(
        "The «WhatsApp» backlog is growing: 4.0 tickets a day come in, 3.0 are resolved, 3 wait."
    )
    olga = notes(cast.admin_olga, "ru")
    assert len(olga) == 3
    assert "решено 0 из 13 обращений (0%) за 28 дн." in olga[BELOW_FLOOR, "public"]
    assert notes(cast.agent_marina, "ru") == {}
    assert jobs.registered()[HEALTH_ALERTS].every == timedelta(hours=1)


def test_a_handful_of_tickets_is_no_trend_and_a_sparse_hour_needs_one_agent_on_shift(db: Session, cast: Cast) -> None:
    # four arrivals, none resolved: projected, but no breach is announced from so little
    few = project(Flow("webform", days=7, arrived=4, resolved=0, backlog=3), NOW, five_days)
    assert (few.backlog[-1], few.breach_day) == (7.0, None)
    h = whatsapp_week(db, cast)
    # one chat at 15:30 Moscow on Saturday: a third of a chat an hour over three days — no queue to
    # model, but someone must be on shift to answer it; Marina's shift ends at 12:00
    h.ticket("late", "whatsapp", datetime(2026, 11, 14, 12, 30, tzinfo=UTC), status="open")
    db.commit()
    [plan] = [p for p in outlook(db, NOW, MOSCOW).plans if p.channel == "whatsapp"]
    assert (plan.hours[15].arrivals_per_hour, plan.hours[15].needed, plan.hours[15].rostered) == (0.33, 1, 0)
    assert plan.shortfalls[-1] == Shortfall(15, 16, 1)


def test_an_agent_counts_on_a_channel_for_the_share_of_their_work_there(db: Session, cast: Cast) -> None:
    h = whatsapp_week(db, cast)
    marina = cast.agent_marina.agent
    # Marina answered six WhatsApp chats this week; two Telegram answers make her 6/8 = 0.75 of an agent there
    for day in (14, 15):
        came = datetime(2026, 11, day, 9, tzinfo=UTC)
        ticket = h.ticket(f"tg{day}", "telegram", came, status="open")
        h.message(ticket, came + timedelta(minutes=5), ours=True, agent_id=marina.id)
    db.commit()
    [plan] = [p for p in outlook(db, NOW, MOSCOW).plans if p.channel == "whatsapp"]
    assert (plan.hours[10].needed, plan.hours[10].rostered) == (4, 0.75)
    assert plan.shortfalls == [Shortfall(10, 11, 4), Shortfall(11, 12, 2)]  # 4 − 0.75 → 4; 2 − 0.75 → 2

"""Channel parity over the API and its alerts, with the clock moved: time to first response and
resolution rate per channel, public and private side by side; heads of support and admins are
told — once a week — when public complaints are answered faster than private requests, and when
the share of customers who went public after an unresolved private ticket grows week over week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.analytics.tasks import PARITY_ALERTS, PUBLIC_FASTER, WENT_PUBLIC_GROWING, send_parity_alerts
from otklik.core import clock, jobs
from tests.conftest import Cast, Persona
from tests.quality_policy.conftest import Sent
from tests.quality_policy.helpers import call, mention, reply, write

GOOD = "Анна проверила заказ: он на складе, курьер привезёт его завтра до 18:00."


def notes(client: TestClient, who: Persona, kind: str, lang: str = "ru") -> list[dict[str, Any]]:
    items = call(client, who, "GET", "/notifications", lang=lang)["items"]
    return [n for n in items if n["kind"] == kind]


def answered_after(
    client: TestClient, who: Persona, frozen_clock: clock.FrozenClock, start: datetime, plan: dict[int, timedelta]
) -> None:
    """Reply to each ticket of ``plan`` at ``start`` plus its wait, in time order."""
    for ticket_id, wait in sorted(plan.items(), key=lambda item: item[1]):
        frozen_clock.set(start + wait)
        reply(client, who, ticket_id, GOOD)


def test_parity_figures_side_by_side_and_the_public_faster_alert_once_a_week(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, sent: Sent, run: Any, db: Session
) -> None:
    anna, olga, boris = cast.agent_anna, cast.admin_olga, cast.lead_boris
    boris.agent.is_head_of_support = True
    db.commit()
    start = clock.now()  # Monday 12:05 in Moscow
    public = [int(mention(client, anna, f"@angry_{n}", "Где мой заказ?! Позор!")["ticket_id"]) for n in range(3)]
    telegram = [write(client, anna, "telegram", f"quiet_{n}", "Подскажите, где заказ?") for n in range(4)]
    webchat = write(client, anna, "webchat", "visitor_1", "Где заказ?")
    answered_after(client, anna, frozen_clock, start, {
        public[0]: timedelta(minutes=10), public[1]: timedelta(minutes=20), public[2]: timedelta(minutes=30),
        telegram[0]: timedelta(hours=2), telegram[1]: timedelta(hours=4), telegram[2]: timedelta(hours=6),
        webchat: timedelta(hours=1),
    })  # fmt: skip
    call(client, anna, "POST", f"/tickets/{webchat}/solve", {})
    run()  # deliveries: only a reply that reached the customer ends their wait

    parity = call(client, boris, "GET", "/analytics/channels?days=7")
    channels = {row["channel"]: row for row in parity["channels"]}
    assert set(channels) >= {"email", "telegram", "webchat", "webform", "vk", "whatsapp", "viber", "public"}
    assert channels["public"] == {
        "channel": "public", "public": True, "tickets": 3, "answered": 3, "median_first_response_seconds": 1200.0,
        "p90_first_response_seconds": 1800.0, "resolved": 0, "resolution_rate": 0.0,
    }  # fmt: skip
    assert (channels["telegram"]["tickets"], channels["telegram"]["answered"]) == (4, 3)
    assert channels["telegram"]["median_first_response_seconds"] == 4 * 3600.0
    assert channels["telegram"]["p90_first_response_seconds"] == 6 * 3600.0
    assert (channels["webchat"]["resolved"], channels["webchat"]["resolution_rate"]) == (1, 1.0)
    assert (channels["email"]["tickets"], channels["email"]["resolution_rate"]) == (0, None)
    assert parity["private"]["tickets"] == 5
    assert parity["private"]["median_first_response_seconds"] == 3 * 3600.0  # 1 h, 2 h, 4 h, 6 h
    assert parity["public"]["median_first_response_seconds"] == 1200.0
    assert parity["alerts"] == {"public_faster": True, "went_public_growing": False}

    # the hourly job tells the head of support and the admin, not the agents — once this week
    assert jobs.registered()[PARITY_ALERTS].every == timedelta(hours=1)
    assert send_parity_alerts(db, clock.now()) == [PUBLIC_FASTER]
    db.commit()
    [ru] = notes(client, boris, "parity_public_faster")
    assert "медиана первого ответа 20 мин против 180 мин за 7 дн." in ru["text"]
    [en] = notes(client, olga, "parity_public_faster", lang="en")
    assert "median first response 20 min against 180 min over 7 days" in en["text"]
    assert notes(client, anna, "parity_public_faster") == []
    frozen_clock.advance(timedelta(hours=3))
    assert send_parity_alerts(db, clock.now()) == []
    # a new ISO week: the same week-old evidence is still in the window, and the alert is due again
    frozen_clock.set(datetime(2026, 11, 30, 0, 30, tzinfo=UTC))
    assert send_parity_alerts(db, clock.now()) == [PUBLIC_FASTER]
    db.commit()
    assert [n["params"]["week"] for n in notes(client, boris, "parity_public_faster")] == ["2026-W49", "2026-W48"]


def test_the_went_public_share_growing_week_over_week_fires_its_alert(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, db: Session
) -> None:
    anna, olga = cast.agent_anna, cast.admin_olga
    # week 47: ten sellers wait on private tickets; one of them goes public
    frozen_clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    customers = []
    for n in range(10):
        ticket_id = write(client, anna, "telegram", f"seller_{n}", "Выплата задерживается")
        customer = call(client, anna, "GET", f"/tickets/{ticket_id}")["customer"]["id"]
        call(client, anna, "POST", f"/customers/{customer}/identities",
             {"kind": "public_handle", "value": f"seller_{n}_pub"}, status=201)  # fmt: skip
        customers.append(customer)

    def go_public(n: int) -> None:
        assert mention(client, anna, f"seller_{n}_pub", "Не платят!")["went_public"]

    frozen_clock.set(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    go_public(0)
    # week 48: four more of the same ten go public (10 % → 40 %)
    frozen_clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    for n in (1, 2, 3, 4):
        go_public(n)
    frozen_clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    assert send_parity_alerts(db, clock.now()) == []  # week 48 is not over yet

    frozen_clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # Monday morning, week 49
    parity = call(client, olga, "GET", "/analytics/channels?weeks=2")
    weeks = [(w["week"], w["customers"], w["base"], w["share"], w["complete"]) for w in parity["went_public"]]
    assert weeks == [
        ("2026-W47", 1, 10, 0.1, True), ("2026-W48", 4, 10, 0.4, True), ("2026-W49", 0, 10, 0.0, False),
    ]  # fmt: skip
    assert parity["alerts"]["went_public_growing"] is True

    assert send_parity_alerts(db, clock.now()) == [WENT_PUBLIC_GROWING]
    db.commit()
    [ru] = notes(client, olga, "parity_went_public_growing")
    assert ru["text"] == (
        "Доля клиентов, вынесших нерешённое обращение в публичное поле, выросла на 300% за неделю 2026-W48: "
        "40.0% против 10.0% (4 из 10)."
    )
    [en] = notes(client, olga, "parity_went_public_growing", lang="en")
    assert "grew 300% in week 2026-W48: 40.0% against 10.0% (4 of 10)" in en["text"]
    frozen_clock.advance(timedelta(days=2))
    assert send_parity_alerts(db, clock.now()) == []  # at most once a week


def test_parity_is_for_leads_and_admins_and_refuses_bad_windows(client: TestClient, cast: Cast) -> None:
    assert call(client, cast.agent_anna, "GET", "/analytics/channels", status=403)["code"] == "role_required"
    assert call(client, cast.lead_boris, "GET", "/analytics/channels")["alerts"]["public_faster"] is False
    for query, field in (("days=0", "days"), ("days=400", "days"), ("weeks=1", "weeks"), ("days=x", "days")):
        assert call(client, cast.admin_olga, "GET", f"/analytics/channels?{query}", status=422)["field"] == field

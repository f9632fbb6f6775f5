"""One time-zone rule (issue 12): every page reads times in its viewer's zone — the agent's (their
routing profile), the customer's (their portal setting) — and in the desk's (Europe/Moscow) when
the viewer has none. Before, every page and notification used the desk's zone for everyone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.routing.models import RoutingProfile
from tests.web_agent.conftest import Desk, Inbound


def _hm(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M}"


def test_an_agent_reads_the_ticket_in_their_own_zone(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, frozen_clock: Any
) -> None:
    ticket = inbound("стою на складе в Хоругвино")
    url = f"/agent/tickets/{ticket.id}"
    moscow, vladivostok = _hm(ticket.created_at, "Europe/Moscow"), _hm(ticket.created_at, "Asia/Vladivostok")
    assert moscow != vladivostok
    assert f"{moscow}</time>" in client.get(url).text  # no setting: the desk's zone

    db.add(RoutingProfile(agent_id=desk.marina.id, timezone="Asia/Vladivostok", updated_at=clock.now()))
    db.commit()
    page = client.get(url).text
    assert f"{vladivostok}</time>" in page
    assert f"{moscow}</time>" not in page


def test_the_zone_of_one_request_never_leaks_into_the_next(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, frozen_clock: Any
) -> None:
    """The zone lives in the request's context: a later page for someone without a setting, and
    text the desk writes outside any request, stay in the desk's zone."""
    db.add(RoutingProfile(agent_id=desk.marina.id, timezone="Asia/Vladivostok", updated_at=clock.now()))
    db.commit()
    ticket = inbound("где поставка?")
    assert client.get(f"/agent/tickets/{ticket.id}").status_code == 200
    assert clock.desk_text(datetime(2026, 11, 23, 9, 5, tzinfo=ZoneInfo("UTC"))) == "2026-11-23 12:05 MSK"


def test_notifications_name_times_in_the_readers_zone() -> None:
    due = datetime(2026, 11, 23, 9, 5, tzinfo=ZoneInfo("UTC"))
    params = {"ticket_id": 7, **clock.stamped("due", due)}
    assert params["due"] == "2026-11-23 12:05 MSK"  # what the API has always said (the desk's zone)
    assert clock.restamped(params, "Asia/Vladivostok")["due"] == "2026-11-23 19:05 +10"
    assert clock.restamped(params, None)["due"] == "2026-11-23 12:05 MSK"
    assert clock.restamped({"due": "вчера"}, "Asia/Vladivostok") == {"due": "вчера"}  # not stamped: as written

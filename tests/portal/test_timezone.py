"""The customer's own time zone (issue 12): chosen on the portal, used by every page they read —
the portal and the follow link's page — instead of the desk's zone for everyone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.webvisitor import ticket_link_token
from otklik.tickets.models import Ticket
from tests.portal.conftest import SECRET, People, Write, sign_in


def _hm(ticket: Ticket, zone: str) -> str:
    return f"{ticket.updated_at.astimezone(ZoneInfo(zone)):%H:%M}"


def test_a_customer_chooses_their_zone_and_every_page_follows(
    client: TestClient, db: Session, people: People, write: Write, frozen_clock: Any
) -> None:
    ticket_id = write(people.anna, "Оплатила заказ 4512, а товара нет")
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    csrf = sign_in(client, db, people.anna)
    listing = client.get("/portal").text
    assert _hm(ticket, "Europe/Moscow") in listing
    assert 'value="Asia/Vladivostok"' in listing
    assert "Владивосток (UTC+10)" in listing

    moved = client.post("/portal/timezone", data={"csrf_token": csrf, "timezone": "Asia/Vladivostok"},
                        follow_redirects=False)  # fmt: skip
    assert moved.status_code == 303
    db.expire_all()
    assert people.anna.timezone == "Asia/Vladivostok"
    listing = client.get("/portal").text
    assert _hm(ticket, "Asia/Vladivostok") in listing
    assert _hm(ticket, "Europe/Moscow") not in listing
    assert 'value="Asia/Vladivostok" selected' in listing

    follow = client.get(f"/t/{ticket_link_token(SECRET.encode(), ticket_id)}").text
    assert _hm(ticket, "Asia/Vladivostok") in follow


def test_an_unknown_zone_is_refused_by_name_and_nothing_changes(
    client: TestClient, db: Session, people: People, write: Write
) -> None:
    write(people.anna)
    csrf = sign_in(client, db, people.anna)
    refused = client.post("/portal/timezone", data={"csrf_token": csrf, "timezone": "Mars/Olympus"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 422
    assert "timezone" in refused.text
    db.expire_all()
    assert people.anna.timezone is None

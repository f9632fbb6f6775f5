"""POST /api/v1/channels/public/mentions: a public complaint becomes a public ticket; by a known
customer with an open private case, it is linked as «went public after N days» on both tickets
and the private case's urgency rises — once, however often the post is reported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from tests.conftest import Cast
from tests.links.helpers import get, post, write

PATH = "/api/v1/channels/public/mentions"


def mention(client: TestClient, cast: Cast, **body: Any) -> Any:
    return client.post(PATH, json=body, headers=cast.agent_anna.headers)


def test_a_strangers_post_is_a_public_ticket_of_its_own(client: TestClient, cast: Cast) -> None:
    answer = mention(client, cast, url="https://site.test/p/1", author="@Loud_Buyer", text="Где мой заказ?!")
    assert answer.status_code == 201
    body = answer.json()
    assert body["went_public"] == []
    ticket = get(client, cast.agent_anna, f"/tickets/{body['ticket_id']}")
    assert (ticket["channel"], ticket["is_public"], ticket["links"]) == ("public", True, [])


def test_a_customers_post_marks_the_private_case_once(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    private = write(client, anna, "email", "timur@shop.test", "Карточки скрыты")
    timur = get(client, anna, f"/tickets/{private['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/tickets/{private['ticket_id']}/triage", {"category": "product_cards", "urgency": "low"})
    post(client, anna, f"/customers/{timur}/identities", {"kind": "public_handle", "value": "timur_seller"}, 201)
    frozen_clock.advance(timedelta(days=3, hours=20))
    posted = (clock.now() - timedelta(hours=21)).isoformat()  # posted 2 days 23 hours after his first message
    answer = mention(client, cast, url="https://vc.test/c/1", author="Timur_Seller", text="Карточки скрыты неделю",
                     posted_at=posted, external_id="vc-1")  # fmt: skip
    assert answer.status_code == 201
    first = answer.json()
    assert first["went_public"] == [{"private_ticket_id": private["ticket_id"], "days": 2}]
    case = get(client, anna, f"/tickets/{private['ticket_id']}")
    assert case["urgency"] == "normal"  # low → normal: one level
    assert case["links"][0]["label"] == {"ru": "вышла в публичное поле через 2 дня", "en": "went public after 2 days"}
    repeat = mention(client, cast, url="https://vc.test/c/1?utm=x", author="timur_seller", text="повтор",
                     external_id="vc-1")  # fmt: skip
    assert repeat.status_code == 200
    assert repeat.json() == {**first, "duplicate": True}
    comment = mention(client, cast, url="https://vc.test/c/2", author="timur_seller", text="И ещё!")
    assert comment.json()["ticket_id"] == first["ticket_id"]
    case = get(client, anna, f"/tickets/{private['ticket_id']}")
    assert case["urgency"] == "normal"  # the same complaint again raises nothing more
    assert len(case["links"]) == 1
    events = [e["action"] for e in get(client, cast.admin_olga, f"/tickets/{private['ticket_id']}/audit")["items"]]
    assert events.count("ticket.went_public") == 1
    assert events.count("ticket.urgency_raised") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://site.test/p", "author": "a", "text": "t"}, "url"),
        ({"url": "https://site.test/p", "author": "", "text": "t"}, "author"),
        ({"url": "https://site.test/p", "author": "a"}, "text"),
        ({"url": "https://site.test/p", "author": "a", "text": "t", "posted_at": "2026-11-20T10:00:00"}, "posted_at"),
        ({"url": "https://site.test/p", "author": "a", "text": "t", "likes": 5}, "likes"),
        ({"url": "https://site.test/p", "author": "a", "text": "t\x00"}, "text"),
        ({"url": "https://site.test/p", "author": "a", "text": "   "}, "text"),
    ],
)
def test_bad_mentions_are_refused_naming_the_field_and_store_nothing(
    client: TestClient, cast: Cast, db: Session, body: dict[str, Any], field: str
) -> None:
    answer = client.post(PATH, json=body, headers=cast.agent_anna.headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    assert db.scalar(select(func.count()).select_from(Ticket)) == 0


def test_mentions_need_a_token(client: TestClient, cast: Cast) -> None:
    answer = client.post(PATH, json={"url": "https://site.test/p", "author": "a", "text": "t"})
    assert answer.status_code == 401

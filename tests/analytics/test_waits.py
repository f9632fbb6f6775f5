"""A reply that reaches the customer records the wait it ended, in calendar and business time (the
reports' next response); the first reply's wait is the first response. Through the API, with the
stand-in channels and a worker round for the deliveries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from tests.conftest import Cast
from tests.quality_policy.conftest import Sent
from tests.quality_policy.helpers import reply, write

GOOD = "Анна проверила заказ: он на складе, курьер привезёт его завтра до 18:00."


def test_each_delivered_reply_keeps_the_wait_it_ended(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, sent: Sent, run: Any, db: Session
) -> None:
    anna = cast.agent_anna
    start = clock.now()  # Monday 12:05 in Moscow: inside office hours
    ticket_id = write(client, anna, "telegram", "waits_1", "Где заказ?")
    frozen_clock.set(start + timedelta(minutes=30))
    reply(client, anna, ticket_id, GOOD)
    run()
    frozen_clock.set(start + timedelta(hours=5, minutes=45))  # 17:50: ten minutes before the office closes
    write(client, anna, "telegram", "waits_1", "А точно завтра?")
    frozen_clock.set(start + timedelta(hours=21, minutes=5))  # Tuesday 09:10
    reply(client, anna, ticket_id, GOOD + " Да, завтра.")
    run()
    db.expire_all()
    ours = list(
        db.scalars(
            select(Message).where(Message.ticket_id == ticket_id, Message.direction == "outbound").order_by(Message.id)
        )
    )
    assert [(m.wait_seconds, m.wait_business_seconds) for m in ours if m.wait_seconds is not None] == [
        (1800, 1800), (55200, 1200),  # 15 h 20 min waited, 20 min of them in office hours
    ]  # fmt: skip
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    assert ticket.first_response_business_seconds == 1800

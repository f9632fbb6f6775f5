"""The ticket page's live stream and presence: new messages, delivery states, who else is here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.base import DeliveryResult
from otklik.messages.actions import do_record_delivery, do_reply
from otklik.web.agent.live import TicketFeed
from otklik.web.presence import ViewerBoard
from tests.web_agent.conftest import Desk, Inbound

T0 = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


def _events(client: TestClient, path: str, headers: dict[str, str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    name = "message"
    with client.stream("GET", path, headers=headers) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def test_the_stream_sends_what_is_new_since_the_page(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = inbound("первое", sender="ilya_v")
    first = db.scalars(ticket_messages(ticket.id)).all()[-1].id
    inbound("второе", sender="ilya_v")
    events = _events(client, f"/agent/tickets/{ticket.id}/events?after={first}")
    assert [e for e in events if e[0] == "message"] == [("message", {"id": first + 1, "inbound": True})]
    resumed = _events(client, f"/agent/tickets/{ticket.id}/events?after=0", headers={"Last-Event-ID": str(first + 1)})
    assert not [e for e in resumed if e[0] == "message"]


def ticket_messages(ticket_id: int) -> Any:
    from sqlalchemy import select

    from otklik.messages.models import Message

    return select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)


def test_a_stranger_gets_no_stream(client: TestClient, inbound: Inbound, desk: Desk) -> None:
    ticket = inbound("первое")
    assert client.get(f"/agent/tickets/{ticket.id}/events").status_code == 401


def test_the_feed_reports_delivery_presence_and_ticket_changes(
    desk: Desk, inbound: Inbound, db: Session, session_factory: sessionmaker[Session]
) -> None:
    ticket = inbound("где поставка?")
    reply = do_reply(db, ticket, agent=desk.marina, text="Проверяю", public=True)
    db.commit()
    board = ViewerBoard()
    feed = TicketFeed(ticket_id=ticket.id, agent_id=desk.marina.id, agent_name="Марина", after=reply.id, lang="ru",
                      board=board)  # fmt: skip
    with session_factory() as session:
        first = feed.poll(session, T0)
    # a new stream first tells the page the state of the replies it shows (here still queued)
    assert [(e.name, e.data["state"]) for e in first] == [("delivery", "queued")]
    board.viewing(ticket.id, desk.anna.id, "Анна", T0)
    board.typing(ticket.id, desk.anna.id, "Анна", T0)
    do_record_delivery(db, reply, DeliveryResult(sent=True, external_id="tg-1"))
    db.commit()
    with session_factory() as session:
        events = feed.poll(session, T0 + timedelta(seconds=1))
    names = {e.name: e.data for e in events}
    assert names["delivery"] == {"id": reply.id, "state": "sent", "label": "доставлено", "error": ""}
    assert names["presence"]["text"] == "Тоже открыли: Анна · Печатает: Анна"
    assert "ticket" in names  # the status moved when the delivery stopped the clock
    with session_factory() as session:
        later = feed.poll(session, T0 + timedelta(seconds=20))
    assert [e.data for e in later if e.name == "presence"] == [{"viewing": [], "typing": [], "text": ""}]


def test_a_reply_delivered_before_the_stream_opened_is_reported(
    desk: Desk, inbound: Inbound, db: Session, session_factory: sessionmaker[Session]
) -> None:
    ticket = inbound("где поставка?")
    reply = do_reply(db, ticket, agent=desk.marina, text="Проверяю", public=True)
    db.commit()  # the page is drawn now, showing «отправляется»
    do_record_delivery(db, reply, DeliveryResult(sent=True, external_id="tg-2"))
    db.commit()  # the worker delivers before the browser opens the stream
    feed = TicketFeed(ticket_id=ticket.id, agent_id=desk.marina.id, agent_name="Марина", after=reply.id, lang="ru",
                      board=ViewerBoard())  # fmt: skip
    with session_factory() as session:
        events = feed.poll(session, T0)
    assert [e.data for e in events if e.name == "delivery"] == [
        {"id": reply.id, "state": "sent", "label": "доставлено", "error": ""}
    ]
    with session_factory() as session:
        assert [e for e in feed.poll(session, T0) if e.name == "delivery"] == []  # told once


def test_typing_on_a_public_reply_reaches_the_chat_and_colleagues(
    client: TestClient, as_marina: str, inbound: Inbound
) -> None:
    ticket = inbound("где поставка?")
    data = {"csrf_token": as_marina, "text": "Провер", "mode": "public"}
    assert client.post(f"/agent/tickets/{ticket.id}/typing", data=data).status_code == 204
    board: ViewerBoard = client.app.state.agent_presence  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    assert board.others(ticket.id, 0, now)[1] == ["Марина Складова"]
    state = client.app.state.web  # type: ignore[attr-defined]
    assert state.typing.agent_typing(ticket.id, now) == "Марина Складова"
    note = {"csrf_token": as_marina, "text": "заметка", "mode": "note"}
    client.post(f"/agent/tickets/{ticket.id}/typing", data=note)
    assert state.typing.agent_typing(ticket.id, datetime.now(UTC)) is None  # a note is not the customer's business

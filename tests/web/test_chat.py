"""Web chat end to end: a visitor's raw POST → a webchat ticket → the agent's reply → delivered → the stream.

Story 1 on the web: the customer sees «Вашим обращением занимается Марина», her typing, her
answer and that it was delivered, without reloading anything.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.webvisitor import sign, ticket_link_token, visitor_token
from otklik.core import clock
from otklik.messages.queries import list_messages
from otklik.tickets.actions import do_auto_close
from otklik.tickets.models import Ticket
from otklik.web.presence import TypingBoard
from otklik.web.public.chat_feed import ChatFeed
from tests.conftest import Cast
from tests.web.conftest import MESSAGES, SECRET, STREAM, Events, new_visitor, of, read_events

QUESTION = "Здравствуйте, где мой заказ 4512?"
ANSWER = "Заказ 4512 передан курьеру, он привезёт его завтра до 14:00."


def _agent_replied(events: Events) -> bool:
    return any(m["from"] == "agent" for m in of(events, "message"))


def test_visitor_message_becomes_ticket_and_reply_streams_back(
    client: TestClient, cast: Cast, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    me = new_visitor(client)
    sent = client.post(MESSAGES, json={"text": QUESTION, "client_id": "first-1"}, headers=me)
    assert sent.status_code == 201, sent.text
    ack = sent.json()
    ticket_id = ack["ticket_id"]
    assert ack["number"] == f"#{ticket_id}"
    assert ack["follow_url"].startswith("http://testserver/t/")
    # the widget retries after a lost answer: stored once
    again = client.post(MESSAGES, json={"text": QUESTION, "client_id": "first-1"}, headers=me)
    assert again.status_code == 200
    assert again.json() == {**ack, "duplicate": True}

    # the agent's API sees a webchat ticket with the customer's words
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=marina.headers).json()
    assert (ticket["channel"], ticket["status"]) == ("webchat", "new")
    timeline = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=marina.headers).json()["items"]
    assert [m["text"] for m in timeline] == [QUESTION]

    # Marina takes it and starts typing: the visitor sees her name and «печатает…»
    triage = {"category": "orders", "urgency": "normal"}
    assert client.post(f"/api/v1/tickets/{ticket_id}/triage", json=triage, headers=marina.headers).status_code == 200
    assert client.post(f"/api/v1/tickets/{ticket_id}/typing", headers=marina.headers).status_code == 204
    events = read_events(client, me, until=lambda ev: bool(of(ev, "typing")))
    assert events[0][0] == "ticket"
    assert of(events, "ticket")[0] == {
        "id": ticket_id,
        "number": f"#{ticket_id}",
        "status": "open",
        "owner": "Марина Складова",
        "answered": False,
    }
    [mine] = of(events, "message")
    assert (mine["text"], mine["from"], mine["author"], mine["delivery"]) == (QUESTION, "customer", None, None)
    assert of(events, "typing") == [{"typing": True, "name": "Марина Складова"}]
    board = client.get(f"/api/v1/tickets/{ticket_id}/typing", headers=marina.headers).json()
    assert board == {"customer_typing": False, "agent": "Марина Складова"}

    # she answers with the ordinary API; queued until the worker's round delivers it
    reply = client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": ANSWER}, headers=marina.headers)
    assert reply.status_code == 201, reply.text
    queued = read_events(client, me, until=_agent_replied)
    [answer] = [m for m in of(queued, "message") if m["from"] == "agent"]
    assert (answer["text"], answer["author"], answer["delivery"]) == (ANSWER, "Марина Складова", "queued")
    assert of(queued, "ticket")[0]["answered"] is False
    assert of(queued, "typing") == []  # the reply ended the typing

    assert run() >= 1
    # the widget reconnects with Last-Event-ID: nothing repeated, the reply's new state told
    resumed = read_events(client, {**me, "Last-Event-ID": str(answer["id"])}, until=lambda ev: bool(of(ev, "delivery")))
    assert of(resumed, "message") == []
    assert of(resumed, "delivery") == [{"id": answer["id"], "state": "sent"}]
    assert of(resumed, "ticket")[0]["answered"] is True
    # a fresh stream (a reload) shows the whole conversation, delivered
    fresh = read_events(client, me, until=_agent_replied)
    assert [(m["from"], m["text"], m["delivery"]) for m in of(fresh, "message")] == [
        ("customer", QUESTION, None),
        ("agent", ANSWER, "sent"),
    ]
    assert of(fresh, "ticket")[0]["status"] == "pending_customer"


def test_feed_tells_delivery_as_it_changes_and_hides_notes(
    client: TestClient, cast: Cast, db: Session, run: Callable[[], int]
) -> None:
    """The poll itself, step by step: queued → sent within one stream; internal notes never appear."""
    anna = cast.agent_anna
    me = new_visitor(client)
    ticket_id = client.post(MESSAGES, json={"text": "Где выплата?"}, headers=me).json()["ticket_id"]
    visitor_id = me["X-Otklik-Visitor"].rsplit(".", 1)[0]
    feed = ChatFeed(visitor_id=visitor_id, ticket_id=None, after=0, typing=TypingBoard())
    first = feed.poll(db, clock.now())
    assert [e.name for e in first] == ["ticket", "message"]
    assert feed.ticket_id == ticket_id
    assert feed.poll(db, clock.now()) == []  # nothing new, nothing said

    client.post(f"/api/v1/tickets/{ticket_id}/notes", json={"text": "внутренняя заметка"}, headers=anna.headers)
    client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Выплата ушла сегодня."}, headers=anna.headers)
    db.expire_all()
    step = feed.poll(db, clock.now())
    assert [e.name for e in step] == ["ticket", "message"]
    assert step[0].data["owner"] == "Анна Финансова"
    assert step[1].data["text"] == "Выплата ушла сегодня."
    assert step[1].data["delivery"] == "queued"
    assert step[1].id == step[1].data["id"]
    assert "внутренняя заметка" not in str([e.data for e in step])

    run()
    db.expire_all()
    delivered = feed.poll(db, clock.now())
    assert [(e.name, e.data) for e in delivered] == [
        ("ticket", {**step[0].data, "answered": True}),
        ("delivery", {"id": step[1].id, "state": "sent"}),
    ]
    notes = [m for m in list_messages(db, ticket_id) if not m.public]
    assert len(notes) == 1  # it exists; the customer just never sees it


def test_visitor_typing_reaches_the_agent(client: TestClient, cast: Cast) -> None:
    me = new_visitor(client)
    ticket_id = client.post(MESSAGES, json={"text": QUESTION}, headers=me).json()["ticket_id"]
    assert client.post("/api/v1/public/chat/typing", json={}, headers=me).status_code == 204  # their open chat
    board = client.get(f"/api/v1/tickets/{ticket_id}/typing", headers=cast.agent_marina.headers).json()
    assert board == {"customer_typing": True, "agent": None}
    stop = client.post("/api/v1/public/chat/typing", json={"typing": False, "ticket_id": ticket_id}, headers=me)
    assert stop.status_code == 204
    assert client.get(f"/api/v1/tickets/{ticket_id}/typing", headers=cast.agent_marina.headers).json() == {
        "customer_typing": False,
        "agent": None,
    }
    # the agent endpoint is for agents only
    assert client.post(f"/api/v1/tickets/{ticket_id}/typing").status_code == 401
    assert client.post(f"/api/v1/tickets/{ticket_id}/typing", headers=me).status_code == 401


def test_one_visitor_cannot_read_or_touch_another_ones_conversation(client: TestClient, cast: Cast) -> None:
    first = new_visitor(client)
    ticket_id = client.post(MESSAGES, json={"text": "мой секретный заказ 4512"}, headers=first).json()["ticket_id"]
    second = new_visitor(client)

    refused = client.get(STREAM, params={"ticket": ticket_id}, headers=second)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "visitor_ticket_forbidden"
    assert "4512" not in refused.text
    # a ticket that does not exist answers the same: numbers cannot be probed
    assert client.get(STREAM, params={"ticket": 999_999}, headers=second).json()["code"] == "visitor_ticket_forbidden"
    typing = client.post("/api/v1/public/chat/typing", json={"ticket_id": ticket_id}, headers=second)
    assert typing.status_code == 403

    # their own stream has no conversation yet; writing starts their own ticket
    mine = read_events(client, second, until=lambda ev: bool(of(ev, "ticket")))
    assert of(mine, "ticket") == [{"id": None}]
    own = client.post(MESSAGES, json={"text": "а у меня другой вопрос"}, headers=second).json()
    assert own["ticket_id"] != ticket_id
    theirs = read_events(client, second, until=lambda ev: bool(of(ev, "message")))
    assert [m["text"] for m in of(theirs, "message")] == ["а у меня другой вопрос"]


def test_forged_and_tampered_tokens_are_refused(client: TestClient, cast: Cast) -> None:
    me = new_visitor(client)
    token = me["X-Otklik-Visitor"]
    visitor_id, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = {
        "no token": {},
        "tampered signature": {"X-Otklik-Visitor": f"{visitor_id}.{flipped}"},
        "another visitor id": {"X-Otklik-Visitor": f"wv_{'x' * 22}.{signature}"},
        "another secret": {"X-Otklik-Visitor": visitor_token(b"not-our-secret-at-all-0123456789", visitor_id)},
        "ticket link as token": {"X-Otklik-Visitor": ticket_link_token(SECRET.encode(), 10001)},
        "garbage": {"X-Otklik-Visitor": "' OR 1=1 --"},
    }
    for case, headers in forged.items():
        for answer in (
            client.post(MESSAGES, json={"text": "взлом"}, headers=headers),
            client.get(STREAM, headers=headers),
            client.post("/api/v1/public/chat/typing", json={}, headers=headers),
        ):
            assert answer.status_code == 401, case
            expected = "visitor_token_required" if case == "no token" else "visitor_token_invalid"
            assert answer.json()["code"] == expected, case
    # nothing was stored on the way
    assert client.get("/api/v1/tickets", params={"q": "взлом"}, headers=cast.admin_olga.headers).json()["items"] == []
    # a genuine signature over a payload of the wrong shape names no visitor either
    odd = sign(SECRET.encode(), "visitor", "admin")
    assert client.post(MESSAGES, json={"text": "x"}, headers={"X-Otklik-Visitor": odd}).status_code == 401
    # the refusal is worded in the caller's language
    english = client.post(MESSAGES, json={"text": "x"}, headers={"Accept-Language": "en"})
    assert english.json()["detail"].startswith("A visitor token is required")


def test_chat_input_is_validated(client: TestClient) -> None:
    me = new_visitor(client)
    for body, field in (
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "ok", "client_id": "no spaces allowed"}, "client_id"),
        ({"text": "ok", "admin": True}, "admin"),
        ({"text": "нулевой\x00байт"}, "text"),  # PostgreSQL cannot store it: refused, not a 500
    ):
        answer = client.post(MESSAGES, json=body, headers=me)
        assert answer.status_code == 422, body
        assert answer.json()["field"] == field, body
    huge = 2**63
    assert client.get(STREAM, params={"ticket": huge}, headers=me).json()["field"] == "ticket"
    typing = client.post("/api/v1/public/chat/typing", json={"ticket_id": huge}, headers=me)
    assert typing.json()["field"] == "ticket_id"


def test_a_chat_that_closed_reopens_where_it_ended_and_a_new_word_starts_anew(
    client: TestClient, cast: Cast, db: Session
) -> None:
    """Issue 12: after a chat auto-closed, the widget came back empty and the answer was gone."""
    anna = cast.agent_anna
    me = new_visitor(client)
    first = client.post(MESSAGES, json={"text": "Где выплата?"}, headers=me).json()["ticket_id"]
    client.post(f"/api/v1/tickets/{first}/replies", json={"text": "Выплата ушла сегодня."}, headers=anna.headers)
    client.post(f"/api/v1/tickets/{first}/solve", json={}, headers=anna.headers)
    ticket = db.get(Ticket, first)
    assert ticket is not None
    assert ticket.status == "solved"
    do_auto_close(db, ticket)  # what the inactivity timer does 30 minutes after the customer left
    db.commit()

    reopened = read_events(client, me, until=lambda ev: len(of(ev, "message")) >= 2)
    assert of(reopened, "ticket")[0]["id"] == first
    assert of(reopened, "ticket")[0]["status"] == "closed"
    assert [m["text"] for m in of(reopened, "message")] == ["Где выплата?", "Выплата ушла сегодня."]

    second = client.post(MESSAGES, json={"text": "И ещё вопрос про возврат"}, headers=me).json()["ticket_id"]
    assert second != first  # a closed conversation is never reopened by a new word
    fresh = read_events(client, me, until=lambda ev: bool(of(ev, "message")))
    assert of(fresh, "ticket")[0]["id"] == second
    assert [m["text"] for m in of(fresh, "message")] == ["И ещё вопрос про возврат"]

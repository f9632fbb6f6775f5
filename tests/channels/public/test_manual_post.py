"""A public answer is ``sent`` only when the agent who posted it by hand says where: no fake delivery."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import jobs
from otklik.worker import registry
from tests.conftest import Cast

registry.load()


def test_a_public_reply_waits_for_the_agent_to_post_it(
    client: TestClient, cast: Cast, session_factory: sessionmaker[Session]
) -> None:
    olga = cast.admin_olga
    mention = {"url": "https://otzyvy.example/post/77", "author": "angry_buyer", "text": "Третью неделю нет ответа!"}
    created = client.post("/api/v1/channels/public/mentions", json=mention, headers=olga.headers)
    assert created.status_code == 201, created.text
    ticket_id = created.json()["ticket_id"]
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        json={"text": "Ольга уже ведёт ваше обращение и напишет вам в личные сообщения до 15:00."},
        headers=olga.headers,
    )
    assert reply.status_code == 201, reply.text
    message_id = reply.json()["id"]
    jobs.run_due(session_factory, worker="test")
    waiting = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=olga.headers).json()["items"][-1]
    assert waiting["delivery"]["state"] == "queued"
    assert "awaiting manual posting" in waiting["delivery"]["error"]
    before = client.get(f"/api/v1/tickets/{ticket_id}", headers=olga.headers).json()
    assert before["sla"]["first_response_at"] is None
    # issue 12, item 3: nothing reached the customer yet, so the ticket must not say «Ждём клиента»
    assert before["status"] != "pending_customer"

    bad = client.post(f"/api/v1/messages/{message_id}/posted", json={"url": "not a link"}, headers=olga.headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "url"
    posted = client.post(
        f"/api/v1/messages/{message_id}/posted", json={"url": "https://otzyvy.example/post/77#r1"}, headers=olga.headers
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["delivery"] == {"state": "sent", "error": None}
    after = client.get(f"/api/v1/tickets/{ticket_id}", headers=olga.headers).json()
    assert after["sla"]["first_response_at"]
    assert after["status"] == "pending_customer"  # posted: now we wait for the customer
    again = client.post(
        f"/api/v1/messages/{message_id}/posted", json={"url": "https://otzyvy.example/post/77#r1"}, headers=olga.headers
    )
    assert again.status_code == 409
    assert (
        client.post(
            "/api/v1/messages/999999/posted", json={"url": "https://x.example/1"}, headers=olga.headers
        ).status_code
        == 404
    )

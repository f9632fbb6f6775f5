"""Viber, from a signed callback to a ticket to a reply through ``send_message`` on a stand-in Viber API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.adapters.viber import ViberAdapter
from otklik.channels.base import OutboundMessage
from tests.channels.messengers.conftest import (
    delivery_job,
    dump,
    fixture,
    fixture_json,
    health,
    messages,
    only_ticket,
    reply,
    stored,
    tickets,
)
from tests.channels.standin import Reply, StandIn
from tests.conftest import Cast

TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"
WEBHOOK = "/api/v1/channels/viber/webhook"
SEND = "/send_message"
USER = "01234567890A="


@pytest.fixture
def api(standin: StandIn, configure: Callable[..., None]) -> StandIn:
    """A stand-in Viber REST API: ``send_message`` answers status 0 and a message token."""
    tokens = itertools.count(5741311803571722000)
    standin.route(
        "POST", SEND, lambda _call: Reply(200, {"status": 0, "status_message": "ok", "message_token": next(tokens)})
    )
    configure(viber_auth_token=TOKEN, viber_api_base=standin.base_url, viber_sender_name="Поддержка Otklik")
    return standin


def sign(body: bytes, token: str = TOKEN) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def post(client: TestClient, body: bytes, signature: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", "X-Viber-Content-Signature": signature or sign(body)}
    return client.post(WEBHOOK, content=body, headers=headers)


def test_the_webhook_check_and_a_message_to_a_ticket_and_the_reply_back(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    assert post(client, fixture("viber", "webhook.json")).status_code == 200  # set_webhook's check
    answer = post(client, fixture("viber", "message_text.json"))
    assert answer.json() == {"ok": True, "stored": 1, "duplicates": 0, "refused": 0}
    ticket = only_ticket(client, marina, "viber")
    assert ticket["customer"]["name"] == "Ольга Морозова"
    [inbound] = messages(client, marina, ticket["id"])
    assert inbound["text"] == "Добрый день, возврат по заказу 7781 так и не пришёл"

    sent = reply(client, marina, ticket["id"], "Ольга, возврат оформлен, деньги придут за 3 дня.")
    run()
    [call] = api.calls_to(SEND)
    assert call.headers["x-viber-auth-token"] == TOKEN
    assert call.json() == {
        "receiver": USER,
        "min_api_version": 1,
        "sender": {"name": "Поддержка Otklik"},
        "tracking_data": f"otklik:{ticket['id']}:{sent['id']}",
        "type": "text",
        "text": "Ольга, возврат оформлен, деньги придут за 3 дня.",
    }
    assert messages(client, marina, ticket["id"])[-1]["delivery"] == {"state": "sent", "error": None}


def test_a_wrong_or_missing_signature_is_401(client: TestClient, cast: Cast, api: StandIn) -> None:
    body = fixture("viber", "message_text.json")
    assert post(client, body, signature=sign(body, "another-bot")).status_code == 401
    unsigned = client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert tickets(client, cast.admin_olga, "viber") == []


def test_viber_retrying_a_callback_stores_it_once(client: TestClient, cast: Cast, api: StandIn) -> None:
    for _ in range(2):
        post(client, fixture("viber", "message_text.json"))
    ticket = only_ticket(client, cast.agent_marina, "viber")
    assert len(messages(client, cast.agent_marina, ticket["id"])) == 1


@pytest.mark.parametrize(
    "body", [b"{oops", b'{"no_event": 1}', dump({"event": "message", "message": {"type": "text"}})]
)
def test_a_signed_but_malformed_callback_is_422(client: TestClient, cast: Cast, api: StandIn, body: bytes) -> None:
    assert post(client, body).status_code == 422


@pytest.mark.parametrize("name", ["subscribed.json", "conversation_started.json", "delivered.json"])
def test_subscriptions_and_receipts_are_acknowledged_without_a_ticket(
    client: TestClient, cast: Cast, api: StandIn, name: str
) -> None:
    assert post(client, fixture("viber", name)).json() == {"ok": True, "stored": 0, "duplicates": 0, "refused": 0}
    assert tickets(client, cast.admin_olga, "viber") == []


def test_a_sticker_is_a_placeholder_and_a_picture_is_stored(
    client: TestClient, cast: Cast, api: StandIn, db: Session
) -> None:
    api.route("GET", "/media/check.jpg", Reply(200, b"\xff\xd8\xff check"))
    post(client, fixture("viber", "message_sticker.json"))
    picture = fixture("viber", "message_picture.json").replace(b"MEDIA_URL", f"{api.base_url}/media/check.jpg".encode())
    post(client, picture)
    ticket = only_ticket(client, cast.agent_marina, "viber")
    sticker, photo = messages(client, cast.agent_marina, ticket["id"])
    assert sticker["text"] == "[Стикер / Sticker]"
    assert stored(db, sticker["id"])[0].placeholder is True
    assert photo["text"] == "Чек\n[Фото / Photo]"
    [image] = stored(db, photo["id"])[1]
    assert (image.filename, image.data) == ("check.jpg", b"\xff\xd8\xff check")


def test_a_refused_token_fails_the_reply_and_turns_the_channel_red(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int]
) -> None:
    post(client, fixture("viber", "message_text.json"))
    ticket = only_ticket(client, cast.agent_marina, "viber")
    api.fail_next(SEND, Reply(401, {"status": 2, "status_message": "invalidAuthToken"}))
    reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    last = messages(client, cast.agent_marina, ticket["id"])[-1]
    assert last["delivery"] == {
        "state": "failed",
        "error": "Viber не принимает наши ключи / Viber refused our credentials — 2: invalidAuthToken",
    }
    assert health(client, cast.admin_olga, "viber")["state"] == "red"


def test_a_viber_server_error_is_retried(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int], db: Session
) -> None:
    post(client, fixture("viber", "message_text.json"))
    ticket = only_ticket(client, cast.agent_marina, "viber")
    api.fail_next(SEND, Reply(500, "upstream error"))
    sent = reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    job = delivery_job(db, sent["id"])
    assert (job.state, job.attempts) == ("pending", 1)


def test_viber_statuses_in_a_200_answer_are_classified(api: StandIn) -> None:
    adapter = ViberAdapter(api_base=api.base_url, token=TOKEN, sender_name="x" * 40)
    outbound = OutboundMessage(message_id=1, ticket_id=1, channel="viber", recipient=USER, text="Текст")
    for status, message, permanent, credentials in (
        (2, "invalidAuthToken", True, True),
        (6, "receiverNotSubscribed", True, False),
        (12, "tooManyRequests", False, False),
    ):
        api.fail_next(SEND, Reply(200, {"status": status, "status_message": message}))
        result = adapter.send(outbound)
        assert (result.sent, result.permanent, result.credentials_rejected) == (False, permanent, credentials)
        assert (result.error or "").endswith(f" — {status}: {message}")
    adapter.send(outbound)
    assert api.calls_to(SEND)[-1].json()["sender"]["name"] == "x" * 28  # Viber's limit


def test_parse_describes_locations_and_contacts() -> None:
    adapter = ViberAdapter(api_base="http://127.0.0.1:9", token=TOKEN, sender_name="Поддержка")
    event = fixture_json("viber", "message_text.json")
    event["message"] = {"type": "location", "location": {"lat": 55.75, "lon": 37.61}}
    [where] = adapter.parse({}, dump(event)).messages
    assert (where.text, where.placeholder) == ("[Геопозиция 55.75, 37.61 / Location 55.75, 37.61]", True)
    event["message"] = {"type": "contact", "contact": {"name": "Склад", "phone_number": "+74950000000"}}
    [who] = adapter.parse({}, dump(event)).messages
    assert who.text == "[Контакт Склад +74950000000 / Contact Склад +74950000000]"
    assert (who.sender_value, who.external_id) == (USER, "5741311803571721088")

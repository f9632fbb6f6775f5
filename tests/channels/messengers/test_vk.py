"""VK, from a Callback API event to a ticket to a reply through ``messages.send`` on a stand-in VK API."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.adapters.vk import VkAdapter, dedupe_id
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

SECRET = "vk-secret-Zq81"
TOKEN = "vk1.a.community-token"
CODE = "a1b2c3d4"
WEBHOOK = "/api/v1/channels/vk/webhook"
SEND = "/method/messages.send"
USER = "745123698"


@pytest.fixture
def api(standin: StandIn, configure: Callable[..., None]) -> StandIn:
    """A stand-in VK API: ``messages.send`` answers a new message id."""
    numbers = itertools.count(2001)
    standin.route("POST", SEND, lambda _call: Reply(200, {"response": next(numbers)}))
    configure(
        vk_secret=SECRET,
        vk_confirmation_code=CODE,
        vk_access_token=TOKEN,
        vk_api_base=standin.base_url,
        vk_api_version="5.199",
    )
    return standin


def post(client: TestClient, body: bytes) -> Any:
    return client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json"})


def test_a_message_becomes_a_ticket_and_the_reply_goes_back_through_messages_send(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    confirmation = post(client, fixture("vk", "confirmation.json"))
    assert (confirmation.status_code, confirmation.text) == (200, CODE)
    answer = post(client, fixture("vk", "message_new.json"))
    assert (answer.status_code, answer.text) == (200, "ok")  # VK calls again until it reads exactly "ok"
    ticket = only_ticket(client, marina, "vk")
    [inbound] = messages(client, marina, ticket["id"])
    assert inbound["text"] == "Добрый день! Не пришла выплата за октябрь."

    sent = reply(client, marina, ticket["id"], "Выплата ушла сегодня, придёт в течение суток.")
    run()
    [call] = api.calls_to(SEND)
    form = call.form()
    assert form == {
        "peer_id": USER,
        "message": "Выплата ушла сегодня, придёт в течение суток.",
        "random_id": str(dedupe_id(sent["id"], 0)),
        "access_token": TOKEN,
        "v": "5.199",
    }
    assert messages(client, marina, ticket["id"])[-1]["delivery"] == {"state": "sent", "error": None}


def test_a_wrong_or_missing_secret_is_401(client: TestClient, cast: Cast, api: StandIn) -> None:
    event = fixture_json("vk", "message_new.json")
    for secret in ("guess", None):
        forged = {**event, "secret": secret} if secret else {k: v for k, v in event.items() if k != "secret"}
        answer = post(client, dump(forged))
        assert answer.status_code == 401
        assert answer.json()["code"] == "webhook_auth_failed"
    assert post(client, b"not json at all").status_code == 401  # no body, no secret to check
    forged_confirmation = post(client, dump({"type": "confirmation", "group_id": 1, "secret": "guess"}))
    assert forged_confirmation.status_code == 401
    assert tickets(client, cast.admin_olga, "vk") == []


def test_a_confirmation_without_a_configured_code_says_what_is_missing(
    client: TestClient, configure: Callable[..., None], api: StandIn
) -> None:
    configure(vk_confirmation_code="")
    answer = post(client, fixture("vk", "confirmation.json"))
    assert answer.status_code == 404
    assert "OTKLIK_VK_CONFIRMATION_CODE" in answer.json()["detail"]


def test_vk_retrying_an_event_stores_it_once(client: TestClient, cast: Cast, api: StandIn) -> None:
    for _ in range(3):
        assert post(client, fixture("vk", "message_new.json")).text == "ok"
    ticket = only_ticket(client, cast.agent_marina, "vk")
    assert len(messages(client, cast.agent_marina, ticket["id"])) == 1


def test_an_authentic_but_malformed_event_is_422(client: TestClient, cast: Cast, api: StandIn) -> None:
    for broken in (
        {"type": "message_new", "secret": SECRET, "object": {"message": {"text": "no peer"}}},
        {"secret": SECRET, "object": {}},
    ):
        answer = post(client, dump(broken))
        assert answer.status_code == 422
        assert answer.json()["field"] == "body"


def test_an_edit_changes_the_original(client: TestClient, cast: Cast, api: StandIn) -> None:
    post(client, fixture("vk", "message_new.json"))
    assert post(client, fixture("vk", "message_edit.json")).text == "ok"
    ticket = only_ticket(client, cast.agent_marina, "vk")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "Добрый день! Не пришла выплата за октябрь, заказ 9981."


@pytest.mark.parametrize("name", ["message_reply.json", "group_join.json"])
def test_our_own_echoes_and_other_events_are_acknowledged_without_a_ticket(
    client: TestClient, cast: Cast, api: StandIn, name: str
) -> None:
    answer = post(client, fixture("vk", name))
    assert (answer.status_code, answer.text) == (200, "ok")
    assert tickets(client, cast.admin_olga, "vk") == []


def test_a_sticker_shows_as_a_placeholder(client: TestClient, cast: Cast, api: StandIn, db: Session) -> None:
    post(client, fixture("vk", "message_new_sticker.json"))
    ticket = only_ticket(client, cast.agent_marina, "vk")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "[Стикер / Sticker]"
    assert stored(db, message["id"])[0].placeholder is True


def test_a_photo_is_fetched_from_its_link(client: TestClient, cast: Cast, api: StandIn, db: Session) -> None:
    api.route("GET", "/impg/photo-big.jpg", Reply(200, b"\xff\xd8\xff big"))
    event = fixture_json("vk", "message_new.json")
    event["object"]["message"].update(
        id=1850,
        text="Фото упаковки",
        attachments=[
            {
                "type": "photo",
                "photo": {
                    "id": 457239017,
                    "owner_id": 745123698,
                    "sizes": [
                        {"type": "s", "url": f"{api.base_url}/impg/photo-small.jpg", "width": 75, "height": 56},
                        {"type": "z", "url": f"{api.base_url}/impg/photo-big.jpg", "width": 1080, "height": 810},
                    ],
                },
            }
        ],
    )
    post(client, dump(event))
    ticket = only_ticket(client, cast.agent_marina, "vk")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "Фото упаковки\n[Фото / Photo]"
    [photo] = stored(db, message["id"])[1]
    assert (photo.filename, photo.data) == ("photo_745123698_457239017.jpg", b"\xff\xd8\xff big")


def test_a_refused_token_fails_the_reply_and_turns_the_channel_red(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int]
) -> None:
    post(client, fixture("vk", "message_new.json"))
    ticket = only_ticket(client, cast.agent_marina, "vk")
    refused = {"error": {"error_code": 5, "error_msg": "User authorization failed: invalid access_token (4)."}}
    api.fail_next(SEND, Reply(200, refused))
    reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    last = messages(client, cast.agent_marina, ticket["id"])[-1]
    assert last["delivery"] == {
        "state": "failed",
        "error": "VK не принимает наши ключи / VK refused our credentials — "
        "5: User authorization failed: invalid access_token (4).",
    }
    assert health(client, cast.admin_olga, "vk")["state"] == "red"


@pytest.mark.parametrize("failure", [Reply(500, "Internal Server Error"), Reply(200, {"error": {"error_code": 10}})])
def test_a_vk_server_error_is_retried(
    client: TestClient, cast: Cast, api: StandIn, run: Callable[[], int], db: Session, failure: Reply
) -> None:
    post(client, fixture("vk", "message_new.json"))
    ticket = only_ticket(client, cast.agent_marina, "vk")
    api.fail_next(SEND, failure)
    sent = reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    job = delivery_job(db, sent["id"])
    assert (job.state, job.attempts) == ("pending", 1)
    assert messages(client, cast.agent_marina, ticket["id"])[-1]["delivery"]["state"] == "queued"


def test_the_dedupe_id_is_stable_per_piece_and_fits_vk() -> None:
    assert dedupe_id(42, 0) == dedupe_id(42, 0) != dedupe_id(42, 1)
    assert 0 < dedupe_id(10**12, 3) < 2**31
    adapter = VkAdapter(api_base="http://127.0.0.1:9", api_version="5.199", secret=SECRET)
    chat = fixture_json("vk", "message_new.json")
    chat["object"]["message"]["peer_id"] = 2000000066  # a community chat, not a support dialogue
    assert adapter.parse({}, dump(chat)).messages == ()


def test_sending_without_an_answer_is_retried_and_hides_the_token(api: StandIn) -> None:
    adapter = VkAdapter(api_base="http://127.0.0.1:9", api_version="5.199", token=TOKEN, timeout=1)
    result = adapter.send(OutboundMessage(message_id=1, ticket_id=1, channel="vk", recipient=USER, text="Текст"))
    assert (result.sent, result.permanent) == (False, False)
    assert TOKEN not in (result.error or "")
    blocked = {"error": {"error_code": 901, "error_msg": "Can't send messages for users without permission"}}
    api.fail_next(SEND, Reply(200, blocked))
    real = VkAdapter(api_base=api.base_url, api_version="5.199", token=TOKEN)
    refused = real.send(OutboundMessage(message_id=2, ticket_id=1, channel="vk", recipient=USER, text="Текст"))
    assert (refused.sent, refused.permanent, refused.credentials_rejected) == (False, True, False)

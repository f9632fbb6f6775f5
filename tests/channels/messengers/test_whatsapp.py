"""WhatsApp Cloud API: the GET challenge, signed webhooks to tickets, replies through a stand-in Graph API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.adapters.whatsapp import WhatsAppAdapter
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
from tests.channels.standin import Call, Reply, StandIn
from tests.conftest import Cast

APP_SECRET = "0f4e8a1c9b7d6e5f"
VERIFY_TOKEN = "otklik-verify-42"
TOKEN = "EAAG-test-access-token"
PHONE_ID = "106540352242922"
WEBHOOK = "/api/v1/channels/whatsapp/webhook"
SEND = f"/{PHONE_ID}/messages"
CUSTOMER = "79161234567"


@pytest.fixture
def graph(standin: StandIn, configure: Callable[..., None]) -> StandIn:
    """A stand-in Graph API: sends answer a ``wamid``; media ids resolve to a download link."""
    numbers = itertools.count(1)

    def send(call: Call) -> Reply:
        to = call.json()["to"]
        wamid = f"wamid.sent-{next(numbers)}"
        return Reply(
            200,
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": wamid}]},
        )

    standin.route("POST", SEND, send)
    media = {
        "url": f"{standin.base_url}/lookaside/media-1003383421387256",
        "mime_type": "image/jpeg",
        "id": "1003383421387256",
    }
    standin.route("GET", "/1003383421387256", Reply(200, media))
    standin.route("GET", "/lookaside/media-1003383421387256", Reply(200, b"\xff\xd8\xff screenshot"))
    configure(
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_access_token=TOKEN,
        whatsapp_phone_number_id=PHONE_ID,
        whatsapp_api_base=standin.base_url,
    )
    return standin


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: TestClient, body: bytes, signature: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature or sign(body)}
    return client.post(WEBHOOK, content=body, headers=headers)


def test_meta_s_challenge_is_echoed_only_for_our_verify_token(client: TestClient, graph: StandIn) -> None:
    ok = client.get(
        WEBHOOK, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    ):
        refused = client.get(WEBHOOK, params=params)
        assert refused.status_code == 401
        assert refused.json()["code"] == "webhook_auth_failed"
    assert client.get("/api/v1/channels/email/webhook").status_code == 404


def test_a_message_becomes_a_ticket_and_the_reply_goes_out_through_the_cloud_api(
    client: TestClient, cast: Cast, graph: StandIn, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    answer = post(client, fixture("whatsapp", "text.json"))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "stored": 1, "duplicates": 0, "refused": 0}
    ticket = only_ticket(client, marina, "whatsapp")
    assert ticket["customer"]["name"] == "Светлана"
    [inbound] = messages(client, marina, ticket["id"])
    assert inbound["text"] == "Здравствуйте, карточка товара не проходит модерацию уже 3 дня"

    reply(client, marina, ticket["id"], "Светлана, карточку одобрили, она уже на витрине.")
    run()
    [call] = graph.calls_to(SEND)
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"preview_url": False, "body": "Светлана, карточку одобрили, она уже на витрине."},
    }
    assert messages(client, marina, ticket["id"])[-1]["delivery"] == {"state": "sent", "error": None}


def test_a_wrong_or_missing_signature_is_401(client: TestClient, cast: Cast, graph: StandIn) -> None:
    body = fixture("whatsapp", "text.json")
    assert post(client, body, signature=sign(body, "another-app")).status_code == 401
    assert post(client, body + b" ", signature=sign(body)).status_code == 401  # the body was altered
    missing = client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 401
    assert tickets(client, cast.admin_olga, "whatsapp") == []


def test_meta_retrying_a_call_stores_each_message_once(client: TestClient, cast: Cast, graph: StandIn) -> None:
    for _ in range(2):
        assert post(client, fixture("whatsapp", "text.json")).status_code == 200
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    assert len(messages(client, cast.agent_marina, ticket["id"])) == 1


@pytest.mark.parametrize("body", [b"{oops", b'{"object": "whatsapp_business_account"}', b"[1, 2]"])
def test_a_signed_but_malformed_call_is_422(client: TestClient, cast: Cast, graph: StandIn, body: bytes) -> None:
    answer = post(client, body)
    assert answer.status_code == 422
    assert answer.json()["field"] == "body"


def test_one_broken_message_never_costs_the_others_and_an_unsupported_one_shows_a_placeholder(
    client: TestClient, cast: Cast, graph: StandIn, db: Session
) -> None:
    answer = post(client, fixture("whatsapp", "batch.json"))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "stored": 2, "duplicates": 0, "refused": 1}
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    first, unsupported = messages(client, cast.agent_marina, ticket["id"])
    assert first["text"] == "Первое сообщение"
    assert unsupported["text"] == (
        "[Сообщение неподдерживаемого типа (Message type unknown) / "
        "A message of an unsupported type (Message type unknown)]"
    )
    assert stored(db, unsupported["id"])[0].placeholder is True
    assert "wamid.batch-2" in (health(client, cast.admin_olga, "whatsapp")["last_error"] or "")


def test_an_image_is_downloaded_with_our_token_and_stored(
    client: TestClient, cast: Cast, graph: StandIn, db: Session
) -> None:
    assert post(client, fixture("whatsapp", "image.json")).json()["stored"] == 1
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "Скриншот ошибки\n[Фото / Photo]"
    [image] = stored(db, message["id"])[1]
    assert (image.filename, image.content_type, image.data) == (
        "image_1003383421387256.jpg",
        "image/jpeg",
        b"\xff\xd8\xff screenshot",
    )
    assert {c.headers["authorization"] for c in graph.calls if c.method == "GET"} == {f"Bearer {TOKEN}"}


def test_delivery_statuses_are_acknowledged_with_nothing_stored(client: TestClient, cast: Cast, graph: StandIn) -> None:
    answer = post(client, fixture("whatsapp", "status.json"))
    assert answer.json() == {"ok": True, "stored": 0, "duplicates": 0, "refused": 0}
    assert tickets(client, cast.admin_olga, "whatsapp") == []


def test_a_refused_token_fails_the_reply_and_turns_the_channel_red(
    client: TestClient, cast: Cast, graph: StandIn, run: Callable[[], int]
) -> None:
    post(client, fixture("whatsapp", "text.json"))
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    expired = {
        "error": {
            "message": "Error validating access token: Session has expired",
            "type": "OAuthException",
            "code": 190,
        }
    }
    graph.fail_next(SEND, Reply(401, expired))
    reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    last = messages(client, cast.agent_marina, ticket["id"])[-1]
    assert last["delivery"] == {
        "state": "failed",
        "error": "WhatsApp не принимает наши ключи / WhatsApp refused our credentials — "
        "401 (190): Error validating access token: Session has expired",
    }
    assert health(client, cast.admin_olga, "whatsapp")["state"] == "red"


def test_a_graph_server_error_is_retried_and_a_closed_window_is_not(
    client: TestClient, cast: Cast, graph: StandIn, run: Callable[[], int], db: Session
) -> None:
    post(client, fixture("whatsapp", "text.json"))
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    graph.fail_next(SEND, Reply(500, {"error": {"message": "Service temporarily unavailable", "code": 2}}))
    first = reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    job = delivery_job(db, first["id"])
    assert (job.state, job.attempts) == ("pending", 1)

    window = {
        "error": {"message": "Re-engagement message", "code": 131047, "error_data": {"details": "24 hours passed"}}
    }
    graph.fail_next(SEND, Reply(400, window))
    reply(client, cast.agent_marina, ticket["id"], "Ещё одно.")
    run()
    last = messages(client, cast.agent_marina, ticket["id"])[-1]
    assert last["delivery"] == {
        "state": "failed",
        "error": "WhatsApp отклонил сообщение / WhatsApp refused the message — "
        "400 (131047): Re-engagement message — 24 hours passed",
    }


def test_parse_threads_a_reply_to_our_message_and_describes_what_it_cannot_show() -> None:
    adapter = WhatsAppAdapter(api_base="http://127.0.0.1:9", app_secret=APP_SECRET)
    payload = fixture_json("whatsapp", "text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {**value["messages"][0], "context": {"from": "74951234567", "id": "wamid.sent-1"}},
        {"from": CUSTOMER, "id": "wamid.v", "timestamp": "1", "type": "audio", "audio": {"id": "9", "voice": True}},
        {"from": CUSTOMER, "id": "wamid.r", "timestamp": "1", "type": "reaction", "reaction": {"emoji": "👍"}},
        {"from": CUSTOMER, "id": "wamid.b", "timestamp": "1", "type": "button", "button": {"text": "Да, решено"}},
    ]
    threaded, voice, reaction, button = adapter.parse({}, dump(payload)).messages
    assert threaded.thread_refs == ("wamid.sent-1",)
    assert (voice.text, voice.placeholder) == ("[Голосовое сообщение / Voice message]", True)
    assert reaction.text == "[Реакция 👍 / Reaction 👍]"
    assert (button.text, button.placeholder) == ("Да, решено", False)


def test_flow_answers_list_choices_and_unreadable_interactive_messages_are_kept() -> None:
    """Issue 14: a Flow reply (``nfm_reply``) and an interactive message Meta could not read came
    out with empty text, which intake refused after the webhook had been acknowledged — lost."""
    adapter = WhatsAppAdapter(api_base="http://127.0.0.1:9", app_secret=APP_SECRET)
    payload = fixture_json("whatsapp", "text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    flow = {
        "type": "nfm_reply",
        "nfm_reply": {
            "name": "flow",
            "body": "Sent",
            "response_json": '{"flow_token": "t-1", "order": "WB-4512", "problem": ["не пришёл", "возврат"]}',
        },
    }
    chosen = {"type": "list_reply", "list_reply": {"id": "fbs", "title": "FBS", "description": "со своего склада"}}
    broken = {"type": "interactive", "errors": [{"code": 131051, "title": "Message type unknown"}]}
    value["messages"] = [
        {"from": CUSTOMER, "id": "wamid.f", "timestamp": "1", "type": "interactive", "interactive": flow},
        {"from": CUSTOMER, "id": "wamid.l", "timestamp": "1", "type": "interactive", "interactive": chosen},
        {"from": CUSTOMER, "id": "wamid.e", "timestamp": "1", "type": "interactive", "interactive": {}, **broken},
    ]  # fmt: skip
    answers, choice, unreadable = adapter.parse({}, dump(payload)).messages
    assert (answers.text, answers.placeholder) == ("order: WB-4512\nproblem: не пришёл, возврат", False)
    assert (choice.text, choice.placeholder) == ("FBS — со своего склада", False)
    assert unreadable.placeholder is True
    assert "Message type unknown" in unreadable.text


def test_a_deleted_message_notice_is_acknowledged_and_leaves_health_green(
    client: TestClient, cast: Cast, graph: StandIn
) -> None:
    """Issue 14: a ``revoke`` (the customer deleted a message for everyone) was refused as a message
    with no text and turned the channel red."""
    payload = fixture_json("whatsapp", "text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [{"from": CUSTOMER, "id": "wamid.revoke-1", "timestamp": "1", "type": "revoke",
                          "revoke": {"original_message_id": "wamid.HBgLNzkxNjEyMzQ1NjcVAgASGBQzQTg"}}]  # fmt: skip
    answer = post(client, dump(payload))
    assert answer.json() == {"ok": True, "stored": 0, "duplicates": 0, "refused": 0}
    assert health(client, cast.admin_olga, "whatsapp")["last_error"] in (None, "")


def edit_payload(original: str, text: str, edit_id: str = "wamid.edit-1") -> bytes:
    """The ``edit`` webhook in the shape of Meta's reference (webhooks/reference/messages/edit): the new
    message whole, with the id of the one it changes."""
    payload = fixture_json("whatsapp", "text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [{"from": CUSTOMER, "id": edit_id, "timestamp": "1795338360", "type": "edit",
                          "edit": {"original_message_id": original,
                                   "message": {"type": "text", "text": {"body": text}}}}]  # fmt: skip
    return dump(payload)


def test_an_edit_changes_the_original_message_instead_of_adding_a_placeholder(
    client: TestClient, cast: Cast, graph: StandIn
) -> None:
    """Issue 14: an edit was stored as a new «unsupported message» placeholder beside the original."""
    original = fixture_json("whatsapp", "text.json")["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    post(client, fixture("whatsapp", "text.json"))
    edited = "Здравствуйте, карточка товара не проходит модерацию уже 4 дня"
    assert post(client, edit_payload(original, edited)).json()["stored"] == 1
    again = post(client, edit_payload(original, edited)).json()  # Meta's retry of the same edit
    assert (again["stored"], again["duplicates"]) == (0, 1)
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == edited


def test_an_edit_of_a_message_we_never_had_is_kept_with_its_new_words(
    client: TestClient, cast: Cast, graph: StandIn
) -> None:
    post(client, edit_payload("wamid.never-seen", "Где мой заказ 5521?"))
    ticket = only_ticket(client, cast.agent_marina, "whatsapp")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "Где мой заказ 5521?"

"""Telegram, from a Bot API ``Update`` to a ticket to a reply through ``sendMessage`` on a stand-in Bot API."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.adapters.telegram import TelegramAdapter
from otklik.channels.base import OutboundMessage
from otklik.core import clock, jobs
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

TOKEN = "7001234567:AAH-test-token"
SECRET = "tg-Secret_0123456789"
WEBHOOK = "/api/v1/channels/telegram/webhook"
CHAT = "381726354"
PHOTO = b"\xff\xd8\xff\xe0 a jpeg of the waybill"
PDF = b"%PDF-1.7 the acceptance act"


@pytest.fixture
def bot(standin: StandIn, configure: Callable[..., None]) -> StandIn:
    """A stand-in Bot API that answers sendMessage, getFile and file downloads as Telegram does."""
    numbers = itertools.count(9001)

    def send_message(call: Call) -> Reply:
        body = call.json()
        chat = {"id": int(body["chat_id"]), "type": "private", "first_name": "Иван"}
        result = {"message_id": next(numbers), "chat": chat, "date": 1795338700, "text": body["text"]}
        return Reply(200, {"ok": True, "result": result})

    files = {
        "AgACAgIAAxkBAAIBlarge": ("photos/file_7.jpg", PHOTO),
        "BQACAgIAAxkBAAIBdoc": ("documents/file_8.pdf", PDF),
    }

    def get_file(call: Call) -> Reply:
        path, data = files[call.query["file_id"]]
        result = {"file_id": call.query["file_id"], "file_unique_id": "u", "file_size": len(data), "file_path": path}
        return Reply(200, {"ok": True, "result": result})

    standin.route("POST", f"/bot{TOKEN}/sendMessage", send_message)
    standin.route("GET", f"/bot{TOKEN}/getFile", get_file)
    for path, data in files.values():
        standin.route("GET", f"/file/bot{TOKEN}/{path}", Reply(200, data))
    configure(telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_base=standin.base_url)
    return standin


def post(client: TestClient, body: bytes, secret: str | None = SECRET) -> Any:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post(WEBHOOK, content=body, headers=headers)


def test_a_message_becomes_a_ticket_and_the_reply_goes_back_to_the_chat(
    client: TestClient, cast: Cast, bot: StandIn, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    answer = post(client, fixture("telegram", "text.json"))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "stored": 1, "duplicates": 0, "refused": 0}
    ticket = only_ticket(client, marina, "telegram")
    assert ticket["customer"]["name"] == "Иван Петров (@ivan_seller)"
    [inbound] = messages(client, marina, ticket["id"])
    assert inbound["text"] == "Здравствуйте! Поставка 4512 не принята на склад, что делать?"
    assert inbound["author"]["kind"] == "customer"

    sent = reply(client, marina, ticket["id"], "Иван, проверили: поставку примут завтра до 12:00.")
    assert bot.calls_to(f"/bot{TOKEN}/sendMessage") == []  # nothing leaves before the worker runs
    run()
    [call] = bot.calls_to(f"/bot{TOKEN}/sendMessage")
    assert call.json() == {"chat_id": CHAT, "text": "Иван, проверили: поставку примут завтра до 12:00."}
    last = messages(client, marina, ticket["id"])[-1]
    assert (last["id"], last["delivery"]) == (sent["id"], {"state": "sent", "error": None})
    assert health(client, cast.admin_olga, "telegram")["state"] == "green"


def test_a_wrong_or_missing_secret_is_401_and_stores_nothing(client: TestClient, cast: Cast, bot: StandIn) -> None:
    for secret in ("guess", None, ""):
        answer = post(client, fixture("telegram", "text.json"), secret=secret)
        assert answer.status_code == 401
        assert answer.json()["code"] == "webhook_auth_failed"
    assert tickets(client, cast.admin_olga, "telegram") == []


def test_telegram_retrying_an_update_stores_it_once(client: TestClient, cast: Cast, bot: StandIn) -> None:
    for _ in range(3):
        assert post(client, fixture("telegram", "text.json")).status_code == 200
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    assert len(messages(client, cast.agent_marina, ticket["id"])) == 1


@pytest.mark.parametrize(
    "body",
    [b"{oops", b"[]", b'{"message": {"text": "no update_id"}}', dump({"update_id": 1, "message": {"text": "no chat"}})],
)
def test_a_malformed_update_is_422_and_the_next_good_one_is_taken(
    client: TestClient, cast: Cast, bot: StandIn, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    answer = post(client, body)
    assert answer.status_code == 422
    assert answer.json()["field"] == "body"
    assert "malformed payload" in caplog.text
    assert post(client, fixture("telegram", "text.json")).status_code == 200


def test_photo_and_document_are_stored_as_attachments(
    client: TestClient, cast: Cast, bot: StandIn, db: Session
) -> None:
    for name in ("photo.json", "document.json"):
        assert post(client, fixture("telegram", name)).json()["stored"] == 1
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    photo, document = messages(client, cast.agent_marina, ticket["id"])
    assert photo["text"] == "Вот накладная\n[Фото / Photo]"
    assert document["text"] == "[Файл акт-приёмки.pdf / File акт-приёмки.pdf]"
    _, [jpeg] = stored(db, photo["id"])
    assert (jpeg.filename, jpeg.content_type, jpeg.data) == ("photo_AQADlarge.jpg", "image/jpeg", PHOTO)
    _, [pdf] = stored(db, document["id"])
    assert (pdf.filename, pdf.content_type, pdf.data) == ("акт-приёмки.pdf", "application/pdf", PDF)
    # the largest size of the photo is the one fetched
    assert [c.query["file_id"] for c in bot.calls_to(f"/bot{TOKEN}/getFile")] == [
        "AgACAgIAAxkBAAIBlarge",
        "BQACAgIAAxkBAAIBdoc",
    ]


def test_a_file_telegram_cannot_give_leaves_a_note_and_the_message_is_kept(
    client: TestClient, cast: Cast, bot: StandIn, db: Session
) -> None:
    bot.fail_next(f"/bot{TOKEN}/getFile", Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request"}))
    assert post(client, fixture("telegram", "document.json")).json()["stored"] == 1
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert "не удалось загрузить / file “акт-приёмки.pdf” could not be downloaded: getFile 400" in message["text"]
    assert stored(db, message["id"])[1] == []


def test_a_file_over_the_limit_is_not_downloaded(client: TestClient, cast: Cast, bot: StandIn) -> None:
    too_big = {"file_id": "BQACAgIAAxkBAAIBdoc", "file_size": 11 * 1024 * 1024, "file_path": "documents/file_8.pdf"}
    bot.fail_next(f"/bot{TOKEN}/getFile", Reply(200, {"ok": True, "result": too_big}))
    post(client, fixture("telegram", "document.json"))
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"].endswith("file “акт-приёмки.pdf” is over 10 MB, not stored]")
    assert bot.calls_to(f"/file/bot{TOKEN}/documents/file_8.pdf") == []


def test_an_edit_changes_the_original_message(client: TestClient, cast: Cast, bot: StandIn) -> None:
    post(client, fixture("telegram", "text.json"))
    assert post(client, fixture("telegram", "edited.json")).status_code == 200
    assert post(client, fixture("telegram", "edited.json")).status_code == 200  # Telegram's retry of the edit
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == "Здравствуйте! Поставка 4513 не принята на склад, что делать?"


@pytest.mark.parametrize("name", ["start.json", "callback_query.json", "group.json"])
def test_start_and_updates_that_are_not_requests_are_acknowledged_without_a_ticket(
    client: TestClient, cast: Cast, bot: StandIn, name: str
) -> None:
    answer = post(client, fixture("telegram", name))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "stored": 0, "duplicates": 0, "refused": 0}
    assert tickets(client, cast.admin_olga, "telegram") == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("sticker.json", "[Стикер 😡 / Sticker 😡]"),
        ("location.json", "[Геопозиция 55.751244, 37.618423 / Location 55.751244, 37.618423]"),
    ],
)
def test_what_a_ticket_cannot_show_arrives_as_a_placeholder(
    client: TestClient, cast: Cast, bot: StandIn, db: Session, name: str, text: str
) -> None:
    assert post(client, fixture("telegram", name)).json()["stored"] == 1
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    [message] = messages(client, cast.agent_marina, ticket["id"])
    assert message["text"] == text
    assert stored(db, message["id"])[0].placeholder is True


def test_a_refused_bot_token_fails_the_reply_and_turns_the_channel_red(
    client: TestClient, cast: Cast, bot: StandIn, run: Callable[[], int]
) -> None:
    post(client, fixture("telegram", "text.json"))
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    bot.fail_next(
        f"/bot{TOKEN}/sendMessage", Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    )
    reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    last = messages(client, cast.agent_marina, ticket["id"])[-1]
    assert last["delivery"] == {
        "state": "failed",
        "error": "Telegram не принимает наши ключи / Telegram refused our credentials — 401: Unauthorized",
    }
    state = health(client, cast.admin_olga, "telegram")
    assert state["state"] == "red"
    assert state["credentials_rejected_at"] is not None


def test_a_bot_api_error_is_retried_until_telegram_confirms(
    client: TestClient, cast: Cast, bot: StandIn, run: Callable[[], int], db: Session, frozen_clock: clock.FrozenClock
) -> None:
    post(client, fixture("telegram", "text.json"))
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    bot.fail_next(f"/bot{TOKEN}/sendMessage", Reply(500, {"ok": False, "error_code": 500, "description": "Internal"}))
    sent = reply(client, cast.agent_marina, ticket["id"], "Проверяем.")
    run()
    job = delivery_job(db, sent["id"])
    assert (job.state, job.attempts) == ("pending", 1)
    assert messages(client, cast.agent_marina, ticket["id"])[-1]["delivery"]["state"] == "queued"
    frozen_clock.advance(jobs.backoff(1))
    run()
    assert messages(client, cast.agent_marina, ticket["id"])[-1]["delivery"] == {"state": "sent", "error": None}
    assert len(bot.calls_to(f"/bot{TOKEN}/sendMessage")) == 2


def test_sending_classifies_what_the_bot_api_answers(bot: StandIn) -> None:
    adapter = TelegramAdapter(api_base=bot.base_url, token=TOKEN, timeout=2)
    outbound = OutboundMessage(message_id=1, ticket_id=1, channel="telegram", recipient=CHAT, text="x" * 5000)
    ok = adapter.send(outbound)
    assert (ok.sent, ok.external_id) == (True, f"{CHAT}:9001")
    assert [len(c.json()["text"]) for c in bot.calls_to(f"/bot{TOKEN}/sendMessage")] == [4096, 904]
    cases = {
        403: (False, True, False),  # the user blocked the bot: this reply only
        400: (False, True, False),
        429: (False, False, False),
        502: (False, False, False),
        404: (False, True, True),  # a malformed token
    }
    for status, (sent, permanent, credentials) in cases.items():
        bot.fail_next(f"/bot{TOKEN}/sendMessage", Reply(status, {"ok": False, "description": f"status {status}"}))
        result = adapter.send(outbound)
        assert (result.sent, result.permanent, result.credentials_rejected) == (sent, permanent, credentials), status
        assert (result.error or "").endswith(f" — {status}: status {status}")
    unreachable = TelegramAdapter(api_base="http://127.0.0.1:9", token=TOKEN, timeout=1).send(outbound)
    assert (unreachable.sent, unreachable.permanent) == (False, False)
    assert TOKEN not in (unreachable.error or "")


def test_parse_reads_replies_and_names_without_a_username() -> None:
    adapter = TelegramAdapter(api_base="http://127.0.0.1:9", secret=SECRET)
    update = fixture_json("telegram", "location.json")
    update["message"]["reply_to_message"] = {"message_id": 9001, "chat": update["message"]["chat"], "date": 1}
    [message] = adapter.parse({}, dump(update)).messages
    assert message.thread_refs == (f"{CHAT}:9001",)
    assert message.display_name == "Иван Петров"
    assert message.sender_value == CHAT
    edited = adapter.parse({}, fixture("telegram", "edited.json")).messages[0]
    assert (edited.external_id, edited.edit_of) == (f"{CHAT}:501:edit:1795338360", f"{CHAT}:501")


def test_with_the_workers_as_builders_the_update_is_acknowledged_at_once_and_built_by_a_worker_round(
    client: TestClient, cast: Cast, bot: StandIn, configure: Callable[..., None], session_factory: Any
) -> None:
    """``OTKLIK_INTAKE_BUILDER=worker`` (the production deployment): the webhook's 200 says the update is
    journaled; no ticket exists until a worker round (``pipeline.build_pending``) builds it."""
    from otklik.messages import pipeline

    configure(intake_builder="worker")
    answer = post(client, fixture("telegram", "text.json"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "stored": 1, "duplicates": 0, "refused": 0}
    assert tickets(client, cast.agent_marina, "telegram") == []  # acknowledged, not built yet

    assert pipeline.build_pending(session_factory) == 1
    ticket = only_ticket(client, cast.agent_marina, "telegram")
    assert [m["text"] for m in messages(client, cast.agent_marina, ticket["id"])] == [
        fixture_json("telegram", "text.json")["message"]["text"]
    ]

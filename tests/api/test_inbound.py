"""POST /api/v1/messages/inbound: the intake contract, idempotency, and refusals that write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.core.audit import AuditEvent
from otklik.customers.models import Customer, Identity
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from tests.conftest import Cast, Persona, unique

INBOUND = "/api/v1/messages/inbound"

# the contract's lists, spelled out so that a renamed enum member breaks this test, not an integrator
CONTRACT_CHANNELS = ["email", "telegram", "webchat", "webform", "vk", "whatsapp", "viber", "public"]
CONTRACT_SENDER_VALUES = {
    "email": "Ivan.Petrov@Example.ru",
    "telegram": "@ivan_seller",
    "phone": "+7 (916) 123-45-67",
    "vk": "id100500",
    "whatsapp": "+79161234568",
    "viber": "+79161234569",
    "web": "visitor-7f3a",
    "public_handle": "Иван с Отзовика",
}


def body(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "channel": "telegram",
        "external_id": unique("tg"),
        "sender": {"kind": "telegram", "value": unique("seller").replace("-", "_"), "display_name": "Иван"},
        "text": "Поставка 1234567 стоит на приёмке третий день, что делать?",
    }
    payload.update(overrides)
    return payload


def post(client: TestClient, who: Persona, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post(INBOUND, json=payload, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def counts(db: Session) -> dict[str, int]:
    """Rows of everything intake may write (read on the test's connection, so commits are visible)."""
    return {
        model.__tablename__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Ticket, Customer, Identity, Message, AuditEvent)
    }


def test_first_delivery_is_201_and_a_repeat_is_200_with_the_same_ids(
    client: TestClient, cast: Cast, db: Session
) -> None:
    payload = body()
    first = client.post(INBOUND, json=payload, headers=cast.agent_marina.headers)
    assert first.status_code == 201, first.text
    created = first.json()
    assert set(created) == {"ticket_id", "message_id", "duplicate"}
    assert created["duplicate"] is False
    before = counts(db)

    # a retry may even carry different text: the stored message wins, nothing is written
    again = client.post(INBOUND, json={**payload, "text": "другой текст"}, headers=cast.agent_marina.headers)
    assert again.status_code == 200, again.text
    assert again.json() == {"ticket_id": created["ticket_id"], "message_id": created["message_id"], "duplicate": True}
    assert counts(db) == before
    texts = client.get(f"/api/v1/tickets/{created['ticket_id']}/messages", headers=cast.admin_olga.headers).json()
    assert [m["text"] for m in texts["items"]] == [payload["text"]]


def test_the_same_external_id_on_another_channel_is_another_message(client: TestClient, cast: Cast) -> None:
    external_id = unique("shared")
    on_telegram = post(client, cast.agent_marina, body(external_id=external_id))
    on_vk = client.post(
        INBOUND,
        json=body(channel="vk", external_id=external_id, sender={"kind": "vk", "value": unique("id").replace("-", "")}),
        headers=cast.agent_marina.headers,
    )
    assert on_vk.status_code == 201, on_vk.text
    assert on_vk.json()["duplicate"] is False
    assert on_vk.json()["message_id"] != on_telegram["message_id"]


def test_the_next_message_of_the_same_sender_joins_the_open_ticket(client: TestClient, cast: Cast) -> None:
    sender = {"kind": "telegram", "value": unique("ivan").replace("-", "_")}
    first = post(client, cast.agent_marina, body(sender=sender, text="Здравствуйте, вопрос по поставке"))
    second = post(client, cast.agent_marina, body(sender=sender, text="Номер поставки 1234567"))
    assert second["duplicate"] is False
    assert second["ticket_id"] == first["ticket_id"]
    assert second["message_id"] != first["message_id"]
    timeline = client.get(f"/api/v1/tickets/{first['ticket_id']}/messages", headers=cast.agent_marina.headers).json()
    assert [m["id"] for m in timeline["items"]] == [first["message_id"], second["message_id"]]
    # the same person recognised by a differently written handle is still the same ticket
    third = post(client, cast.agent_marina, body(sender={"kind": "telegram", "value": "@" + sender["value"].upper()}))
    assert third["ticket_id"] == first["ticket_id"]


def test_a_customer_message_on_a_waiting_ticket_reopens_it_with_the_same_owner(client: TestClient, cast: Cast) -> None:
    sender = {"kind": "telegram", "value": unique("ivan").replace("-", "_")}
    ticket_id = post(client, cast.agent_marina, body(sender=sender))["ticket_id"]
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Проверяю, минуту"}, headers=cast.agent_marina.headers
    )
    assert reply.status_code == 201, reply.text
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.agent_marina.headers).json()
    assert ticket["status"] == "pending_customer"

    again = post(client, cast.agent_marina, body(sender=sender, text="Жду ответа"))
    assert again["ticket_id"] == ticket_id
    reopened = client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.agent_marina.headers).json()
    assert reopened["status"] == "open"
    assert reopened["assignee"] == {"id": cast.agent_marina.agent.id, "name": "Марина Складова"}


def test_a_message_after_the_ticket_is_closed_opens_a_new_ticket(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    sender = {"kind": "telegram", "value": unique("ivan").replace("-", "_")}
    old = post(client, marina, body(sender=sender))["ticket_id"]
    solved = client.post(
        f"/api/v1/tickets/{old}/solve", json={"text": "Слот перенесли на завтра"}, headers=marina.headers
    )
    assert solved.status_code == 200, solved.text
    closed = client.post(f"/api/v1/tickets/{old}/customer-verdict", json={"solved": True}, headers=marina.headers)
    assert closed.json()["status"] == "closed"

    after = post(client, marina, body(sender=sender, text="Снова проблема с поставкой"))
    assert after["duplicate"] is False
    assert after["ticket_id"] != old
    fresh = client.get(f"/api/v1/tickets/{after['ticket_id']}", headers=marina.headers).json()
    assert fresh["status"] == "new"
    assert fresh["customer"]["id"] == solved.json()["customer"]["id"]
    assert client.get(f"/api/v1/tickets/{old}", headers=marina.headers).json()["status"] == "closed"


@pytest.mark.parametrize("channel", CONTRACT_CHANNELS)
def test_every_contract_channel_is_accepted(client: TestClient, cast: Cast, channel: str) -> None:
    created = client.post(INBOUND, json=body(channel=channel), headers=cast.agent_marina.headers)
    assert created.status_code == 201, created.text
    ticket = client.get(f"/api/v1/tickets/{created.json()['ticket_id']}", headers=cast.agent_marina.headers).json()
    assert ticket["channel"] == channel
    assert ticket["status"] == "new"


@pytest.mark.parametrize("kind", sorted(CONTRACT_SENDER_VALUES))
def test_every_contract_sender_kind_is_accepted(client: TestClient, cast: Cast, kind: str) -> None:
    sender = {"kind": kind, "value": CONTRACT_SENDER_VALUES[kind], "display_name": "Иван Петров"}
    created = client.post(INBOUND, json=body(channel="webchat", sender=sender), headers=cast.agent_marina.headers)
    assert created.status_code == 201, created.text
    ticket = client.get(f"/api/v1/tickets/{created.json()['ticket_id']}", headers=cast.agent_marina.headers).json()
    assert ticket["customer"]["name"] == "Иван Петров"


def test_optional_fields_are_accepted_and_a_missing_display_name_names_the_customer_by_address(
    client: TestClient, cast: Cast
) -> None:
    payload = body(
        channel="email",
        sender={"kind": "email", "value": f"{unique('ivan')}@Example.ru"},
        subject="Возврат по заказу 55512345",
        url="https://seller.example.ru/orders/55512345",
        sent_at="2026-11-23T12:05:00+03:00",
    )
    created = post(client, cast.agent_marina, payload)
    ticket = client.get(f"/api/v1/tickets/{created['ticket_id']}", headers=cast.agent_marina.headers).json()
    assert ticket["subject"] == "Возврат по заказу 55512345"
    assert ticket["customer"]["name"] == payload["sender"]["value"].lower()


def _without(key: str) -> dict[str, Any]:
    payload = body()
    del payload[key]
    return payload


BAD_INPUTS = {
    "unknown channel": (body(channel="fax"), 422, "channel"),
    "unknown sender kind": (body(sender={"kind": "icq", "value": "12345"}), 422, "sender.kind"),
    "empty text": (body(text=""), 422, "text"),
    "whitespace-only text": (body(text="  \n\t \u00a0 "), 422, "text"),
    "text not a string": (body(text=["Здравствуйте"]), 422, "text"),
    "missing external_id": (_without("external_id"), 422, "external_id"),
    "empty external_id": (body(external_id=""), 422, "external_id"),
    "missing sender": (_without("sender"), 422, "sender"),
    "missing sender value": (body(sender={"kind": "email"}), 422, "sender.value"),
    "invalid email as sender": (
        body(channel="email", sender={"kind": "email", "value": "ivan at mail"}),
        422,
        "sender.value",
    ),
    "invalid phone as sender": (
        body(channel="whatsapp", sender={"kind": "phone", "value": "12-34"}),
        422,
        "sender.value",
    ),
    "invalid telegram handle": (body(sender={"kind": "telegram", "value": "иван петров"}), 422, "sender.value"),
    "extra unknown field": (body(priority="high"), 422, "priority"),
    "extra unknown sender field": (body(sender={"kind": "telegram", "value": "ivan", "vip": True}), 422, "sender.vip"),
    "naive sent_at": (body(sent_at="2026-11-23T12:05:00"), 422, "sent_at"),
    "sent_at not a time": (body(sent_at="вчера"), 422, "sent_at"),
    "NUL in text": (body(text="Здравствуйте\x00"), 422, "text"),
    "NUL in external_id": (body(external_id="m-\x00"), 422, "external_id"),
    "NUL in sender display name": (
        body(sender={"kind": "telegram", "value": "ivan_nul", "display_name": "Иван\x00"}),
        422,
        "sender.display_name",
    ),
    "sent_at beyond the calendar in UTC": (body(sent_at="9999-12-31T23:30:00-05:00"), 422, "sent_at"),
    "body is a list": ([body()], 422, "body"),
}


@pytest.mark.parametrize(("payload", "status", "field"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_a_bad_inbound_message_is_refused_naming_the_field_and_writes_nothing(
    client: TestClient, cast: Cast, db: Session, payload: Any, status: int, field: str
) -> None:
    before = counts(db)
    response = client.post(INBOUND, json=payload, headers=cast.agent_marina.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["field"] == field
    assert problem["detail"]
    assert counts(db) == before


@pytest.mark.parametrize(
    "raw",
    [b'{"channel": "telegram", ', b"not json at all", b'{"channel": "telegram",}', b"\xff\xfe"],
    ids=["truncated", "text", "trailing comma", "not utf-8"],
)
def test_a_malformed_json_body_is_400_and_writes_nothing(
    client: TestClient, cast: Cast, db: Session, raw: bytes
) -> None:
    before = counts(db)
    headers = {**cast.agent_marina.headers, "Content-Type": "application/json"}
    response = client.post(INBOUND, content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_json"
    assert response.json()["field"] == "body"
    assert counts(db) == before


def test_a_refused_message_can_be_sent_again_once_corrected(client: TestClient, cast: Cast) -> None:
    payload = body(text="   ")
    assert client.post(INBOUND, json=payload, headers=cast.agent_marina.headers).status_code == 422
    corrected = client.post(INBOUND, json={**payload, "text": "Теперь с текстом"}, headers=cast.agent_marina.headers)
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["duplicate"] is False


def test_respond_async_answers_202_once_journaled_with_a_link_that_tells_what_it_became(
    client: TestClient, cast: Cast
) -> None:
    payload = body()
    prefer = {**cast.agent_marina.headers, "Prefer": "wait=5, Respond-Async"}  # RFC 7240: a list, any case
    accepted = client.post(INBOUND, json=payload, headers=prefer)
    assert accepted.status_code == 202, accepted.text
    item = accepted.json()
    assert set(item) == {"id", "status_url"}
    assert accepted.headers["location"] == item["status_url"] == f"{INBOUND}/{item['id']}"
    assert accepted.headers["preference-applied"] == "respond-async"

    # built after the answer went (the test client runs that work before it returns)
    status = client.get(item["status_url"], headers=cast.agent_marina.headers)
    assert status.status_code == 200, status.text
    built = status.json()
    assert built["state"] == "built"
    assert built["duplicate"] is False
    assert built["error"] is None
    timeline = client.get(f"/api/v1/tickets/{built['ticket_id']}/messages", headers=cast.agent_marina.headers).json()
    assert [(m["id"], m["text"]) for m in timeline["items"]] == [(built["message_id"], payload["text"])]

    # the same item again, either way: the same journal item, the same message
    again = client.post(INBOUND, json=payload, headers=prefer)
    assert (again.status_code, again.json()["id"]) == (202, item["id"])
    sync = client.post(INBOUND, json=payload, headers=cast.agent_marina.headers)
    assert sync.status_code == 200, sync.text
    assert sync.json() == {"ticket_id": built["ticket_id"], "message_id": built["message_id"], "duplicate": True}


def test_respond_async_still_refuses_what_could_never_be_stored_and_journals_nothing(
    client: TestClient, cast: Cast, db: Session
) -> None:
    from otklik.messages.models import JournalItem

    before = db.scalar(select(func.count()).select_from(JournalItem))
    prefer = {**cast.agent_marina.headers, "Prefer": "respond-async"}
    refused = client.post(INBOUND, json=body(sender={"kind": "email", "value": "не адрес"}), headers=prefer)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_identity"
    assert db.scalar(select(func.count()).select_from(JournalItem)) == before


def test_a_journal_item_is_read_only_by_agents_and_an_unknown_one_is_a_404(client: TestClient, cast: Cast) -> None:
    accepted = client.post(INBOUND, json=body(), headers={**cast.agent_marina.headers, "Prefer": "respond-async"})
    link = accepted.json()["status_url"]
    assert client.get(link).status_code == 401
    missing = client.get(f"{INBOUND}/987654321", headers=cast.agent_marina.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "inbound_item_not_found"


@pytest.mark.parametrize(
    ("prefer", "asynchronous"),
    [("respond-async", True), ("return=minimal, respond-async; x=1", True), ("handling=lenient", False), (None, False)],
)
def test_only_a_prefer_naming_respond_async_makes_the_answer_asynchronous(
    prefer: str | None, asynchronous: bool
) -> None:
    from otklik.api.routes.inbound import wants_async

    assert wants_async(prefer) is asynchronous

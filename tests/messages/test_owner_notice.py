"""Story 1 on a messenger (issue 12): the customer is told in the conversation who owns the case —
«Вашим обращением занимается Марина» — once per owner, again when the case changes hands. The
notice is not an answer: the ticket does not start waiting for the customer and no first response
is recorded when it is delivered (nor lost when it fails)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels import registry
from otklik.channels.base import DeliveryResult, OutboundMessage
from otklik.core import jobs
from otklik.worker import registry as tasks
from tests.conftest import Cast, unique

tasks.load()


class Messenger:
    """A stand-in channel that keeps what it was asked to send (or fails, when told to)."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.fail = False

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if self.fail:
            return DeliveryResult(False, error="chat not found", permanent=True)
        self.sent.append(message)
        return DeliveryResult(True, external_id=f"tg-{len(self.sent)}")


@pytest.fixture
def telegram() -> Iterator[Messenger]:
    box = Messenger()
    previous = registry.SENDERS.get("telegram")
    registry.SENDERS["telegram"] = lambda _settings: box
    yield box
    if previous is not None:
        registry.SENDERS["telegram"] = previous


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    return lambda: jobs.run_due(session_factory, worker="test")


def _write(client: TestClient, cast: Cast, channel: str, sender: str, text: str) -> int:
    kind = "email" if channel == "email" else channel
    body = {"channel": channel, "external_id": unique(), "sender": {"kind": kind, "value": sender}, "text": text}
    answer = client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_marina.headers)
    assert answer.status_code in (200, 201), answer.text
    return int(answer.json()["ticket_id"])


def _ticket(client: TestClient, cast: Cast, ticket_id: int) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.admin_olga.headers).json())


def _assign(client: TestClient, cast: Cast, ticket_id: int, agent_id: int) -> None:
    answer = client.post(f"/api/v1/tickets/{ticket_id}/assign", json={"agent_id": agent_id},
                         headers=cast.admin_olga.headers)  # fmt: skip
    assert answer.status_code == 200, answer.text


def test_a_messenger_customer_hears_who_owns_the_case_and_nothing_else_changes(
    client: TestClient, cast: Cast, telegram: Messenger, run: Callable[[], int]
) -> None:
    ticket_id = _write(client, cast, "telegram", "ilya_driver", "стою на складе, поставку не принимают")
    _assign(client, cast, ticket_id, cast.agent_marina.agent.id)
    run()
    assert [m.text for m in telegram.sent] == [
        "Вашим обращением занимается Марина Складова. Ответ придёт сюда, в этот чат."
    ]
    ticket = _ticket(client, cast, ticket_id)
    assert ticket["status"] == "open"  # our turn still: a notice is no answer
    assert ticket["sla"]["first_response_at"] is None

    # the same owner again (triage by her): nothing new is said
    client.post(f"/api/v1/tickets/{ticket_id}/triage", json={"category": "shipping", "urgency": "urgent"},
                headers=cast.agent_marina.headers)  # fmt: skip
    run()
    assert len(telegram.sent) == 1

    moved = client.post(f"/api/v1/tickets/{ticket_id}/transfer",
                        json={"agent_id": cast.lead_boris.agent.id, "reason": "нужен старший смены"},
                        headers=cast.agent_marina.headers)  # fmt: skip
    assert moved.status_code == 200, moved.text
    run()
    assert telegram.sent[-1].text.startswith("Вашим обращением занимается Борис Лидов.")
    assert _ticket(client, cast, ticket_id)["status"] == "open"


def test_a_notice_that_fails_to_arrive_changes_no_status_and_alarms_nobody(
    client: TestClient, cast: Cast, telegram: Messenger, run: Callable[[], int]
) -> None:
    ticket_id = _write(client, cast, "telegram", "ilya_driver2", "где поставка?")
    telegram.fail = True
    _assign(client, cast, ticket_id, cast.agent_marina.agent.id)
    run()
    assert _ticket(client, cast, ticket_id)["status"] == "open"
    notes = client.get("/api/v1/notifications", headers=cast.agent_marina.headers).json()["items"]
    assert [n for n in notes if n["kind"] == "delivery_failed"] == []


def test_an_email_customer_is_not_sent_a_notice(
    client: TestClient, cast: Cast, telegram: Messenger, run: Callable[[], int]
) -> None:
    ticket_id = _write(client, cast, "email", "anna@shop.test", "Где мой заказ?")
    _assign(client, cast, ticket_id, cast.agent_anna.agent.id)
    messages = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=cast.admin_olga.headers).json()["items"]
    assert [m["direction"] for m in messages] == ["inbound"]


def test_the_notice_is_in_the_language_the_customer_wrote_in(
    client: TestClient, cast: Cast, telegram: Messenger, run: Callable[[], int]
) -> None:
    ticket_id = _write(client, cast, "telegram", "tg_4471", "My parcel is stuck at the pickup point")
    _assign(client, cast, ticket_id, cast.agent_marina.agent.id)
    run()
    told = "Марина Складова is handling your request and will answer here, in this chat."
    assert [m.text for m in telegram.sent] == [told]
    items = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=cast.admin_olga.headers).json()["items"]
    assert [m["notice"] for m in items] == [None, "owner"]

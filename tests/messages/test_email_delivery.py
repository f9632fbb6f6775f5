"""Replies leave through a real SMTP listener, threaded; a relay that is down is retried, then
reported — never silently dropped, never shown as sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message as MailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock, jobs
from otklik.core.config import get_settings
from otklik.worker import registry
from tests.conftest import Cast, unique

registry.load()


class Sink:
    """Keeps every mail the listener accepts."""

    def __init__(self) -> None:
        self.mails: list[MailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("OTKLIK_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("OTKLIK_MAIL_FROM", "support@shop.example")
    get_settings.cache_clear()
    yield sink
    controller.stop()
    get_settings.cache_clear()


def _mail_in(client: TestClient, cast: Cast, message_id: str) -> int:
    body = {
        "channel": "email",
        "external_id": message_id,
        "sender": {"kind": "email", "value": "Anna.Buyer@Mail.example", "display_name": "Анна"},
        "subject": "Товара нет в наличии",
        "text": "Оплатила заказ 4512, а товара нет. Что делать?",
    }
    answer = client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_anna.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ticket_id"])


def test_reply_goes_out_threaded_and_only_then_counts_as_sent(
    client: TestClient, cast: Cast, smtp: Sink, session_factory: sessionmaker[Session], frozen_clock: Any
) -> None:
    anna = cast.agent_anna
    ticket_id = _mail_in(client, cast, "<q1@mail.example>")
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Вернём деньги сегодня до 18:00."}, headers=anna.headers
    ).json()
    assert reply["delivery"]["state"] == "queued"
    assert smtp.mails == []
    jobs.run_due(session_factory, worker="test")
    assert len(smtp.mails) == 1
    mail = smtp.mails[0]
    assert mail["To"] == "anna.buyer@mail.example"
    assert mail["From"] == "Анна Финансова <support@shop.example>"
    assert mail["Subject"] == f"Re: Товара нет в наличии [#{ticket_id}]"
    assert mail["In-Reply-To"] == "<q1@mail.example>"
    assert mail["References"] == "<q1@mail.example>"
    assert mail["Message-ID"] == f"<otklik.{ticket_id}.{reply['id']}@shop.example>"
    assert mail.get_content().strip() == "Вернём деньги сегодня до 18:00."
    sent = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"][-1]
    assert sent["delivery"] == {"state": "sent", "error": None}
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=anna.headers).json()["sla"]["waiting_since"] is None
    jobs.run_due(session_factory, worker="test")
    assert len(smtp.mails) == 1  # delivered once


def test_a_relay_that_is_down_is_retried_then_reported(
    client: TestClient,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    frozen_clock: clock.FrozenClock,
) -> None:
    anna = cast.agent_anna
    monkeypatch.setenv("OTKLIK_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    get_settings.cache_clear()
    try:
        ticket_id = _mail_in(client, cast, f"<{unique()}@mail.example>")
        client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Ответ"}, headers=anna.headers)
        for attempt in range(1, 7):
            jobs.run_due(session_factory, worker="test")
            last = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"][-1]
            if attempt < 6:
                assert last["delivery"]["state"] == "queued"  # still trying, and saying so
                frozen_clock.advance(jobs.backoff(attempt))
        assert last["delivery"]["state"] == "failed"
        assert "SMTP" in last["delivery"]["error"]
        ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=anna.headers).json()
        assert ticket["status"] == "open"
        kinds = [n["kind"] for n in client.get("/api/v1/notifications", headers=anna.headers).json()["items"]]
        assert kinds == ["delivery_failed"]
    finally:
        get_settings.cache_clear()


def test_backoff_reaches_the_last_attempt_within_a_few_minutes() -> None:
    assert sum((jobs.backoff(n) for n in range(1, 6)), timedelta()) == timedelta(seconds=155)

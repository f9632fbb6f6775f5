"""The one webhook route every channel shares: authentication first, then each message on its own."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from fastapi.testclient import TestClient

from otklik.channels import registry
from otklik.channels.base import ChannelAuthError, InboundMessage, PayloadError, WebhookOutcome
from otklik.core.config import Settings
from otklik.core.taxonomy import Channel, IdentityKind
from tests.conftest import Cast


class ToyViber:
    """A stand-in adapter for the route's own behaviour: header secret, JSON list of texts."""

    channel = "viber"

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        if headers.get("x-toy-secret") != "s3cret":
            raise ChannelAuthError("x-toy-secret does not match")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        try:
            items = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        return WebhookOutcome(
            tuple(
                InboundMessage(
                    Channel.VIBER, i["id"], IdentityKind.VIBER, i["from"], i["text"], display_name="Светлана"
                )
                for i in items
            )
        )


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.WEBHOOKS, "viber", lambda _settings: ToyViber())


def post(client: TestClient, body: object, secret: str = "s3cret") -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/api/v1/channels/viber/webhook", content=raw, headers={"X-Toy-Secret": secret})


def test_wrong_secret_is_401_and_stores_nothing(client: TestClient, cast: Cast, toy: None) -> None:
    answer = client.post("/api/v1/channels/viber/webhook", content=b"[]", headers={"X-Toy-Secret": "guess"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "webhook_auth_failed"


def test_malformed_payload_is_4xx_naming_the_body(client: TestClient, cast: Cast, toy: None) -> None:
    answer = client.post("/api/v1/channels/viber/webhook", content=b"{oops", headers={"X-Toy-Secret": "s3cret"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "body"


def test_one_bad_message_never_costs_the_good_ones(client: TestClient, cast: Cast, toy: None) -> None:
    batch = [
        {"id": "v1", "from": "79990001122", "text": "Выплата 12 дней в обработке"},
        {"id": "v2", "from": "79990001122", "text": "   "},  # empty: refused on its own
        {"id": "v3", "from": "79990001122", "text": "Ответьте, пожалуйста"},
    ]
    first = client.post("/api/v1/channels/viber/webhook", content=json.dumps(batch), headers={"X-Toy-Secret": "s3cret"})
    assert first.status_code == 200
    assert first.json() == {"ok": True, "stored": 2, "duplicates": 0, "refused": 1}
    retry = client.post("/api/v1/channels/viber/webhook", content=json.dumps(batch), headers={"X-Toy-Secret": "s3cret"})
    # the channel's retry is idempotent, and says so: nothing new stored, the two it had are duplicates
    assert retry.json() == {"ok": True, "stored": 0, "duplicates": 2, "refused": 1}
    tickets = client.get("/api/v1/tickets?channel=viber", headers=cast.admin_olga.headers).json()["items"]
    assert len(tickets) == 1
    texts = [
        m["text"]
        for m in client.get(f"/api/v1/tickets/{tickets[0]['id']}/messages", headers=cast.admin_olga.headers).json()[
            "items"
        ]
    ]
    assert texts == ["Выплата 12 дней в обработке", "Ответьте, пожалуйста"]
    health = {
        h["channel"]: h
        for h in client.get("/api/v1/settings/channels/health", headers=cast.admin_olga.headers).json()["items"]
    }
    assert health["viber"]["last_inbound_at"] is not None
    assert "v2" in health["viber"]["last_error"]


def test_a_channel_without_a_webhook_is_404(client: TestClient, cast: Cast) -> None:
    answer = client.post("/api/v1/channels/webform/webhook", content=b"{}")
    assert answer.status_code == 404
    assert answer.json()["code"] == "channel_not_configured"


def test_health_turns_red_on_refused_credentials_and_back_on_traffic() -> None:
    from datetime import UTC, datetime, timedelta

    from otklik.channels.rules import health_state

    t = datetime(2026, 11, 23, tzinfo=UTC)
    assert (
        health_state(last_inbound_at=None, last_outbound_at=None, last_error_at=None, credentials_rejected_at=None)
        == "idle"
    )
    assert (
        health_state(last_inbound_at=t, last_outbound_at=None, last_error_at=None, credentials_rejected_at=None)
        == "green"
    )
    late_error = t + timedelta(minutes=1)
    assert (
        health_state(last_inbound_at=t, last_outbound_at=None, last_error_at=late_error, credentials_rejected_at=None)
        == "red"
    )
    assert (
        health_state(
            last_inbound_at=t + timedelta(minutes=2),
            last_outbound_at=None,
            last_error_at=late_error,
            credentials_rejected_at=None,
        )
        == "green"
    )
    assert health_state(last_inbound_at=t, last_outbound_at=t, last_error_at=None, credentials_rejected_at=t) == "red"
    assert Settings().telegram_api_base == "https://api.telegram.org"

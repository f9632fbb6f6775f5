"""Small helpers the link tests share: writing as a customer, reading tickets, running the worker."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Persona, unique

KINDS = {"email": "email", "telegram": "telegram", "vk": "vk", "webform": "email", "whatsapp": "whatsapp"}


def write(
    client: TestClient, who: Persona, channel: str, sender: str, text: str, *, kind: str | None = None
) -> dict[str, Any]:
    """A customer's message through the contract's intake endpoint; returns its answer."""
    body = {
        "channel": channel,
        "external_id": unique(),
        "sender": {"kind": kind or KINDS[channel], "value": sender},
        "text": text,
    }
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def get(client: TestClient, who: Persona, path: str) -> Any:
    answer = client.get(f"/api/v1{path}", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def post(client: TestClient, who: Persona, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    answer = client.post(f"/api/v1{path}", json=body or {}, headers=who.headers)
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def texts(client: TestClient, who: Persona, ticket_id: int) -> list[str]:
    return [m["text"] for m in get(client, who, f"/tickets/{ticket_id}/messages")["items"]]

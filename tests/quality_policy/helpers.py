"""Small helpers of the reply-policy tests: a customer writes, an agent calls the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Persona, unique

KINDS = {"email": "email", "telegram": "telegram", "vk": "vk", "webchat": "web", "whatsapp": "whatsapp"}


def write(client: TestClient, who: Persona, channel: str, sender: str, text: str) -> int:
    """A customer's message through the contract's intake endpoint; returns its ticket id."""
    body = {"channel": channel, "external_id": unique(), "sender": {"kind": KINDS[channel], "value": sender},
            "text": text}  # fmt: skip
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code in (200, 201), answer.text
    return int(answer.json()["ticket_id"])


def mention(client: TestClient, who: Persona, author: str, text: str) -> dict[str, Any]:
    """A public post reported through the public-mentions intake."""
    body = {"url": f"https://otzovik.test/{unique('p')}", "author": author, "text": text}
    answer = client.post("/api/v1/channels/public/mentions", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def call(
    client: TestClient, who: Persona, method: str, path: str, body: dict[str, Any] | None = None, *,
    status: int = 200, lang: str | None = None,
) -> Any:  # fmt: skip
    headers = {**who.headers, **({"Accept-Language": lang} if lang else {})}
    answer = client.request(method, f"/api/v1{path}", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def reply(
    client: TestClient, who: Persona, ticket_id: int, text: str, *, status: int = 201, lang: str | None = None,
    **extra: Any,
) -> Any:  # fmt: skip
    return call(client, who, "POST", f"/tickets/{ticket_id}/replies", {"text": text, **extra}, status=status,
                lang=lang)  # fmt: skip

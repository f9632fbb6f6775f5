"""The first story in miniature: a message in, a reply out, honest statuses."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Cast, unique


def test_inbound_reply_solve(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    body = {
        "channel": "telegram",
        "external_id": unique(),
        "sender": {"kind": "telegram", "value": "ilya_driver", "display_name": "Илья"},
        "text": "стою на складе в Хоругвино, поставку не принимают, говорят нет слота",
    }
    first = client.post("/api/v1/messages/inbound", json=body, headers=marina.headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/messages/inbound", json=body, headers=marina.headers)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    ticket_id = first.json()["ticket_id"]
    assert ticket_id > 10000

    refused = client.post(f"/api/v1/tickets/{ticket_id}/solve", json={}, headers=marina.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")

    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        json={"text": "Проверяю слот, 5 минут", "public": True},
        headers=marina.headers,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["delivery"] == {"state": "queued", "error": None}
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=marina.headers).json()
    assert ticket["status"] == "pending_customer"
    assert ticket["assignee"]["name"] == "Марина Складова"
    solved = client.post(f"/api/v1/tickets/{ticket_id}/solve", json={}, headers=marina.headers)
    assert solved.status_code == 200
    assert solved.json()["status"] == "solved"


def test_the_api_docs_need_no_network(client: TestClient) -> None:
    """Issue 12: ``/docs`` was blank offline (Swagger UI came from a CDN); now every file is ours."""
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert sources
    assert all(s.startswith("/") for s in sources), sources  # nothing from another host
    for asset in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css"):
        answer = client.get(asset)
        assert answer.status_code == 200
        assert len(answer.content) > 10_000
    assert client.get("/redoc").status_code == 404  # not served blank

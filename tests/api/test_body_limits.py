"""Request bodies are capped per route while they are read, before authentication or parsing (issue 14).

Before, any JSON body was read whole into memory first: 300 MB to the anonymous web form took the
server from 292 MB to 1,126 MB before its 422, and webhooks read 10 MB before their 401.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from otklik.api.limits import DEFAULT_LIMIT, LIMITS, limit_for

PUBLIC, WEBHOOKS, API = (limit for _, limit in LIMITS)
JSON = {"Content-Type": "application/json"}


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_each_door_has_its_limit() -> None:
    assert limit_for("/api/v1/public/form") == PUBLIC
    assert limit_for("/api/v1/channels/telegram/webhook") == WEBHOOKS
    assert limit_for("/api/v1/messages/inbound") == API
    assert limit_for("/agent/tickets/5/reply") == DEFAULT_LIMIT
    assert PUBLIC < WEBHOOKS <= API


@pytest.mark.parametrize(
    ("path", "limit"),
    [("/api/v1/public/form", PUBLIC), ("/api/v1/channels/telegram/webhook", WEBHOOKS),
     ("/api/v1/messages/inbound", API)],
)  # fmt: skip
def test_a_declared_length_over_the_limit_is_refused_unread(client: TestClient, path: str, limit: int) -> None:
    body = b"{" + b" " * limit + b"}"
    answer = client.post(path, content=body, headers={"Content-Type": "application/json", "Accept-Language": "en"})
    assert answer.status_code == 413  # not 401, 404 or 422: nothing else ran
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "body_too_large"
    assert answer.json()["limit"] == limit
    assert str(limit) in answer.json()["detail"]


def test_a_chunked_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/channels/telegram/webhook",
        content=_chunks(50 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"


def test_a_body_within_the_limit_goes_on_to_the_route(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/public/form", content=_chunks(PUBLIC // 2), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422)  # the route read it and said what is wrong with it

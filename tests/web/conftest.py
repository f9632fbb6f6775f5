"""Web side fixtures: a known secret, a fast stream, a worker round, visitors and an SSE reader."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import jobs
from otklik.core.config import get_settings
from otklik.worker import registry

registry.load()
SECRET = "web-tests-secret-0123456789abcdef"
STREAM = "/api/v1/public/chat/stream"
MESSAGES = "/api/v1/public/chat/messages"
VISITORS = "/api/v1/public/chat/visitors"
Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture(autouse=True)
def web_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed secret (nothing written under ./var), a stream that polls often and ends soon."""
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_WEBCHAT_POLL_SECONDS", "0.05")
    monkeypatch.setenv("OTKLIK_WEBCHAT_STREAM_SECONDS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """One worker round, as ``otklik worker`` does it: the queued replies are delivered."""

    def round_() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    return round_


def new_visitor(client: TestClient) -> dict[str, str]:
    """A visitor's headers, as the widget sends them."""
    answer = client.post(VISITORS)
    assert answer.status_code == 201, answer.text
    return {"X-Otklik-Visitor": answer.json()["token"]}


def read_events(
    client: TestClient,
    headers: dict[str, str],
    *,
    until: Callable[[Events], bool],
    params: dict[str, Any] | None = None,
    limit: int = 40,
) -> Events:
    """SSE events until ``until`` holds, ``limit`` events, or the stream's end (3 s here)."""
    events: Events = []
    name = "message"
    with client.stream("GET", STREAM, headers=headers, params=params) as answer:
        assert answer.status_code == 200, answer.read()
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                if until(events) or len(events) >= limit:
                    break
    return events


def of(events: Events, name: str) -> list[dict[str, Any]]:
    return [data for event, data in events if event == name]

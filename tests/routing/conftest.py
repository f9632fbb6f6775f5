"""Routing test fixtures: a worker round, a fixed web secret (for the customer's follow page), and helpers
that write as a customer, set presence and read tickets, decisions and notifications over the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.webvisitor import ticket_link_token
from otklik.core import jobs
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.tickets.actions import do_assign
from otklik.tickets.models import Ticket
from otklik.triage.settings import get_triage_settings
from otklik.worker import registry
from tests.conftest import Persona, unique

registry.load()
SECRET = "routing-tests-secret-0123456789"
TESTS = Actor.system("tests")


@pytest.fixture(autouse=True)
def web_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ticket links signed with a known key, so a test can open the page the customer sees; the
    triage model switched off, so each test says itself what triage handed over (``hand_over_from_triage``)
    and does not depend on the model's reading of its texts. Story 1 runs the real triage."""
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_TRIAGE_ENABLED", "0")
    get_settings.cache_clear()
    get_triage_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_triage_settings.cache_clear()


@pytest.fixture
def real_triage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OTKLIK_TRIAGE_ENABLED", "1")
    get_settings.cache_clear()
    get_triage_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_triage_settings.cache_clear()


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """One worker round, as ``otklik worker`` does it (periodic sweeps included)."""

    def round_() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    return round_


def write(client: TestClient, who: Persona, text: str, *, sender: str = "", channel: str = "telegram") -> int:
    """A customer's message through the intake endpoint; returns the ticket it landed on."""
    body = {
        "channel": channel,
        "external_id": unique(),
        "sender": {"kind": channel, "value": sender or unique("c").replace("-", "_")},
        "text": text,
    }
    answer = client.post("/api/v1/messages/inbound", json=body, headers=who.headers)
    assert answer.status_code in (200, 201), answer.text
    return int(answer.json()["ticket_id"])


def call(client: TestClient, who: Persona, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    answer = client.request(method, f"/api/v1{path}", json=body, headers=who.headers)
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def presence(client: TestClient, who: Persona, status: str) -> dict[str, Any]:
    return dict(call(client, who, "PUT", "/me/presence", {"status": status}))


def ticket(client: TestClient, who: Persona, ticket_id: int) -> dict[str, Any]:
    return dict(call(client, who, "GET", f"/tickets/{ticket_id}"))


def owner(client: TestClient, who: Persona, ticket_id: int) -> str | None:
    assignee = ticket(client, who, ticket_id)["assignee"]
    return None if assignee is None else str(assignee["name"])


def decisions(client: TestClient, who: Persona, ticket_id: int) -> list[dict[str, Any]]:
    return list(call(client, who, "GET", f"/tickets/{ticket_id}/routing")["items"])


def notes(client: TestClient, who: Persona, lang: str = "ru") -> list[dict[str, Any]]:
    answer = client.get("/api/v1/notifications", headers={**who.headers, "Accept-Language": lang})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def follow_page(client: TestClient, ticket_id: int, lang: str = "ru") -> str:
    """The page behind the customer's ticket link: what they see, owner included."""
    answer = client.get(f"/t/{ticket_link_token(SECRET.encode(), ticket_id)}", params={"lang": lang})
    assert answer.status_code == 200, answer.text
    return answer.text


def give(db: Session, ticket_id: int, who: Persona) -> None:
    """Setup: the ticket is already someone's (their open load)."""
    db.expire_all()
    row = db.get(Ticket, ticket_id)
    assert row is not None
    do_assign(db, row, who.agent, actor=TESTS, reason="setup")
    db.commit()


def hand_over_from_triage(db: Session, ticket_id: int, category: str, urgency: str, queue: str = "") -> None:
    """What triage does when it has read the message: the routing job carries its result."""
    payload = {"ticket_id": ticket_id, "category": category, "urgency": urgency, "queue": queue or category}
    jobs.schedule(db, "routing.route", payload, key=f"ticket:{ticket_id}:route")
    db.commit()

"""Agent pages over HTTP: people with passwords, a logged-in browser, CSRF tokens read from the page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.agents.actions import do_create_agent
from otklik.agents.models import Agent
from otklik.channels.base import InboundMessage
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import do_receive_inbound
from otklik.tickets.models import Ticket
from otklik.web.browser import session_settings
from tests.conftest import unique

SECRET = "agent-pages-secret-0123456789abcdef"
PASSWORD = "correct horse battery staple"
#: the same argon2id check as production, with test-sized costs (the hash carries its parameters)
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed secret, short streams, and the login limit at its defaults."""
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_WEBCHAT_POLL_SECONDS", "0.05")
    monkeypatch.setenv("OTKLIK_WEBCHAT_STREAM_SECONDS", "1")
    get_settings.cache_clear()
    session_settings.cache_clear()
    yield
    get_settings.cache_clear()
    session_settings.cache_clear()


@dataclass
class Desk:
    """The people who log in to the pages."""

    marina: Agent
    anna: Agent
    olga: Agent


@pytest.fixture
def desk(db: Session) -> Desk:
    actor = Actor.system("tests")

    def person(email: str, name: str, role: str, team: str | None) -> Agent:
        agent = do_create_agent(db, email=email, name=name, role=role, teams=[team] if team else [], actor=actor)
        agent.password_hash = FAST_HASH
        return agent

    people = Desk(
        marina=person("marina@desk.test", "Марина Складова", "agent", "FBO"),
        anna=person("anna@desk.test", "Анна Финансова", "agent", "Финансы"),
        olga=person("olga@desk.test", "Ольга Админова", "admin", None),
    )
    db.commit()
    return people


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the new session's CSRF token."""
    token = csrf_of(client.get("/agent/login").text)
    answer = client.post(
        "/agent/login", data={"csrf_token": token, "email": email, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/agent/queues/mine").text)


@pytest.fixture
def as_marina(client: TestClient, desk: Desk) -> str:
    return log_in(client, desk.marina.email)


@pytest.fixture
def as_olga(client: TestClient, desk: Desk) -> str:
    return log_in(client, desk.olga.email)


Inbound = Callable[..., Ticket]


@pytest.fixture
def inbound(db: Session) -> Inbound:
    """A customer message stored as intake stores it; returns its ticket."""

    def write(text: str, *, channel: Channel = Channel.TELEGRAM, sender: str | None = None) -> Ticket:
        kind = IdentityKind.TELEGRAM if channel is Channel.TELEGRAM else IdentityKind.WEB
        message = InboundMessage(
            channel=channel,
            external_id=unique("in"),
            sender_kind=kind,
            sender_value=sender or unique("c").replace("-", "_"),
            text=text,
            display_name="Илья Воронцов",
        )
        ticket = do_receive_inbound(db, message).ticket
        db.commit()
        return ticket

    return write

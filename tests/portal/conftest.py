"""Portal fixtures: a known secret, customers with addresses (one company's admin among them), a
ticket the way intake makes it, and a browser signed in through a real one-time link."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock, jobs
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.actions import do_add_identity, do_create_customer, do_create_organisation
from otklik.customers.models import Customer
from otklik.customers.portal import do_create_portal_link
from otklik.tickets.portal import portal_link_token, portal_settings
from otklik.web.browser import session_settings
from otklik.worker import registry
from tests.conftest import Cast, Persona, unique

registry.load()
SECRET = "portal-tests-secret-0123456789abcdef"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TESTS = Actor.system("tests")


@pytest.fixture(autouse=True)
def portal_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed secret and the public address links point at; settings re-read around each test."""
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_PUBLIC_BASE_URL", "https://desk.example")
    for cache in (get_settings, session_settings, portal_settings):
        cache.cache_clear()
    yield
    for cache in (get_settings, session_settings, portal_settings):
        cache.cache_clear()


@dataclass
class People:
    """Customers of the stories: Anna (a buyer), Ivan (a stranger), and Svetlana's company «Ромашка»
    where Svetlana is the admin and Pyotr an employee."""

    anna: Customer
    ivan: Customer
    svetlana: Customer
    pyotr: Customer


@pytest.fixture
def people(db: Session) -> People:
    def person(name: str, email: str, **extra: Any) -> Customer:
        customer = do_create_customer(db, name=name, actor=TESTS, **extra)
        do_add_identity(db, customer, kind=IdentityKind.EMAIL, value=email, verified=True, actor=TESTS)
        return customer

    company = do_create_organisation(db, name="Ромашка", sla_tier="standard", actor=TESTS)
    cast = People(
        anna=person("Анна Покупателева", "anna@mail.example"),
        ivan=person("Иван Посторонний", "ivan@mail.example"),
        svetlana=person("Светлана Продавцова", "svetlana@romashka.example", organisation=company, is_org_admin=True),
        pyotr=person("Пётр Складской", "pyotr@romashka.example", organisation=company),
    )
    # unverified: her Telegram messages open their own ticket instead of joining the e-mail one
    do_add_identity(db, cast.anna, kind=IdentityKind.TELEGRAM, value="anna_tg", verified=False, actor=TESTS)
    db.commit()
    return cast


Write = Callable[..., int]


@pytest.fixture
def write(client: TestClient, cast: Cast) -> Write:
    """A customer message through the inbound API (as a channel would deliver it); returns the ticket id."""

    def send(customer: Customer, text: str = "Где мой заказ?", *, channel: str = "email", subject: str = "") -> int:
        kind = {"email": "email", "telegram": "telegram"}[channel]
        value = next(i.value for i in customer.identities if i.kind == kind)
        body: dict[str, Any] = {"channel": channel, "external_id": unique(), "sender": {"kind": kind, "value": value},
                                "text": text}  # fmt: skip
        if subject:
            body["subject"] = subject
        answer = client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_marina.headers)
        assert answer.status_code in (200, 201), answer.text
        return int(answer.json()["ticket_id"])

    return send


def reply(client: TestClient, who: Persona, ticket_id: int, text: str, **extra: Any) -> dict[str, Any]:
    answer = client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": text, **extra}, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """One worker round: queued replies and links are delivered, due timers fire."""

    def round_() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    return round_


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def link_token(db: Session, customer: Customer, *, minutes: int = 30) -> str:
    """A fresh sign-in link's token, as its e-mail would carry it."""
    link = do_create_portal_link(
        db, customer, channel=Channel.EMAIL.value, recipient="x", base_url="https://desk.example", actor=TESTS,
        at=clock.now(), minutes=minutes,
    )  # fmt: skip
    db.commit()
    return portal_link_token(SECRET.encode(), link)


def sign_in(client: TestClient, db: Session, customer: Customer) -> str:
    """Open a fresh link and press «Войти»; returns the session's CSRF token."""
    client.cookies.clear()
    token = link_token(db, customer)
    page = client.get(f"/portal/in/{token}")
    assert page.status_code == 200, page.text
    answer = client.post(f"/portal/in/{token}", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/portal"
    return csrf_of(client.get("/portal").text)

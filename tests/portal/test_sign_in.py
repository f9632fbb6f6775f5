"""Signing in without a password: links that work once and expire, a request page that never tells
who is a customer, limits, CSRF, and customers' sessions kept apart from agents'."""

from __future__ import annotations

import base64
import json
import re
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message as MailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.channels.webvisitor import ticket_link_token
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.customers.models import PortalLink
from otklik.web.agent.session import SessionData
from otklik.web.agent.session import encode as agent_cookie
from otklik.web.portal.session import COOKIE, PortalSession, encode
from tests.conftest import Cast
from tests.portal.conftest import SECRET, People, csrf_of, link_token, sign_in

LINK = re.compile(r"https://desk\.example/portal/in/(\S+)")


class Sink:
    def __init__(self) -> None:
        self.mails: list[MailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("OTKLIK_SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield sink
    controller.stop()


def test_agent_sends_a_link_by_email_it_opens_the_portal_once(
    client: TestClient, cast: Cast, people: People, smtp: Sink, run: Callable[[], int], db: Session
) -> None:
    answer = client.post(
        f"/api/v1/customers/{people.anna.id}/portal-link", json={"channel": "email"}, headers=cast.agent_marina.headers
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["recipient"] == "anna@mail.example"
    assert body["delivery_state"] == "queued"
    assert "token" not in body
    assert "/portal/in/" not in answer.text
    run()
    assert client.get(f"/api/v1/customers/{people.anna.id}", headers=cast.agent_marina.headers).status_code == 200
    (mail,) = smtp.mails
    assert mail["To"] == "anna@mail.example"
    text = mail.get_content()
    assert "30 мин" in text
    assert "30 min" in text
    found = LINK.search(text)
    assert found, text
    token = found.group(1)
    page = client.get(f"/portal/in/{token}")  # a mail scanner's GET spends nothing
    assert page.status_code == 200
    assert "Войти" in page.text
    assert client.get(f"/portal/in/{token}").status_code == 200
    entered = client.post(f"/portal/in/{token}", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert entered.status_code == 303
    assert entered.headers["location"] == "/portal"
    cookie = entered.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/portal" in cookie
    assert "Мои обращения" in client.get("/portal").text
    # once only: the link now says it no longer works, and a second press does not sign anyone in
    client.cookies.clear()
    again = client.get(f"/portal/in/{token}")
    assert again.status_code == 410
    assert "больше не действует" in again.text
    csrf = csrf_of(client.get("/portal/login").text)  # the same anonymous session's token
    retry = client.post(f"/portal/in/{token}", data={"csrf_token": csrf}, follow_redirects=False)
    assert retry.headers["location"] == f"/portal/in/{token}"
    assert client.get("/portal", follow_redirects=False).headers["location"] == "/portal/login"
    assert db.scalars(select(PortalLink).where(PortalLink.customer_id == people.anna.id)).one().delivery_state == "sent"


def test_link_needs_an_address_on_that_channel(client: TestClient, cast: Cast, people: People) -> None:
    headers = cast.agent_marina.headers
    url = f"/api/v1/customers/{people.ivan.id}/portal-link"
    assert client.post(url, json={"channel": "telegram"}, headers=headers).status_code == 422
    assert client.post(url, json={"channel": "webchat"}, headers=headers).status_code == 422
    assert client.post(url, json={"channel": "email"}).status_code == 401


@pytest.mark.parametrize("case", ["expired", "forged", "ticket link", "newer link"])
def test_dead_links_open_nothing(client: TestClient, db: Session, people: People, frozen_clock: Any, case: str) -> None:
    token = link_token(db, people.anna)
    match case:
        case "expired":
            frozen_clock.advance(timedelta(minutes=30))
        case "forged":
            token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        case "ticket link":  # another purpose's signature over the same-looking payload
            token = ticket_link_token(SECRET.encode(), 10001)
        case "newer link":  # asking again voids the earlier link
            link_token(db, people.anna)
    page = client.get(f"/portal/in/{token}")
    assert page.status_code == 410
    assert "<form" not in page.text.split("<main>")[1].split("/portal/login")[0]
    csrf = csrf_of(client.get("/portal/login").text)
    answer = client.post(f"/portal/in/{token}", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.headers["location"].startswith("/portal/in/")
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_request_page_says_the_same_for_known_and_unknown_addresses(
    client: TestClient, db: Session, people: People
) -> None:
    csrf = csrf_of(client.get("/portal/login").text)
    known = client.post("/portal/login", data={"csrf_token": csrf, "email": "Anna@Mail.example"})
    unknown = client.post("/portal/login", data={"csrf_token": csrf, "email": "nobody@mail.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("Anna@Mail.example", "@") == unknown.text.replace("nobody@mail.example", "@")
    assert "Если этот адрес нам известен" in known.text
    (link,) = db.scalars(select(PortalLink)).all()
    assert link.customer_id == people.anna.id
    assert link.base_url == "https://desk.example"


def test_links_never_follow_a_strangers_host_header(
    client: TestClient, db: Session, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without OTKLIK_PUBLIC_BASE_URL only a loopback address is trusted to build a mailed link."""
    monkeypatch.delenv("OTKLIK_PUBLIC_BASE_URL")
    get_settings.cache_clear()
    csrf = csrf_of(client.get("/portal/login").text)
    page = client.post("/portal/login", data={"csrf_token": csrf, "email": "anna@mail.example"})
    assert page.status_code == 200
    assert "Если этот адрес нам известен" in page.text
    assert db.scalars(select(PortalLink)).all() == []


def test_requests_for_links_are_limited_for_known_and_unknown_alike(client: TestClient, people: People) -> None:
    csrf = csrf_of(client.get("/portal/login").text)
    for email in ("anna@mail.example", "nobody@mail.example"):
        codes = [client.post("/portal/login", data={"csrf_token": csrf, "email": email}).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
    limited = client.post("/portal/login", data={"csrf_token": csrf, "email": "anna@mail.example"})
    assert int(limited.headers["retry-after"]) >= 1
    assert "Слишком много попыток" in limited.text


def test_every_post_needs_the_sessions_csrf_token_and_our_origin(
    client: TestClient, db: Session, people: People
) -> None:
    csrf = csrf_of(client.get("/portal/login").text)
    assert client.post("/portal/login", data={"email": "anna@mail.example"}).status_code == 403
    assert client.post("/portal/login", data={"csrf_token": "x" * 32, "email": "anna@mail.example"}).status_code == 403
    foreign = client.post(
        "/portal/login",
        data={"csrf_token": csrf, "email": "anna@mail.example"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    token = link_token(db, people.anna)
    assert client.post(f"/portal/in/{token}", data={}).status_code == 403  # the link survives a forged post
    assert client.get(f"/portal/in/{token}").status_code == 200
    # signed in, the old anonymous token is worthless (a new one is issued: no session fixation)
    fresh = sign_in(client, db, people.anna)
    assert fresh != csrf
    assert client.post("/portal/logout", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/portal", follow_redirects=False).status_code == 200


def test_customer_and_agent_sessions_never_open_each_other(client: TestClient, db: Session, people: People) -> None:
    secret = SECRET.encode()
    # an agent session's cookie (another signing purpose) put where the portal looks
    client.cookies.set(
        COOKIE, agent_cookie(secret, SessionData("c" * 32, people.anna.id, "", int(clock.now().timestamp())))
    )
    assert client.get("/portal", follow_redirects=False).headers["location"] == "/portal/login"
    # a genuine portal session sent as the agents' cookie opens no agent page
    client.cookies.clear()
    portal = encode(secret, PortalSession("c" * 32, people.anna.id, int(clock.now().timestamp())))
    client.cookies.set("otklik_agent", portal)
    assert client.get("/agent", follow_redirects=False).status_code == 303
    # and a forged customer id fails the signature
    signature = portal.rpartition(".")[2]
    forged = json.dumps(["c" * 32, people.ivan.id, int(clock.now().timestamp())], separators=(",", ":")).encode()
    client.cookies.clear()
    client.cookies.set(COOKIE, base64.urlsafe_b64encode(forged).decode().rstrip("=") + "." + signature)
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_sessions_expire_and_end_at_sign_out(
    client: TestClient, db: Session, people: People, frozen_clock: Any
) -> None:
    csrf = sign_in(client, db, people.anna)
    out = client.post("/portal/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.headers["location"] == "/portal/login"
    assert client.get("/portal", follow_redirects=False).status_code == 303
    secret = SECRET.encode()
    stale = encode(secret, PortalSession("c" * 32, people.anna.id, int(clock.now().timestamp()) - 13 * 3600))
    client.cookies.set(COOKIE, stale)
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_a_copied_portal_cookie_dies_at_sign_out(client: TestClient, db: Session, people: People) -> None:
    """Issue 14: a session cookie kept working after sign-out until it expired. Signing out now ends
    every portal session of the customer, a copy kept by another browser included."""
    csrf = sign_in(client, db, people.anna)
    copied = client.cookies.get(COOKIE)
    assert copied
    assert client.post("/portal/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE, copied)
    assert client.get("/portal", follow_redirects=False).status_code == 303
    sign_in(client, db, people.anna)  # signing in again opens a session of the new generation
    assert client.get("/portal", follow_redirects=False).status_code == 200


def test_cookie_is_secure_over_https(engine: Any, session_factory: Any, db: Session, people: People) -> None:
    from otklik.main import create_app

    app = create_app(engine)
    app.state.session_factory = session_factory
    with TestClient(app, base_url="https://testserver") as secure:
        page = secure.get("/portal/login")
        assert "Secure" in page.headers["set-cookie"]


def test_pages_run_no_script_and_leak_no_address(client: TestClient) -> None:
    page = client.get("/portal/login")
    csp = page.headers["content-security-policy"]
    assert "script-src" not in csp
    assert "default-src 'none'" in csp
    assert "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text
    css = client.get("/portal/static/portal.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")

"""Security in the page: CSRF on every form, a strict CSP, customer text only ever as text."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.messages.models import Message
from tests.web_agent.conftest import Desk, Inbound

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


def _messages(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Message)) or 0


def test_a_post_without_the_token_changes_nothing(
    client: TestClient, as_marina: str, db: Session, inbound: Inbound
) -> None:
    ticket = inbound("где поставка?")
    before = _messages(db)
    for data in ({"text": "ответ"}, {"text": "ответ", "csrf_token": "forged"}, {"text": "ответ", "csrf_token": ""}):
        answer = client.post(f"/agent/tickets/{ticket.id}/reply", data=data)
        assert answer.status_code == 403
        assert "Форма устарела" in answer.text
    assert _messages(db) == before


def test_another_sites_page_cannot_post_even_with_a_token(client: TestClient, as_marina: str, inbound: Inbound) -> None:
    ticket = inbound("где поставка?")
    data = {"text": "ответ", "csrf_token": as_marina}
    answer = client.post(f"/agent/tickets/{ticket.id}/reply", data=data, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403


def test_the_token_also_travels_as_the_htmx_header(client: TestClient, as_marina: str, inbound: Inbound) -> None:
    ticket = inbound("где поставка?")
    answer = client.post(
        f"/agent/tickets/{ticket.id}/check", data={"text": "Проверим"}, headers={"X-CSRF-Token": as_marina}
    )
    assert answer.status_code == 200
    assert client.post(f"/agent/tickets/{ticket.id}/check", data={"text": "x"}).status_code == 403


def test_the_login_form_itself_needs_its_token(client: TestClient, desk: Desk) -> None:
    answer = client.post("/agent/login", data={"email": desk.marina.email, "password": "x"})
    assert answer.status_code == 403


@pytest.mark.parametrize("path", ["/agent/login", "/agent/queues/mine", "/agent/search?q=x", "/admin/channels"])
def test_pages_carry_a_strict_policy_and_no_inline_code(client: TestClient, as_olga: str, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "default-src 'none'" in policy
    assert "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    html = answer.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "an inline style"
    assert "<style" not in html
    assert "hx-on" not in html
    assert "javascript:" not in html


def test_customer_text_is_shown_as_text(client: TestClient, as_marina: str, inbound: Inbound, db: Session) -> None:
    ticket = inbound(HOSTILE)
    ticket.subject = HOSTILE
    db.commit()
    for path in (f"/agent/tickets/{ticket.id}", "/agent/queues/unassigned", "/agent/search?q=alert"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    fragment = client.get(f"/agent/tickets/{ticket.id}/timeline?after=0").text
    assert "<img src=x" not in fragment
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment


def test_a_draft_is_echoed_escaped_in_the_flags_area(client: TestClient, as_marina: str, inbound: Inbound) -> None:
    ticket = inbound("где поставка?")
    answer = client.post(
        f"/agent/tickets/{ticket.id}/check", data={"text": HOSTILE, "csrf_token": as_marina, "mode": "public"}
    )
    assert "<img src=x" not in answer.text


def test_agent_pages_refuse_the_api_token_alone(client: TestClient, desk: Desk) -> None:
    """A bearer token is for the API; the pages want the cookie session (and so CSRF)."""
    answer = client.get("/agent/queues/mine", headers={"Authorization": "Bearer otk_x"}, follow_redirects=False)
    assert answer.status_code == 303

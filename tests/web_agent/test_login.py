"""Logging in: argon2 through the form, a signed HttpOnly SameSite cookie, limits per address and e-mail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.agents.security import hash_password
from otklik.web.agent.session import COOKIE
from tests.web_agent.conftest import PASSWORD, Desk, csrf_of, log_in


def _attempt(client: TestClient, email: str, password: str) -> int:
    token = csrf_of(client.get("/agent/login").text)
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post("/agent/login", data=data, follow_redirects=False).status_code


def test_pages_send_a_stranger_to_the_login_form_and_back_after_it(client: TestClient, desk: Desk) -> None:
    answer = client.get("/agent/tickets/10001?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/agent/login?next=/agent/tickets/10001%3Fx%3D1"
    page = client.get(answer.headers["location"])
    assert 'name="next" value="/agent/tickets/10001?x=1"' in page.text
    data = {"csrf_token": csrf_of(page.text), "email": desk.marina.email, "password": PASSWORD, "next": "/agent/x"}
    assert client.post("/agent/login", data=data, follow_redirects=False).headers["location"] == "/agent/x"


def test_the_session_cookie_is_http_only_same_site_and_renewed_at_login(client: TestClient, desk: Desk) -> None:
    login_page = client.get("/agent/login")
    before = client.cookies.get(COOKIE)
    cookie = login_page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    data = {"csrf_token": csrf_of(login_page.text), "email": desk.marina.email, "password": PASSWORD}
    answer = client.post("/agent/login", data=data, follow_redirects=False)
    assert "HttpOnly" in answer.headers["set-cookie"]
    assert client.cookies.get(COOKIE) != before
    assert csrf_of(client.get("/agent/queues/mine").text) != csrf_of(login_page.text)  # no session fixation


def test_the_cookie_is_secure_over_https(client: TestClient, desk: Desk) -> None:
    answer = client.get("https://testserver/agent/login")
    assert "Secure" in answer.headers["set-cookie"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client: TestClient, desk: Desk) -> None:
    token = csrf_of(client.get("/agent/login").text)
    wrong = client.post("/agent/login", data={"csrf_token": token, "email": desk.marina.email, "password": "nope"})
    nobody = client.post("/agent/login", data={"csrf_token": token, "email": "nobody@desk.test", "password": "x"})
    assert wrong.status_code == nobody.status_code == 401
    assert "Неверная почта или пароль." in wrong.text
    assert "Неверная почта или пароль." in nobody.text
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303


def test_login_is_limited_per_address_and_email(client: TestClient, desk: Desk) -> None:
    codes = [_attempt(client, desk.marina.email, "guess") for _ in range(6)]
    assert codes == [401] * 5 + [429]
    token = csrf_of(client.get("/agent/login").text)
    data = {"csrf_token": token, "email": desk.marina.email, "password": PASSWORD}
    limited = client.post("/agent/login", data=data)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "Слишком много попыток" in limited.text
    assert _attempt(client, desk.anna.email, PASSWORD) == 303  # another account from here still may


def test_logout_ends_the_session(client: TestClient, desk: Desk) -> None:
    token = log_in(client, desk.marina.email)
    assert client.post("/agent/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303


def test_a_copied_cookie_no_longer_opens_the_desk_after_logout(client: TestClient, desk: Desk) -> None:
    """Issue 14: the cookie still worked after logout (nothing server-side remembered it). A sign-out
    now ends every session of the agent: the copy another browser kept is refused too."""
    token = log_in(client, desk.marina.email)
    copied = client.cookies.get(COOKIE)
    assert copied
    assert client.post("/agent/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, copied)
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303
    client.cookies.clear()
    log_in(client, desk.marina.email)  # signing in again works: a new session of the new generation
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 200


def test_a_new_password_or_deactivation_ends_old_sessions(client: TestClient, desk: Desk, db: Session) -> None:
    log_in(client, desk.marina.email)
    desk.marina.password_hash = hash_password("a brand new password")
    db.commit()
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303
    log_in(client, desk.anna.email)
    desk.anna.active = False
    db.commit()
    assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303


def test_a_forged_or_damaged_cookie_is_no_session(client: TestClient, desk: Desk) -> None:
    log_in(client, desk.marina.email)
    real = client.cookies.get(COOKIE) or ""
    payload, _, signature = real.rpartition(".")
    for fake in (payload + ".AAAA", "x" * 50, real[:-3], "W10." + signature):
        client.cookies.set(COOKIE, fake)
        assert client.get("/agent/queues/mine", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(client: TestClient, desk: Desk) -> None:
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        token = csrf_of(client.get("/agent/login").text)
        data = {"csrf_token": token, "email": desk.olga.email, "password": PASSWORD, "next": target}
        assert client.post("/agent/login", data=data, follow_redirects=False).headers["location"] == "/agent"

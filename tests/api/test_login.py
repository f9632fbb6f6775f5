"""Password login: argon2-checked, mints a token shown once, refuses without telling why."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.agents.actions import do_create_agent
from otklik.agents.models import Agent, ApiToken
from otklik.agents.security import login_wait, token_digest
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.config import get_settings


def _agent_with_password(db: Session) -> Agent:
    agent = do_create_agent(
        db,
        email="Vera@Otklik.test",
        name="Вера Паролева",
        role="agent",
        password="верный-пароль-1",
        actor=Actor.system("tests"),
    )
    db.commit()
    return agent


def test_login_returns_a_working_token_stored_only_as_digest(client: TestClient, db: Session) -> None:
    agent = _agent_with_password(db)
    assert agent.password_hash is not None
    assert agent.password_hash.startswith("$argon2")
    answer = client.post("/api/v1/auth/tokens", json={"email": "vera@otklik.test", "password": "верный-пароль-1"})
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "Вера Паролева"
    stored = db.scalars(select(ApiToken.token_hash).where(ApiToken.agent_id == agent.id)).all()
    assert stored == [token_digest(token)]
    assert token not in stored


def test_wrong_password_and_unknown_email_get_the_same_401(client: TestClient, db: Session) -> None:
    _agent_with_password(db)
    wrong = client.post("/api/v1/auth/tokens", json={"email": "vera@otklik.test", "password": "не тот"})
    unknown = client.post("/api/v1/auth/tokens", json={"email": "nobody@otklik.test", "password": "не тот"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Неверная почта или пароль."
    english = client.post(
        "/api/v1/auth/tokens",
        json={"email": "vera@otklik.test", "password": "x"},
        headers={"Accept-Language": "en-GB,en;q=0.8"},
    )
    assert english.json()["detail"] == "Wrong email or password."


def test_deactivated_agent_cannot_log_in(client: TestClient, db: Session) -> None:
    agent = _agent_with_password(db)
    agent.active = False
    db.commit()
    answer = client.post("/api/v1/auth/tokens", json={"email": "vera@otklik.test", "password": "верный-пароль-1"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "agent_inactive"


def test_guessing_passwords_is_cut_off_with_a_429(client: TestClient, db: Session) -> None:
    """Issue 14: the API login had no limit (72 wrong passwords, no 429) while the login page stops
    after five. Five attempts per address and e-mail, right or wrong, then 429 with Retry-After;
    the right password does not get through the limit either."""
    _agent_with_password(db)
    wrong = {"email": "vera@otklik.test", "password": "не-тот"}
    codes = [client.post("/api/v1/auth/tokens", json=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    limited = client.post("/api/v1/auth/tokens", json={"email": "VERA@otklik.test", "password": "верный-пароль-1"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["code"] == "login_rate_limited"
    assert "попыток" in limited.json()["detail"]


def test_the_login_page_and_the_api_spend_the_same_attempts(client: TestClient, db: Session) -> None:
    """Changing doors buys no more guesses: three on the API and two on the page use up the five."""
    _agent_with_password(db)
    limiter, wrong = client.app.state.web.limiter, {"email": "vera@otklik.test", "password": "не-тот"}  # type: ignore[attr-defined]
    assert client.app.state.shared.limiter is limiter  # type: ignore[attr-defined]
    for _ in range(3):
        assert client.post("/api/v1/auth/tokens", json=wrong).status_code == 401
    settings = get_settings()
    for _ in range(2):
        assert login_wait(limiter, "testclient", "Vera@otklik.test", settings=settings, now=clock.now()) == 0
    assert client.post("/api/v1/auth/tokens", json=wrong).status_code == 429

"""Who may call what: bearer tokens on every endpoint, team walls around tickets, role-only actions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from otklik.agents.models import Agent, ApiToken
from otklik.core.audit import AuditEvent
from otklik.core.clock import now
from otklik.core.db import make_engine
from otklik.main import create_app
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from tests.conftest import Cast, Persona, unique

# Endpoints that authenticate by other means: logging in with a password, channel webhooks (the channel's
# own secret), and the customer-facing /public/ surface (web chat and forms: a visitor token or none).
PUBLIC = {("POST", "/api/v1/auth/tokens")}


def _is_public(method: str, path: str) -> bool:
    if (method, path) in PUBLIC or path.startswith("/api/v1/public/"):
        return True
    return path.startswith("/api/v1/channels/") and path.endswith("/webhook")


def _api_routes() -> list[tuple[str, str]]:
    spec = create_app(make_engine("sqlite:///:memory:")).openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
        if not _is_public(method.upper(), path)
    )


PROTECTED = _api_routes()
BAD_CREDENTIALS = {
    "no header": {},
    "empty header": {"Authorization": ""},
    "wrong scheme": {"Authorization": "Basic b2xnYTpzZWNyZXQ="},
    "token without scheme": {"Authorization": "otk_abcdef"},
    "scheme without token": {"Authorization": "Bearer "},
    "unknown token": {"Authorization": "Bearer otk_this-token-was-never-issued"},
}


def open_ticket(client: TestClient, who: Persona, text: str = "Не пришла выплата за октябрь") -> int:
    payload = {
        "channel": "telegram",
        "external_id": unique("in"),
        "sender": {"kind": "telegram", "value": unique("seller").replace("-", "_")},
        "text": text,
    }
    response = client.post("/api/v1/messages/inbound", json=payload, headers=who.headers)
    assert response.status_code == 201, response.text
    ticket_id: int = response.json()["ticket_id"]
    return ticket_id


def act(client: TestClient, who: Persona, ticket_id: int, action: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/tickets/{ticket_id}/{action}", json=payload or {}, headers=who.headers)


def fbo_ticket(client: TestClient, cast: Cast) -> int:
    """A ticket the FBO team owns: Марина has it, after the first answer."""
    ticket_id = open_ticket(client, cast.agent_marina, "Поставку не приняли на складе")
    assert (
        act(client, cast.lead_boris, ticket_id, "assign", {"agent_id": cast.agent_marina.agent.id}).status_code == 200
    )
    return ticket_id


def row_counts(db: Session) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m)) or 0 for m in (Ticket, Message, Agent, AuditEvent))


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    if code:
        assert problem["code"] == code
    return problem


# ---------------------------------------------------------------- public surface


def test_healthz_is_public_and_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_route_list_covers_the_contract() -> None:
    assert {
        ("POST", "/api/v1/messages/inbound"),
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/tickets/{ticket_id}"),
        ("GET", "/api/v1/tickets/{ticket_id}/messages"),
        ("POST", "/api/v1/tickets/{ticket_id}/replies"),
        ("POST", "/api/v1/tickets/{ticket_id}/solve"),
        ("POST", "/api/v1/tickets/{ticket_id}/hold"),
    } <= set(PROTECTED)


# ---------------------------------------------------------------- 401 everywhere


@pytest.fixture
def path_ids(client: TestClient, cast: Cast) -> dict[str, int | str]:
    """Real values for the path parameters, so that a 401 cannot be a 404 in disguise (others: 1)."""
    ticket_id = open_ticket(client, cast.agent_marina)
    customer_id = client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.admin_olga.headers).json()["customer"]["id"]
    return {
        "ticket_id": ticket_id,
        "customer_id": customer_id,
        "agent_id": cast.agent_marina.agent.id,
        "channel": "telegram",
    }


@pytest.mark.parametrize(("method", "template"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_every_endpoint_refuses_a_missing_or_bad_token(
    client: TestClient, db: Session, path_ids: dict[str, int | str], method: str, template: str
) -> None:
    path = re.sub(r"\{(\w+)\}", lambda m: str(path_ids.get(m.group(1), 1)), template)
    before = row_counts(db)
    for case, credentials in BAD_CREDENTIALS.items():
        response = client.request(method, path, headers=credentials, json={} if method != "GET" else None)
        problem = assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer", case
        assert problem["code"] == ("token_invalid" if case == "unknown token" else "auth_required"), case
    assert row_counts(db) == before


def test_the_scheme_is_case_insensitive_and_spaces_are_tolerated(client: TestClient, cast: Cast) -> None:
    for header in (f"bearer {cast.agent_anna.token}", f"BEARER  {cast.agent_anna.token} "):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 200, header
        assert response.json()["email"] == "anna@otklik.test"


def test_a_deactivated_agents_token_is_refused(client: TestClient, cast: Cast, db: Session) -> None:
    pavel = cast.agent_pavel
    assert client.get("/api/v1/me", headers=pavel.headers).status_code == 200
    db.execute(update(Agent).where(Agent.id == pavel.agent.id).values(active=False))
    db.commit()
    for method, path in (("GET", "/api/v1/me"), ("GET", "/api/v1/tickets"), ("POST", "/api/v1/messages/inbound")):
        response = client.request(method, path, headers=pavel.headers, json={} if method == "POST" else None)
        problem = assert_problem(response, 401, "agent_inactive")
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Павел Второй" in problem["detail"]


def test_a_revoked_token_is_refused(client: TestClient, cast: Cast, db: Session) -> None:
    anna = cast.agent_anna
    db.execute(update(ApiToken).where(ApiToken.agent_id == anna.agent.id).values(revoked_at=now()))
    db.commit()
    assert_problem(client.get("/api/v1/me", headers=anna.headers), 401, "token_invalid")


# ---------------------------------------------------------------- the team wall


ANNA_TRIES = {
    "read": ("GET", "", None),
    "timeline": ("GET", "/messages", None),
    "reply": ("POST", "/replies", {"text": "Это не моя очередь, но отвечу", "public": True}),
    "note": ("POST", "/notes", {"text": "Заметка"}),
    "hold": ("POST", "/hold", {"until": "2099-01-01T00:00:00+00:00", "promise": "Позже"}),
    "solve": ("POST", "/solve", {"text": "Решено"}),
    "take it herself": ("POST", "/assign", {"agent_id": 0}),
    "triage": ("POST", "/triage", {"category": "finance", "urgency": "low"}),
    "reference": ("POST", "/references", {"kind": "order", "value": "12345"}),
    "verdict": ("POST", "/customer-verdict", {"solved": False}),
    "reopen": ("POST", "/reopen", None),
}


@pytest.mark.parametrize(("method", "suffix", "payload"), ANNA_TRIES.values(), ids=ANNA_TRIES.keys())
def test_an_agent_of_another_team_can_neither_read_nor_act(
    client: TestClient, cast: Cast, db: Session, method: str, suffix: str, payload: dict[str, Any] | None
) -> None:
    anna = cast.agent_anna
    ticket_id = fbo_ticket(client, cast)
    if payload is not None and "agent_id" in payload:
        payload = {"agent_id": anna.agent.id}
    before_ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.admin_olga.headers).json()
    before_rows = row_counts(db)

    response = client.request(method, f"/api/v1/tickets/{ticket_id}{suffix}", headers=anna.headers, json=payload)
    problem = assert_problem(response, 403, "ticket_forbidden")
    assert str(ticket_id) in problem["detail"]
    assert "Поставку" not in response.text  # not a word of the ticket leaks

    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.admin_olga.headers).json() == before_ticket
    assert row_counts(db) == before_rows


def test_another_teams_tickets_never_appear_in_the_queue(client: TestClient, cast: Cast) -> None:
    marina, anna, olga = cast.agent_marina, cast.agent_anna, cast.admin_olga
    fbo = [fbo_ticket(client, cast) for _ in range(3)]
    finance = open_ticket(client, anna)
    assert act(client, anna, finance, "replies", {"text": "Смотрю выплату"}).status_code == 201
    pool = open_ticket(client, anna)  # no team yet: the shared triage pool

    def queue(who: Persona, **params: Any) -> set[int]:
        seen: set[int] = set()
        cursor = None
        while True:
            query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/v1/tickets", params=query, headers=who.headers).json()
            seen |= {t["id"] for t in page["items"]}
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert queue(anna) == {finance, pool}
    assert queue(cast.agent_pavel) == {finance, pool}
    assert queue(marina) == {*fbo, pool}
    assert queue(olga) == {*fbo, finance, pool}
    # not even by searching for its number, status or owner
    assert queue(anna, q=f"#{fbo[0]}") == set()
    assert queue(anna, q="Поставку") == set()
    assert queue(anna, status="open") == set()
    assert queue(anna, assignee=str(marina.agent.id)) == set()
    for ticket_id in (*fbo, finance, pool):
        assert client.get(f"/api/v1/tickets/{ticket_id}", headers=olga.headers).status_code == 200


def test_the_owner_keeps_seeing_a_ticket_moved_to_their_name(client: TestClient, cast: Cast) -> None:
    ticket_id = fbo_ticket(client, cast)
    reason = "Вопрос по удержаниям, это финансы"
    moved = act(
        client, cast.agent_marina, ticket_id, "transfer", {"agent_id": cast.agent_anna.agent.id, "reason": reason}
    )
    assert moved.status_code == 200, moved.text
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.agent_anna.headers).status_code == 200
    assert_problem(client.get(f"/api/v1/tickets/{ticket_id}", headers=cast.agent_marina.headers), 403)


# ---------------------------------------------------------------- roles


def test_only_an_admin_creates_agents(client: TestClient, cast: Cast, db: Session) -> None:
    new = {"email": "kirill@otklik.test", "name": "Кирилл Новый", "role": "agent", "teams": ["FBO"]}
    before = row_counts(db)
    for who in (cast.lead_boris, cast.agent_marina):
        assert_problem(client.post("/api/v1/agents", json=new, headers=who.headers), 403, "role_required")
        assert_problem(client.post("/api/v1/agents", json={**new, "role": "admin"}, headers=who.headers), 403)
    assert row_counts(db) == before
    created = client.post("/api/v1/agents", json=new, headers=cast.admin_olga.headers)
    assert created.status_code == 201, created.text
    assert (created.json()["role"], created.json()["teams"]) == ("agent", ["FBO"])


def test_an_agent_mints_tokens_only_for_themselves(client: TestClient, cast: Cast, db: Session) -> None:
    marina, anna = cast.agent_marina, cast.agent_anna
    tokens_before = db.scalar(select(func.count()).select_from(ApiToken))
    for target in (anna, cast.admin_olga):
        path = f"/api/v1/agents/{target.agent.id}/tokens"
        assert_problem(client.post(path, headers=marina.headers), 403, "role_required")
    assert_problem(client.post(f"/api/v1/agents/{anna.agent.id}/tokens", headers=cast.lead_boris.headers), 403)
    assert db.scalar(select(func.count()).select_from(ApiToken)) == tokens_before

    own = client.post(f"/api/v1/agents/{marina.agent.id}/tokens", headers=marina.headers)
    assert own.status_code == 201, own.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {own.json()['token']}"})
    assert me.json()["id"] == marina.agent.id

    for_anna = client.post(f"/api/v1/agents/{anna.agent.id}/tokens", headers=cast.admin_olga.headers)
    assert for_anna.status_code == 201, for_anna.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {for_anna.json()['token']}"})
    assert me.json()["id"] == anna.agent.id


def test_who_may_assign_a_ticket_to_whom(client: TestClient, cast: Cast) -> None:
    marina, pavel, anna, boris, olga = (
        cast.agent_marina,
        cast.agent_pavel,
        cast.agent_anna,
        cast.lead_boris,
        cast.admin_olga,
    )

    def assign(who: Persona, ticket_id: int, target: Persona) -> Any:
        return act(client, who, ticket_id, "assign", {"agent_id": target.agent.id})

    pooled = open_ticket(client, marina)
    # an agent cannot hand an unowned ticket to someone else, in or out of their team
    assert_problem(assign(marina, pooled, pavel), 403, "assign_forbidden")
    assert_problem(assign(anna, pooled, pavel), 403, "assign_forbidden")
    assert client.get(f"/api/v1/tickets/{pooled}", headers=olga.headers).json()["assignee"] is None
    # a lead assigns within the team, not outside it
    assert_problem(assign(boris, pooled, anna), 403, "assign_forbidden")
    assert assign(boris, pooled, marina).json()["assignee"]["id"] == marina.agent.id
    # an agent may take a ticket herself; an admin may assign anywhere
    other = open_ticket(client, marina)
    assert assign(pavel, other, pavel).json()["assignee"]["id"] == pavel.agent.id
    third = open_ticket(client, marina)
    assert assign(olga, third, anna).json()["assignee"]["id"] == anna.agent.id


def test_the_audit_trail_is_for_leads_and_admins(client: TestClient, cast: Cast) -> None:
    ticket_id = fbo_ticket(client, cast)
    assert_problem(client.get(f"/api/v1/tickets/{ticket_id}/audit", headers=cast.agent_marina.headers), 403)
    for who in (cast.lead_boris, cast.admin_olga):
        response = client.get(f"/api/v1/tickets/{ticket_id}/audit", headers=who.headers)
        assert response.status_code == 200, response.text
        assert "ticket.assigned" in [e["action"] for e in response.json()["items"]]

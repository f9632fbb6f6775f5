"""Two real ``otklik serve`` processes on one PostgreSQL share what used to live in one process's
memory (issue 13, ADR 0005): a visitor's flood allowance, and «печатает…» heard by one server and
asked of the other. Before, each process kept its own: twice the allowance, and no typing seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from otklik.agents.actions import do_create_agent, do_create_token
from otklik.core.actors import Actor
from tests.serving import Fleet

pytestmark = pytest.mark.slow

BURST = 4


@pytest.fixture
def servers(own_postgres: Engine, tmp_path: Path) -> Iterator[list[str]]:
    """Two server processes, each its own port, on the test's own database; killed afterwards."""
    (tmp_path / "secret_key").write_text("two-servers-test-secret-" + "x" * 40)
    fleet = Fleet(tmp_path, {
        "OTKLIK_DATABASE_URL": own_postgres.url.render_as_string(hide_password=False),
        "OTKLIK_SHARED_STATE": "auto",  # what a deployment gets (the suite pins memory for its apps)
        "OTKLIK_EMBEDDED_WORKER": "off",
        "OTKLIK_SECRET_KEY_FILE": str(tmp_path / "secret_key"),  # both sign visitor tokens alike
        "OTKLIK_PUBLIC_RATE_BURST": str(BURST),
        "OTKLIK_PUBLIC_RATE_PER_MINUTE": "1",
    })  # fmt: skip
    try:
        yield [fleet.serve("serve0"), fleet.serve("serve1")]
    finally:
        fleet.close()


def test_a_flood_allowance_is_one_across_servers(servers: list[str]) -> None:
    answers = [httpx.post(f"{servers[n % 2]}/api/v1/public/chat/visitors", timeout=10) for n in range(2 * BURST)]
    codes = [answer.status_code for answer in answers]
    assert codes.count(201) == BURST, codes  # not BURST per server
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, codes
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)


def test_typing_heard_by_one_server_is_seen_through_the_other(servers: list[str], own_postgres: Engine) -> None:
    heard, asked = servers
    with Session(own_postgres) as session:
        marina = do_create_agent(session, email="two@otklik.test", name="Марина Двоева", role="admin",
                                 actor=Actor.system("tests"))  # fmt: skip
        token = do_create_token(session, marina, actor=Actor.system("tests"))
        session.commit()
    agent = {"Authorization": f"Bearer {token}"}
    visitor = {"X-Otklik-Visitor": httpx.post(f"{heard}/api/v1/public/chat/visitors", timeout=10).json()["token"]}
    text = {"text": "Стою у склада, не принимают"}
    sent = httpx.post(f"{heard}/api/v1/public/chat/messages", json=text, headers=visitor, timeout=30)
    assert sent.status_code == 201, sent.text
    ticket_id = sent.json()["ticket_id"]

    typing = httpx.post(
        f"{heard}/api/v1/public/chat/typing", json={"ticket_id": ticket_id, "typing": True}, headers=visitor, timeout=10
    )
    assert typing.status_code == 204, typing.text
    assert httpx.post(f"{asked}/api/v1/tickets/{ticket_id}/typing", json={"typing": True}, headers=agent,
                      timeout=10).status_code == 204  # fmt: skip

    seen_by_agent = httpx.get(f"{asked}/api/v1/tickets/{ticket_id}/typing", headers=agent, timeout=10).json()
    assert seen_by_agent["customer_typing"] is True
    seen_on_first = httpx.get(f"{heard}/api/v1/tickets/{ticket_id}/typing", headers=agent, timeout=10).json()
    assert seen_on_first["agent"] == "Марина Двоева"  # the agent's typing crossed the other way

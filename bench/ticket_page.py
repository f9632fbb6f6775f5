"""The agent's ticket page: server time to render a ticket with 200 messages (p50/p95), and a ticket
with 5,000 messages, which the page reads from its end one window of 200 at a time.

In-process (FastAPI's TestClient, no network), so the figures are the server's own time: the
session check, the queries, the Babel/Jinja2 render. Customer messages arrive through intake
(``do_receive_inbound``), agent replies and notes through ``do_reply``, as in production.

    .venv/bin/python bench/ticket_page.py [--url sqlite:///./var/bench-ticket.db] [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import otklik.models  # noqa: F401  (every table registered)
from otklik.agents.actions import do_create_agent
from otklik.agents.models import Agent
from otklik.channels.base import InboundMessage
from otklik.core.actors import Actor
from otklik.core.db import make_engine, make_session_factory
from otklik.core.migrate import upgrade
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.main import create_app
from otklik.messages.actions import do_receive_inbound, do_reply
from otklik.tickets.actions import do_assign
from otklik.tickets.models import Ticket

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-password-0123"
ACTOR = Actor.system("bench")


def build(session: Session, agent: Agent, messages: int, tag: str) -> Ticket:
    """A Telegram ticket of ``messages`` messages: one in five from the customer, the rest replies and notes."""
    first = InboundMessage(
        channel=Channel.TELEGRAM, external_id=f"{tag}-0", sender_kind=IdentityKind.TELEGRAM,
        sender_value=f"bench_{tag}", text="Стою на складе, поставку не принимают", display_name="Илья Воронцов",
    )  # fmt: skip
    ticket = do_receive_inbound(session, first).ticket
    do_assign(session, ticket, agent, actor=ACTOR, reason="triage")
    for n in range(1, messages):
        if n % 5 == 0:
            inbound = InboundMessage(
                channel=Channel.TELEGRAM, external_id=f"{tag}-{n}", sender_kind=IdentityKind.TELEGRAM,
                sender_value=f"bench_{tag}", text=f"Сообщение клиента {n}: машина у ворот, бронь 27318456",
            )  # fmt: skip
            do_receive_inbound(session, inbound)
        else:
            text = f"Ответ {n}: проверяю слот, бронь 27318456 есть, ворота 3. " * 2
            do_reply(session, ticket, agent=agent, text=text, public=n % 2 == 0)
        if n % 500 == 0:
            session.flush()
    session.commit()
    return ticket


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(client: TestClient, path: str, runs: int) -> tuple[dict[str, float], int]:
    for _ in range(5):  # warm: templates compiled, catalogues loaded, caches filled
        client.get(path)
    samples, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.status_code
        size = len(answer.content)
    return percentiles(samples), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    # a long conversation from one sender must not meet the per-sender flood limit of intake
    os.environ.setdefault("OTKLIK_RATE_PER_MINUTE", "100000")
    os.environ.setdefault("OTKLIK_RATE_PER_DAY", "100000")
    os.environ.setdefault("OTKLIK_SECRET_KEY", "bench-secret-0123456789abcdef")
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='otklik-bench-')}/ticket.db"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with factory() as session:
        agent = do_create_agent(
            session, email="bench-marina@bench.test", name="Марина Складова", role="agent", password=PASSWORD,
            teams=["FBO"], actor=ACTOR,
        )  # fmt: skip
        session.commit()
        small = build(session, agent, 200, "t200")
        large = build(session, agent, 5000, "t5000")
        ids = small.id, large.id
    built = time.perf_counter() - started
    app = create_app(engine)
    with TestClient(app) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/agent/login").text)
        assert token
        data = {"csrf_token": token.group(1), "email": "bench-marina@bench.test", "password": PASSWORD}
        assert client.post("/agent/login", data=data, follow_redirects=False).status_code == 303
        page_200, bytes_200 = timed(client, f"/agent/tickets/{ids[0]}", args.runs)
        page_5000, bytes_5000 = timed(client, f"/agent/tickets/{ids[1]}", args.runs)
        html = client.get(f"/agent/tickets/{ids[1]}").text
        before = re.search(r'timeline\?before=(\d+)"', html)
        assert before, "the 5,000-message page must offer the earlier window"
        window, window_bytes = timed(client, f"/agent/tickets/{ids[1]}/timeline?before={before.group(1)}", args.runs)
        shown = html.count('class="msg ')
    result = {
        "database": url.split("://", 1)[0].split("+", 1)[0],
        "runs": args.runs,
        "setup_seconds": round(built, 1),
        "ticket_200": {**page_200, "html_kb": round(bytes_200 / 1024, 1)},
        "ticket_5000_first_window": {**page_5000, "html_kb": round(bytes_5000 / 1024, 1), "messages_shown": shown},
        "ticket_5000_earlier_window": {**window, "html_kb": round(window_bytes / 1024, 1)},
        "target": "ticket page with 200 messages: p95 <= 150 ms server time",
        "met": page_200["p95_ms"] <= 150,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"ticket_page_{result['database']}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""kill -9 of a server process and of a worker during a load run (issue 13, fault tests).

The README's production shape in small: two ``otklik serve`` processes and two ``otklik worker``
processes on one PostgreSQL, routing on. Six clients post e-mail messages to both servers, half of
them follow-ups; a client whose server vanished (connection refused or cut) or answered 503 sends the
same message again to the other server, as a channel redelivers. Mid-run one server and one worker are
killed with SIGKILL and started again; the worker while it holds a leased batch (the test holds
routing's lock for that moment, so the batch cannot finish before the kill).

Then: no answer but 200, 201 or 503; every acknowledged message stored exactly once and no message
stored twice; every new ticket routed exactly once (one ``ticket.routed`` row each: a job cut off by the
kill ran again after its lease, and nothing it did before the kill was kept); no job failed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from otklik.agents.actions import do_create_agent, do_create_token
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.jobs import Job, JobState
from otklik.messages.models import Direction, Message
from otklik.routing.actions import _ROUTING_LOCK
from otklik.routing.presence import do_set_presence
from otklik.routing.queries import ROUTED
from otklik.routing.rules import Presence
from otklik.tickets.models import Ticket
from tests.serving import Fleet

pytestmark = pytest.mark.slow

CLIENTS, EACH = 6, 40
ATTEMPTS = 40  # a message is sent again until a server takes it (a restart takes a few seconds)


@pytest.fixture
def fleet(own_postgres: Engine, tmp_path: Path) -> Iterator[Fleet]:
    fleet = Fleet(tmp_path, {
        "OTKLIK_DATABASE_URL": own_postgres.url.render_as_string(hide_password=False),
        "OTKLIK_EMBEDDED_WORKER": "off",
        "OTKLIK_TRIAGE_ENABLED": "0",  # routing alone: no model to load in each worker
        "OTKLIK_SECRET_KEY": "kill-under-load-" + "k" * 40,
    })  # fmt: skip
    try:
        yield fleet
    finally:
        fleet.close()


def _token(engine: Engine) -> str:
    actor = Actor.system("tests")
    with Session(engine) as session:
        admin = do_create_agent(session, email="kill@otklik.test", name="Кира Девятова", role="admin", actor=actor)
        for number in range(2):
            agent = do_create_agent(session, email=f"agent{number}@otklik.test", name=f"Агент {number}",
                                    role="agent", skills={"shipping": 2, "finance": 2}, actor=actor)  # fmt: skip
            do_set_presence(session, agent, Presence.ONLINE, actor=actor)
        token = do_create_token(session, admin, actor=actor)
        session.commit()
    return token


def _message(client: int, number: int) -> dict[str, Any]:
    sender = f"k{client}-{number // 2}@buyers.otklik.test"  # new senders all along, each writing twice
    return {"channel": "email", "external_id": f"<kill-{client}-{number}@buyers.otklik.test>",
            "sender": {"kind": "email", "value": sender}, "text": f"Где мой заказ? ({client}/{number})"}  # fmt: skip


def test_kill_9_of_a_server_and_a_worker_loses_and_doubles_nothing(own_postgres: Engine, fleet: Fleet) -> None:
    headers = {"Authorization": f"Bearer {_token(own_postgres)}"}
    bases = [fleet.serve("serve0"), fleet.serve("serve1")]
    fleet.worker("worker0")
    fleet.worker("worker1")
    statuses: Counter[int] = Counter()
    acknowledged: list[tuple[str, float]] = []
    lock = threading.Lock()

    def send(client: int) -> None:
        with httpx.Client(timeout=30) as http:
            for number in range(EACH):
                body = _message(client, number)
                for attempt in range(ATTEMPTS):
                    try:
                        answer = http.post(f"{bases[(number + attempt) % 2]}/api/v1/messages/inbound", json=body,
                                           headers=headers)  # fmt: skip
                    except httpx.TransportError:  # the server was killed under us: send again elsewhere
                        with lock:
                            statuses[0] += 1
                        time.sleep(0.2)
                        continue
                    with lock:
                        statuses[answer.status_code] += 1
                    if answer.status_code in (200, 201):
                        with lock:
                            acknowledged.append((body["external_id"], time.monotonic()))
                        break
                    time.sleep(0.2)
                else:
                    pytest.fail(f"{body['external_id']} was never taken")

    killed: dict[str, float] = {}  # when the server and the worker died; how many jobs the worker held

    def chaos() -> None:
        while len(acknowledged) < CLIENTS * EACH // 4:
            time.sleep(0.05)
        killed["server"] = time.monotonic()
        fleet.kill_9("serve0")
        while len(acknowledged) < CLIENTS * EACH // 3:
            time.sleep(0.05)
        pids = {fleet.processes[name].pid: name for name in ("worker0", "worker1")}
        leased = select(Job.worker).where(Job.state == JobState.PENDING, Job.worker.is_not(None))
        # Kill a worker in the middle of a batch, not between two: hold routing's own lock, so every
        # routing job waits inside its leased batch, with its tickets locked; kill the worker holding one.
        with own_postgres.connect() as gate, Session(own_postgres) as session:
            gate.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ROUTING_LOCK})
            for _ in range(600):
                holders = Counter(int(worker.split(":")[1]) for worker in session.scalars(leased) if worker)
                session.rollback()
                if set(holders) & set(pids):
                    break
                time.sleep(0.05)
            victim = next((pid for pid in holders if pid in pids), None)
            killed["leased"] = holders[victim] if victim is not None else 0
            killed["worker"] = time.monotonic()
            if victim is not None:
                fleet.kill_9(pids[victim])
            gate.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ROUTING_LOCK})
            gate.commit()
        fleet.serve("serve0")  # the same port: clients find it again
        if victim is not None:
            fleet.worker(pids[victim])

    saboteur = threading.Thread(target=chaos)
    saboteur.start()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(send, range(CLIENTS)))
    saboteur.join(timeout=120)
    assert set(killed) == {"server", "leased", "worker"}, f"the kills did not happen during the run\n{fleet.logs()}"
    assert killed["leased"] > 0, "the worker was killed idle, not in the middle of a batch"
    assert any(at > killed["worker"] for _, at in acknowledged), "the run ended before the worker was killed"

    assert statuses[0] > 0, "no request met the killed server"  # 0: a refused or cut connection
    assert set(statuses) <= {0, 200, 201, 503}, f"{statuses}\n{fleet.logs()}"
    sent = {external_id for external_id, _ in acknowledged}
    assert len(sent) == CLIENTS * EACH

    deadline = time.monotonic() + 90  # a job leased by the killed worker is taken again after its lease
    with Session(own_postgres) as session:
        while True:
            pending = session.scalar(
                select(func.count()).select_from(Job).where(Job.kind == "routing.route", Job.state == JobState.PENDING)
            )
            if pending == 0:
                break
            assert time.monotonic() < deadline, f"{pending} routing jobs still pending\n{fleet.logs()}"
            session.rollback()
            time.sleep(0.3)
        stored = Counter(session.scalars(select(Message.external_id).where(Message.direction == Direction.INBOUND)))
        assert set(stored) == sent
        assert [twice for twice, count in stored.items() if count > 1] == []
        tickets = list(session.scalars(select(Ticket.id)))
        routed = Counter(session.scalars(select(AuditEvent.ticket_id).where(AuditEvent.action == ROUTED)))
        assert {ticket: routed[ticket] for ticket in tickets} == dict.fromkeys(tickets, 1)
        assert session.scalar(select(func.count()).select_from(Job).where(Job.state == JobState.FAILED)) == 0
        owners = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.assignee_id.is_not(None)))
        assert owners == len(tickets)

"""Intake through the journal under the README's production deployment (issue 13): PostgreSQL,
``serve --workers 2``, two separate ``otklik worker`` processes, triage and routing on, C clients.

One run, three phases on the same servers:
1. ``GET /healthz`` from C clients: the ceiling of what the servers answer at all;
2. M inbound messages from C clients (``Prefer: respond-async`` unless ``--sync``), half of them
   follow-ups from senders who already wrote in the run: the acknowledgement rate, statuses, latency;
3. drain: until no journal item is pending and no routing job is due.

Then, from the database: how long after its acknowledgement each item was built, how long after the
acknowledgement of the message that opened it each new ticket had a named owner (``ticket.routed``),
and PostgreSQL's ``deadlocks`` counter before and after.

    .venv/bin/python bench/intake_journal.py --url postgresql+psycopg://postgres@127.0.0.1:5432/otklik_bench_journal
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from typing import Any

from sqlalchemy import Engine, func, select

from common import ADMIN_EMAIL, machine_facts, mint_token, redact, running_server, summary_ms, write_json
from inbound_throughput import RawHttp
from intake_deadlocks import deadlocks, job_workers, pending_jobs
from intake_with_routing import _body, _close_since, _max_ticket, _new_tickets, prepare
from otklik.core.audit import AuditEvent
from otklik.core.db import make_engine, seconds_between
from otklik.messages.models import JournalItem, JournalState


class PreferAsync(RawHttp):
    """The bench's bare connection, asking for ``Prefer: respond-async``."""

    def __init__(self, host: str, port: int, token: str) -> None:
        super().__init__(host, port, token)
        self.auth += b"Prefer: respond-async\r\n"


async def fire(
    base: str, token: str, bodies: list[bytes] | None, total: int, concurrency: int, *, prefer: bool
) -> dict[str, Any]:
    """``total`` requests from ``concurrency`` connections: the inbound ``bodies`` in order, or
    ``GET /healthz`` when there are none."""
    host, port = base.removeprefix("http://").split(":")
    queue = list(reversed(range(total)))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures = 0

    async def client() -> None:
        nonlocal failures
        conn = (PreferAsync if prefer else RawHttp)(host, int(port), token)
        while queue:
            index = queue.pop()
            t0 = time.perf_counter()
            try:
                if bodies is None:
                    status = await conn.request("GET", "/healthz")
                else:
                    status = await conn.request("POST", "/api/v1/messages/inbound", bodies[index])
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                failures += 1
                conn.close()
                continue
            latencies.append(time.perf_counter() - t0)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return {"wall": time.perf_counter() - started, "latencies": latencies, "statuses": statuses, "failures": failures}


def pending_items(engine: Engine) -> int:
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(JournalItem).where(JournalItem.state == JournalState.PENDING.value)
        ).scalar_one()
        conn.rollback()
    return int(count)


def build_seconds(engine: Engine, since_item: int, tag: str) -> list[float]:
    """Acknowledgement → built, per item of the run."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(seconds_between(JournalItem.received_at, JournalItem.built_at)).where(
                JournalItem.id > since_item, JournalItem.built_at.is_not(None), JournalItem.key.like(f"route-{tag}-%")
            )
        ).scalars()
        return [float(s) for s in rows]


def routed_seconds(engine: Engine, since_ticket: int, tag: str) -> list[float]:
    """Acknowledgement of the message that opened a ticket → the ticket's first ``ticket.routed``."""
    opened = (
        select(JournalItem.ticket_id, func.min(JournalItem.received_at).label("acked"))
        .where(JournalItem.ticket_id > since_ticket, JournalItem.key.like(f"route-{tag}-%"))
        .group_by(JournalItem.ticket_id)
        .subquery()
    )
    routed = (
        select(AuditEvent.ticket_id, func.min(AuditEvent.created_at).label("routed"))
        .where(AuditEvent.action == "ticket.routed", AuditEvent.ticket_id > since_ticket)
        .group_by(AuditEvent.ticket_id)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(seconds_between(opened.c.acked, routed.c.routed)).join(
                routed, routed.c.ticket_id == opened.c.ticket_id
            )
        ).scalars()
        return [max(0.0, float(s)) for s in rows]


def run(args: argparse.Namespace) -> dict[str, object]:
    prepare(args.url, args.tickets)
    engine = make_engine(args.url)
    token = mint_token(engine, ADMIN_EMAIL)
    first_ticket = _max_ticket(engine)
    with engine.connect() as conn:
        first_item = int(conn.execute(select(func.max(JournalItem.id))).scalar() or 0)
        conn.rollback()
    if pending_items(engine):
        raise SystemExit("journal items are pending from an earlier run: let a worker build them first")
    before = deadlocks(engine)
    tag = f"jr{int(time.time())}"
    rng = random.Random(args.seed)
    senders = [f"{tag}_{n}" for n in range(max(1, args.messages // 10))]
    bodies = [_body(tag, n, rng, senders, 1 - args.follow_up_ratio, "telegram") for n in range(args.messages)]
    os.environ["OTKLIK_EMBEDDED_WORKER"] = "off"
    with running_server(args.url, workers=args.workers) as server, job_workers(args.url, args.job_workers):
        health = asyncio.run(fire(server.base_url, token, None, args.health_requests, args.concurrency, prefer=False))
        fired = asyncio.run(fire(server.base_url, token, bodies, args.messages, args.concurrency, prefer=not args.sync))
        deadline = time.monotonic() + args.drain_timeout
        while (pending_items(engine) or pending_jobs(engine)) and time.monotonic() < deadline:
            time.sleep(0.5)
    total, owned = _new_tickets(engine, first_ticket)
    latencies: list[float] = fired["latencies"]
    health_rate = args.health_requests / health["wall"]
    rate = args.messages / fired["wall"]
    built, routed = build_seconds(engine, first_item, tag), routed_seconds(engine, first_ticket, tag)
    result: dict[str, object] = {
        "url": redact(args.url),
        "machine": machine_facts(engine),
        "mode": "sync" if args.sync else "respond-async",
        "messages": args.messages,
        "concurrency": args.concurrency,
        "server_processes": args.workers,
        "job_workers": args.job_workers,
        "follow_up_ratio": args.follow_up_ratio,
        "healthz_per_s": round(health_rate, 1),
        "healthz_latency_ms": summary_ms(health["latencies"]),
        "ack_per_s": round(rate, 1),
        "ack_share_of_healthz": round(rate / health_rate, 3),
        "statuses": fired["statuses"],
        "failures": fired["failures"],
        "ack_latency_ms": summary_ms(latencies),
        "ack_to_built_ms": summary_ms(built) if built else None,
        "ack_to_routed_ms": summary_ms(routed) if routed else None,
        "new_tickets": total,
        "owned": owned,
        "items_pending_at_end": pending_items(engine),
        "deadlocks": deadlocks(engine) - before,
    }
    _close_since(engine, first_ticket)  # the next run meets the same free capacity
    print(
        f"/healthz {result['healthz_per_s']}/s; {args.messages} messages ({result['mode']}) at {result['ack_per_s']}/s "
        f"= {result['ack_share_of_healthz']} of /healthz; statuses {fired['statuses']}, failures {fired['failures']}; "
        f"ack p50/p95/max {result['ack_latency_ms']}; ack→built {result['ack_to_built_ms']}; "
        f"ack→routed {result['ack_to_routed_ms']}; {owned} of {total} new tickets owned; "
        f"deadlocks {result['deadlocks']}; pending at the end {result['items_pending_at_end']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="a PostgreSQL database (prepared on first use)")
    parser.add_argument("--tickets", type=int, default=20_000, help="old tickets loaded on first use")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--job-workers", type=int, default=2, help="separate `otklik worker` processes")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--health-requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sync", action="store_true", help="wait for each message to be built (201)")
    parser.add_argument("--follow-up-ratio", type=float, default=0.5, help="share of messages that follow one up")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    write_json(args.json_out, run(args))


if __name__ == "__main__":
    main()

"""Deadlocks under the README's production deployment: PostgreSQL, ``serve --workers 2`` and two
separate ``otklik worker`` processes, triage and routing on, C concurrent clients (issue 13).

Posts M inbound messages over HTTP, a share of them follow-ups from senders who already wrote in the
run (so intake and the workers meet on the same ticket rows), waits until every job is done, then
reports the PostgreSQL ``deadlocks`` counter of the database before and after, HTTP statuses, the
slowest request, and how many new tickets got an owner.

    .venv/bin/python bench/intake_deadlocks.py --url postgresql+psycopg://postgres@127.0.0.1:5432/otklik_bench_routing
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Iterator

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from common import ADMIN_EMAIL, OTKLIK, machine_facts, mint_token, redact, running_server, stop, summary_ms, write_json
from intake_with_routing import _fire, _max_ticket, _new_tickets, prepare
from otklik.core.db import make_engine
from otklik.core.jobs import Job, JobState


def deadlocks(engine: Engine) -> int:
    """PostgreSQL's own count of deadlocks detected in this database since its statistics were reset."""
    database = make_url(str(engine.url)).database
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = :name"), {"name": database}
        ).scalar_one()
        conn.rollback()
    return int(count)


def pending_jobs(engine: Engine) -> int:
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(Job).where(Job.state == JobState.PENDING.value, Job.due_at <= func.now())
        ).scalar_one()
        conn.rollback()
    return int(count)


@contextlib.contextmanager
def job_workers(url: str, count: int) -> Iterator[None]:
    env = {**os.environ, "OTKLIK_DATABASE_URL": url}
    processes = [subprocess.Popen([str(OTKLIK), "worker", "--poll", "0.2"], env=env) for _ in range(count)]
    try:
        yield
    finally:
        for process in processes:
            stop(process)


def run(args: argparse.Namespace) -> dict[str, object]:
    prepare(args.url, args.tickets)
    engine = make_engine(args.url)
    token = mint_token(engine, ADMIN_EMAIL)
    first = _max_ticket(engine)
    before = deadlocks(engine)
    tag = f"dl{int(time.time())}"
    os.environ["OTKLIK_EMBEDDED_WORKER"] = "off"
    with running_server(args.url, workers=args.workers) as server, job_workers(args.url, args.job_workers):
        # a pool of this run's own senders: a later message from one of them follows its ticket up
        pool = [f"{tag}-{n}@senders.bench.otklik.test" if args.channel == "email" else f"{tag}_{n}"
                for n in range(max(1, args.messages // 10))]  # fmt: skip
        job = {"seed": args.seed, "run": tag, "senders": pool, "new_ratio": 1 - args.follow_up_ratio,
               "channel": args.channel}  # fmt: skip
        fired = asyncio.run(_fire(server.base_url, token, args.messages, args.concurrency, job))
        deadline = time.monotonic() + args.drain_timeout
        while pending_jobs(engine) and time.monotonic() < deadline:
            time.sleep(0.5)
    total, owned = _new_tickets(engine, first)
    latencies: list[float] = list(fired["latencies"])  # type: ignore[arg-type]
    result: dict[str, object] = {
        "url": redact(args.url),
        "machine": machine_facts(engine),
        "messages": args.messages,
        "concurrency": args.concurrency,
        "server_processes": args.workers,
        "job_workers": args.job_workers,
        "channel": args.channel,
        "follow_up_ratio": args.follow_up_ratio,
        "rate_per_s": round(args.messages / float(fired["wall"]), 1),  # type: ignore[arg-type]
        "statuses": fired["statuses"],
        "failures": fired["failures"],
        "latency_ms": summary_ms(latencies),
        "slowest_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "new_tickets": total,
        "owned": owned,
        "deadlocks": deadlocks(engine) - before,
        "jobs_left": pending_jobs(engine),
    }
    print(
        f"{args.messages} messages in {float(fired['wall']):.1f}s ({result['rate_per_s']}/s), statuses "  # type: ignore[arg-type]
        f"{fired['statuses']}, slowest {result['slowest_ms']} ms; {owned} of {total} new tickets owned; "
        f"deadlocks detected: {result['deadlocks']}; "
        f"jobs due at the end (timers that came due count too): {result['jobs_left']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="a PostgreSQL database (prepared on first use)")
    parser.add_argument("--tickets", type=int, default=20_000, help="old tickets loaded on first use")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--job-workers", type=int, default=2, help="separate `otklik worker` processes")
    parser.add_argument("--messages", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--channel", default="telegram", help="telegram (the bot reads it too), email, vk …")
    parser.add_argument("--follow-up-ratio", type=float, default=0.5, help="share of messages that follow one up")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    write_json(args.json_out, run(args))


if __name__ == "__main__":
    main()

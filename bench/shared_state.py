"""What the state shared by server processes costs (ADR 0005): a flood-bucket hit and a signal
read/write, in process memory and in PostgreSQL's UNLOGGED tables, from C threads at once.

    .venv/bin/python bench/shared_state.py --url postgresql+psycopg://postgres@127.0.0.1:5432/otklik_bench_shared

The database is created and migrated if missing. Every operation is timed on its own; the rate is
operations per second of wall time across the threads.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from common import machine_facts, redact, summary_ms, write_json
from otklik.core import clock
from otklik.core.limiter import DatabaseLimiter, Limiter, MemoryLimiter, Rate
from otklik.core.migrate import upgrade
from otklik.core.shared import open_shared
from otklik.core.signals import MemorySignals, Signals


def ensure_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    upgrade(url)


def timed(operation: Callable[[int], Any], count: int, threads: int) -> dict[str, float]:
    def one(n: int) -> float:
        start = time.perf_counter()
        operation(n)
        return time.perf_counter() - start

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        seconds = list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    return summary_ms(seconds) | {"ops_per_s": round(count / wall, 1)}


def measure(name: str, limiter: Limiter, signals: Signals, count: int, threads: int) -> dict[str, Any]:
    rate, run = Rate(burst=10, per_minute=20), random.getrandbits(32)
    tickets = [random.randint(10**12, 10**13) for _ in range(200)]

    def hit(n: int) -> None:
        limiter.hit(f"bench:{run}:{n % 500}", clock.now(), rate)  # 500 callers, most of them refused

    def put(n: int) -> None:
        now = clock.now()
        signals.put("customer_typing", tickets[n % 200], 0, "", now + timedelta(seconds=6) + timedelta(seconds=n))

    def read(n: int) -> None:
        signals.live(tickets[n % 200], clock.now())

    return {
        "store": name,
        "bucket_hit": timed(hit, count, threads),
        "signal_put": timed(put, count, threads),
        "signal_read": timed(read, count, threads),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()
    ensure_database(args.url)
    from otklik.core.db import make_engine

    engine = make_engine(args.url)
    shared = open_shared(engine, "database")
    assert isinstance(shared.limiter, DatabaseLimiter)
    rows = [
        measure("memory", MemoryLimiter(), MemorySignals(), args.count, args.threads),
        measure("postgresql", shared.limiter, shared.signals, args.count, args.threads),
    ]
    for row in rows:
        for what in ("bucket_hit", "signal_put", "signal_read"):
            figures = row[what]
            print(f"{row['store']:<11} {what:<12} p50 {figures['p50_ms']:>7.2f} ms  p95 {figures['p95_ms']:>7.2f} ms"
                  f"  {figures['ops_per_s']:>9.1f}/s")  # fmt: skip
    write_json(args.json, {"url": redact(args.url), "threads": args.threads, "count": args.count,
                           "machine": machine_facts(engine), "rows": rows})  # fmt: skip


if __name__ == "__main__":
    main()

"""Job engine throughput: how many due ``diagnostics.ping`` jobs per second W ``otklik worker`` processes fire.

A fresh database is migrated, W workers are started and waited for (each has opened the
database), then N due pings are inserted in one transaction; the clock runs from that commit
until every ping is ``done``. Afterwards the audit log is checked: one row per job, no more.

    .venv/bin/python bench/jobs_throughput.py --backend sqlite --workers 1 --jobs 20000
    .venv/bin/python bench/jobs_throughput.py --backend postgresql --workers 2 --jobs 20000

Results go to bench/results/jobs_<backend>_<W>w.json. Local only: SQLite under var/, PostgreSQL
on the server of --pg-server (127.0.0.1 by default), database otklik_bench_jobs, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.jobs import Job
from otklik.core.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OTKLIK = Path(sys.executable).parent / "otklik"
PING = "diagnostics.ping"
PG_DB = "otklik_bench_jobs"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def fresh_database(backend: str, pg_server: str) -> str:
    if backend == "sqlite":
        path = ROOT / "var" / "bench_jobs.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        with admin(pg_server) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
        url = make_url(pg_server).set(database=PG_DB).render_as_string(hide_password=False)
    upgrade(url)
    return url


@contextmanager
def admin(pg_server: str) -> Iterator[Any]:
    engine = create_engine(pg_server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def cpu_ticks(pid: int) -> int:
    """utime + stime of one process, 0 when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def postgres_ticks(skip: int) -> dict[int, int]:
    """CPU ticks of each local postgres backend serving the benchmark's database (their title names it).

    ``skip`` is the benchmark's own polling backend; other databases on the shared server, the WAL
    writer and the checkpointer are left out.
    """
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != skip:
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {PG_DB} " in title:
                ticks[int(entry.name)] = cpu_ticks(int(entry.name))
    return ticks


def machine_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def opened_database(process: subprocess.Popen[bytes], url: str, name: str, engine: Engine) -> bool:
    """A worker is ready once it holds a connection: it has imported everything and entered its loop."""
    if url.startswith("sqlite"):
        target = str(make_url(url).database)
        try:
            return any(os.readlink(fd) == target for fd in Path(f"/proc/{process.pid}/fd").iterdir())
        except OSError:
            return False
    with engine.connect() as conn:
        seen = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"), {"n": name})
        return bool(seen.scalar_one())


def start_workers(url: str, first: int, count: int, batch: int, logs: Path, tag: str) -> list[subprocess.Popen[bytes]]:
    processes = []
    for number in range(first, first + count):
        name = f"bench_worker_{number}"
        worker_url = url
        if url.startswith("postgresql"):
            worker_url = make_url(url).update_query_dict({"application_name": name}).render_as_string(False)
        with (logs / f"{tag}_{name}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [str(OTKLIK), "worker", "--poll", "0.1", "--batch", str(batch)],
                    env={**os.environ, "OTKLIK_DATABASE_URL": worker_url},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    return processes


def wait(what: str, ready: Any, processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a worker exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def count(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), {"k": PING}).one()


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = fresh_database(args.backend, args.pg_server)
    look = create_engine(url, pool_size=1)  # plain reads (no BEGIN IMMEDIATE on SQLite), one kept connection
    logs = ROOT / "var"
    logs.mkdir(exist_ok=True)
    tag = f"jobs_{args.backend}_{args.workers}w"
    processes = start_workers(url, 0, 1, args.batch, logs, tag)
    load_before = os.getloadavg()
    try:
        # the first worker creates the periodic jobs before the others start: workers starting at the
        # same moment on a fresh database race in ensure_periodic and one dies (see docs/performance.md)
        periodic = "SELECT count(*) FROM jobs WHERE key LIKE 'periodic:%'"
        wait("the periodic jobs", lambda: count(look, periodic)[0] > 0, processes, 60)
        processes += start_workers(url, 1, args.workers - 1, args.batch, logs, tag)
        for number, process in enumerate(processes):
            name = f"bench_worker_{number}"
            wait(f"{name} to open the database", lambda p=process, n=name: opened_database(p, url, n, look), [], 60)

        poller = count(look, "SELECT pg_backend_pid()")[0] if args.backend == "postgresql" else 0
        now = datetime.now(UTC)
        row = {"kind": PING, "payload": {}, "state": "pending", "due_at": now, "created_at": now}
        writer = make_engine(url)
        started = time.monotonic()
        with unit_of_work(make_session_factory(writer)) as session:
            session.execute(insert(Job), [{**row, "attempts": 0, "max_attempts": 3} for _ in range(args.jobs)])
        writer.dispose()
        committed = time.monotonic()
        ticks0 = [cpu_ticks(p.pid) for p in processes], postgres_ticks(poller), machine_busy()

        done_sql = "SELECT count(*) FROM jobs WHERE kind = :k AND state = 'done'"
        wait("every ping done", lambda: count(look, done_sql)[0] >= args.jobs, processes, args.timeout)
        finished = time.monotonic()
        ticks1 = [cpu_ticks(p.pid) for p in processes], postgres_ticks(poller), machine_busy()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    audit = count(
        look, "SELECT count(*), count(DISTINCT entity_id) FROM audit_events WHERE action = 'diagnostics.ping'"
    )
    per_worker = count(look, "SELECT count(DISTINCT worker), max(attempts) FROM jobs WHERE kind = :k")
    database = "SQLite " + sqlite3.sqlite_version
    if args.backend == "postgresql":
        database = count(look, "SELECT version()")[0].split(" on ")[0]
    look.dispose()
    if args.backend == "postgresql" and not args.keep:
        with admin(args.pg_server) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))

    seconds = finished - committed
    worker_cpu = sum(b - a for a, b in zip(ticks0[0], ticks1[0], strict=True)) / CLK_TCK
    # backends alive at the end (the workers'); one that started during the run counts from zero
    postgres_cpu = sum(t - ticks0[1].get(pid, 0) for pid, t in ticks1[1].items()) / CLK_TCK
    busy = (ticks1[2][0] - ticks0[2][0]) / max(1, ticks1[2][1] - ticks0[2][1])
    return {
        "benchmark": "jobs_throughput",
        "backend": args.backend,
        "database": database,
        "workers": args.workers,
        "jobs": args.jobs,
        "batch": args.batch,
        "schedule_s": round(committed - started, 2),
        "seconds": round(seconds, 2),
        "jobs_per_s": round(args.jobs / seconds),
        "exactly_once": audit[0] == audit[1] == args.jobs and per_worker[1] == 1,
        "audit_rows": audit[0],
        "distinct_job_ids": audit[1],
        "workers_that_ran_jobs": per_worker[0],
        "cpu_s": {
            "workers": round(worker_cpu, 2),
            "postgres": round(postgres_cpu, 2) if args.backend == "postgresql" else None,
        },
        "cpu_ms_per_job_in_workers": round(1000 * worker_cpu / args.jobs, 3),
        "cpu_ms_per_job_in_postgres": round(1000 * postgres_cpu / args.jobs, 3)
        if args.backend == "postgresql"
        else None,
        "machine": {
            "nproc": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "busy_pct_during_run": round(100 * busy, 1),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(),
            "python": platform.python_version(),
            "taken_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        "command": " ".join([".venv/bin/python", "bench/jobs_throughput.py", *sys.argv[1:]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200, help="jobs per claiming transaction (worker --batch)")
    parser.add_argument("--pg-server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--json-out", help="default: bench/results/jobs_<backend>_<W>w.json")
    args = parser.parse_args()
    if args.backend == "sqlite" and args.workers != 1:
        parser.error("SQLite runs one worker (BEGIN IMMEDIATE serialises claimers anyway)")

    result = run(args)
    print(
        f"{args.backend} workers={args.workers} jobs={args.jobs} batch={args.batch}: "
        f"{result['jobs_per_s']} jobs/s ({result['seconds']}s), exactly once: {result['exactly_once']}, "
        f"worker CPU {result['cpu_ms_per_job_in_workers']} ms/job, "
        f"load {result['machine']['loadavg_before'][0]} -> {result['machine']['loadavg_after'][0]} "
        f"on {result['machine']['nproc']} cores"
    )
    target = Path(args.json_out) if args.json_out else RESULTS / f"jobs_{args.backend}_{args.workers}w.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"results written to {target}")
    if not result["exactly_once"]:
        sys.exit("some ping did not run exactly once")


if __name__ == "__main__":
    main()

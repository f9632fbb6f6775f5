"""Intake throughput with triage and routing on, against the same intake without them.

Starts ``otklik serve`` with its embedded worker (or, with ``--separate-worker``, beside ``otklik worker``
in its own process, the PostgreSQL deployment) against ``--url`` and posts M inbound messages over
HTTP (127.0.0.1, a bare keep-alive client, C in flight) — alternately with the pipeline off
(``OTKLIK_ROUTING_ENABLED=0`` plus any ``--off-env``) and on — so both see the same machine, the same
database growing the same way, and the same load. For the "on" runs it also waits for the worker to
route every new ticket and reports how long that took and how many ended up with an owner.

    .venv/bin/python bench/intake_with_routing.py --url sqlite:///./var/bench_routing.db --messages 3000 --pairs 3

The database is prepared on first use: migrated, the bench desk loaded by ``load_tickets.py`` (40 agents in
five teams, ``--tickets`` old tickets), and every agent set online with a capacity of 100, so routing
does its full work (skills, languages, loads, the returning customer) on every new ticket. After each
run its tickets are closed in bulk, so every run starts from the same loads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from common import (
    ADMIN_EMAIL,
    BENCH_ACTOR,
    OTKLIK,
    ROOT,
    CpuMeter,
    machine_facts,
    mint_token,
    redact,
    running_server,
    stop,
    summary_ms,
    write_json,
)
from inbound_throughput import RawHttp, sample_senders
from otklik.agents.models import Agent
from otklik.channels.base import InboundMessage
from otklik.core import jobs
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.jobs import Job, JobState
from otklik.core.migrate import upgrade
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import do_receive_inbound
from otklik.routing.presence import do_set_languages, do_set_presence, do_set_skills_and_capacity
from otklik.routing.rules import Presence
from otklik.tickets.models import Ticket
from otklik.triage.settings import get_triage_settings
from otklik.worker import registry

TEXTS = (
    "Здравствуйте! Поставка {n} висит в статусе «в пути» третий день, подскажите, что с ней.",
    "Добрый день, не пришла выплата за неделю, номер отчёта {n}.",
    "Hello, my order {n} has not arrived yet, could you check?",
    "Стою на складе, поставку {n} не принимают, говорят нет слота.",
    "Карточка {n} не проходит модерацию уже неделю.",
)


def prepare(url: str, tickets: int) -> None:
    """Migrate; load the bench desk if it is not there; every agent online, room for the whole run."""
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        agents = conn.execute(select(func.count()).select_from(Agent)).scalar_one()
        conn.rollback()
    if agents == 0:
        loader = [sys.executable, str(ROOT / "bench" / "load_tickets.py"), "--url", url, "--tickets", str(tickets)]
        subprocess.run(loader, check=True)
    with unit_of_work(make_session_factory(engine)) as session:
        for number, agent in enumerate(session.scalars(select(Agent).where(Agent.active.is_(True))), 1):
            do_set_presence(session, agent, Presence.ONLINE, actor=BENCH_ACTOR)
            if agent.capacity < 100:
                do_set_skills_and_capacity(session, agent, capacity=100, actor=BENCH_ACTOR)
            if number % 3 == 0:
                do_set_languages(session, agent, ["ru", "en"], actor=BENCH_ACTOR)
    engine.dispose()


def _body(
    run: str, index: int, rng: random.Random, senders: list[str], new_ratio: float, channel: str = "email"
) -> bytes:
    """One inbound message: from one of ``senders`` (a follow-up) or, ``new_ratio`` of the time, a new one."""
    if senders and rng.random() >= new_ratio:
        sender = rng.choice(senders)
    elif channel == "email":
        sender = f"route-{run}-{index}@senders.bench.otklik.test"
    else:
        sender = f"route_{run}_{index}"
    return json.dumps(
        {
            "channel": channel,
            "external_id": f"route-{run}-{index}",
            "sender": {"kind": channel, "value": sender, "display_name": "Бенчмарк Клиент"},
            "text": rng.choice(TEXTS).format(n=rng.randint(10**6, 10**7)),
        }
    ).encode()


async def _fire(base: str, token: str, total: int, concurrency: int, job: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(job["seed"])
    queue = list(reversed(range(total)))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures = 0
    host, port = base.removeprefix("http://").split(":")

    async def worker() -> None:
        nonlocal failures
        conn = RawHttp(host, int(port), token)
        while queue:
            body = _body(job["run"], queue.pop(), rng, job["senders"], job["new_ratio"], job.get("channel", "email"))
            t0 = time.perf_counter()
            try:
                status = await conn.request("POST", "/api/v1/messages/inbound", body)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                failures += 1
                conn.close()
                continue
            latencies.append(time.perf_counter() - t0)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"wall": time.perf_counter() - started, "latencies": latencies, "statuses": statuses, "failures": failures}


def _pending_routes(engine: Engine) -> int:
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == "routing.route", Job.state == JobState.PENDING.value)
        ).scalar_one()
        conn.rollback()
    return int(count)


def _new_tickets(engine: Engine, since_id: int) -> tuple[int, int]:
    """Tickets created after ``since_id``: how many, and how many have an owner."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Ticket).where(Ticket.id > since_id)).scalar_one()
        owned = conn.execute(
            select(func.count()).select_from(Ticket).where(Ticket.id > since_id, Ticket.assignee_id.is_not(None))
        ).scalar_one()
        conn.rollback()
    return int(total), int(owned)


def _close_since(engine: Engine, since_id: int) -> None:
    """Bench bookkeeping, not a product path: the run's tickets are closed in bulk, so every run
    starts from the same loads (capacity stays the same constraint, run after run)."""
    with engine.begin() as conn:
        conn.execute(update(Ticket).where(Ticket.id > since_id).values(status="closed"))


def _max_ticket(engine: Engine) -> int:
    with engine.connect() as conn:
        top = conn.execute(select(func.max(Ticket.id))).scalar() or 0
        conn.rollback()
    return int(top)


@contextlib.contextmanager
def running_worker(url: str, separate: bool) -> Iterator[subprocess.Popen[bytes] | None]:
    """``otklik worker`` in its own process (the deployment ``architecture.md`` names), or nothing
    when the server runs its embedded worker."""
    if not separate:
        yield None
        return
    command = [str(OTKLIK), "worker", "--poll", "0.2"]
    process = subprocess.Popen(command, env={**os.environ, "OTKLIK_DATABASE_URL": url})
    try:
        yield process
    finally:
        stop(process)


def one_run(args: argparse.Namespace, mode: str, token: str, senders: list[str]) -> dict[str, Any]:
    """One server start, M messages, with the pipeline ``on`` or ``off``."""
    saved = _switch(mode, args.off_env)
    saved.setdefault("OTKLIK_EMBEDDED_WORKER", os.environ.get("OTKLIK_EMBEDDED_WORKER"))
    # the worker runs in both modes: inside the server, or (--separate-worker) in its own process
    os.environ["OTKLIK_EMBEDDED_WORKER"] = "off" if args.separate_worker else "on"
    engine = make_engine(args.url)
    first = _max_ticket(engine)
    job = {"run": uuid.uuid4().hex[:8], "seed": args.seed, "senders": senders, "new_ratio": args.new_sender_ratio}
    database = engine.url.database if engine.dialect.name == "postgresql" else None
    try:
        with (
            running_server(args.url, workers=args.workers) as server,
            running_worker(args.url, args.separate_worker) as worker,
        ):
            asyncio.run(_fire(server.base_url, token, min(100, args.messages), 8, {**job, "run": job["run"] + "w"}))
            meter = CpuMeter(server.process.pid, database)
            worker_meter = CpuMeter(worker.pid if worker is not None else None, None)
            meter.start()
            worker_meter.start()
            fired = asyncio.run(_fire(server.base_url, token, args.messages, args.concurrency, job))
            cpu = meter.stop()
            cpu["worker_cores"] = worker_meter.stop()["server_cores"]
            behind = _pending_routes(engine)
            drained_after = 0.0
            if mode == "on":
                t0 = time.perf_counter()
                while _pending_routes(engine) and time.perf_counter() - t0 < args.drain_timeout:
                    time.sleep(0.2)
                drained_after = time.perf_counter() - t0
            total, owned = _new_tickets(engine, first)
        _close_since(engine, first)
    finally:
        _restore(saved)
        engine.dispose()
    created = fired["statuses"].get("201", 0)
    result = {
        "mode": mode,
        "messages": args.messages,
        "created_201": created,
        "errors": fired["failures"] + sum(n for s, n in fired["statuses"].items() if s != "201"),
        "wall_s": round(fired["wall"], 2),
        "msgs_per_s": round(created / fired["wall"], 1),
        "latency": summary_ms(fired["latencies"]) if fired["latencies"] else {},
        "server_cores": cpu["server_cores"],
        "worker_cores": cpu["worker_cores"],
        "postgres_cores": cpu.get("postgres_cores", 0.0),
        "machine_busy_pct": cpu["machine_busy_pct"],
        "routes_pending_at_last_message": behind,
        "new_tickets": total,
        "owned_tickets": owned,
        "routing_drain_s": round(drained_after, 2),
    }
    print(
        f"{mode:>3}: {created:,} stored in {fired['wall']:.1f}s = {result['msgs_per_s']:,} msgs/s; "
        f"p50 {result['latency'].get('p50_ms')} ms, p95 {result['latency'].get('p95_ms')} ms; "
        f"{owned:,} of {total:,} new tickets owned"
        + (f" ({behind} waiting at the last message, all routed {drained_after:.1f}s after it)" if mode == "on" else "")
        + f"; cores: server {cpu['server_cores']}, worker {cpu['worker_cores']}, "
        f"postgres {cpu.get('postgres_cores', 0.0)}; machine {cpu['machine_busy_pct']}% busy"
    )
    return result


def _switch(mode: str, off_env: list[str]) -> dict[str, str | None]:
    """Set the environment of ``mode`` in this process; returns what to restore."""
    env = {"OTKLIK_ROUTING_ENABLED": "1" if mode == "on" else "0"}
    for item in off_env:
        key, value = item.split("=", 1)
        env[key] = value if mode == "off" else os.environ.get(key, "1")
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    get_triage_settings.cache_clear()
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    get_triage_settings.cache_clear()


def _drain(factory: sessionmaker[Session]) -> None:
    """Run every due job, as the worker would, until none is left."""
    while jobs.run_due(factory, worker="bench-cpu", batch=200):
        pass


def cpu_accounting(args: argparse.Namespace, senders: list[str]) -> dict[str, Any]:
    """CPU per message through the action layer, in this process: intake, then the worker draining
    what intake scheduled, timed per job kind. CPU per unit of work hardly depends on how busy the
    shared machine is, so this is the steadier of the two comparisons."""
    registry.load()
    spent: dict[str, list[float]] = {}
    for kind, spec in list(jobs._TASKS.items()):  # time each handler (a bench-only wrapper)

        def timed(session: Any, job: Any, _handler: Any = spec.handler, _kind: str = kind) -> Any:
            t0 = time.process_time()
            try:
                return _handler(session, job)
            finally:
                spent.setdefault(_kind, []).append(time.process_time() - t0)

        jobs._TASKS[kind] = replace(spec, handler=timed)
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    rng = random.Random(args.seed)
    result: dict[str, Any] = {}
    for mode in ("off", "on", "off", "on"):
        saved = _switch(mode, args.off_env)
        _drain(factory)  # old tickets' timers that came due meanwhile are not this window's work
        first = _max_ticket(engine)
        spent.clear()
        tag = uuid.uuid4().hex[:8]
        t0 = time.process_time()
        for index in range(args.cpu_messages):
            body = json.loads(_body(tag, index, rng, senders, args.new_sender_ratio))
            inbound = InboundMessage(
                channel=Channel.EMAIL,
                external_id=body["external_id"],
                sender_kind=IdentityKind.EMAIL,
                sender_value=body["sender"]["value"],
                text=body["text"],
            )
            with unit_of_work(factory) as session:
                do_receive_inbound(session, inbound)
        intake = time.process_time() - t0
        t0 = time.process_time()
        _drain(factory)
        worker = time.process_time() - t0
        _restore(saved)
        total, owned = _new_tickets(engine, first)
        _close_since(engine, first)
        n = args.cpu_messages
        kinds = {k: round(1000 * sum(v) / n, 2) for k, v in sorted(spent.items())}
        row = {
            "intake_ms_per_message": round(1000 * intake / n, 2),
            "worker_ms_per_message": round(1000 * worker / n, 2),
            "handlers_ms_per_message": kinds,
            "new_tickets": total,
            "owned": owned,
        }
        result.setdefault(mode, []).append(row)
        print(
            f"cpu {mode:>3}: intake {row['intake_ms_per_message']} ms/message, worker {row['worker_ms_per_message']} "
            f"ms/message ({', '.join(f'{k} {v}' for k, v in kinds.items())}); {owned} of {total} new tickets owned"
        )
    engine.dispose()

    def per_message(mode: str) -> float:
        rows = result[mode]
        return statistics.median(r["intake_ms_per_message"] + r["worker_ms_per_message"] for r in rows)

    result["ms_per_message_off"] = round(per_message("off"), 2)
    result["ms_per_message_on"] = round(per_message("on"), 2)
    result["projected_on_over_off"] = round(per_message("off") / per_message("on"), 3)
    print(
        f"cpu: {result['ms_per_message_off']} ms a message off, {result['ms_per_message_on']} ms on "
        f"-> when the CPU is the limit, on/off throughput {result['projected_on_over_off']}"
    )
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    prepare(args.url, args.tickets)
    engine = make_engine(args.url)
    token = mint_token(engine, ADMIN_EMAIL)
    senders = sample_senders(engine, 5_000, args.seed)
    facts = machine_facts(engine)
    engine.dispose()
    cpu = cpu_accounting(args, senders) if args.cpu_messages else {}
    runs = []
    for pair in range(args.pairs):
        order = ("off", "on") if pair % 2 == 0 else ("on", "off")  # alternate, so growth and drift fall on both
        for mode in order:
            runs.append(one_run(args, mode, token, senders))
    result: dict[str, Any] = {
        "benchmark": "intake_with_routing",
        "url": redact(args.url),
        "workers": args.workers,
        "separate_worker": args.separate_worker,
        "messages_per_run": args.messages,
        "concurrency": args.concurrency,
        "new_sender_ratio": args.new_sender_ratio,
        "off_env": ["OTKLIK_ROUTING_ENABLED=0", *args.off_env],
        "on_env": ["OTKLIK_ROUTING_ENABLED=1", *(f"{i.split('=', 1)[0]}=1" for i in args.off_env)],
        "cpu_accounting": cpu,
        "runs": runs,
        "machine": facts,
        "loadavg_after": list(os.getloadavg()),
    }
    if runs:
        off = statistics.median(r["msgs_per_s"] for r in runs if r["mode"] == "off")
        on = statistics.median(r["msgs_per_s"] for r in runs if r["mode"] == "on")
        pairwise = []
        for a, b in zip(runs[::2], runs[1::2], strict=True):
            by_mode = {a["mode"]: a["msgs_per_s"], b["mode"]: b["msgs_per_s"]}
            pairwise.append(round(by_mode["on"] / by_mode["off"], 3))
        result |= {
            "median_off_msgs_per_s": off,
            "median_on_msgs_per_s": on,
            "on_over_off": round(on / off, 3),
            "pairwise_on_over_off": pairwise,
            "within_10_percent": on / off >= 0.9,
        }
        print(
            f"http median: off {off} msgs/s, on {on} msgs/s -> on/off {on / off:.3f} (pairwise {pairwise}); "
            f"{'within' if on / off >= 0.9 else 'NOT within'} 10%"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=f"sqlite:///{ROOT / 'var' / 'bench_routing.db'}")
    parser.add_argument("--tickets", type=int, default=20_000, help="old tickets loaded on first use")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--messages", type=int, default=3_000, help="messages per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=3, help="off/on pairs over HTTP (alternating order)")
    parser.add_argument(
        "--cpu-messages", type=int, default=500, help="messages per mode through the action layer (0: skip)"
    )
    parser.add_argument("--new-sender-ratio", type=float, default=1.0, help="1.0: every message opens a new ticket")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument(
        "--off-env",
        action="append",
        default=None,
        help="KEY=VALUE for the off runs besides OTKLIK_ROUTING_ENABLED=0 (default: OTKLIK_TRIAGE_ENABLED=0)",
    )
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="run `otklik worker` as its own process beside `otklik serve` (default: the embedded worker)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    args.off_env = args.off_env if args.off_env is not None else ["OTKLIK_TRIAGE_ENABLED=0"]
    write_json(args.json_out or str(Path("bench/results") / "intake_with_routing.json"), run(args))


if __name__ == "__main__":
    main()

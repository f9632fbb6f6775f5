"""CPU and SQL statements per inbound message, in-process: the domain and ORM cost without HTTP.

Authenticates with a token and calls ``do_receive_inbound`` + commit for M messages one
after another (same sender mix as inbound_throughput.py), measuring this process's CPU
time. CPU time moves far less than throughput when other work shares the machine, so
this is the figure to compare two versions of the intake path with (set PYTHONPATH to
each version's ``src``).

    .venv/bin/python bench/intake_cpu.py --url postgresql+psycopg://postgres@127.0.0.1:5432/otklik_bench --messages 500
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from typing import Any

from sqlalchemy import event

import otklik
from common import ADMIN_EMAIL, BENCH_ENV, machine_facts, mint_token, redact, write_json
from inbound_throughput import payload, sample_followups, sample_senders
from otklik.agents.queries import agent_for_token, principal_of
from otklik.core.db import make_engine, make_session_factory
from otklik.core.migrate import upgrade
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import InboundMessage, do_receive_inbound

WARMUP = 100


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.update(BENCH_ENV)  # before the settings are first read, as the server gets them
    upgrade(args.url)
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    token = mint_token(engine, ADMIN_EMAIL)
    job = {
        "new_ratio": args.new_sender_ratio,
        "followup_ratio": args.followup_ratio,
        "senders": sample_senders(engine, 20_000, args.seed),
        "followups": sample_followups(engine, 5_000),
    }
    run_id, rng = uuid.uuid4().hex[:10], random.Random(args.seed)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    def one(index: int) -> None:
        body = payload(run_id, index, rng, job)
        with factory() as session:
            agent = agent_for_token(session, token)
            assert agent is not None
            principal_of(agent)
            inbound = InboundMessage(
                Channel.EMAIL,
                body["external_id"],
                IdentityKind.EMAIL,
                body["sender"]["value"],
                body["text"],
                display_name=body["sender"]["display_name"],
                subject=body["subject"],
            )
            do_receive_inbound(session, inbound)
            session.commit()

    for i in range(WARMUP):
        one(i)
    event.listen(engine, "before_cursor_execute", count)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(WARMUP, WARMUP + args.messages):
        one(i)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    event.remove(engine, "before_cursor_execute", count)
    result = {
        "benchmark": "intake_cpu",
        "url": redact(args.url),
        "otklik": otklik.__file__,
        "messages": args.messages,
        "cpu_ms_per_msg": round(1000 * cpu / args.messages, 2),
        "wall_ms_per_msg": round(1000 * wall / args.messages, 2),
        "statements_per_msg": round(statements[0] / args.messages, 1),
        "machine": machine_facts(engine),
    }
    engine.dispose()
    print(
        f"{result['cpu_ms_per_msg']} ms CPU and {result['statements_per_msg']} SQL statements per message "
        f"({result['wall_ms_per_msg']} ms wall, sequential; {args.messages} messages; otklik from {otklik.__file__})"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a database loaded by load_tickets.py")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--new-sender-ratio", type=float, default=0.3)
    parser.add_argument("--followup-ratio", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    write_json(args.json_out, run(args))


if __name__ == "__main__":
    main()

"""Agent queue latency: the first page of «my open tickets» and of the team queue, p50/p95 over K runs.

Measured twice: through ``otklik.tickets.queries.list_tickets`` directly (a fresh session per
run, as a request has) and over HTTP ``GET /api/v1/tickets`` against the real server
(one worker, sequential requests). Prints the EXPLAIN plan of each query to show which
index it uses.

    .venv/bin/python bench/queue_latency.py --url sqlite:///./var/bench.db --runs 300
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from common import (
    agent_email,
    machine_facts,
    mint_token,
    redact,
    running_server,
    summary_ms,
    wait_for_quiet,
    write_json,
)
from otklik.agents.models import Agent
from otklik.agents.queries import get_agent_by_email, principal_of
from otklik.agents.rules import Principal
from otklik.core.db import make_engine, make_session_factory
from otklik.core.migrate import upgrade
from otklik.tickets.models import Ticket
from otklik.tickets.queries import TicketFilter, list_tickets

PAGE = 50
TOTAL_AGENTS = 40  # as load_tickets.py creates them


@dataclass(frozen=True, eq=False)
class Scenario:
    """One queue as an agent opens it: a filter for the function, the same as query parameters for HTTP."""

    name: str
    email: str
    flt: TicketFilter
    params: dict[str, str]
    second_page: bool = False


def scenarios(session: Session, agents: int) -> list[Scenario]:
    """«My open tickets» for ``agents`` agents and the open queue of each of their teams, plus a keyset page 2."""
    found: list[Scenario] = []
    for number in sorted({1 + i * TOTAL_AGENTS // agents for i in range(agents)}):  # spread over the teams
        email = agent_email(number)
        agent = get_agent_by_email(session, email)
        found.append(
            Scenario(
                "my_open",
                email,
                TicketFilter(statuses=("new", "open"), assignee=agent.id),
                {"status": "new,open", "assignee": "me"},
            )
        )
        team_id = agent.teams[0].id
        team = TicketFilter(statuses=("open",), team_id=team_id)
        params = {"status": "open", "team": str(team_id)}
        found.append(Scenario("team_open", email, team, params))
        found.append(Scenario("team_open_page2", email, team, params, second_page=True))
    return found


def _principals(session: Session, emails: set[str]) -> dict[str, Principal]:
    result = {}
    for email in emails:
        agent: Agent = get_agent_by_email(session, email)
        result[email] = principal_of(agent)
    return result


def time_function(factory: sessionmaker[Session], cases: list[Scenario], runs: int) -> dict[str, Any]:
    """Latency of ``list_tickets`` (query + ORM objects), a fresh session per call, cases in rotation."""
    with factory() as session:
        principals = _principals(session, {c.email for c in cases})
        cursors = {}
        for case in cases:
            if case.second_page:
                _, cursors[case] = list_tickets(session, principals[case.email], case.flt, limit=PAGE, cursor=None)
    timings: dict[str, list[float]] = {}
    rows: dict[str, list[int]] = {}
    for i in range(runs * len({c.name for c in cases})):
        case = cases[i % len(cases)]
        t0 = time.perf_counter()
        with factory() as session:
            page, _ = list_tickets(
                session,
                principals[case.email],
                case.flt,
                limit=PAGE,
                cursor=cursors.get(case) if case.second_page else None,
            )
        timings.setdefault(case.name, []).append(time.perf_counter() - t0)
        rows.setdefault(case.name, []).append(len(page))
    return {
        name: summary_ms(values) | {"avg_rows": round(sum(rows[name]) / len(rows[name]), 1)}
        for name, values in timings.items()
    }


def time_http(engine: Engine, url: str, cases: list[Scenario], runs: int) -> dict[str, Any]:
    """Latency of GET /api/v1/tickets (auth, query, serialisation) on a one-worker server, sequential."""
    tokens = {email: mint_token(engine, email) for email in {c.email for c in cases}}
    timings: dict[str, list[float]] = {}
    with running_server(url, workers=1) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        cursors: dict[Scenario, str] = {}
        for case in cases:
            headers = {"authorization": f"Bearer {tokens[case.email]}"}
            response = client.get("/api/v1/tickets", params={**case.params, "limit": str(PAGE)}, headers=headers)
            response.raise_for_status()
            if case.second_page and response.json()["next_cursor"]:
                cursors[case] = response.json()["next_cursor"]
        for i in range(runs * len({c.name for c in cases})):
            case = cases[i % len(cases)]
            params = {**case.params, "limit": str(PAGE)}
            if case.second_page and case in cursors:
                params["cursor"] = cursors[case]
            headers = {"authorization": f"Bearer {tokens[case.email]}"}
            t0 = time.perf_counter()
            response = client.get("/api/v1/tickets", params=params, headers=headers)
            timings.setdefault(case.name, []).append(time.perf_counter() - t0)
            response.raise_for_status()
    return {name: summary_ms(values) for name, values in timings.items()}


def capture_sql(engine: Engine, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements (with driver-ready parameters) that ``action`` sends."""
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def explain(engine: Engine, factory: sessionmaker[Session], cases: list[Scenario]) -> dict[str, Any]:
    """The plan of each scenario's main query (the first statement ``list_tickets`` sends)."""
    plans: dict[str, Any] = {}
    postgres = engine.dialect.name == "postgresql"
    done: set[str] = set()
    for case in cases:
        if case.name in done:
            continue
        done.add(case.name)
        with factory() as session:
            who = principal_of(get_agent_by_email(session, case.email))
            cursor = None
            if case.second_page:
                _, cursor = list_tickets(session, who, case.flt, limit=PAGE, cursor=None)
            statements = capture_sql(
                engine, lambda s=session, w=who, c=case, k=cursor: list_tickets(s, w, c.flt, limit=PAGE, cursor=k)
            )
        statement, parameters = next((s, p) for s, p in statements if "FROM tickets" in s)
        prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(prefix + statement, parameters)
            lines = [" | ".join(str(x) for x in row) if not postgres else str(row[0]) for row in cur.fetchall()]
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        plans[case.name] = {"sql": statement, "plan": lines, "statements_per_call": len(statements)}
        print(f"\n--- {case.name}: {len(statements)} statement(s) per call; plan of the main query:")
        print("\n".join(lines))
    return plans


def run(args: argparse.Namespace) -> dict[str, Any]:
    upgrade(args.url)
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    with factory() as session:
        cases = scenarios(session, args.agents)
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 0
    quiet = wait_for_quiet(args.quiet_wait) if args.quiet_wait else {}
    facts = machine_facts(engine)
    print(f"{tickets:,} tickets; {len(cases)} queue scenarios; {args.runs} runs each")
    plans = explain(engine, factory, cases)
    for case in cases:  # warm the caches the way a running desk has them warm
        with factory() as session:
            list_tickets(
                session, principal_of(get_agent_by_email(session, case.email)), case.flt, limit=PAGE, cursor=None
            )
    function = time_function(factory, cases, args.runs)
    http = time_http(engine, args.url, cases, args.runs) if args.http else {}
    engine.dispose()
    print(f"\n{'scenario':<18} {'via':<9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for via, table in (("function", function), ("http", http)):
        for name, s in table.items():
            print(f"{name:<18} {via:<9} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8} {s['max_ms']:>8}")
    print(f"load average before: {facts['loadavg']}, after: {machine_facts()['loadavg']}")
    return {
        "benchmark": "queue_latency",
        "url": redact(args.url),
        "tickets": tickets,
        "page": PAGE,
        "runs_per_scenario": args.runs,
        "agents": args.agents,
        "function": function,
        "http": http,
        "plans": plans,
        "machine": facts,
        "quiet_wait": quiet,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a database loaded by load_tickets.py")
    parser.add_argument("--runs", type=int, default=300, help="timed calls per scenario")
    parser.add_argument("--agents", type=int, default=10, help="agents whose queues are rotated through")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip the HTTP measurement")
    parser.add_argument(
        "--quiet-wait", type=float, default=0, help="wait up to this many seconds for the shared machine to be quiet"
    )
    parser.add_argument("--json-out")
    args = parser.parse_args()
    write_json(args.json_out, run(args))


if __name__ == "__main__":
    main()

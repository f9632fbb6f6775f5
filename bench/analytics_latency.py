"""Support health at scale: the dashboard page (as a browser gets it), its API and the outlook,
timed on a PostgreSQL database loaded by ``load_tickets.py`` (1,000,000 tickets over a year).

``--enrich`` first gives the last 60 days the history the reports read, in SQL (``load_tickets.py``
writes tickets and one inbound message each, nothing else): first responses with their business-time
wait; an agent's reply per answered ticket and a second wait-ending reply for two in five; the checker's
record of each reply (8 % flagged); status changes (the customer's «решено» for half the closed
tickets, «не решено» for 5 % of the resolved); surveys for 30 % of the closed; SLA targets. Then
``ANALYZE``. Run it once per database.

The four default views are refreshed once, as ``analytics.refresh_dashboard`` does every five
minutes (timed). Then, one client, sequentially, against ``otklik serve --workers 2`` (the README's
deployment; no embedded worker): ``GET /agent/analytics`` with a signed-in admin's cookie (the
default view, read from its snapshot), the same per agent, the page for another period (27 days:
aggregated on the spot), ``GET /api/v1/analytics/health`` and ``/outlook`` (always aggregated on the
spot). Also ``EXPLAIN`` of the period scan.

    .venv/bin/python bench/analytics_latency.py --url postgresql+psycopg://postgres@127.0.0.1:5432/otklik_bench \\
        --enrich --runs 40 --json-out bench/results/analytics_latency_postgresql.json
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, text

from common import ADMIN_EMAIL, machine_facts, mint_token, redact, running_server, summary_ms, write_json
from otklik.agents.models import Agent
from otklik.agents.security import hash_password
from otklik.analytics import metrics, outlook
from otklik.analytics.queries import channel_parity
from otklik.analytics.snapshots import refresh
from otklik.core import clock
from otklik.core.db import make_engine, make_session_factory, unit_of_work

PASSWORD = "bench-dashboard-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

ENRICH = (
    # SLA targets and the first response (a quarter of an hour to six hours), its business time a bit less
    """UPDATE tickets SET
         first_response_due_at = created_at + interval '2 hours',
         resolution_due_at = created_at + interval '3 days',
         first_response_at = created_at + (random() * interval '6 hours'),
         first_response_business_seconds = (random() * 14000)::int
       WHERE created_at > now() - interval '60 days' AND status <> 'new'""",
    # an agent's reply per answered ticket, which ended the first wait
    """INSERT INTO messages (ticket_id, direction, public, channel, author_agent_id, text, placeholder,
                             wait_seconds, wait_business_seconds, delivery_state, created_at)
       SELECT id, 'outbound', true, channel, assignee_id, 'Ответ', false,
              extract(epoch FROM first_response_at - created_at)::int, first_response_business_seconds, 'sent',
              first_response_at
       FROM tickets WHERE first_response_at IS NOT NULL AND created_at > now() - interval '60 days'""",
    # two in five had a second wait, ended by another reply
    """INSERT INTO messages (ticket_id, direction, public, channel, author_agent_id, text, placeholder,
                             wait_seconds, wait_business_seconds, delivery_state, created_at)
       SELECT id, 'outbound', true, channel, assignee_id, 'Ещё ответ', false,
              (600 + random() * 20000)::int, (600 + random() * 9000)::int, 'sent',
              first_response_at + interval '1 day'
       FROM tickets WHERE first_response_at IS NOT NULL AND created_at > now() - interval '60 days'
         AND random() < 0.4""",
    # the checker's record of each reply
    """INSERT INTO audit_events (ticket_id, entity, entity_id, action, actor_kind, actor_id, actor_name, data,
                                 created_at)
       SELECT ticket_id, 'ticket', ticket_id, 'quality.reply_checked', 'agent', author_agent_id, 'bench',
              json_build_object('flagged', random() < 0.08, 'codes', json_build_array()), created_at
       FROM messages WHERE direction = 'outbound' AND created_at > now() - interval '61 days'""",
    # the customer's «решено» for half the closed tickets
    """INSERT INTO audit_events (ticket_id, entity, entity_id, action, actor_kind, actor_id, actor_name, data,
                                 created_at)
       SELECT id, 'ticket', id, 'ticket.status_changed', 'customer', customer_id, 'bench',
              json_build_object('from', 'solved', 'to', 'closed', 'cause', 'confirm'), coalesce(closed_at, updated_at)
       FROM tickets WHERE status = 'closed' AND created_at > now() - interval '60 days' AND random() < 0.5""",
    # «не решено» for 5 % of the resolved
    """INSERT INTO audit_events (ticket_id, entity, entity_id, action, actor_kind, actor_id, actor_name, data,
                                 created_at)
       SELECT id, 'ticket', id, 'ticket.status_changed', 'customer', customer_id, 'bench',
              json_build_object('from', 'solved', 'to', 'open', 'cause', 'reject_solution'), updated_at
       FROM tickets WHERE status IN ('solved', 'closed') AND created_at > now() - interval '60 days'
         AND random() < 0.05""",
    # surveys for 30 % of the closed
    """INSERT INTO ticket_surveys (ticket_id, customer_id, closing_at, solved, rating, created_at)
       SELECT id, customer_id, coalesce(closed_at, updated_at), random() < 0.8, 1 + (random() * 4)::int,
              coalesce(closed_at, updated_at) + interval '1 hour'
       FROM tickets WHERE status = 'closed' AND created_at > now() - interval '60 days' AND random() < 0.3""",
    "ANALYZE",
)


def enrich(engine: Engine) -> dict[str, float]:
    seconds = {}
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in ENRICH:
            started = time.perf_counter()
            connection.execute(text(statement))
            seconds[f"{len(seconds) + 1}: {' '.join(statement.split()[:3])}"] = round(time.perf_counter() - started, 1)
    return seconds


def admin_password(engine: Engine) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.query(Agent).filter(Agent.email == ADMIN_EMAIL).one()
        admin.password_hash = hash_password(PASSWORD)


def refresh_snapshots(engine: Engine, later: timedelta = timedelta()) -> float:
    """What ``analytics.refresh_dashboard`` does every five minutes (``later``: as if run then)."""
    started = time.perf_counter()
    with unit_of_work(make_session_factory(engine)) as session:
        refresh(session, clock.now() + later, ZoneInfo("Europe/Moscow"))
    spent = round(time.perf_counter() - started, 2)
    if later:  # put the snapshots back at the present for the timed requests
        refresh_snapshots(engine)
    return spent


def signed_in(client: httpx.Client) -> None:
    token = CSRF.search(client.get("/agent/login").text)
    assert token, "no CSRF token on the login page"
    form = {"csrf_token": token.group(1), "email": ADMIN_EMAIL, "password": PASSWORD}
    answer = client.post("/agent/login", data=form)
    assert answer.status_code == 303, answer.text


def timed(client: httpx.Client, path: str, runs: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    client.get(path, headers=headers).raise_for_status()  # warm
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        seconds.append(time.perf_counter() - started)
        response.raise_for_status()
    return {**summary_ms(seconds), "bytes": len(response.content)}


def parts(engine: Engine) -> dict[str, float]:
    """Where an on-the-spot aggregation spends its time: each part of the page in-process, in ms."""
    now, zone = clock.now(), ZoneInfo("Europe/Moscow")
    scope = metrics.Scope(now - timedelta(days=28), now, now)
    key = metrics.KEYS[metrics.Dimension.CHANNEL]
    steps = {
        "counts": lambda: metrics._counts(session, scope, key),
        "events": lambda: metrics._events(session, scope, key),
        "durations": lambda: metrics._durations(session, scope, key),
        "backlog": lambda: metrics._backlog(session, scope, key),
        "flows": lambda: outlook.flows(session, now),
        "public_weeks": lambda: outlook.public_weeks(session, now),
        "staffing_plans": lambda: outlook.live_plans(session, now, zone),
        "parity": lambda: channel_parity(session, since=now - timedelta(days=7), until=now),
    }
    spent = {}
    with unit_of_work(make_session_factory(engine)) as session:
        metrics.without_jit(session)  # as health() and outlook() do for their transaction
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            spent[name] = round((time.perf_counter() - started) * 1000, 1)
    return spent


def explain(engine: Engine) -> list[str]:
    """The plan of one of the health figures' period scans, as the reports run it (28 days)."""
    query = """EXPLAIN SELECT channel, count(*) FROM tickets
               WHERE created_at >= now() - interval '28 days' AND created_at < now() AND merged_into_id IS NULL
               GROUP BY channel"""
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text(query))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.url)
    result: dict[str, Any] = {"benchmark": "analytics_latency", "url": redact(args.url), "runs": args.runs}
    with engine.connect() as connection:
        result["tickets"] = connection.execute(text("SELECT count(*) FROM tickets")).scalar_one()
        result["tickets_last_28_days"] = connection.execute(
            text("SELECT count(*) FROM tickets WHERE created_at > now() - interval '28 days'")
        ).scalar_one()
    if args.enrich:
        result["enrich_seconds"] = enrich(engine)
    admin_password(engine)
    token = mint_token(engine, ADMIN_EMAIL)
    result["refresh_seconds"] = refresh_snapshots(engine)  # every view the page offers, the first time
    result["refresh_steady_seconds"] = refresh_snapshots(engine, later=timedelta(minutes=11))  # the running ones
    result["explain_period_scan"] = explain(engine)
    result["parts_ms"] = parts(engine)
    api = {"authorization": f"Bearer {token}"}
    with running_server(args.url, workers=2) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        signed_in(client)
        result["page"] = timed(client, "/agent/analytics", args.runs)
        result["page_per_agent"] = timed(client, "/agent/analytics?by=agent", args.runs)
        month = f"{clock.now():%Y-%m}"
        result["page_this_month"] = timed(client, f"/agent/analytics?period={month}", args.runs)
        result["page_aggregated_on_the_spot"] = timed(client, "/agent/analytics?days=27", max(3, args.runs // 4))
        result["api_health"] = timed(client, "/api/v1/analytics/health?days=28", args.runs, api)
        result["api_outlook"] = timed(client, "/api/v1/analytics/outlook", args.runs, api)
        result["api_staffing_from_history"] = timed(
            client, "/api/v1/analytics/staffing?channel=webchat", args.runs, api
        )
    result["machine"] = machine_facts(engine)
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a PostgreSQL database loaded by load_tickets.py")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per path")
    parser.add_argument("--enrich", action="store_true", help="add the reports' history first (once per database)")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    result = run(args)
    print(
        f"refresh: every view {result['refresh_seconds']} s, then the running ones {result['refresh_steady_seconds']} s"
    )
    names = ("page", "page_per_agent", "page_this_month", "page_aggregated_on_the_spot", "api_health", "api_outlook",
             "api_staffing_from_history")  # fmt: skip
    for name in names:
        figures = result[name]
        p50, p95, most = figures["p50_ms"], figures["p95_ms"], figures["max_ms"]
        print(f"{name:28} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  max {most:8.1f} ms")
    print("parts of an on-the-spot aggregation (ms):", result["parts_ms"])
    print("\n".join(result["explain_period_scan"]))
    write_json(args.json_out, result)


if __name__ == "__main__":
    main()

"""Load N tickets (up to a million and more) into a migrated Otklik database, fast.

Agents, teams and API tokens go through the real actions (``otklik.agents.actions``),
so the API can be called afterwards. Customers, identities, tickets and one inbound
message per ticket are bulk rows: SQLAlchemy Core ``executemany`` in batches on
SQLite, ``COPY`` through psycopg on PostgreSQL. Bulk rows write no audit events.

    .venv/bin/python bench/load_tickets.py --url sqlite:///./var/bench.db --tickets 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy import Connection, Engine, Table, func, insert, select

from common import ADMIN_EMAIL, BENCH_ACTOR, agent_email, customer_email, machine_facts, redact, write_json
from otklik.agents.actions import do_create_agent, do_create_token
from otklik.agents.models import Agent
from otklik.agents.queries import get_agent_by_email
from otklik.core import clock
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import NotFound
from otklik.core.migrate import upgrade
from otklik.customers.models import Customer, Identity
from otklik.messages.models import Message
from otklik.tickets.models import FIRST_TICKET_ID, Ticket

# team name → the categories its agents handle; 8 agents a team, 40 in all
TEAMS = {
    "FBO": ["shipping", "orders"],
    "FBS": ["orders", "returns"],
    "Финансы": ["finance"],
    "Карточки": ["product_cards", "technical"],
    "Аккаунт": ["account", "other"],
}
AGENTS_PER_TEAM = 8
CHANNELS = (("email", 35), ("telegram", 30), ("webchat", 15), ("webform", 10), ("vk", 5), ("whatsapp", 5))
# statuses of tickets touched in the last three weeks; older ones are closed (a few still solved)
RECENT_STATUSES = (("new", 6), ("open", 22), ("pending_customer", 14), ("on_hold", 4), ("solved", 14), ("closed", 40))
RECENT_DAYS = 21
URGENCIES = (("urgent", 10), ("normal", 75), ("low", 15))
SUBJECTS = (
    "Не приходит поставка на склад",
    "Вопрос по выплате за прошлую неделю",
    "Карточка товара не проходит модерацию",
    "Заказ потерялся при доставке",
    "Возврат не зачислен",
    "Не могу войти в кабинет",
    "Ошибка при загрузке остатков",
    "Где мой заказ",
    "Order is stuck in transit",
    "Refund not received",
)
TICKET_COLUMNS = (
    "id",
    "subject",
    "status",
    "channel",
    "category",
    "urgency",
    "is_public",
    "customer_id",
    "assignee_id",
    "team_id",
    "last_public_author",
    "first_customer_message_at",
    "last_customer_message_at",
    "last_public_reply_at",
    "triaged_at",
    "hold_until",
    "hold_promise",
    "requeued_at",
    "solved_at",
    "closed_at",
    "created_at",
    "updated_at",
)
CUSTOMER_COLUMNS = ("id", "name", "organisation_id", "is_org_admin", "lang", "created_at")
IDENTITY_COLUMNS = ("id", "customer_id", "kind", "value", "verified", "created_at")
MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "direction",
    "public",
    "channel",
    "external_id",
    "author_customer_id",
    "text",
    "subject",
    "created_at",
)


def _weighted(pairs: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def ensure_agents(engine: Engine, tokens_out: Path) -> dict[int, list[int]]:
    """40 agents in 5 teams (one lead each) and an admin, each with a token; returns agent id → team ids."""
    teams_of: dict[int, list[int]] = {}
    tokens: dict[str, str] = {}
    people = [
        (agent_email(t * AGENTS_PER_TEAM + i + 1), team, "lead" if i == 0 else "agent")
        for t, team in enumerate(TEAMS)
        for i in range(AGENTS_PER_TEAM)
    ]
    with unit_of_work(make_session_factory(engine)) as session:
        for email, team, role in [*people, (ADMIN_EMAIL, None, "admin")]:
            try:
                agent: Agent = get_agent_by_email(session, email)
            except NotFound:
                agent = do_create_agent(
                    session,
                    email=email,
                    name=f"Агент {email.split('@')[0]}",
                    role=role,
                    skills=dict.fromkeys(TEAMS[team], 2) if team else {},
                    teams=[team] if team else [],
                    actor=BENCH_ACTOR,
                )
            tokens[email] = do_create_token(session, agent, actor=BENCH_ACTOR, name="bench-load")
            if team:
                teams_of[agent.id] = [t.id for t in agent.teams]
    tokens_out.parent.mkdir(parents=True, exist_ok=True)
    tokens_out.write_text(json.dumps(tokens, indent=2) + "\n")
    tokens_out.chmod(0o600)
    return teams_of


def _next_id(conn: Connection, table: Table, floor: int = 1) -> int:
    return max(floor, (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1)


class Generator:
    """Deterministic (seeded) rows with a realistic spread; ids are given explicitly so rows can refer to each other."""

    def __init__(self, seed: int, now: datetime, teams_of: dict[int, list[int]]) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.agent_ids = sorted(teams_of)
        self.teams_of = teams_of
        self.channels = _weighted(CHANNELS)
        self.recent = _weighted(RECENT_STATUSES)
        self.urgencies = _weighted(URGENCIES)
        self.categories = sorted({c for cats in TEAMS.values() for c in cats})

    def customers(self, first_id: int, count: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
        """(customer, identity) rows; identity ids equal customer ids offset by the same start."""
        for cid in range(first_id, first_id + count):
            created = self.now - timedelta(days=400 * self.rng.random())
            yield (
                (cid, f"Клиент {cid}", None, False, "ru", created),
                (cid, cid, "email", customer_email(cid), False, created),
            )

    def ticket(self, tid: int, created: datetime, customer_ids: tuple[int, int]) -> tuple[Any, ...]:
        rng = self.rng
        age = self.now - created
        if age > timedelta(days=RECENT_DAYS):
            status = "closed" if rng.random() < 0.99 else "solved"
        else:
            status = rng.choices(*self.recent)[0]
        channel = rng.choices(*self.channels)[0]
        customer_id = rng.randint(*customer_ids)
        span = min(age, timedelta(hours=rng.expovariate(1 / 30)))
        updated = created + span
        assignee = team = category = urgency = triaged = last_author = None
        replied = hold_until = hold_promise = solved = closed = None
        if status != "new":
            assignee = rng.choice(self.agent_ids)
            team = self.teams_of[assignee][0]
            category = rng.choice(self.categories)
            urgency = rng.choices(*self.urgencies)[0]
            triaged = created + min(span, timedelta(minutes=5))
            replied = updated
            last_author = "customer" if status == "open" else "agent"
        if status == "on_hold":
            hold_until = self.now + timedelta(hours=rng.randint(2, 72))
            hold_promise = "Уточняем у склада, ответим до конца дня"
        if status in ("solved", "closed"):
            solved = updated
        if status == "closed":
            closed = updated
        last_customer = updated if last_author == "customer" else created
        subject = f"{rng.choice(SUBJECTS)} №{rng.randint(100000, 999999)}"
        return (
            tid,
            subject,
            status,
            channel,
            category,
            urgency,
            False,
            customer_id,
            assignee,
            team,
            last_author or "customer",
            created,
            last_customer,
            replied,
            triaged,
            hold_until,
            hold_promise,
            None,
            solved,
            closed,
            created,
            updated,
        )

    def created_times(self, count: int, days: int = 365) -> list[datetime]:
        """Creation times spread over ``days``, ascending (ids grow with time, as in real life)."""
        offsets = sorted((self.rng.random() * days for _ in range(count)), reverse=True)
        return [self.now - timedelta(days=d) for d in offsets]


class Writer:
    """Bulk rows into one table: Core executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def write(self, conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _prepare_sqlite(conn: Connection) -> None:
    # a bulk load may lose the last batches on a power cut: the bench database is disposable
    # set on the driver connection: SQLite refuses a safety-level change inside the BEGIN SQLAlchemy would issue
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-524288")


def _fix_sequences(conn: Connection) -> None:
    """Explicit ids bypass PostgreSQL sequences: move them past the loaded rows."""
    for table in ("customers", "identities", "tickets", "messages"):
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
        )


def load(args: argparse.Namespace) -> dict[str, Any]:
    url: str = args.url
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    migrated = time.perf_counter()
    teams_of = ensure_agents(engine, Path(args.tokens_out))
    now = clock.now()
    gen = Generator(args.seed, now, teams_of)
    writer = Writer(engine)
    n_customers = args.customers or max(1, args.tickets // 3)
    counts = {"customers": n_customers, "identities": n_customers, "tickets": args.tickets}
    counts["messages"] = args.tickets if args.messages else 0
    timings: dict[str, float] = {}
    columns = (TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("eta"), TimeRemainingColumn()) as progress, engine.connect() as conn:
        if not writer.postgres:
            _prepare_sqlite(conn)
        customers_t, identities_t = Customer.__table__, Identity.__table__
        tickets_t, messages_t = Ticket.__table__, Message.__table__
        first_customer = _next_id(conn, customers_t)
        first_identity = _next_id(conn, identities_t)
        first_ticket = _next_id(conn, tickets_t, FIRST_TICKET_ID)
        first_message = _next_id(conn, messages_t)
        conn.commit()

        t0 = time.perf_counter()
        task = progress.add_task("customers", total=n_customers)
        batch_c: list[tuple[Any, ...]] = []
        batch_i: list[tuple[Any, ...]] = []
        for customer, identity in gen.customers(first_customer, n_customers):
            batch_c.append(customer)
            batch_i.append((identity[0] - first_customer + first_identity, *identity[1:]))
            if len(batch_c) >= args.batch:
                writer.write(conn, customers_t, CUSTOMER_COLUMNS, batch_c)
                writer.write(conn, identities_t, IDENTITY_COLUMNS, batch_i)
                conn.commit()
                progress.advance(task, len(batch_c))
                batch_c, batch_i = [], []
        writer.write(conn, customers_t, CUSTOMER_COLUMNS, batch_c)
        writer.write(conn, identities_t, IDENTITY_COLUMNS, batch_i)
        conn.commit()
        progress.advance(task, len(batch_c))
        timings["customers+identities"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        task = progress.add_task("tickets", total=args.tickets)
        customer_range = (first_customer, first_customer + n_customers - 1)
        times = gen.created_times(args.tickets)
        batch_t: list[tuple[Any, ...]] = []
        batch_m: list[tuple[Any, ...]] = []
        for offset, created in enumerate(times):
            tid = first_ticket + offset
            row = gen.ticket(tid, created, customer_range)
            batch_t.append(row)
            if args.messages:
                mid = first_message + offset
                batch_m.append(
                    (mid, tid, "inbound", True, row[3], f"bench-load-{tid}", row[7], row[1], row[1], created)
                )
            if len(batch_t) >= args.batch:
                writer.write(conn, tickets_t, TICKET_COLUMNS, batch_t)
                writer.write(conn, messages_t, MESSAGE_COLUMNS, batch_m)
                conn.commit()
                progress.advance(task, len(batch_t))
                batch_t, batch_m = [], []
        writer.write(conn, tickets_t, TICKET_COLUMNS, batch_t)
        writer.write(conn, messages_t, MESSAGE_COLUMNS, batch_m)
        conn.commit()
        progress.advance(task, len(batch_t))
        timings["tickets+messages"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        if writer.postgres:
            _fix_sequences(conn)
            conn.commit()
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        timings["analyze"] = time.perf_counter() - t0
        status_counts = dict(conn.execute(select(tickets_t.c.status, func.count()).group_by(tickets_t.c.status)).all())
        total_tickets = sum(status_counts.values())
        conn.rollback()

    total = time.perf_counter() - started
    rows = sum(counts.values())
    loading = timings["customers+identities"] + timings["tickets+messages"]
    result = {
        "benchmark": "load_tickets",
        "url": redact(url),
        "dialect": engine.dialect.name,
        "seed": args.seed,
        "batch": args.batch,
        "rows": counts,
        "rows_total": rows,
        "tickets_in_db": total_tickets,
        "status_counts": status_counts,
        "seconds": {k: round(v, 1) for k, v in timings.items()}
        | {"migrate": round(migrated - started, 1), "total": round(total, 1)},
        "rows_per_s": round(rows / loading),
        "tickets_per_s": round(args.tickets / loading),
        "machine": machine_facts(engine),
    }
    engine.dispose()
    print(
        f"loaded {rows:,} rows ({args.tickets:,} tickets, {counts['messages']:,} messages, "
        f"{n_customers:,} customers + identities) in {loading:.1f}s: {result['rows_per_s']:,} rows/s, "
        f"{result['tickets_per_s']:,} tickets/s; total with migrate+analyze {total:.1f}s"
    )
    print(f"tickets now in database: {total_tickets:,}; by status: {status_counts}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="database URL (migrations are applied first)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=0, help="default: tickets / 3")
    parser.add_argument("--messages", type=int, choices=(0, 1), default=1, help="one inbound message per ticket")
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--tokens-out", default="var/bench_tokens.json", help="where the agents' tokens go (0600)")
    parser.add_argument("--json-out", help="write the figures as JSON here")
    args = parser.parse_args()
    write_json(args.json_out, load(args))


if __name__ == "__main__":
    main()

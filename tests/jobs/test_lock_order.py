"""Intake and the worker never wait for each other in a circle (issue 13), on a real PostgreSQL.

The deadlock seen under load: intake changed a ticket and then moved one of its keyed timers (a bot
turn folding a burst of messages), while a worker had claimed that very timer in its batch and was
changing the same ticket. Each held what the other wanted; PostgreSQL killed one of them — a 500 to
the messenger, or a job attempt burnt on «deadlock detected». Here the two meet on purpose: intake
holds the ticket, the worker is made to wait for it, then intake moves the timer.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

import otklik.tickets.tasks  # noqa: F401  (the worker's batch locks its tickets first)
from otklik.core import jobs
from otklik.core.actors import Actor
from otklik.core.db import make_session_factory, unit_of_work
from otklik.core.jobs import Job
from otklik.core.taxonomy import Channel
from otklik.customers.actions import do_create_customer
from otklik.tickets.actions import do_open_ticket
from otklik.tickets.models import Ticket

TOUCH = "test.lock_order.touch"
TESTS = Actor.system("tests")
touched: list[int] = []


@jobs.task(TOUCH)
def _touch(session: Session, job: Job) -> None:
    """A bot turn in miniature: it changes the ticket it is about."""
    ticket = session.get(Ticket, int(job.payload["ticket_id"]))
    assert ticket is not None
    ticket.subject = f"{ticket.subject} (the bot read it)"
    touched.append(job.id)


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
        conn.rollback()
    return bool(waiting)


def test_intake_moving_a_timer_a_worker_has_claimed_is_no_deadlock(own_postgres: Engine) -> None:
    factory = make_session_factory(own_postgres)
    now = datetime.now(UTC)
    with unit_of_work(factory) as session:
        customer = do_create_customer(session, name="Илья", actor=TESTS)
        ticket = do_open_ticket(session, customer=customer, channel=Channel.TELEGRAM, subject="Стою на складе",
                                actor=TESTS, at=now)  # fmt: skip
        session.flush()
        ticket_id = ticket.id
        key = f"bot:{ticket_id}"
        timer = jobs.schedule(session, TOUCH, {"ticket_id": ticket_id}, key=key, due_at=now)
        session.flush()
        job_id = timer.id

    failures: list[BaseException] = []

    def worker() -> None:
        try:
            jobs.run_due(factory, worker="lock-order", batch=10)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    intake = factory()
    intake.begin()
    try:
        held = intake.get(Ticket, ticket_id)
        assert held is not None
        held.subject = "Стою на складе, ворота закрыты"  # a new message: the ticket row is ours now
        intake.flush()
        running = threading.Thread(target=worker)
        running.start()
        deadline = time.monotonic() + 20
        while not _waiting_for_a_lock(own_postgres):  # the worker now waits for the ticket intake holds
            assert time.monotonic() < deadline, "the worker never reached the ticket"
            time.sleep(0.05)
        later = datetime.now(UTC) + timedelta(hours=1)
        jobs.schedule(intake, TOUCH, {"ticket_id": ticket_id}, key=key, due_at=later)  # the burst goes on
        intake.flush()
        intake.commit()
    finally:
        intake.close()
    running.join(timeout=30)
    assert not running.is_alive()
    assert failures == []

    with factory() as session:
        job = session.scalars(select(Job).where(Job.id == job_id)).one()
        assert (job.state, job.attempts, job.last_error) == ("pending", 0, None)  # no attempt burnt on a deadlock
        assert job.due_at >= later - timedelta(seconds=1)  # the move intake made holds: the turn waits for the burst
        assert job_id not in touched
        stored = session.get(Ticket, ticket_id)
        assert stored is not None
        assert stored.subject == "Стою на складе, ворота закрыты"

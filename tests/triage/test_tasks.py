"""A new ticket's one job: with routing on, routing's job has triage read the ticket (references
stored, a quoted ticket of the same customer linked, another customer's never, the suggestion
recorded) and routes on the answer; with routing off, triage's own job reads it; with both off,
no job at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.channels.base import InboundMessage
from otklik.core import clock, jobs
from otklik.core.actors import Actor
from otklik.core.audit import list_for_ticket
from otklik.core.config import get_settings
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import do_receive_inbound
from otklik.routing.presence import do_set_presence
from otklik.routing.rules import Presence
from otklik.routing.tasks import handle_route
from otklik.tickets.models import Ticket
from otklik.triage.actions import ROUTE_JOB, TRIAGE_JOB, do_hand_over, route_job_key
from otklik.triage.model import Prediction
from otklik.triage.tasks import handle_triage_ticket
from tests.conftest import Cast, unique

TESTS = Actor.system("tests")
URGENT_SUPPLY = "Стою на складе, поставку 30211477 не принимают, артикул TS-0451"


@pytest.fixture
def switches(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set ``OTKLIK_ROUTING_ENABLED`` / ``OTKLIK_TRIAGE_ENABLED`` for one test."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _switch(monkeypatch: pytest.MonkeyPatch, *, routing: bool, triage: bool) -> None:
    monkeypatch.setenv("OTKLIK_ROUTING_ENABLED", "1" if routing else "0")
    monkeypatch.setenv("OTKLIK_TRIAGE_ENABLED", "1" if triage else "0")
    get_settings.cache_clear()


def _write(db: Session, sender: str, text: str) -> Ticket:
    return do_receive_inbound(db, InboundMessage(Channel.EMAIL, unique(), IdentityKind.EMAIL, sender, text)).ticket


def _jobs_of(db: Session, ticket: Ticket) -> list[jobs.Job]:
    db.flush()
    return [j for j in db.scalars(select(jobs.Job)).all() if j.payload.get("ticket_id") == ticket.id]


def _run(db: Session, ticket: Ticket) -> None:
    """The ticket's pipeline job, as the worker would run it."""
    [job] = [j for j in _jobs_of(db, ticket) if j.kind in (ROUTE_JOB, TRIAGE_JOB)]
    (handle_route if job.kind == ROUTE_JOB else handle_triage_ticket)(db, job)
    db.flush()


def _actions(db: Session, ticket: Ticket) -> list[str]:
    return [e.action for e in list_for_ticket(db, ticket.id)]


def test_routing_on_one_job_reads_the_ticket_and_routes_on_the_answer(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=True, triage=True)
    do_set_presence(db, cast.agent_marina.agent, Presence.ONLINE, actor=TESTS)
    older = _write(db, "ilya@example.com", "Вопрос по поставке 30077811")
    older.status = "closed"  # a closed case: the customer's next message opens a new ticket that quotes it
    db.commit()
    ticket = _write(db, "ilya@example.com", f"По обращению #{older.id} никто не ответил! {URGENT_SUPPLY}")
    assert ticket.id != older.id
    assert [j.kind for j in _jobs_of(db, ticket) if j.kind in (ROUTE_JOB, TRIAGE_JOB)] == [ROUTE_JOB]
    _run(db, ticket)
    refs = {(r.kind, r.value) for r in ticket.references}
    assert {("supply", "30211477"), ("sku", "TS-0451"), ("ticket", str(older.id))} <= refs
    [suggested] = [e for e in list_for_ticket(db, ticket.id) if e.action == "ticket.triage_suggested"]
    assert (suggested.data["category"], suggested.data["urgency"]) == ("shipping", "urgent")
    assert suggested.actor_name == "triage"
    assert (ticket.category, ticket.urgency) == ("shipping", "urgent")
    assert ticket.assignee_id is not None
    assert ticket.triaged_at is not None
    actions = _actions(db, ticket)
    # read, then owned, then triaged: «a triaged ticket always has an owner»
    assert actions.index("ticket.triage_suggested") < actions.index("ticket.assigned") < actions.index("ticket.triaged")


def test_routing_off_triage_reads_alone_and_leaves_an_unowned_ticket_untriaged(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=False, triage=True)
    ticket = _write(db, "ilya@example.com", URGENT_SUPPLY)
    assert [j.kind for j in _jobs_of(db, ticket) if j.kind in (ROUTE_JOB, TRIAGE_JOB)] == [TRIAGE_JOB]
    _run(db, ticket)
    assert ("supply", "30211477") in {(r.kind, r.value) for r in ticket.references}
    assert "ticket.triage_suggested" in _actions(db, ticket)
    assert ticket.assignee_id is None  # triage never picks an owner
    assert ticket.category is None
    assert ticket.triaged_at is None


def test_both_off_a_new_ticket_sets_no_job_going(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=False, triage=False)
    ticket = _write(db, "ilya@example.com", URGENT_SUPPLY)
    assert [j.kind for j in _jobs_of(db, ticket) if j.kind in (ROUTE_JOB, TRIAGE_JOB)] == []


def test_routing_on_triage_off_routes_without_reading(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=True, triage=False)
    do_set_presence(db, cast.agent_marina.agent, Presence.ONLINE, actor=TESTS)
    ticket = _write(db, "ilya@example.com", URGENT_SUPPLY)
    _run(db, ticket)
    assert ticket.assignee_id is not None
    assert "ticket.triage_suggested" not in _actions(db, ticket)
    assert ticket.references == []
    assert ticket.category is None


def test_another_customers_ticket_number_is_not_linked(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=True, triage=True)
    stranger = _write(db, "someone@example.com", "Где выплата?")
    db.commit()
    ticket = _write(db, "olga@example.com", f"У меня тоже как в обращении #{stranger.id}, заказ 1187345622 потерялся")
    _run(db, ticket)
    refs = {(r.kind, r.value) for r in ticket.references}
    assert ("order", "1187345622") in refs
    assert all(kind != "ticket" for kind, _ in refs)


def test_a_hand_over_given_in_the_job_is_not_second_guessed_by_the_model(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock, switches: pytest.MonkeyPatch
) -> None:
    _switch(switches, routing=True, triage=True)
    do_set_presence(db, cast.agent_anna.agent, Presence.ONLINE, actor=TESTS)
    ticket = _write(db, "pavel@example.com", URGENT_SUPPLY)  # the model would say shipping/urgent
    given = {"ticket_id": ticket.id, "category": "finance", "urgency": "normal", "queue": "finance"}
    jobs.schedule(db, ROUTE_JOB, given, key=route_job_key(ticket.id))
    _run(db, ticket)
    assert (ticket.category, ticket.urgency) == ("finance", "normal")
    assert "ticket.triage_suggested" not in _actions(db, ticket)


def test_hand_over_paths(db: Session, cast: Cast, frozen_clock: clock.FrozenClock) -> None:
    ticket = _write(db, "pavel@example.com", "Выплата не пришла")
    given = {"ticket_id": ticket.id, "category": "finance", "urgency": "normal", "queue": "finance"}
    jobs.schedule(db, ROUTE_JOB, given, key=route_job_key(ticket.id))
    sure = Prediction("orders", "low", 0.9, 0.9, "orders")
    assert do_hand_over(db, ticket, sure, routing=True, at=clock.now()) == "kept"
    waiting = jobs.pending(db, route_job_key(ticket.id))
    assert waiting is not None
    assert waiting.payload["category"] == "finance"

    unsure = Prediction("orders", "low", 0.2, 0.9, "general")
    assert do_hand_over(db, ticket, unsure, routing=False, at=clock.now()) == "general"
    assert do_hand_over(db, ticket, sure, routing=False, at=clock.now()) == "kept"  # no owner: suggestion only
    ticket.assignee_id = cast.agent_anna.agent.id
    ticket.assignee = cast.agent_anna.agent
    assert do_hand_over(db, ticket, sure, routing=False, at=clock.now()) == "triaged"
    assert (ticket.category, ticket.urgency) == ("orders", "low")
    assert do_hand_over(db, ticket, sure, routing=False, at=clock.now()) == "kept"  # triaged once

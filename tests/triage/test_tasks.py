"""The triage job on a new ticket: references stored, a quoted ticket of the same customer
linked (another customer's never), the suggestion recorded and handed to routing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.channels.base import InboundMessage
from otklik.core import clock, jobs
from otklik.core.audit import list_for_ticket
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.actions import do_receive_inbound
from otklik.tickets.models import Ticket
from otklik.triage.actions import TRIAGE_JOB, do_hand_over, route_job_key
from otklik.triage.model import Prediction
from otklik.triage.tasks import handle_triage_ticket
from tests.conftest import Cast, unique


def _write(db: Session, sender: str, text: str) -> Ticket:
    return do_receive_inbound(db, InboundMessage(Channel.EMAIL, unique(), IdentityKind.EMAIL, sender, text)).ticket


def _run_triage(db: Session, ticket: Ticket) -> None:
    job = db.scalars(select(jobs.Job).where(jobs.Job.kind == TRIAGE_JOB)).all()
    [mine] = [j for j in job if j.payload["ticket_id"] == ticket.id]
    handle_triage_ticket(db, mine)
    db.flush()


def test_new_ticket_is_triaged_references_stored_and_handed_to_routing(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    older = _write(db, "ilya@example.com", "Вопрос по поставке 30077811")
    older.status = "closed"  # a closed case: the customer's next message opens a new ticket that quotes it
    db.commit()
    text = f"По обращению #{older.id} никто не ответил! Стою на складе, поставку 30211477 не принимают, артикул TS-0451"
    ticket = _write(db, "ilya@example.com", text)
    assert ticket.id != older.id
    _run_triage(db, ticket)
    refs = {(r.kind, r.value) for r in ticket.references}
    assert {("supply", "30211477"), ("sku", "TS-0451"), ("ticket", str(older.id))} <= refs
    [suggested] = [e for e in list_for_ticket(db, ticket.id) if e.action == "ticket.triage_suggested"]
    assert (suggested.data["category"], suggested.data["urgency"]) == ("shipping", "urgent")
    assert suggested.actor_name == "triage"
    route = jobs.pending(db, route_job_key(ticket.id))
    assert route is not None
    assert (route.payload["category"], route.payload["urgency"]) == ("shipping", "urgent")
    assert ticket.assignee_id is None  # triage never picks an owner
    assert ticket.category is None


def test_another_customers_ticket_number_is_not_linked(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    stranger = _write(db, "someone@example.com", "Где выплата?")
    db.commit()
    ticket = _write(db, "olga@example.com", f"У меня тоже как в обращении #{stranger.id}, заказ 1187345622 потерялся")
    _run_triage(db, ticket)
    refs = {(r.kind, r.value) for r in ticket.references}
    assert ("order", "1187345622") in refs
    assert all(kind != "ticket" for kind, _ in refs)


def test_a_persons_hand_over_is_kept_and_routing_off_triages_an_owned_ticket(
    db: Session, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    ticket = _write(db, "pavel@example.com", "Выплата не пришла")
    given = {"ticket_id": ticket.id, "category": "finance", "urgency": "normal", "queue": "finance"}
    jobs.schedule(db, "routing.route", given, key=route_job_key(ticket.id))
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

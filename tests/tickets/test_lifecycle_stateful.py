"""Random lives of tickets, driven through the real actions against a real database.

A hypothesis state machine writes as a customer on two channels, replies, takes
notes, assigns, triages, solves, holds, lets time pass and closes, on SQLite and
PostgreSQL. After every step the promises of the contract are checked against
the STORED rows (messages, outbox, audit_events), never against the ticket's
denormalised fields alone:

* ``pending_customer`` ⇒ a public outbound message newer than the customer's last
  one is stored and has its outbox row;
* ``solved`` ⇒ the last public message is outbound;
* an owned ticket never loses its owner; a triaged ticket has one;
* every status change has its ``ticket.status_changed`` row, chained in order;
* ``on_hold`` ⇒ a due time and a promise are stored.

Every action's outcome is also compared with the contract table of
``test_rules.py`` applied to facts read from stored rows, and a refused action
must leave every stored row as it was, before the unit of work rolls it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, Row, func, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.agents.actions import do_create_agent
from otklik.agents.models import Agent
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.errors import DomainError
from otklik.core.jobs import Job
from otklik.core.outbox import queued_message_ids
from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.messages.actions import InboundMessage, do_receive_inbound, do_reply
from otklik.messages.models import Direction, Message
from otklik.tickets import actions
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Action, Author, Facts, Status
from tests.tickets.test_rules import expected

TICKETS = Ticket.__table__
MESSAGES = Message.__table__
EVENTS = AuditEvent.__table__
OUTBOX = Job.__table__

START = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
SENDERS = {
    Channel.TELEGRAM: (IdentityKind.TELEGRAM, "ilya_driver"),
    Channel.EMAIL: (IdentityKind.EMAIL, "ilya@sklad.test"),
}
# a blank text or promise is refused; it is one choice in several so that most steps move the story on
TEXTS = st.sampled_from(["поставку не принимают, нет слота", "Спасибо!", "Где мой заказ 4512?", "Проверяю", "   "])
PROMISES = st.sampled_from(["Уточню у склада и вернусь с ответом", "Перезвоню после сверки", "Жду ответ склада", " "])
TRACKED_EVENTS = ("ticket.created", "ticket.status_changed", "ticket.assigned", "ticket.transferred")

Expectation = Status | str  # the next status, or the code of the refusal


class TicketLives(RuleBasedStateMachine):
    """One example: its own connection, outer transaction and frozen clock, all undone at teardown."""

    engine: Engine  # set by the test on a subclass, one per backend

    def __init__(self) -> None:
        super().__init__()
        self.clock = clock.FrozenClock(START)
        self.previous_clock = clock.install(self.clock)
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        factory = sessionmaker(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        self.session: Session = factory()
        try:
            tests = Actor.system("tests")
            self.agents: list[Agent] = [
                do_create_agent(self.session, email=e, name=n, role=r, teams=t, actor=tests)
                for e, n, r, t in (
                    ("marina@otklik.test", "Марина Складова", "agent", ["FBO"]),
                    ("anna@otklik.test", "Анна Финансова", "agent", ["Финансы"]),
                    ("boris@otklik.test", "Борис Лидов", "lead", ["FBO"]),
                )
            ]
            self.session.commit()
        except BaseException:
            self.teardown()  # hypothesis only tears down machines it got; a held SQLite lock would stall the rest
            raise
        self.ticket_channel: dict[int, Channel] = {}
        self.sent: list[InboundMessage] = []
        self.ever_owned: set[int] = set()
        self.audited_status: dict[int, str] = {}  # status as replayed from the audit rows seen so far
        self.audited_owner: dict[int, int] = {}  # owner as named by the last assigned/transferred row
        self.audit_cursor = 0

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()
        clock.install(self.previous_clock)

    # ---- reading stored rows -------------------------------------------------------------

    @property
    def ticket_ids(self) -> list[int]:
        return list(self.ticket_channel)

    def _ticket_row(self, ticket_id: int) -> Row[Any]:
        return self.session.execute(select(TICKETS).where(TICKETS.c.id == ticket_id)).one()

    def _facts(self, ticket_id: int) -> Facts:
        """The machine's facts, read from stored rows: the last public message decides the author."""
        last_public = (
            select(MESSAGES.c.direction)
            .where(MESSAGES.c.ticket_id == ticket_id, MESSAGES.c.public.is_(True))
            .order_by(MESSAGES.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        row = self.session.execute(
            select(TICKETS.c.status, TICKETS.c.assignee_id, last_public.label("direction")).where(
                TICKETS.c.id == ticket_id
            )
        ).one()
        author = {Direction.OUTBOUND: Author.AGENT, Direction.INBOUND: Author.CUSTOMER}.get(row.direction)
        return Facts(Status(row.status), row.assignee_id is not None, author)

    def _snapshot(self) -> tuple[object, ...]:
        """Everything a refused action must leave alone (pending changes are flushed first)."""
        self.session.flush()
        rows = self.session.execute(select(TICKETS).where(TICKETS.c.id.in_(self.ticket_ids)).order_by(TICKETS.c.id))
        counts = self.session.execute(
            select(*(select(func.count()).select_from(t).scalar_subquery() for t in (MESSAGES, EVENTS, OUTBOX)))
        ).one()
        return tuple(tuple(r) for r in rows), tuple(counts)

    def _ticket(self, ticket_id: int) -> Ticket:
        ticket = self.session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket

    # ---- running one action as a unit of work -----------------------------------------------

    def _attempt(self, do: Callable[[], Any], *, composite: bool = False) -> tuple[str | None, Any]:
        """Run ``do`` as one unit of work: ``(None, result)`` committed, or ``(code, None)`` refused.

        A refused action must leave every stored row as it was even before the unit
        of work rolls it back. A ``composite`` (two actions in one unit of work, as an
        endpoint may do) is only required to leave nothing once rolled back.
        """
        before = self._snapshot()
        try:
            result = do()
        except DomainError as refused:
            code = refused.code
        else:
            self.session.commit()
            return None, result
        if composite:
            self.session.rollback()
        assert self._snapshot() == before, f"refused with {code}, yet stored rows changed"
        self.session.rollback()
        return code, None

    def _run(
        self, ticket_id: int, want: Expectation, do: Callable[[Ticket], object], *, composite: bool = False
    ) -> None:
        """Run ``do`` on the ticket and hold the outcome (new status or refusal code) to ``want``."""
        code, _ = self._attempt(lambda: do(self._ticket(ticket_id)), composite=composite)
        if code is not None:
            assert code == want, f"refused with {code}, expected {want}"
            return
        assert isinstance(want, Status), f"accepted, expected a refusal with {want}"
        assert self._ticket_row(ticket_id).status == want.value

    def _pick(self, data: st.DataObject) -> int:
        return data.draw(st.sampled_from(self.ticket_ids), label="ticket")

    # ---- the customer ------------------------------------------------------------------------

    @initialize(channel=st.sampled_from(list(SENDERS)))
    def first_message(self, channel: Channel) -> None:
        self.customer_writes(channel, "стою на складе в Хоругвино, поставку не принимают")

    @rule(channel=st.sampled_from(list(SENDERS)), text=TEXTS)
    def customer_writes(self, channel: Channel, text: str) -> None:
        kind, value = SENDERS[channel]
        inbound = InboundMessage(channel, f"in-{uuid.uuid4().hex}", kind, value, text, display_name="Илья")
        mine = [t for t in self.ticket_ids if self.ticket_channel[t] is channel]
        active = list(
            self.session.scalars(
                select(TICKETS.c.id)
                .where(TICKETS.c.id.in_(mine), TICKETS.c.status != Status.CLOSED)
                .order_by(TICKETS.c.id)
            )
        )
        want: Expectation = expected(self._facts(active[-1]), Action.CUSTOMER_MESSAGE) if active else Status.NEW
        if not text.strip():
            want = "text_empty"
        code, intake = self._attempt(lambda: do_receive_inbound(self.session, inbound))
        if code is not None:
            assert code == want, f"refused with {code}, expected {want}"
            return
        self.sent.append(inbound)
        assert not intake.duplicate
        if active:
            assert intake.ticket.id == active[-1], "a message joins the customer's open ticket on that channel"
        else:
            assert intake.ticket.id not in self.ticket_channel, "no open ticket: a new one"
            self.ticket_channel[intake.ticket.id] = channel
        assert isinstance(want, Status)
        assert self._ticket_row(intake.ticket.id).status == want.value

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def channel_repeats_a_message(self, data: st.DataObject) -> None:
        inbound = data.draw(st.sampled_from(self.sent), label="repeated")
        before = self._snapshot()
        intake = do_receive_inbound(self.session, inbound)
        self.session.commit()
        assert intake.duplicate
        assert self._snapshot() == before, "a repeated delivery changed stored rows"

    @rule(data=st.data(), solved=st.booleans())
    def customer_verdict(self, data: st.DataObject, solved: bool) -> None:
        ticket_id = self._pick(data)
        want = expected(self._facts(ticket_id), Action.CONFIRM if solved else Action.REJECT_SOLUTION)
        self._run(
            ticket_id,
            want,
            lambda t: actions.do_customer_verdict(
                self.session, t, solved=solved, actor=actions.customer_actor(t.customer)
            ),
        )

    # ---- the agents --------------------------------------------------------------------------

    @rule(data=st.data(), who=st.integers(0, 2), public=st.booleans(), text=TEXTS)
    def agent_writes(self, data: st.DataObject, who: int, public: bool, text: str) -> None:
        ticket_id = self._pick(data)
        agent = self.agents[who]
        facts = self._facts(ticket_id)
        want = expected(facts, Action.PUBLIC_REPLY) if public else facts.status
        if not text.strip():
            want = "text_empty"
        self._run(ticket_id, want, lambda t: do_reply(self.session, t, agent=agent, text=text, public=public))
        if public and isinstance(want, Status) and not facts.has_owner:
            assert self._ticket_row(ticket_id).assignee_id == agent.id, "the first replier owns the ticket"

    @rule(data=st.data(), who=st.integers(0, 2))
    def agent_answers_and_solves(self, data: st.DataObject, who: int) -> None:
        """The solve form with a final answer: a public reply, then the solution, in one unit of work."""
        ticket_id = self._pick(data)
        agent = self.agents[who]
        replied = expected(self._facts(ticket_id), Action.PUBLIC_REPLY)
        want = replied  # a refused reply is the refusal
        if isinstance(replied, Status):
            want = expected(Facts(replied, True, Author.AGENT), Action.PROPOSE_SOLUTION)

        def answer_and_solve(ticket: Ticket) -> None:
            do_reply(self.session, ticket, agent=agent, text="Слот перенесли на 14:00, ворота 3", public=True)
            actions.do_propose_solution(self.session, ticket, actor=actions.agent_actor(agent))

        self._run(ticket_id, want, answer_and_solve, composite=True)

    @rule(data=st.data(), who=st.integers(0, 2))
    def assign(self, data: st.DataObject, who: int) -> None:
        ticket_id = self._pick(data)
        target = self.agents[who]
        lead = actions.agent_actor(self.agents[2])
        row = self._ticket_row(ticket_id)
        want = "transfer_to_self" if row.assignee_id == target.id else expected(self._facts(ticket_id), Action.ASSIGN)
        self._run(ticket_id, want, lambda t: actions.do_assign(self.session, t, target, actor=lead, reason="смена"))

    @rule(
        data=st.data(),
        owner=st.none() | st.integers(0, 2),
        category=st.sampled_from(Category),
        urgency=st.sampled_from(Urgency),
    )
    def triage(self, data: st.DataObject, owner: int | None, category: Category, urgency: Urgency) -> None:
        ticket_id = self._pick(data)
        facts = self._facts(ticket_id)
        want: Expectation
        if facts.status is Status.CLOSED:
            want = "transition_not_allowed"
        elif facts.has_owner:
            want = facts.status
        elif owner is None:
            want = "triage_needs_owner"
        else:
            want = expected(facts, Action.ASSIGN)
        agent = None if owner is None else self.agents[owner]
        self._run(
            ticket_id,
            want,
            lambda t: actions.do_triage(
                self.session, t, category=category, urgency=urgency, owner=agent, actor=Actor.system("triage")
            ),
        )

    @rule(data=st.data())
    def propose_solution(self, data: st.DataObject) -> None:
        ticket_id = self._pick(data)
        actor = actions.agent_actor(self.agents[0])
        want = expected(self._facts(ticket_id), Action.PROPOSE_SOLUTION)
        self._run(ticket_id, want, lambda t: actions.do_propose_solution(self.session, t, actor=actor))

    @rule(data=st.data(), minutes=st.integers(-30, 600), promise=PROMISES)
    def hold(self, data: st.DataObject, minutes: int, promise: str) -> None:
        ticket_id = self._pick(data)
        until = clock.now() + timedelta(minutes=minutes)
        actor = actions.agent_actor(self.agents[0])
        want: Expectation = expected(self._facts(ticket_id), Action.HOLD)
        if minutes <= 0:
            want = "hold_in_past"
        elif not promise.strip():
            want = "invalid_field"
        self._run(
            ticket_id, want, lambda t: actions.do_hold(self.session, t, until=until, promise=promise, actor=actor)
        )

    @rule(data=st.data())
    def agent_reopens(self, data: st.DataObject) -> None:
        ticket_id = self._pick(data)
        actor = actions.agent_actor(self.agents[1])
        want = expected(self._facts(ticket_id), Action.REOPEN)
        self._run(ticket_id, want, lambda t: actions.do_reopen(self.session, t, actor=actor))

    # ---- time and timers ---------------------------------------------------------------------

    @rule(minutes=st.integers(1, 240))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule(data=st.data(), minutes=st.integers(0, 720))
    def hold_timer_fires(self, data: st.DataObject, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        ticket_id = self._pick(data)
        row = self._ticket_row(ticket_id)
        due = row.status == Status.ON_HOLD and row.hold_until is not None and row.hold_until <= clock.now()
        want = expected(self._facts(ticket_id), Action.HOLD_DUE)
        before = self._snapshot()
        released = actions.do_release_hold(self.session, self._ticket(ticket_id))
        self.session.commit()
        assert released == due
        if released:
            assert self._ticket_row(ticket_id).status == want
        else:
            assert self._snapshot() == before, "a hold that was not due changed stored rows"

    @rule(data=st.data())
    def inactivity_timer_fires(self, data: st.DataObject) -> None:
        ticket_id = self._pick(data)
        want = expected(self._facts(ticket_id), Action.AUTO_CLOSE)
        self._run(ticket_id, want, lambda t: actions.do_auto_close(self.session, t))

    # ---- the promises, over stored rows ------------------------------------------------------

    @invariant()
    def stored_rows_keep_the_contract(self) -> None:
        ids = self.ticket_ids
        tickets = {r.id: r for r in self.session.execute(select(TICKETS).where(TICKETS.c.id.in_(ids)))}
        messages = self.session.execute(
            select(MESSAGES.c.id, MESSAGES.c.ticket_id, MESSAGES.c.direction, MESSAGES.c.public)
            .where(MESSAGES.c.ticket_id.in_(ids))
            .order_by(MESSAGES.c.id)
        ).all()
        queued = queued_message_ids(self.session, [m.id for m in messages], "message.deliver")
        events = self.session.execute(
            select(EVENTS.c.id, EVENTS.c.ticket_id, EVENTS.c.action, EVENTS.c.data)
            .where(EVENTS.c.ticket_id.in_(ids), EVENTS.c.action.in_(TRACKED_EVENTS), EVENTS.c.id > self.audit_cursor)
            .order_by(EVENTS.c.id)
        ).all()
        self._replay_audit(events)
        for ticket_id, row in tickets.items():
            public = [m for m in messages if m.ticket_id == ticket_id and m.public]
            self._check_statuses(row, public, queued)
            self._check_owner(row)
            assert self.audited_status[ticket_id] == row.status, (
                f"#{ticket_id} is {row.status}, its audit trail says {self.audited_status[ticket_id]}"
            )

    def _check_statuses(self, row: Row[Any], public: list[Row[Any]], queued: set[int]) -> None:
        if row.status == Status.PENDING_CUSTOMER:
            last_inbound = max((m.id for m in public if m.direction == Direction.INBOUND), default=0)
            answers = [m.id for m in public if m.direction == Direction.OUTBOUND and m.id > last_inbound]
            assert any(a in queued for a in answers), (
                f"#{row.id} waits for the customer without a stored, queued answer after their last message"
            )
        if row.status == Status.SOLVED:
            assert public, f"#{row.id} is solved without a public message"
            assert public[-1].direction == Direction.OUTBOUND, f"#{row.id} is solved but the customer spoke last"
        if row.status == Status.ON_HOLD:
            assert row.hold_until is not None, f"#{row.id} is on hold without a due time"
            assert row.hold_promise, f"#{row.id} is on hold without a promise"

    def _check_owner(self, row: Row[Any]) -> None:
        if row.id in self.ever_owned:
            assert row.assignee_id is not None, f"#{row.id} lost its owner"
        if row.assignee_id is not None:
            self.ever_owned.add(row.id)
        if row.triaged_at is not None:
            assert row.assignee_id is not None, f"#{row.id} is triaged without an owner"
        assert self.audited_owner.get(row.id) == row.assignee_id, f"#{row.id}: owner differs from the audit trail"

    def _replay_audit(self, events: list[Row[Any]]) -> None:
        """Chain the new audit rows onto what was replayed before, in id order."""
        for event in events:
            ticket_id = event.ticket_id
            match event.action:
                case "ticket.created":
                    assert ticket_id not in self.audited_status
                    assert event.data["status"] == Status.NEW
                    self.audited_status[ticket_id] = event.data["status"]
                case "ticket.status_changed":
                    assert event.data["from"] == self.audited_status[ticket_id], (
                        f"#{ticket_id}: change from {event.data['from']}, but it was {self.audited_status[ticket_id]}"
                    )
                    assert event.data["to"] != event.data["from"]
                    self.audited_status[ticket_id] = event.data["to"]
                case "ticket.assigned" | "ticket.transferred":
                    previous = self.audited_owner.get(ticket_id)
                    assert (event.action == "ticket.transferred") == (previous is not None)
                    assert (event.data["from"] or {}).get("id") == previous
                    self.audited_owner[ticket_id] = event.data["to"]["id"]
            self.audit_cursor = event.id


def test_ticket_lives_keep_the_contract(engine: Engine) -> None:
    machine = type(f"TicketLives_{engine.dialect.name}", (TicketLives,), {"engine": engine})
    run_state_machine_as_test(machine, settings=settings(max_examples=60, stateful_step_count=25, deadline=None))

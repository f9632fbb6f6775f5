"""The demo tells the stories through the domain actions, on every database, and loads only once.

Loading hashes nine passwords (argon2, about a second), so the database tests share
one load per backend: a module-scoped transaction on the ``engine`` of conftest,
rolled back at the end, with the clock frozen on a Thursday afternoon.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from otklik.agents.models import Agent
from otklik.agents.security import verify_password
from otklik.cli.main import app
from otklik.core import clock
from otklik.core.audit import AuditEvent
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.core.i18n import ru_count
from otklik.customers.models import Customer
from otklik.demo.data import DEMO_PASSWORD
from otklik.demo.load import load_demo
from otklik.demo.spec import Hold, Link, Note, Ref, Say, Solve, Step, TicketSpec, Verdict
from otklik.demo.stories import TICKETS
from otklik.demo.timeline import hold_until, ru_date, schedule
from otklik.messages.models import Message
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status

NOW = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday, 16:00 in Moscow
CHANNELS = {"email", "telegram", "webchat", "webform", "vk", "whatsapp", "public"}
SUMMARY = re.compile(
    r"^9 сотрудников, 5 команд, 5 организаций, \d+ клиент\w*, \d+ обращени\w* "
    r"\(new \d+, open \d+, pending_customer \d+, on_hold \d+, solved \d+, closed \d+\)$"
)


@dataclass
class Loaded:
    session: Session
    summary: str

    def tickets(self) -> list[Ticket]:
        return list(self.session.scalars(select(Ticket).order_by(Ticket.id)))

    def ticket_of(self, customer: str, channel: str, status: Status | None = None) -> Ticket:
        query = select(Ticket).join(Customer).where(Customer.name == customer, Ticket.channel == channel)
        if status is not None:
            query = query.where(Ticket.status == status.value)
        found = list(self.session.scalars(query))
        assert len(found) == 1, [(t.id, t.status) for t in found]
        return found[0]


@pytest.fixture(scope="module")
def demo(engine: Engine) -> Iterator[Loaded]:
    connection = engine.connect()
    outer = connection.begin()
    session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)()
    previous = clock.install(clock.FrozenClock(NOW))
    try:
        summary = load_demo(session)
        session.flush()
        yield Loaded(session, summary)
    finally:
        clock.install(previous)
        session.close()
        outer.rollback()
        connection.close()


def test_demo_sums_itself_up(demo: Loaded) -> None:
    assert SUMMARY.match(demo.summary), demo.summary
    tickets = demo.tickets()
    assert f"{ru_count(len(tickets), 'обращение', 'обращения', 'обращений')} (" in demo.summary
    for status in Status:
        assert f"{status.value} {sum(t.status == status.value for t in tickets)}" in demo.summary


def test_every_status_is_present(demo: Loaded) -> None:
    assert {t.status for t in demo.tickets()} == {s.value for s in Status}


def test_statuses_are_the_effect_of_audited_actions(demo: Loaded) -> None:
    """Each ticket's status changes form one audited chain from «new» to where it is now."""
    for ticket in demo.tickets():
        changes = [
            event.data
            for event in demo.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "ticket.status_changed")
                .order_by(AuditEvent.id)
            )
        ]
        current = Status.NEW.value
        for change in changes:
            assert change["from"] == current, (ticket.id, changes)
            current = change["to"]
        assert current == ticket.status, (ticket.id, changes)


def test_the_timeline_reads_naturally(demo: Loaded) -> None:
    """Everything happened in the past five weeks (four of everyday traffic and the public complaints
    of the ISO week before them), and each ticket's log runs forward in time."""
    events = list(demo.session.scalars(select(AuditEvent).where(AuditEvent.ticket_id.is_not(None))))
    assert all(NOW - timedelta(days=35) <= event.created_at <= NOW for event in events)
    for ticket in demo.tickets():
        moments = [e.created_at for e in sorted(events, key=lambda e: e.id) if e.ticket_id == ticket.id]
        assert moments == sorted(moments), ticket.id
        assert ticket.created_at == moments[0]


def test_tickets_past_new_have_an_owner_and_new_ones_do_not(demo: Loaded) -> None:
    for ticket in demo.tickets():
        owned = (ticket.assignee_id, ticket.team_id, ticket.category, ticket.urgency)
        if ticket.status == Status.NEW.value:
            assert owned == (None, None, None, None), ticket.id
        else:
            assert None not in owned, ticket.id


def test_many_channels_and_people(demo: Loaded) -> None:
    assert {t.channel for t in demo.tickets()} == CHANNELS
    agents = list(demo.session.scalars(select(Agent)))
    assert sorted(a.role for a in agents) == ["admin"] + ["agent"] * 6 + ["lead"] * 2
    assert all(a.skills for a in agents if a.role != "admin")
    assert {team.name for a in agents for team in a.teams} == {"FBO", "FBS", "Карточки", "Финансы", "Покупатели"}
    assert all(a.password_hash for a in agents)
    marina = next(a for a in agents if a.name == "Марина Соколова")
    assert verify_password(marina.password_hash, DEMO_PASSWORD)


def test_customers_have_several_identities_and_organisations(demo: Loaded) -> None:
    customers = list(demo.session.scalars(select(Customer)))
    rich = [c for c in customers if len({i.kind for i in c.identities}) >= 3]
    assert rich, "no customer with three kinds of address"
    assert any(c.is_org_admin and c.organisation is not None for c in customers)
    assert any(c.organisation is None for c in customers)  # buyers
    lavka = {c.name for c in customers if c.organisation and c.organisation.name == "ООО «Северная лавка»"}
    assert {"Илья Воронцов", "Екатерина Мельникова"} <= lavka
    assert all(c.organisation.sla_tier == "priority" for c in customers if c.name in lavka and c.organisation)


def test_ilya_at_the_warehouse_gate(demo: Loaded) -> None:
    ticket = demo.ticket_of("Илья Воронцов", "telegram", Status.ON_HOLD)
    assert (ticket.category, ticket.urgency) == ("shipping", "urgent")
    assert ticket.assignee is not None
    assert ticket.assignee.name == "Марина Соколова"
    assert ticket.hold_promise == "Проверяю слот, 5 минут"
    assert ticket.hold_until is not None
    assert NOW < ticket.hold_until <= NOW + timedelta(minutes=5)
    assert [(r.kind, r.value) for r in ticket.references] == [("supply", "27318456")]
    texts = [m.text for m in demo.session.scalars(select(Message).where(Message.ticket_id == ticket.id))]
    assert texts[0].startswith("стою на складе в Хоругвино")
    assert "Проверяю слот, 5 минут" in texts


def test_svetlana_one_customer_across_channels(demo: Loaded) -> None:
    form = demo.ticket_of("Светлана Кравцова", "webform", Status.PENDING_CUSTOMER)
    chat = demo.ticket_of("Светлана Кравцова", "telegram")
    assert form.customer_id == chat.customer_id
    assert chat.category == form.category == "finance"
    assert chat.assignee_id == form.assignee_id
    assert ("ticket", str(form.id)) in [(r.kind, r.value) for r in chat.references]


def test_anna_waits_a_month_with_a_dated_promise(demo: Loaded) -> None:
    ticket = demo.ticket_of("Анна Белова", "email", Status.ON_HOLD)
    assert ticket.hold_promise == "Мы напишем вам до 26 декабря"
    assert ticket.hold_until is not None
    assert timedelta(days=28) < ticket.hold_until - NOW < timedelta(days=32)
    assert ("order", "48213-0917") in [(r.kind, r.value) for r in ticket.references]


def test_hacked_account_is_public_urgent(demo: Loaded) -> None:
    ticket = demo.ticket_of("Кирилл Зуев", "public")
    assert ticket.is_public
    assert (ticket.category, ticket.urgency) == ("account", "urgent")
    notes = demo.session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.public.is_(False)))
    assert len(list(notes)) >= 2


def test_not_an_answer_reopens_with_the_same_owner(demo: Loaded) -> None:
    message = demo.session.scalars(select(Message).where(Message.text.like("это не ответ на мой вопрос%"))).one()
    ticket = demo.session.get(Ticket, message.ticket_id)
    assert ticket is not None
    assert ticket.status == Status.OPEN.value
    assert ticket.solved_at is None
    changes = [
        e.data
        for e in demo.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "ticket.status_changed")
            .order_by(AuditEvent.id)
        )
    ]
    assert changes[-1] == {"from": "solved", "to": "open", "cause": "customer_message"}
    owners = {
        e.data["to"]["name"]
        for e in demo.session.scalars(
            select(AuditEvent).where(
                AuditEvent.ticket_id == ticket.id, AuditEvent.action.in_(("ticket.assigned", "ticket.transferred"))
            )
        )
    }
    assert ticket.assignee is not None
    assert owners == {ticket.assignee.name}


# --- pure: the script against the clock, without a database ---


@pytest.mark.parametrize("minute", range(0, 24 * 60, 37))
def test_the_script_fits_any_time_of_day(minute: int) -> None:
    """Whatever the clock says, no step lands in the future and every promise still standing is ahead."""
    now = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=minute)
    standing: dict[str, tuple[Step, datetime]] = {}
    for event in schedule(now, TICKETS):
        if not isinstance(event.step, Note | Ref | Link):  # these leave the status and the promise alone
            standing[event.ticket.key] = (event.step, event.at)
    holds = [(step, at) for step, at in standing.values() if isinstance(step, Hold)]
    assert holds
    for step, at in holds:
        assert hold_until(step, at) > now


def test_the_script_refuses_the_future() -> None:
    from otklik.core.taxonomy import Channel, IdentityKind

    late = TicketSpec("late", "anna", Channel.EMAIL, IdentityKind.EMAIL, ago=5, steps=(Say(0, "a"), Solve(9, "x")))
    with pytest.raises(ValueError, match="after now"):
        schedule(NOW, (late,))
    backwards = TicketSpec(
        "back", "anna", Channel.EMAIL, IdentityKind.EMAIL, day=1, steps=(Say(0, "a"), Verdict(5, True), Solve(3, "x"))
    )
    with pytest.raises(ValueError, match="back in time"):
        schedule(NOW, (backwards,))


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1 обращение"),
        (3, "3 обращения"),
        (5, "5 обращений"),
        (11, "11 обращений"),
        (21, "21 обращение"),
        (32, "32 обращения"),
        (112, "112 обращений"),
    ],
)
def test_russian_counts(number: int, text: str) -> None:
    assert ru_count(number, "обращение", "обращения", "обращений") == text


def test_russian_dates_are_moscow_dates() -> None:
    assert ru_date(datetime(2026, 12, 25, 21, 30, tzinfo=UTC)) == "26 декабря"


# --- the CLI path: `otklik demo` twice on a fresh SQLite file ---


def test_cli_demo_loads_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["migrate"]).exit_code == 0
        first = runner.invoke(app, ["demo"])
        assert first.exit_code == 0, first.output
        assert "Демо загружено / demo loaded: 9 сотрудников" in first.output
        loaded = int(re.search(r"(\d+) обращени", first.output).group(1))  # type: ignore[union-attr]
        assert loaded > len(TICKETS)  # the stories and the everyday traffic around them
        again = runner.invoke(app, ["demo"])
        assert again.exit_code == 0, again.output
        assert f"Демо-данные уже есть ({ru_count(loaded, 'обращение', 'обращения', 'обращений')})" in again.output
    finally:
        get_settings.cache_clear()
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Ticket)) == loaded
            assert session.scalar(select(func.count()).select_from(Agent)) == 9
            assert session.scalar(select(func.count()).select_from(Message).where(Message.external_id.like("demo-%")))
    finally:
        engine.dispose()


def test_a_worker_started_after_the_demo_has_nothing_to_answer(demo: Loaded) -> None:
    """Issue 12: a fresh demo showed Telegram as «сбой»: the bot answered the story's old Telegram
    messages at the worker's first round, with no bot token to send with."""
    from otklik.core.jobs import Job, JobState

    pending = select(Job).where(Job.kind == "bot.consider", Job.state == JobState.PENDING.value)
    assert list(demo.session.scalars(pending)) == []
    delivering = select(Job).where(Job.kind == "message.deliver", Job.state == JobState.PENDING.value)
    assert list(demo.session.scalars(delivering)) == []

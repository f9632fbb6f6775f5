"""Support health per channel, team, agent or category over a period, aggregated by the database.

Every figure is one ``GROUP BY`` over the tickets **created in the period** (merged duplicates left
out) and what happened to them; durations are subtracted in SQL (``core.db.seconds_between``) and
percentiles taken by nearest rank with window functions, so no ticket is walked in Python.

Definitions (``docs/subsystems/analytics.md`` says the same in prose):

* **first response**: our first public reply that reached the customer, from the customer's first
  message; calendar seconds, and business seconds on the ticket's SLA calendar (recorded with it);
* **next response**: each later wait of the customer that a reply of ours ended (from the message
  that started it to the reply), as recorded on the reply when it reached them; calendar and business;
* **resolution time**: from the first customer message to the proposed solution (or closing);
* **resolved**: ``solved`` or ``closed`` now; **confirmed**: the customer said «решено» (closing on
  their word, or «да» in the survey) — an agent's word or a silent auto-close does not count;
* **first-contact resolution**: resolved with one public reply of ours and never reopened;
* **reopened**: moved from ``solved``/``closed`` back to ``open``; **not an answer**: the customer
  rejected a proposed solution («не решено»);
* **SLA**: a first response (or a resolution) whose target has come is met when it came in time;
* **promises**: holds made on the period's tickets; broken when the due time came with the ticket
  still on hold (the timer took it back), pending while not yet due;
* **checker**: public replies checked, flagged, and sent over a block (overrides);
* **went public**: private tickets of the period that a public post was linked to;
* **escalations**: the customer's «позовите старшего»;
* **backlog** (now, not the period): tickets waiting for our answer, by how long.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from otklik.agents.models import Agent, Team
from otklik.analytics.forecast import below_floor
from otklik.analytics.rules import period_bounds
from otklik.core.audit import AuditEvent
from otklik.core.db import seconds_between, without_jit
from otklik.core.errors import InvalidInput
from otklik.messages.models import Direction, Message
from otklik.quality.actions import CHECKED, OVERRIDE
from otklik.quality.models import QualityFeedback
from otklik.tickets.links import WENT_PUBLIC
from otklik.tickets.models import Ticket, TicketEscalation, TicketLink, TicketSurvey
from otklik.tickets.rules import Status

RESOLVED = (Status.SOLVED.value, Status.CLOSED.value)
SHARES = (50, 90)  # median and p90, by nearest rank
BACKLOG_AGES = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30)}
STATUS_CHANGED = "ticket.status_changed"


class Dimension(StrEnum):
    CHANNEL = "channel"
    TEAM = "team"
    AGENT = "agent"
    CATEGORY = "category"


KEYS: dict[Dimension, Any] = {
    Dimension.CHANNEL: Ticket.channel,
    Dimension.TEAM: Ticket.team_id,
    Dimension.AGENT: Ticket.assignee_id,
    Dimension.CATEGORY: Ticket.category,
}


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and p90 (nearest rank) of a duration in seconds, over ``count`` values."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(slots=True)
class Health:
    """One group's figures (a channel, team, agent or category; ``key`` None = not set)."""

    key: str | None
    volume: int = 0
    private: int = 0
    answered: int = 0
    resolved: int = 0
    ever_resolved: int = 0
    confirmed: int = 0
    first_contact: int = 0
    reopened: int = 0
    not_an_answer: int = 0
    first_response: Spread = field(default_factory=Spread)
    first_response_business: Spread = field(default_factory=Spread)
    next_response: Spread = field(default_factory=Spread)
    next_response_business: Spread = field(default_factory=Spread)
    resolution: Spread = field(default_factory=Spread)
    surveys: int = 0
    ratings: int = 0
    rating_sum: int = 0
    said_solved: int = 0
    sla_first_due: int = 0
    sla_first_met: int = 0
    sla_resolution_due: int = 0
    sla_resolution_met: int = 0
    promises: int = 0
    promises_broken: int = 0
    promises_pending: int = 0
    replies_checked: int = 0
    replies_flagged: int = 0
    overrides: int = 0
    went_public: int = 0
    escalations: int = 0
    backlog: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("waiting", *BACKLOG_AGES), 0))

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def resolution_rate(self) -> float | None:
        return self.share(self.resolved, self.volume)

    @property
    def confirmed_rate(self) -> float | None:
        return self.share(self.confirmed, self.volume)

    @property
    def first_contact_rate(self) -> float | None:
        return self.share(self.first_contact, self.resolved)

    @property
    def reopen_rate(self) -> float | None:
        return self.share(self.reopened, self.ever_resolved)

    @property
    def satisfaction(self) -> float | None:
        """The mean rating (1–5) of the surveys that gave one."""
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def said_solved_rate(self) -> float | None:
        return self.share(self.said_solved, self.surveys)

    @property
    def sla_first_rate(self) -> float | None:
        return self.share(self.sla_first_met, self.sla_first_due)

    @property
    def sla_resolution_rate(self) -> float | None:
        return self.share(self.sla_resolution_met, self.sla_resolution_due)

    @property
    def promises_kept(self) -> int:
        return self.promises - self.promises_broken - self.promises_pending

    @property
    def promises_kept_rate(self) -> float | None:
        return self.share(self.promises_kept, self.promises - self.promises_pending)

    @property
    def flag_rate(self) -> float | None:
        return self.share(self.replies_flagged, self.replies_checked)

    @property
    def went_public_rate(self) -> float | None:
        return self.share(self.went_public, self.private)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which tickets: created in ``[since, until)``, optionally of one channel/team/agent/category."""

    since: datetime
    until: datetime
    now: datetime
    only: Mapping[Dimension, str | int] = field(default_factory=dict)

    def filters(self) -> list[ColumnElement[bool]]:
        """The one channel, team, agent or category asked for, if any."""
        return [KEYS[dimension] == value for dimension, value in self.only.items()]

    def tickets(self) -> list[ColumnElement[bool]]:
        where = [Ticket.created_at >= self.since, Ticket.created_at < self.until, Ticket.merged_into_id.is_(None)]
        return where + self.filters()


def _cause(*causes: str) -> ColumnElement[bool]:
    return and_(AuditEvent.action == STATUS_CHANGED, AuditEvent.data["cause"].as_string().in_(causes))


def _reopened() -> ColumnElement[bool]:
    return and_(
        AuditEvent.action == STATUS_CHANGED,
        AuditEvent.data["from"].as_string().in_(RESOLVED),
        AuditEvent.data["to"].as_string() == Status.OPEN.value,
    )


def _has_event(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(AuditEvent.ticket_id == Ticket.id, condition)


def _our_replies() -> ColumnElement[bool]:
    """Public words of an agent to the customer (not notes, not the desk's own notices)."""
    return and_(
        Message.direction == Direction.OUTBOUND.value,
        Message.public.is_(True),
        Message.author_agent_id.is_not(None),
        Message.facts.is_(None),
    )


def resolved_at() -> ColumnElement[datetime]:
    """When a resolved ticket was resolved: the proposed solution, or its closing if none."""
    return func.coalesce(Ticket.solved_at, Ticket.closed_at)


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counts(session: Session, scope: Scope, key: Any) -> dict[Any, dict[str, int]]:
    """Counts over the period's tickets; each per-ticket fact that needs another table (reopened,
    confirmed, its number of replies, went public) is read once per ticket in an inner query, then
    summed per group."""
    replies = (
        select(func.count()).where(Message.ticket_id == Ticket.id, _our_replies()).correlate(Ticket).scalar_subquery()
    )
    confirmed = or_(
        _has_event(_cause("confirm")),
        exists().where(TicketSurvey.ticket_id == Ticket.id, TicketSurvey.solved.is_(True)),
    )
    went_public = exists().where(TicketLink.kind == WENT_PUBLIC, TicketLink.to_ticket_id == Ticket.id)
    facts = (
        select(
            key.label("key"),
            Ticket.status.in_(RESOLVED).label("resolved"),
            Ticket.is_public,
            Ticket.first_response_at,
            Ticket.first_response_due_at,
            Ticket.resolution_due_at,
            resolved_at().label("resolved_at"),
            _has_event(_reopened()).label("reopened"),
            confirmed.label("confirmed"),
            replies.label("replies"),
            went_public.label("went_public"),
        )
        .where(*scope.tickets())
        # OFFSET 0 keeps PostgreSQL from folding the inner query into the outer one, where each
        # EXISTS would run once per use (reopened three times) instead of once per ticket
        .offset(literal_column("0"))
        .subquery()
    )
    f, now = facts.c, scope.now
    first_due = and_(
        f.first_response_due_at.is_not(None), or_(f.first_response_at.is_not(None), f.first_response_due_at < now)
    )
    resolution_due = and_(f.resolution_due_at.is_not(None), or_(f.resolved, f.resolution_due_at < now))
    columns = {
        "volume": func.count(),
        "private": _sum(f.is_public.is_(False)),
        "answered": func.count(f.first_response_at),
        "resolved": _sum(f.resolved),
        "ever_resolved": _sum(or_(f.resolved, f.reopened)),
        "confirmed": _sum(f.confirmed),
        "first_contact": _sum(and_(f.resolved, f.replies == 1, ~f.reopened)),
        "reopened": _sum(f.reopened),
        "sla_first_due": _sum(first_due),
        "sla_first_met": _sum(and_(first_due, f.first_response_at <= f.first_response_due_at)),
        "sla_resolution_due": _sum(resolution_due),
        "sla_resolution_met": _sum(and_(resolution_due, f.resolved, f.resolved_at <= f.resolution_due_at)),
        "went_public": _sum(and_(f.is_public.is_(False), f.went_public)),
    }
    rows = session.execute(select(f.key, *(column.label(name) for name, column in columns.items())).group_by(f.key))
    return {row[0]: dict(zip(columns, map(int, row[1:]), strict=True)) for row in rows}


def _per_ticket(session: Session, scope: Scope, key: Any, joined: Any, on: Any, counted: dict[str, Any]) -> Any:
    """Counts over rows of ``joined`` (events, surveys…) of the scope's tickets, per group."""
    query = select(key, *(column.label(name) for name, column in counted.items())).join_from(Ticket, joined, on)
    return session.execute(query.where(*scope.tickets()).group_by(key))


def _events(session: Session, scope: Scope, key: Any) -> dict[Any, dict[str, int]]:
    held = aliased(AuditEvent)
    later = aliased(AuditEvent)
    next_held = (
        select(func.min(later.id))
        .where(later.ticket_id == held.ticket_id, later.id > held.id, later.action == "ticket.held")
        .correlate(held)
        .scalar_subquery()
    )
    due_came = (
        select(func.min(later.id))
        .where(
            later.ticket_id == held.ticket_id,
            later.id > held.id,
            later.action == STATUS_CHANGED,
            later.data["cause"].as_string() == "hold_due",
        )
        .correlate(held)
        .scalar_subquery()
    )
    broken = and_(due_came.is_not(None), or_(next_held.is_(None), due_came < next_held))
    pending = and_(next_held.is_(None), Ticket.status == Status.ON_HOLD.value, Ticket.hold_until > scope.now)
    out: dict[Any, dict[str, int]] = {}
    promises = _per_ticket(
        session, scope, key, held, and_(held.ticket_id == Ticket.id, held.action == "ticket.held"),
        {"promises": func.count(), "promises_broken": _sum(broken), "promises_pending": _sum(pending)},
    )  # fmt: skip
    replies = _per_ticket(
        session, scope, key, AuditEvent,
        and_(AuditEvent.ticket_id == Ticket.id, AuditEvent.action == CHECKED),
        {"replies_checked": func.count(), "replies_flagged": _sum(AuditEvent.data["flagged"].as_boolean())},
    )  # fmt: skip
    rejected = _per_ticket(
        session, scope, key, AuditEvent, and_(AuditEvent.ticket_id == Ticket.id, _cause("reject_solution")),
        {"not_an_answer": func.count()},
    )  # fmt: skip
    overrides = _per_ticket(
        session, scope, key, QualityFeedback,
        and_(QualityFeedback.ticket_id == Ticket.id, QualityFeedback.decision == OVERRIDE),
        {"overrides": func.count()},
    )  # fmt: skip
    escalations = _per_ticket(
        session, scope, key, TicketEscalation, TicketEscalation.ticket_id == Ticket.id, {"escalations": func.count()}
    )
    surveys = _per_ticket(
        session, scope, key, TicketSurvey, TicketSurvey.ticket_id == Ticket.id,
        {"surveys": func.count(), "ratings": func.count(TicketSurvey.rating),
         "rating_sum": func.coalesce(func.sum(TicketSurvey.rating), 0),
         "said_solved": _sum(TicketSurvey.solved.is_(True))},
    )  # fmt: skip
    for result in (promises, replies, rejected, overrides, escalations, surveys):
        names = list(result.keys())[1:]
        for row in result:
            out.setdefault(row[0], {}).update(zip(names, map(int, row[1:]), strict=True))
    return out


def spreads(
    session: Session, key: Any, seconds: Any, where: Sequence[ColumnElement[bool]], *, joins: Iterable[Any] = ()
) -> dict[Any, Spread]:
    """Median and p90 by nearest rank of ``seconds`` per group, ranked by the database: PostgreSQL's
    ``percentile_disc`` (the first value whose cumulative share reaches p — the nearest rank) in one
    aggregate pass; elsewhere row numbers over a window, the rows at ⌈p·n⌉ picked."""
    if session.get_bind().dialect.name == "postgresql":
        return _percentiles(session, key, seconds, where, joins)
    ranked = select(
        key.label("key"),
        seconds.label("seconds"),
        func.row_number().over(partition_by=key, order_by=seconds).label("rank"),
        func.count().over(partition_by=key).label("n"),
    ).select_from(Ticket)
    for target, on in joins:
        ranked = ranked.join(target, on)
    inner = ranked.where(seconds.is_not(None), *where).subquery()
    wanted = or_(*(inner.c.rank == (inner.c.n * share + 99) // 100 for share in SHARES))
    found: dict[Any, dict[int, Any]] = {}
    for group, value, rank, count in session.execute(
        select(inner.c.key, inner.c.seconds, inner.c.rank, inner.c.n).where(wanted)
    ):
        mine = found.setdefault(group, {0: int(count)})
        for share in SHARES:
            if rank == (count * share + 99) // 100:
                mine[share] = round(float(value), 3)
    return {group: Spread(v[0], v.get(50), v.get(90)) for group, v in found.items()}


def _percentiles(
    session: Session, key: Any, seconds: Any, where: Sequence[ColumnElement[bool]], joins: Iterable[Any]
) -> dict[Any, Spread]:
    marks = [func.percentile_disc(share / 100).within_group(seconds) for share in SHARES]
    query = select(key, func.count(seconds), *marks).select_from(Ticket)
    for target, on in joins:
        query = query.join(target, on)
    rows = session.execute(query.where(seconds.is_not(None), *where).group_by(key))
    return {
        group: Spread(int(count), *(None if v is None else round(float(v), 3) for v in (median, p90)))
        for group, count, median, p90 in rows
    }


def _durations(session: Session, scope: Scope, key: Any) -> dict[str, dict[Any, Spread]]:
    where = scope.tickets()
    asked = Ticket.first_customer_message_at
    # a wait our reply ended after the first response (recorded on the reply when it reached them)
    later = [*where, Message.wait_seconds.is_not(None), Message.created_at > Ticket.first_response_at]
    replies = [(Message, Message.ticket_id == Ticket.id)]
    return {
        "first_response": spreads(session, key, seconds_between(asked, Ticket.first_response_at), where),
        "first_response_business": spreads(session, key, Ticket.first_response_business_seconds, where),
        "next_response": spreads(session, key, Message.wait_seconds, later, joins=replies),
        "next_response_business": spreads(session, key, Message.wait_business_seconds, later, joins=replies),
        "resolution": spreads(
            session, key, seconds_between(asked, resolved_at()), [*where, Ticket.status.in_(RESOLVED)]
        ),
    }


def _backlog(session: Session, scope: Scope, key: Any) -> dict[Any, dict[str, int]]:
    """Tickets waiting for our answer now (whenever created), by how long they have waited."""
    waiting = and_(Ticket.waiting_since.is_not(None), Ticket.status.not_in(RESOLVED), Ticket.merged_into_id.is_(None))
    columns = {"waiting": func.count()} | {
        age: _sum(Ticket.waiting_since <= scope.now - span) for age, span in BACKLOG_AGES.items()
    }
    rows = session.execute(
        select(key, *(c.label(n) for n, c in columns.items())).where(waiting, *scope.filters()).group_by(key)
    )
    return {row[0]: dict(zip(columns, map(int, row[1:]), strict=True)) for row in rows}


def health(session: Session, scope: Scope, dimension: Dimension) -> list[Health]:
    """Every group's figures, groups ordered by volume (largest first), then key."""
    without_jit(session)
    key = KEYS[dimension]
    groups: dict[Any, Health] = {}

    def group(value: Any) -> Health:
        return groups.setdefault(value, Health(None if value is None else str(value)))

    for found in (_counts(session, scope, key), _events(session, scope, key)):
        for value, counts in found.items():
            for name, number in counts.items():
                setattr(group(value), name, number)
    for name, spreads in _durations(session, scope, key).items():
        for value, spread in spreads.items():
            setattr(group(value), name, spread)
    for value, ages in _backlog(session, scope, key).items():
        group(value).backlog = ages
    return sorted(groups.values(), key=lambda h: (-h.volume, h.key or ""))


def labels(session: Session, dimension: Dimension, keys: Iterable[str | None]) -> dict[str, str]:
    """Names for team and agent ids (channel and category keys are codes the pages translate)."""
    ids = [int(k) for k in keys if k is not None and k.isdigit()]
    if dimension is Dimension.TEAM and ids:
        return {str(i): name for i, name in session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))}
    if dimension is Dimension.AGENT and ids:
        return {str(i): name for i, name in session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))}
    return {}


def as_row(h: Health, label: str | None = None) -> dict[str, Any]:
    """One group's figures as a flat row: the API's item, a CSV line, a line of the terminal report.
    Durations in seconds, rates as shares (0–1), None where there is nothing to divide."""
    spreads_ = {
        "first_response": h.first_response,
        "first_response_business": h.first_response_business,
        "next_response": h.next_response,
        "next_response_business": h.next_response_business,
        "resolution": h.resolution,
    }
    return {
        "key": h.key,
        "label": label if label is not None else h.key,
        "volume": h.volume,
        "answered": h.answered,
        **{f"{name}_{part}_seconds": getattr(s, part) for name, s in spreads_.items() for part in ("median", "p90")},
        "resolved": h.resolved,
        "resolution_rate": h.resolution_rate,
        "confirmed": h.confirmed,
        "confirmed_rate": h.confirmed_rate,
        "first_contact_rate": h.first_contact_rate,
        "reopened": h.reopened,
        "reopen_rate": h.reopen_rate,
        "not_an_answer": h.not_an_answer,
        "surveys": h.surveys,
        "ratings": h.ratings,
        "satisfaction": h.satisfaction,
        "said_solved_rate": h.said_solved_rate,
        "sla_first_response_rate": h.sla_first_rate,
        "sla_resolution_rate": h.sla_resolution_rate,
        "promises": h.promises,
        "promises_kept": h.promises_kept,
        "promises_broken": h.promises_broken,
        "promises_pending": h.promises_pending,
        "promises_kept_rate": h.promises_kept_rate,
        "replies_checked": h.replies_checked,
        "replies_flagged": h.replies_flagged,
        "flag_rate": h.flag_rate,
        "overrides": h.overrides,
        "went_public": h.went_public,
        "went_public_rate": h.went_public_rate,
        "escalations": h.escalations,
        **{f"backlog_{age}": count for age, count in h.backlog.items()},
    }


def table(session: Session, scope: Scope, dimension: Dimension) -> list[dict[str, Any]]:
    """``health`` as rows, with team and agent names; a channel under the resolution floor marked."""
    rows = health(session, scope, dimension)
    names = labels(session, dimension, (row.key for row in rows))
    out = [as_row(row, names.get(row.key or "", row.key)) for row in rows]
    for row in out:
        row["below_floor"] = dimension is Dimension.CHANNEL and below_floor(row["volume"], row["resolution_rate"])
    return out


def window(
    period: str | None, since: date | None, until: date | None, days: int, *, now: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """A report's period in UTC: a month (``period``, YYYY-MM), dates in the desk's zone (``since``
    inclusive, ``until`` exclusive), or the last ``days``. A 422 names the field that is wrong."""
    if period is not None:
        try:
            return period_bounds(period, zone)
        except ValueError as exc:
            raise InvalidInput("invalid_field", field="period", reason=str(exc)) from None
    start = now - timedelta(days=days) if since is None else datetime.combine(since, time(), zone).astimezone(UTC)
    end = now if until is None else datetime.combine(until, time(), zone).astimezone(UTC)
    if end <= start:
        raise InvalidInput("invalid_field", field="until", reason="после since / after since")
    return start, end

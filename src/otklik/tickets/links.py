"""Ticket side of links and merges: «went public» links, raised urgency, closing a duplicate into
the ticket that carries on (and undoing it), and the likely-duplicate offers.

Merging moves messages, which live a layer up: ``messages.links`` moves them and calls
``do_close_merged`` / ``do_reopen_merged`` here for everything the ticket itself owns.
Undoing a merge restores the snapshot recorded at the merge, audited as ``ticket.merge_undone``;
its status goes back through ``tickets.actions.do_undo_merge_status`` (the one writer of a status).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from otklik.core import audit, jobs
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, InvalidInput
from otklik.tickets import clocks
from otklik.tickets.actions import do_assign, do_transition, do_undo_merge_status
from otklik.tickets.models import MergeDismissal, Ticket, TicketLink, TicketReference
from otklik.tickets.rules import (
    Action,
    Author,
    CaseFacts,
    Status,
    duplicate_reasons,
    raised_urgency,
    whole_days,
)

WENT_PUBLIC = "went_public"
MERGED = "merged"

#: what a merge changes on the duplicate, and so what undo puts back
SOURCE_FIELDS = (
    "status", "closed_at", "solved_at", "hold_until", "hold_promise", "waiting_since", "first_response_due_at",
    "next_response_due_at", "requeued_at", "updated_at", "merged_into_id",
)  # fmt: skip
#: what a merge may change on the ticket that carries on
TARGET_FIELDS = (
    "status", "last_public_author", "first_customer_message_at", "last_customer_message_at", "waiting_since",
    "first_response_due_at", "next_response_due_at", "resolution_due_at", "hold_until", "hold_promise", "solved_at",
    "updated_at",
)  # fmt: skip
TIMES = frozenset(
    {
        "closed_at", "solved_at", "hold_until", "waiting_since", "first_response_due_at", "next_response_due_at",
        "requeued_at", "updated_at", "first_customer_message_at", "last_customer_message_at", "resolution_due_at",
    }
)  # fmt: skip


def _event(session: Session, actor: Actor, action: str, ticket: Ticket, at: datetime, **data: Any) -> None:
    audit.record(
        session, actor=actor, action=action, entity="ticket", entity_id=ticket.id, ticket_id=ticket.id, data=data, at=at
    )


def _refresh_links(session: Session, *tickets: Ticket) -> None:
    session.flush()
    for ticket in tickets:
        session.expire(ticket, ["links_out", "links_in"])


# ---- went public ----------------------------------------------------------------------------


def do_raise_urgency(session: Session, ticket: Ticket, *, cause: str, actor: Actor, at: datetime) -> None:
    """One urgency level up; the SLA targets follow. Emits ``ticket.urgency_raised``."""
    old = ticket.urgency
    ticket.urgency = raised_urgency(old)
    ticket.updated_at = at
    if ticket.urgency != old:
        clocks.retarget(session, ticket)
    _event(session, actor, "ticket.urgency_raised", ticket, at, **{"from": old, "to": ticket.urgency, "cause": cause})


def do_link_went_public(
    session: Session, public: Ticket, private: Ticket, *, posted_at: datetime, actor: Actor, at: datetime
) -> TicketLink | None:
    """The public complaint ``public`` is about the unresolved private case ``private``: linked as
    «went public after N days» (N: whole days from the customer's first message on ``private`` to
    the post) and ``private``'s urgency rises one level. None when they are linked already.
    Emits ``ticket.went_public`` on both tickets and ``ticket.urgency_raised`` on the private one.
    """
    exists = session.scalars(
        select(TicketLink.id).where(
            TicketLink.kind == WENT_PUBLIC,
            TicketLink.from_ticket_id == public.id,
            TicketLink.to_ticket_id == private.id,
        )
    ).first()
    if exists is not None:
        return None
    days = whole_days(private.first_customer_message_at or private.created_at, posted_at)
    link = TicketLink(kind=WENT_PUBLIC, from_ticket_id=public.id, to_ticket_id=private.id, days=days, created_at=at)
    session.add(link)
    for ticket, other in ((public, private), (private, public)):
        _event(session, actor, "ticket.went_public", ticket, at, public_ticket_id=public.id,
               private_ticket_id=private.id, days=days, other_ticket_id=other.id)  # fmt: skip
    do_raise_urgency(session, private, cause=WENT_PUBLIC, actor=actor, at=at)
    _refresh_links(session, public, private)
    return link


def do_unlink_went_public(session: Session, link: TicketLink, *, urgency: str, actor: Actor, at: datetime) -> None:
    """Take back a «went public» link a customer merge made (its undo): the link goes and the
    private case's urgency is what it was before. Emits ``ticket.went_public_undone`` on both."""
    public, private = session.get(Ticket, link.from_ticket_id), session.get(Ticket, link.to_ticket_id)
    assert public is not None  # tickets are never deleted (RESTRICT)
    assert private is not None
    session.delete(link)
    if private.urgency != urgency:
        private.urgency = urgency
        private.updated_at = at
        clocks.retarget(session, private)
    for ticket in (public, private):
        _event(session, actor, "ticket.went_public_undone", ticket, at, public_ticket_id=public.id,
               private_ticket_id=private.id, urgency=urgency)  # fmt: skip
    _refresh_links(session, public, private)


def do_follow_case_owner(
    session: Session, public: Ticket, privates: list[Ticket], *, actor: Actor, at: datetime
) -> None:
    """A public complaint belongs to whoever owns the private case it is about (the newest owned
    one of ``privates``): the customer hears from one named person, not two. Emits
    ``ticket.assigned`` or ``ticket.transferred`` when the owner changes."""
    if public.status == Status.CLOSED.value:
        return
    case = next((t for t in privates if t.assignee is not None and t.status != Status.CLOSED.value), None)
    if case is None or case.assignee is None or public.assignee_id == case.assignee_id:
        return
    do_assign(
        session, public, case.assignee, actor=actor, at=at,
        reason=f"ведёт обращение #{case.id}, о котором эта публикация",
        reason_en=f"owns case #{case.id}, which this post is about",
    )  # fmt: skip


# ---- merges -----------------------------------------------------------------------------------


def _dump(ticket: Ticket, fields: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(ticket, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


def _load(ticket: Ticket, values: dict[str, Any]) -> None:
    """Every saved field but the status, which only ``tickets.actions`` writes."""
    for name, value in values.items():
        if name == "status":
            continue
        setattr(ticket, name, datetime.fromisoformat(value) if name in TIMES and value is not None else value)


def check_merge(source: Ticket, target: Ticket) -> None:
    """Two live tickets of one customer, both public or both private."""
    if source.id == target.id:
        raise InvalidInput("merge_same", field="ticket_id", id=source.id)
    if source.customer_id != target.customer_id:
        raise Conflict("merge_other_customer", source=source.id, target=target.id)
    if source.is_public != target.is_public:
        raise Conflict("merge_public_private", source=source.id, target=target.id)
    for ticket in (source, target):
        if ticket.status == Status.CLOSED.value:
            raise Conflict("transition_not_allowed", action=Action.MERGE.value, status=ticket.status)


def do_close_merged(session: Session, source: Ticket, target: Ticket, *, actor: Actor, at: datetime) -> dict[str, Any]:
    """Ticket side of merging ``source`` into ``target`` (messages are moved by the caller).

    ``source`` ends ``closed`` with ``merged_into``, its clocks stopped; ``target`` takes its
    references, the customer's earlier first word, and — when the customer was waiting on
    ``source`` — the wait (reopening ``target`` as a customer message would). Returns the
    snapshot undo needs. Emits ``ticket.merged`` on both tickets.
    """
    check_merge(source, target)
    snapshot: dict[str, Any] = {
        "source": _dump(source, SOURCE_FIELDS),
        "target": _dump(target, TARGET_FIELDS),
        "source_timers": _pending_timers(session, source.id),
        "target_timers": _pending_timers(session, target.id),
    }
    waiting = source.waiting_since
    do_transition(session, source, Action.MERGE, actor=actor, at=at)
    source.merged_into_id = target.id
    source.closed_at = at
    source.hold_until = None
    source.hold_promise = None
    clocks.stop_all(session, source)
    copied = []
    have = {(r.kind, r.value) for r in target.references}
    for reference in source.references:
        if (reference.kind, reference.value) not in have:
            added = TicketReference(ticket_id=target.id, kind=reference.kind, value=reference.value, created_at=at)
            target.references.append(added)
            have.add((reference.kind, reference.value))
            copied.append(added)
    session.flush()
    snapshot["references"] = [r.id for r in copied]
    _absorb(session, source, target, waiting, actor, at)
    target.updated_at = at
    snapshot["target_updated_at"] = at.isoformat()
    session.add(TicketLink(kind=MERGED, from_ticket_id=source.id, to_ticket_id=target.id, created_at=at))
    for ticket in (source, target):
        _event(session, actor, "ticket.merged", ticket, at, source_ticket_id=source.id, target_ticket_id=target.id)
    _refresh_links(session, source, target)
    return snapshot


def _absorb(
    session: Session, source: Ticket, target: Ticket, waiting: datetime | None, actor: Actor, at: datetime
) -> None:
    """``target`` inherits what the customer said on ``source``: their first word and their wait."""
    first = source.first_customer_message_at
    if first is not None and (target.first_customer_message_at is None or first < target.first_customer_message_at):
        target.first_customer_message_at = first
        clocks.start_resolution_clock(session, target, first)
        clocks.start_age_clock(session, target, first)
    last = source.last_customer_message_at
    if last is not None and (target.last_customer_message_at is None or last > target.last_customer_message_at):
        target.last_customer_message_at = last
        if target.last_public_reply_at is None or last > target.last_public_reply_at:
            target.last_public_author = Author.CUSTOMER.value
    if waiting is None:
        return
    was = target.status
    do_transition(session, target, Action.CUSTOMER_MESSAGE, actor=actor, at=at)
    if was == Status.ON_HOLD.value:
        clocks.cancel_hold(session, target)
    if was == Status.SOLVED.value:
        clocks.cancel_auto_close(session, target)
        target.solved_at = None
    target.hold_until = None
    target.hold_promise = None
    if target.waiting_since is None or waiting < target.waiting_since:
        target.waiting_since = None
        clocks.start_response_clock(session, target, waiting)


def do_reopen_merged(
    session: Session, source: Ticket, target: Ticket, snapshot: dict[str, Any], *, actor: Actor, at: datetime
) -> None:
    """Undo the ticket side of a merge: ``source`` is back as it was, with its clocks; copied
    references leave ``target``; ``target`` itself is put back only when nothing happened on it
    since the merge (otherwise its later life stands). Emits ``ticket.merge_undone`` on both."""
    _load(source, snapshot["source"])
    do_undo_merge_status(session, source, snapshot["source"]["status"], duplicate=True, actor=actor, at=at)
    _restore_timers(session, source.id, snapshot["source_timers"])
    copied = [int(i) for i in snapshot.get("references", [])]
    if copied:
        session.execute(delete(TicketReference).where(TicketReference.id.in_(copied)))
        session.expire(target, ["references"])
    session.execute(
        delete(TicketLink).where(
            TicketLink.kind == MERGED, TicketLink.from_ticket_id == source.id, TicketLink.to_ticket_id == target.id
        )
    )
    untouched = target.updated_at == datetime.fromisoformat(snapshot["target_updated_at"])
    if untouched:
        _load(target, snapshot["target"])
        _restore_timers(session, target.id, snapshot["target_timers"])  # the merge's timers go, the old come back
        do_undo_merge_status(session, target, snapshot["target"]["status"], duplicate=False, actor=actor, at=at)
    for ticket in (source, target):
        _event(session, actor, "ticket.merge_undone", ticket, at, source_ticket_id=source.id,
               target_ticket_id=target.id, target_restored=untouched)  # fmt: skip
    _refresh_links(session, source, target)


def _pending_timers(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    """Every pending job keyed to the ticket (SLA, hold, auto-close, age, and any other domain's), as data."""
    rows = session.scalars(
        select(jobs.Job)
        .where(jobs.Job.key.startswith(f"ticket:{ticket_id}:", autoescape=True), jobs.Job.state == "pending")
        .order_by(jobs.Job.id)
    )
    return [
        {"kind": j.kind, "key": j.key, "payload": j.payload, "due_at": j.due_at.isoformat(),
         "max_attempts": j.max_attempts}
        for j in rows
    ]  # fmt: skip


def _restore_timers(session: Session, ticket_id: int, saved: list[dict[str, Any]]) -> None:
    """Exactly the timers ``saved`` for the ticket, none other (a time already past fires at once,
    and every handler re-reads its ticket, so a stale one does nothing)."""
    jobs.cancel_prefix(session, f"ticket:{ticket_id}:")
    session.flush()
    for job in saved:
        jobs.schedule(
            session, job["kind"], job["payload"], due_at=datetime.fromisoformat(job["due_at"]), key=job["key"],
            max_attempts=int(job["max_attempts"]), fresh=True,
        )  # fmt: skip


# ---- likely duplicates ------------------------------------------------------------------------


def case_facts(ticket: Ticket) -> CaseFacts:
    return CaseFacts(ticket.id, ticket.category, frozenset((r.kind, r.value) for r in ticket.references))


def _pair(first: int, second: int) -> tuple[int, int]:
    low, high = sorted((first, second))
    return low, high


def dismissed(session: Session, kind: str, first: int, second: int) -> bool:
    low, high = _pair(first, second)
    found = session.scalars(
        select(MergeDismissal.id).where(
            MergeDismissal.kind == kind, MergeDismissal.first_id == low, MergeDismissal.second_id == high
        )
    ).first()
    return found is not None


def duplicate_suggestions(session: Session, ticket: Ticket) -> list[tuple[Ticket, list[str]]]:
    """The customer's other live tickets that look like the same problem (a shared category or
    outside number), minus those an agent has said are different. Oldest first."""
    if ticket.status == Status.CLOSED.value:
        return []
    others = session.scalars(
        select(Ticket)
        .where(
            Ticket.customer_id == ticket.customer_id,
            Ticket.id != ticket.id,
            Ticket.status != Status.CLOSED.value,
            Ticket.is_public == ticket.is_public,
        )
        .order_by(Ticket.created_at, Ticket.id)
    ).unique()
    mine = case_facts(ticket)
    found = []
    for other in others:
        reasons = duplicate_reasons(mine, case_facts(other))
        if reasons and not dismissed(session, "ticket", ticket.id, other.id):
            found.append((other, reasons))
    return found


def do_dismiss(session: Session, kind: str, first: int, second: int, *, actor: Actor, at: datetime) -> None:
    """An agent says the two are not the same (``kind``: ticket, customer); not offered again.
    Emits ``<kind>.merge_dismissed``."""
    low, high = _pair(first, second)
    if not dismissed(session, kind, low, high):
        session.add(MergeDismissal(kind=kind, first_id=low, second_id=high, agent_id=actor.id, created_at=at))
    ticket_id = low if kind == "ticket" else None
    audit.record(session, actor=actor, action=f"{kind}.merge_dismissed", entity=kind, entity_id=low,
                 ticket_id=ticket_id, data={"first_id": low, "second_id": high}, at=at)  # fmt: skip


def links_of(session: Session, ticket_id: int) -> list[TicketLink]:
    """Every link that names the ticket, from either end, oldest first."""
    return list(
        session.scalars(
            select(TicketLink)
            .where(or_(TicketLink.from_ticket_id == ticket_id, TicketLink.to_ticket_id == ticket_id))
            .order_by(TicketLink.id)
        )
    )

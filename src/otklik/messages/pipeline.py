"""Intake's pipeline: every stage a customer's message goes through, named and called in order here.

1. ``accept`` — vet each item (its text, its sender's address) and append the good ones to the
   journal in one statement (``journal.append``). The caller's commit of that append is the
   acknowledgement: the webhook answers, SMTP says 250, the API says 202 — nothing later can lose
   the item.
2. ``claim`` — a builder takes a lane (a set of senders) with a try-lock that never waits, then the
   lane's oldest pending items. One builder per lane keeps one sender's messages in order.
3. ``lock_tickets`` — the open tickets those senders' customers already have, locked in ascending id
   order before anything is written: the one global order in which every writer (job batches,
   routing) takes tickets, so a builder and a worker never wait on each other in a circle.
4. ``build`` — each item becomes its message on its ticket (``actions.do_receive_inbound``), in a
   savepoint; the domains above (triage, routing, the bot) schedule their jobs there, in the same
   transaction.
5. ``settle`` — each item records what it became, or why it failed (moved aside with its reason,
   in the batch's own transaction: no lock of the batch is kept for it); channel health is noted
   once per channel per batch.

Who builds: the request that appended the items, right after its acknowledgement (so a lone message
is routed at once), and every worker round (``build_pending``), which picks up whatever a crashed or
busy request left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.actions import do_note_error, do_note_inbound
from otklik.channels.base import InboundMessage
from otklik.channels.models import ChannelHealth
from otklik.core import clock
from otklik.core.errors import DomainError, NotBuilt, Unavailable
from otklik.core.taxonomy import Channel
from otklik.customers.actions import check_identity
from otklik.customers.models import Identity
from otklik.messages import journal
from otklik.messages.actions import check_text, do_receive_inbound, keyed_by_content
from otklik.messages.journal import Appended
from otklik.messages.models import JournalItem, JournalState
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status

log = logging.getLogger("otklik.intake")

#: items one builder takes from a lane in one transaction
BATCH = 100
#: an item whose building failed on the database (not on its content) is tried this often
ATTEMPTS = 3
#: how a failure of our own code on an item is recorded (the details are in the server's log)
INTERNAL = "internal error, see the server log"
#: PostgreSQL advisory-lock namespace of the lanes (``pg_try_advisory_xact_lock(LANE_LOCKS, lane)``)
LANE_LOCKS = 0x4F4B4A  # "OKJ"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a journaled item is now: ``pending``, ``built`` (its ticket and message) or ``failed``."""

    item_id: int
    state: str
    ticket_id: int | None = None
    message_id: int | None = None
    duplicate: bool = False
    error: str | None = None

    @classmethod
    def of(cls, item: JournalItem, *, repeated: bool = False) -> Receipt:
        return cls(item.id, item.state, item.ticket_id, item.message_id, item.duplicate or repeated, item.error)


# 1. accept -------------------------------------------------------------------------------------


def vet(inbound: InboundMessage) -> DomainError | None:
    """Why intake could never store ``inbound`` (empty text, an impossible sender address), else None:
    checked before the acknowledgement, so nothing acknowledged is refused later."""
    try:
        check_text(inbound.text)
        check_identity(inbound.sender_kind, inbound.sender_value)
    except DomainError as refused:
        return refused
    return None


def accept(session: Session, inbounds: Sequence[InboundMessage]) -> list[Appended | DomainError]:
    """Vet every item and append the good ones in one statement; the caller commits (the acknowledgement).
    Refusals are noted on their channel's health."""
    verdicts = [vet(inbound) for inbound in inbounds]
    good = [inbound for inbound, refused in zip(inbounds, verdicts, strict=True) if refused is None]
    appended = iter(journal.append(session, good, clock.now()))
    results: list[Appended | DomainError] = []
    for inbound, refused in zip(inbounds, verdicts, strict=True):
        if refused is None:
            results.append(next(appended))
            continue
        log.warning("%s %s refused: %s", inbound.channel.value, inbound.external_id, refused.message("en"))
        do_note_error(session, inbound.channel.value, f"{inbound.external_id}: {refused.message('en')}")
        results.append(refused)
    return results


# 2. claim --------------------------------------------------------------------------------------


def take_lane(session: Session, lane: int) -> bool:
    """The lane for this transaction, if no other builder has it (never waits: a builder that finds it
    taken leaves it to its holder). SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.execute(
        text("SELECT pg_try_advisory_xact_lock(:space, :lane)"), {"space": LANE_LOCKS, "lane": lane}
    ).scalar_one()
    return bool(taken)


def claim(session: Session, lane: int, limit: int = BATCH, *, through: int | None = None) -> list[JournalItem]:
    """The lane's oldest pending items, in the order they came (``through``: none after that item —
    a request building its own message leaves later ones to their own requests)."""
    query = select(JournalItem).where(JournalItem.state == JournalState.PENDING.value, JournalItem.lane == lane)
    if through is not None:
        query = query.where(JournalItem.id <= through)
    return list(session.scalars(query.order_by(JournalItem.id).limit(limit).with_for_update(skip_locked=True)))


# 3. lock ---------------------------------------------------------------------------------------


def lock_tickets(session: Session, items: Sequence[JournalItem]) -> list[int]:
    """Lock, in ascending id order, the open tickets of the customers these senders already are:
    the only existing tickets building the items may write to. Returns their ids."""
    senders = {(item.body["sender_kind"], item.body["sender_value"]) for item in items}
    if not senders:
        return []
    customers = select(Identity.customer_id).where(tuple_(Identity.kind, Identity.value).in_(sorted(senders)))
    return list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.customer_id.in_(customers), Ticket.status != Status.CLOSED.value)
            .order_by(Ticket.id)
            .with_for_update()
        )
    )


# 4. build and 5. settle ------------------------------------------------------------------------


def build(session: Session, item: JournalItem) -> bool:
    """Build one item in its own savepoint and settle it. False when the database (not the item)
    failed and the item stays pending for another try; the caller stops the lane there, so the
    sender's later messages are not built before it. A lost connection ends the whole batch (raised)."""
    inbound = journal.restore(item.body)
    moment = clock.now()
    try:
        with session.begin_nested():
            if inbound.channel is Channel.EMAIL:
                inbound = keyed_by_content(session, inbound)
            intake = do_receive_inbound(session, inbound, at=moment)
    except DomainError as refused:
        _fail(session, item, refused.message("en"), moment)
        return True
    except DBAPIError as trouble:  # a concurrent twin, a deadlock victim, a lock timeout
        if trouble.connection_invalidated:
            raise
        item.attempts += 1
        if item.attempts >= ATTEMPTS:
            _fail(session, item, f"database: {type(trouble.orig).__name__}: {trouble.orig}"[:2000], moment)
            return True
        log.warning("journal item %s: will try again: %s", item.id, trouble.orig)
        return False
    except Exception as bug:  # our code failed on this item: it must not hold up every sender of its lane
        log.exception("journal item %s: building failed", item.id)
        _fail(session, item, f"{INTERNAL}: {type(bug).__name__}", moment)
        return True
    item.state = JournalState.BUILT.value
    item.ticket_id, item.message_id = intake.ticket.id, intake.message.id
    item.duplicate = intake.duplicate
    item.built_at = moment
    return True


def _fail(session: Session, item: JournalItem, reason: str, at: datetime) -> None:
    """Move the item aside with its reason; its channel's health shows the error."""
    log.warning("journal item %s (%s %s) not built: %s", item.id, item.channel, item.key, reason)
    item.state = JournalState.FAILED.value
    item.error = reason
    item.built_at = at
    do_note_error(session, item.channel, f"{item.key}: {reason}", at=at)


def build_lane(
    session: Session, lane: int, *, limit: int = BATCH, through: int | None = None, taken: bool = False
) -> list[JournalItem] | None:
    """Stages 2–5 for one lane in the caller's transaction (the caller commits): the items settled,
    or None when another builder has the lane (``taken``: the caller holds it already)."""
    if not taken and not take_lane(session, lane):
        return None
    items = claim(session, lane, limit, through=through)
    if not items:
        return []
    lock_tickets(session, items)
    settled: list[JournalItem] = []
    for item in items:
        if not build(session, item):
            break
        settled.append(item)
    for channel in {item.channel for item in settled if item.state == JournalState.BUILT.value}:
        _note_inbound(session, channel)
    return settled


#: a channel's «last message at» is refreshed at most this often (seconds)
NOTE_EVERY = 5.0


def _note_inbound(session: Session, channel: str) -> None:
    """Channel health's «last message at», when it is older than a few seconds: under load, every
    batch writing the same row would be a queue of its own."""
    noted = session.scalar(select(ChannelHealth.last_inbound_at).where(ChannelHealth.channel == channel))
    if noted is not None and (clock.now() - noted).total_seconds() < NOTE_EVERY:
        return
    do_note_inbound(session, channel, wait=False)


def pending_lanes(session: Session) -> list[int]:
    """The lanes with items to build, the fullest first."""
    rows = session.execute(
        select(JournalItem.lane, func.count())
        .where(JournalItem.state == JournalState.PENDING.value)
        .group_by(JournalItem.lane)
    ).all()
    return [lane for lane, _ in sorted(rows, key=lambda row: -row[1])]


def build_pending(factory: sessionmaker[Session], *, limit: int = BATCH) -> int:
    """One worker round: a batch of every lane with pending items that no other builder holds."""
    with factory() as session:
        lanes = pending_lanes(session)
    return build_lanes(factory, lanes, limit=limit)


def build_lanes(factory: sessionmaker[Session], lanes: Sequence[int], *, limit: int = BATCH) -> int:
    """A batch of each of ``lanes``, each in its own transaction (a request's work after its answer
    has gone, a worker's round). Returns the items settled."""
    total = 0
    with factory() as session:
        for lane in lanes:
            try:
                done = build_lane(session, lane, limit=limit)
                session.commit()
            except DBAPIError:  # the database blinked or chose us as a victim: the items are still pending
                session.rollback()
                log.exception("journal lane %s: batch rolled back", lane)
                continue
            total += len(done or [])
    return total


# the synchronous caller --------------------------------------------------------------------------


def receive_now(
    session: Session, inbounds: Sequence[InboundMessage], *, wait: float = 10.0
) -> list[Receipt | DomainError]:
    """Accept and build here, for callers that must answer with the ticket (the API without
    ``Prefer: respond-async``, the web chat and form, mail). When every lane the items fall in is
    free, they are appended and built in one transaction: one commit is both the acknowledgement and
    the build, as the caller waits for both anyway. Otherwise the append is committed first (the
    acknowledgement) and the items are built as soon as their lanes free up, waiting at most ``wait``
    seconds (a receipt still ``pending`` then)."""
    accepted = accept(session, inbounds)
    ours = [a for a in accepted if isinstance(a, Appended)]
    lanes = _last_of_ours(ours)
    settled: dict[int, JournalItem] = {}
    try:
        if all(take_lane(session, lane) for lane in lanes):
            for lane, last in lanes.items():
                settled.update((item.id, item) for item in build_lane(session, lane, through=last, taken=True) or [])
        session.commit()
    except IntegrityError:  # a concurrent twin committed first: journal alone, then build as a waiter
        session.rollback()
        accepted = accept(session, inbounds)
        ours = [a for a in accepted if isinstance(a, Appended)]
        settled = {}
        session.commit()
    left = [a for a in ours if a.item_id not in settled]  # repeats, and items whose lane was busy
    later = dict(zip((a.item_id for a in left), settle_soon(session, left, wait=wait), strict=True))
    built_here = {a.item_id: Receipt.of(settled[a.item_id], repeated=not a.new) for a in ours if a.item_id in settled}
    receipts = built_here | later
    return [receipts[a.item_id] if isinstance(a, Appended) else a for a in accepted]


def _last_of_ours(appended: Sequence[Appended]) -> dict[int, int]:
    """Each lane of ``appended`` with the last item of ours in it."""
    lanes: dict[int, int] = {}
    for a in appended:
        lanes[a.lane] = max(lanes.get(a.lane, 0), a.item_id)
    return dict(sorted(lanes.items()))


def settle_soon(session: Session, appended: Sequence[Appended], *, wait: float) -> list[Receipt]:
    """The receipts of ``appended`` once each is settled, building their lanes (each up to its last
    item of ours) meanwhile, or as they are when the time is up. A busy lane is asked again after a
    pause that doubles (5 ms to 80 ms), so a crowd of waiting requests does not spend the database."""
    if not appended:
        return []
    deadline = time.monotonic() + wait
    pause = 0.005
    while True:
        receipts = receipts_of(session, appended)
        pending = [a for a, r in zip(appended, receipts, strict=True) if r.state == JournalState.PENDING.value]
        if not pending or time.monotonic() > deadline:
            session.rollback()
            return receipts
        busy = False
        for lane, last in _last_of_ours(pending).items():
            try:
                busy |= build_lane(session, lane, through=last) is None
                session.commit()
            except DBAPIError:
                session.rollback()
                busy = True
        if busy:
            session.rollback()  # hold no snapshot or writer's turn while pausing
            time.sleep(pause)
            pause = min(pause * 2, 0.08)


#: seconds a caller of a message still waiting for its lane is asked to wait
PENDING_RETRY_SECONDS = 2


@dataclass(frozen=True, slots=True)
class Built:
    """A built item: the ticket and message it became (``duplicate``: they were there before)."""

    item_id: int
    ticket_id: int
    message_id: int
    duplicate: bool


def built(result: Receipt | DomainError) -> Built:
    """The receipt of a built item, else the error its synchronous caller answers with: the refusal
    (422…), ``inbound_not_built`` (500: vetted items fail only on our side; the item is kept, with its
    reason, for a rebuild) or ``inbound_pending`` (503 with Retry-After: journaled, so nothing is lost;
    sending it again meets it)."""
    if isinstance(result, DomainError):
        raise result
    if result.state == JournalState.FAILED.value:
        raise NotBuilt("inbound_not_built", item_id=result.item_id, reason=result.error or "")
    if result.ticket_id is None or result.message_id is None:
        raise Unavailable("inbound_pending", item_id=result.item_id, retry_after=PENDING_RETRY_SECONDS)
    return Built(result.item_id, result.ticket_id, result.message_id, result.duplicate)


def receipts_of(session: Session, appended: Sequence[Appended]) -> list[Receipt]:
    """The items' receipts as the database has them now."""
    ids = [a.item_id for a in appended]
    if not ids:
        return []
    session.expire_all()
    found = {item.id: item for item in session.scalars(select(JournalItem).where(JournalItem.id.in_(ids)))}
    return [Receipt.of(found[a.item_id], repeated=not a.new) for a in appended]


def receipt(session: Session, item_id: int) -> Receipt | None:
    """One item's receipt (the API's status link)."""
    item = session.get(JournalItem, item_id)
    return Receipt.of(item) if item is not None else None

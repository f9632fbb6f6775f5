"""Writes that make one person of several addresses: linking codes, verifying an address,
moving identities between customers (and back), and counting what each sender sends.

Moving tickets and messages with a merge happens a layer up (``messages.links``); here
lives only the customer side, each step audited.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from otklik.core import audit, jobs
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, InvalidInput
from otklik.core.taxonomy import IdentityKind
from otklik.customers.models import Customer, CustomerMerge, Identity, LinkCode, SenderRate
from otklik.customers.rules import (
    LINK_CODE_ALPHABET,
    LINK_CODE_LENGTH,
    RateRefusal,
    RateWindow,
    format_link_code,
    match_key,
    rate_verdict,
)

#: how long a linking code stays good: long enough to switch to another messenger tomorrow
LINK_CODE_TTL = timedelta(hours=24)
#: the job that delivers a code (its handler lives with the channels' senders, in ``messages.link_tasks``)
SEND_LINK_CODE = "customers.send_link_code"


def _audit(session: Session, actor: Actor, action: str, customer_id: int, at: datetime, **data: Any) -> None:
    audit.record(session, actor=actor, action=action, entity="customer", entity_id=customer_id, data=data, at=at)


def do_create_link_code(
    session: Session,
    customer: Customer,
    *,
    channel: str,
    recipient_kind: IdentityKind,
    actor: Actor,
    at: datetime,
) -> LinkCode:
    """A fresh code for ``customer``, queued for delivery to their ``recipient_kind`` address on
    ``channel``. Earlier unused codes of the customer stop working. Emits ``customer.link_code_created``.
    """
    if customer.merged_into_id is not None:
        raise Conflict("customer_merged", customer_id=customer.id, into=customer.merged_into_id)
    address = next((i for i in customer.identities if i.kind == recipient_kind.value), None)
    if address is None:
        raise InvalidInput("link_code_no_address", field="channel", channel=channel, kind=recipient_kind.value)
    for old in session.scalars(select(LinkCode).where(LinkCode.customer_id == customer.id, LinkCode.used_at.is_(None))):
        old.expires_at = min(old.expires_at, at)
    code = LinkCode(
        code=_unused_code(session),
        customer_id=customer.id,
        channel=channel,
        recipient=address.value,
        created_by=actor.id,
        created_at=at,
        expires_at=at + LINK_CODE_TTL,
        delivery_state="queued",
    )
    session.add(code)
    session.flush()
    jobs.schedule(session, SEND_LINK_CODE, {"link_code_id": code.id}, key=f"link_code:{code.id}", fresh=True)
    _audit(
        session, actor, "customer.link_code_created", customer.id, at,
        link_code_id=code.id, channel=channel, recipient=address.value, expires_at=code.expires_at.isoformat(),
    )  # fmt: skip
    return code


def _unused_code(session: Session) -> str:
    while True:
        code = format_link_code("".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH)))
        if session.scalars(select(LinkCode.id).where(LinkCode.code == code)).first() is None:
            return code


def live_link_code(session: Session, code: str, at: datetime) -> LinkCode | None:
    """The unused, unexpired code ``code``, if there is one."""
    return session.scalars(
        select(LinkCode).where(LinkCode.code == code, LinkCode.used_at.is_(None), LinkCode.expires_at > at)
    ).first()


def do_record_link_code_delivery(session: Session, code: LinkCode, *, sent: bool, error: str | None) -> None:
    """What the channel said about a code we sent. Emits ``customer.link_code_delivered`` or ``…_failed``."""
    code.delivery_state = "sent" if sent else "failed"
    code.delivery_error = None if sent else (error or "unknown error")[:2000]
    action = "customer.link_code_delivered" if sent else "customer.link_code_delivery_failed"
    _audit(session, Actor.system("delivery"), action, code.customer_id, code.created_at, link_code_id=code.id,
           error=code.delivery_error)  # fmt: skip


def do_use_link_code(session: Session, code: LinkCode, identity: Identity, *, actor: Actor, at: datetime) -> None:
    """Spend ``code``: it proved ``identity`` (the address it came back from). Emits ``customer.link_code_used``."""
    code.used_at = at
    code.used_by_identity_id = identity.id
    _audit(session, actor, "customer.link_code_used", code.customer_id, at, link_code_id=code.id,
           identity={"kind": identity.kind, "value": identity.value})  # fmt: skip


def do_verify_identity(session: Session, identity: Identity, *, actor: Actor, at: datetime, how: str) -> bool:
    """Mark an address as proven to be its customer's (``how``: agent, link_code). Returns whether it
    changed. Emits ``customer.identity_verified``."""
    if identity.verified:
        return False
    identity.verified = True
    _audit(session, actor, "customer.identity_verified", identity.customer_id, at,
           identity_id=identity.id, kind=identity.kind, value=identity.value, how=how)  # fmt: skip
    return True


def do_attach_identity(
    session: Session, customer: Customer, *, kind: IdentityKind, value: str, actor: Actor, at: datetime
) -> Identity:
    """A brand-new address proven to be ``customer``'s (stored verified). Emits ``customer.identity_added``."""
    identity = Identity(customer_id=customer.id, kind=kind.value, value=value, verified=True, created_at=at)
    customer.identities.append(identity)
    session.flush()
    _audit(session, actor, "customer.identity_added", customer.id, at, kind=kind.value, value=value, verified=True)
    return identity


def check_mergeable(survivor: Customer, merged: Customer) -> None:
    """Two distinct customers, neither already folded into someone else."""
    if survivor.id == merged.id:
        raise InvalidInput("merge_same", field="customer_id", id=survivor.id)
    for customer in (survivor, merged):
        if customer.merged_into_id is not None:
            raise Conflict("customer_merged", customer_id=customer.id, into=customer.merged_into_id)


def do_move_identities(
    session: Session, survivor: Customer, merged: Customer, *, verify: set[int], actor: Actor, at: datetime, cause: str
) -> CustomerMerge:
    """Customer side of a merge: every identity of ``merged`` moves to ``survivor`` (those in
    ``verify`` become verified); ``merged`` points at ``survivor``. Returns the merge record, whose
    ``moved`` the caller completes with tickets and messages. Emits ``customer.merged``."""
    check_mergeable(survivor, merged)
    moved_identities = []
    for identity in list(merged.identities):
        moved_identities.append({"id": identity.id, "verified": identity.verified})
        identity.customer_id = survivor.id
        if identity.id in verify:
            identity.verified = True
    merged.merged_into_id = survivor.id
    record = CustomerMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        cause=cause,
        moved={"identities": moved_identities},
        created_at=at,
    )
    session.add(record)
    session.flush()
    session.expire(survivor, ["identities"])
    session.expire(merged, ["identities"])
    _audit(session, actor, "customer.merged", survivor.id, at, merge_id=record.id, merged_id=merged.id, cause=cause,
           identities=[i["id"] for i in moved_identities])  # fmt: skip
    return record


def do_restore_identities(session: Session, record: CustomerMerge, *, actor: Actor, at: datetime) -> None:
    """Customer side of undoing ``record``: identities go back with their old verified flags.
    Emits ``customer.merge_undone``."""
    if record.undone_at is not None:
        raise Conflict("merge_already_undone", merge_id=record.id)
    for moved in record.moved.get("identities", []):
        identity = session.get(Identity, int(moved["id"]))
        if identity is not None:
            identity.customer_id = record.merged_id
            identity.verified = bool(moved["verified"])
    merged = session.get(Customer, record.merged_id)
    survivor = session.get(Customer, record.survivor_id)
    assert merged is not None  # merge records cascade with their customers
    assert survivor is not None
    merged.merged_into_id = None
    record.undone_at = at
    session.flush()
    session.expire(survivor, ["identities"])
    session.expire(merged, ["identities"])
    _audit(session, actor, "customer.merge_undone", survivor.id, at, merge_id=record.id, merged_id=merged.id)


def same_person_candidates(session: Session, customer: Customer) -> list[tuple[Identity, Identity]]:
    """Pairs (``customer``'s address, another live customer's address) that name the same e-mail or
    phone, whatever the messenger (see ``rules.match_key``)."""
    keys = {match_key(i.kind, i.value): i for i in customer.identities}
    keys.pop(None, None)
    if not keys:
        return []
    values = {key.split(":", 1)[1] for key in keys if key}
    others = session.scalars(
        select(Identity)
        .join(Customer, Customer.id == Identity.customer_id)
        .where(
            Identity.value.in_(sorted(values)), Identity.customer_id != customer.id, Customer.merged_into_id.is_(None)
        )
        .order_by(Identity.id)
    )
    pairs = []
    for other in others:
        mine = keys.get(match_key(other.kind, other.value))
        if mine is not None:
            pairs.append((mine, other))
    return pairs


def do_count_sender(
    session: Session, kind: str, value: str, windows: tuple[RateWindow, ...], at: datetime
) -> RateRefusal | None:
    """Count one more message from ``(kind, value)`` in each window; the first window it exceeds
    (None within every limit).

    The counter is bumped first and read back in the same statement, so concurrent processes
    cannot both slip under the limit. Over the limit the message is still stored (a channel such
    as Telegram never sends an acknowledged update again): the verdict only keeps it from waking
    anyone (``otklik.messages.actions.do_receive_inbound``).
    """
    counts: dict[str, int] = {}
    dialect = session.get_bind().dialect.name
    for window in windows:
        start = window.start(at)
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SenderRate)
        statement = (
            insert.values(kind=kind, value=value, window=window.name, started_at=start, count=1)
            .on_conflict_do_update(
                index_elements=["kind", "value", "window"],
                # the same window: one more; a window that has ended: start again at one
                set_={
                    "count": case((SenderRate.started_at == start, SenderRate.count + 1), else_=1),
                    "started_at": start,
                },
            )
            .returning(SenderRate.count)
        )
        counts[window.name] = int(session.execute(statement).scalar_one())
    return rate_verdict(counts, windows, at)

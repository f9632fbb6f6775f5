"""The inbound journal: what a channel handed over, kept as it came, before anything is built.

A channel's item is acknowledged once its row is appended and committed (``append``: one
statement for a whole webhook call, idempotent on ``(channel, key)``). Everything slower —
finding the customer and the ticket, triage, routing — happens afterwards in
``otklik.messages.pipeline``, which reads the items back with ``restore``.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from otklik.channels.base import InboundAttachment, InboundMessage
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.models import JournalItem, JournalState

#: senders are spread over this many lanes; one lane is built by one builder at a time, in order
LANES = 64
_KEY_LIMIT = 240


def lane_of(inbound: InboundMessage) -> int:
    """The sender's lane: every message of one sender lands in the same lane, so it is built after
    the sender's earlier messages and never beside them."""
    return zlib.crc32(f"{inbound.sender_kind.value}\x00{inbound.sender_value}".encode()) % LANES


def key_of(inbound: InboundMessage) -> str:
    """The item's identity in its channel. Mail clients, lists and spammers reuse Message-IDs, so a
    mail's key also carries a digest of what it says: a true repeat meets its twin, a different mail
    under a reused id is a new item (intake then gives it an id of its own, ``keyed_by_content``)."""
    if inbound.channel is not Channel.EMAIL:
        return inbound.external_id[:_KEY_LIMIT]
    return f"{inbound.external_id[: _KEY_LIMIT - 17]}#{content_digest(inbound)}"


def content_digest(inbound: InboundMessage) -> str:
    """Sixteen hex digits of who wrote what (sender, subject, text): a message's identity when its
    channel id is reused for other words (the journal's key of a mail, ``actions.keyed_by_content``)."""
    seed = "\n".join((inbound.sender_value, inbound.subject or "", inbound.text.strip()))
    return hashlib.sha256(seed.encode("utf-8", "replace")).hexdigest()[:16]


def serialise(inbound: InboundMessage) -> dict[str, Any]:
    """The message as JSON the journal keeps (bytes in base64, times in ISO 8601)."""
    if inbound.files:
        raise ValueError("files must be fetched before the item is journaled")
    return {
        "channel": inbound.channel.value,
        "external_id": inbound.external_id,
        "sender_kind": inbound.sender_kind.value,
        "sender_value": inbound.sender_value,
        "text": inbound.text,
        "display_name": inbound.display_name,
        "subject": inbound.subject,
        "url": inbound.url,
        "sent_at": inbound.sent_at.isoformat() if inbound.sent_at else None,
        "attachments": [[a.filename, a.content_type, _b64(a.data)] for a in inbound.attachments],
        "thread_refs": list(inbound.thread_refs),
        "ticket_hint": inbound.ticket_hint,
        "placeholder": inbound.placeholder,
        "edit_of": inbound.edit_of,
        "source": _b64(inbound.source) if inbound.source is not None else None,
        "source_type": inbound.source_type,
    }


def restore(body: dict[str, Any]) -> InboundMessage:
    """The message ``serialise`` kept."""
    sent_at = body.get("sent_at")
    source = body.get("source")
    return InboundMessage(
        channel=Channel(body["channel"]),
        external_id=body["external_id"],
        sender_kind=IdentityKind(body["sender_kind"]),
        sender_value=body["sender_value"],
        text=body["text"],
        display_name=body.get("display_name"),
        subject=body.get("subject"),
        url=body.get("url"),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        attachments=tuple(
            InboundAttachment(name, kind, base64.b64decode(data)) for name, kind, data in body.get("attachments", [])
        ),
        thread_refs=tuple(body.get("thread_refs", [])),
        ticket_hint=body.get("ticket_hint"),
        placeholder=bool(body.get("placeholder")),
        edit_of=body.get("edit_of"),
        source=base64.b64decode(source) if source is not None else None,
        source_type=body.get("source_type"),
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True, slots=True)
class Appended:
    """One item's place in the journal: ``new`` is False when the channel had handed it over before."""

    item_id: int
    lane: int
    new: bool


def append(session: Session, inbounds: list[InboundMessage], at: datetime) -> list[Appended]:
    """Append the items of one delivery in one statement; items already journaled are found, not
    added again. The caller commits: that commit is the acknowledgement."""
    if not inbounds:
        return []
    rows = [
        {
            "channel": inbound.channel.value,
            "key": key_of(inbound),
            "lane": lane_of(inbound),
            "body": serialise(inbound),
            "state": JournalState.PENDING.value,
            "attempts": 0,
            "duplicate": False,
            "received_at": at,
        }
        for inbound in inbounds
    ]
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(JournalItem)
    statement = insert.on_conflict_do_nothing(index_elements=["channel", "key"]).returning(
        JournalItem.id, JournalItem.channel, JournalItem.key, JournalItem.lane
    )  # one statement, compiled once and cached: SQLAlchemy sends the rows as one multi-row VALUES
    added = {(channel, key): (item_id, lane) for item_id, channel, key, lane in session.execute(statement, rows)}
    result: list[Appended] = []
    for row in rows:
        spot = (row["channel"], row["key"])
        if spot in added:
            result.append(Appended(*added[spot], new=True))
            added.pop(spot)  # the same item twice in one delivery: the second is a repeat
            continue
        earlier = session.execute(
            select(JournalItem.id, JournalItem.lane).where(JournalItem.channel == spot[0], JournalItem.key == spot[1])
        ).one()
        result.append(Appended(earlier.id, earlier.lane, new=False))
    return result

"""The web chat's live feed: Server-Sent Events made by polling the database.

Every stream reads its conversation afresh each ``webchat_poll_seconds`` in a short session
on a worker thread (never holding a thread or a connection between polls), so any server
thread or process may have stored the change it relays. Why polling and not WebSocket or
LISTEN/NOTIFY: docs/adr/0004-webchat-live-updates.md.

Events: ``ticket`` (id, number, status, owner's name, answered), ``message`` (a public
message, its author's name and delivery state; the SSE id is the message id, so a
reconnect with ``Last-Event-ID`` resumes), ``delivery`` (a reply's new state) and
``typing`` (the agent's name while they type).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import anyio
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.queries import find_identity
from otklik.messages.models import Delivery, Direction, Message
from otklik.messages.queries import list_messages
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket, find_last_ticket
from otklik.web.presence import TypingBoard

log = logging.getLogger("otklik.web.live")
#: the browser waits this long before reconnecting a dropped stream
RETRY_MS = 3000
#: a comment line this often keeps proxies from closing a quiet stream
KEEPALIVE_SECONDS = 15.0
BATCH = 500


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    data: dict[str, Any]
    id: int | None = None


def frame(event: Event) -> str:
    """One SSE frame; JSON escapes line breaks, so the data is always a single line."""
    head = f"id: {event.id}\n" if event.id is not None else ""
    body = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event.name}\ndata: {body}\n\n"


def message_data(message: Message) -> dict[str, Any]:
    """A public message as the customer may see it: no internal ids, no customer's name."""
    if message.author_agent is not None:
        who, name = "agent", message.author_agent.name
    elif message.direction == Direction.INBOUND.value:
        who, name = "customer", None
    else:
        who, name = "system", None
    return {
        "id": message.id,
        "ticket_id": message.ticket_id,
        "from": who,
        "author": name,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "delivery": message.delivery_state,
    }


class ChatFeed:
    """What one stream has shown, and what is new since; one poll at a time.

    Preconditions: a pinned ``ticket_id`` was checked to be this visitor's; ``after`` is the
    last message id the client has (``Last-Event-ID``), 0 for everything.
    """

    def __init__(self, *, visitor_id: str, ticket_id: int | None, after: int, typing: TypingBoard) -> None:
        self.visitor_id = visitor_id
        self.ticket_id = ticket_id
        self._typing = typing
        self._after = after
        self._last = after
        self._started = False
        self._customer_id: int | None = None
        self._pending: dict[int, str] = {}  # replies not yet final → state shown
        self._last_reply: tuple[int, str] | None = None
        self._last_customer = 0
        self._shown: dict[str, Any] | None = None
        self._typist: str | None = None

    def poll(self, session: Session, at: datetime) -> list[Event]:
        ticket = self._ticket(session)
        events = self._messages(session, ticket) if ticket is not None else []
        snapshot = self._snapshot(ticket)
        if snapshot != self._shown:
            self._shown = snapshot
            events.insert(0, Event("ticket", snapshot))
        if ticket is not None:
            events.extend(
                self._typing_change(ticket.id, at, replied=any(e.data.get("from") == "agent" for e in events))
            )
        self._started = True
        return events

    def _ticket(self, session: Session) -> Ticket | None:
        if self.ticket_id is not None:
            return session.get(Ticket, self.ticket_id)
        if self._customer_id is None:
            identity = find_identity(session, IdentityKind.WEB.value, self.visitor_id)
            if identity is None:
                return None
            self._customer_id = identity.customer_id
        # their open chat, else the one that closed (auto-closed after they left): it shows where
        # the conversation ended rather than an empty window; writing again starts a new ticket
        ticket = find_active_ticket(session, self._customer_id, Channel.WEBCHAT.value) or find_last_ticket(
            session, self._customer_id, Channel.WEBCHAT.value
        )
        if ticket is not None:
            self.ticket_id = ticket.id  # the stream stays on this conversation, closed or not
        return ticket

    def _messages(self, session: Session, ticket: Ticket) -> list[Event]:
        first = not self._started
        floor = 0 if first else min([self._last, *(i - 1 for i in self._pending)])
        events: list[Event] = []
        for message in list_messages(session, ticket.id, after_id=floor, limit=BATCH):
            if not message.public:
                continue  # internal notes never reach the customer
            if message.id > self._last:
                events.append(Event("message", message_data(message), id=message.id))
                self._last = message.id
            elif self._delivery_changed(message, first=first):
                events.append(Event("delivery", {"id": message.id, "state": message.delivery_state}))
            self._track(message)
        return events

    def _delivery_changed(self, message: Message, *, first: bool) -> bool:
        """A reply the client already has, whose delivery it has not seen (all of them on connect)."""
        if not message.delivery_state or not (first or message.id in self._pending):
            return False
        return self._pending.get(message.id) != message.delivery_state

    def _track(self, message: Message) -> None:
        if message.direction == Direction.INBOUND.value:
            self._last_customer = max(self._last_customer, message.id)
            return
        state = message.delivery_state or ""
        if state == Delivery.QUEUED.value:
            self._pending[message.id] = state
        else:
            self._pending.pop(message.id, None)
        if self._last_reply is None or message.id >= self._last_reply[0]:
            self._last_reply = (message.id, state)

    def _snapshot(self, ticket: Ticket | None) -> dict[str, Any]:
        if ticket is None:
            return {"id": None}
        reply = self._last_reply
        answered = reply is not None and reply[1] == Delivery.SENT.value and reply[0] > self._last_customer
        return {
            "id": ticket.id,
            "number": ticket.number,
            "status": ticket.status,
            "owner": ticket.assignee.name if ticket.assignee is not None else None,
            "answered": answered,
        }

    def _typing_change(self, ticket_id: int, at: datetime, *, replied: bool) -> list[Event]:
        if replied:
            self._typing.agent(ticket_id, None, at)  # the reply is what the typing was about
        name = self._typing.agent_typing(ticket_id, at)
        if name == self._typist:
            return []
        self._typist = name
        return [Event("typing", {"typing": name is not None, "name": name})]


class Feed(Protocol):
    """Anything a live stream can poll: what is new for its reader since the last poll."""

    def poll(self, session: Session, at: datetime) -> list[Event]: ...


def _poll(factory: sessionmaker[Session], feed: Feed) -> list[Event]:
    with factory() as session:
        return feed.poll(session, clock.now())


async def event_stream(
    factory: sessionmaker[Session], feed: Feed, *, poll_seconds: float, stream_seconds: float, label: str
) -> AsyncIterator[str]:
    """SSE text for ``stream_seconds``, then the end (the client reconnects with ``Last-Event-ID``).

    The loop sleeps on the event loop and borrows a thread only for each short poll. Serves the
    chat widget and the agent's ticket page alike; ``label`` names the stream in the log.
    """
    yield f"retry: {RETRY_MS}\n\n"
    started = quiet = time.monotonic()
    while True:
        try:
            events = await anyio.to_thread.run_sync(_poll, factory, feed)
        except Exception:
            log.exception("%s stopped", label)
            return
        for event in events:
            yield frame(event)
        now = time.monotonic()
        if events:
            quiet = now
        elif now - quiet >= KEEPALIVE_SECONDS:
            yield ": keepalive\n\n"
            quiet = now
        if now - started >= stream_seconds:
            return
        await anyio.sleep(poll_seconds)

"""The web chat's live feed: what one visitor's stream shows, polled from the database.

Events: ``ticket`` (id, number, status, owner's name, answered), ``message`` (a public message, its
author's name and delivery state; the SSE id is the message id, so a reconnect with ``Last-Event-ID``
resumes), ``delivery`` (a reply's new state) and ``typing`` (the agent's name while they type). The
stream itself is ``otklik.web.sse.event_stream``; why polling: docs/adr/0004-webchat-live-updates.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.queries import find_identity
from otklik.messages.models import Delivery, Direction, Message
from otklik.messages.queries import list_messages
from otklik.tickets.models import Ticket
from otklik.tickets.queries import find_active_ticket, find_last_ticket
from otklik.web.presence import TypingBoard
from otklik.web.sse import Event

#: messages read per poll at most
BATCH = 500


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

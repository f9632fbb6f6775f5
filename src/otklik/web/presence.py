"""Who is typing or viewing which ticket, for a few seconds, in this process's memory.

``TypingBoard`` carries typing between the customer's chat and the agent; ``ViewerBoard`` tells an
agent which colleagues have the same ticket open and which of them are typing.

Why not the database: a typing signal is worthless after five seconds and arrives several
times a minute per conversation; storing it would need a table (a migration) and a write per
keystroke burst. The cost, written down in docs/adr/0004-webchat-live-updates.md: with several
server *processes*, a signal reaches only the streams served by the process that received it
(threads share it). Messages, owner, status and delivery never travel this way: the stream
reads them from the database, so they are right whatever process serves whom.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

#: a signal lasts this long unless repeated (the widget repeats it every few seconds while typing)
TYPING_TTL = timedelta(seconds=6)
#: an agent's ticket page marks them as viewing on every poll; this long without one, they left
VIEW_TTL = timedelta(seconds=12)


class TypingBoard:
    """Typing signals by ticket: the agent's name, or the customer's mark."""

    def __init__(self, ttl: timedelta = TYPING_TTL) -> None:
        self._ttl = ttl
        self._agents: dict[int, tuple[str, datetime]] = {}
        self._customers: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def agent(self, ticket_id: int, name: str | None, at: datetime) -> None:
        """``name`` started (or goes on) typing on the ticket; None: stopped."""
        with self._lock:
            if name is None:
                self._agents.pop(ticket_id, None)
            else:
                self._agents[ticket_id] = (name, at + self._ttl)
            self._sweep(at)

    def customer(self, ticket_id: int, typing: bool, at: datetime) -> None:
        with self._lock:
            if typing:
                self._customers[ticket_id] = at + self._ttl
            else:
                self._customers.pop(ticket_id, None)
            self._sweep(at)

    def agent_typing(self, ticket_id: int, at: datetime) -> str | None:
        """The name of the agent typing on the ticket now, if any."""
        with self._lock:
            entry = self._agents.get(ticket_id)
            return entry[0] if entry is not None and entry[1] > at else None

    def customer_typing(self, ticket_id: int, at: datetime) -> bool:
        with self._lock:
            until = self._customers.get(ticket_id)
            return until is not None and until > at

    def _sweep(self, at: datetime) -> None:
        if len(self._agents) + len(self._customers) < 1000:
            return
        self._agents = {k: v for k, v in self._agents.items() if v[1] > at}
        self._customers = {k: v for k, v in self._customers.items() if v > at}


class ViewerBoard:
    """Per ticket: agent id → (name, viewing until, typing until)."""

    def __init__(self, view_ttl: timedelta = VIEW_TTL, typing_ttl: timedelta = TYPING_TTL) -> None:
        self._view_ttl = view_ttl
        self._typing_ttl = typing_ttl
        self._tickets: dict[int, dict[int, tuple[str, datetime, datetime | None]]] = {}
        self._lock = threading.Lock()

    def viewing(self, ticket_id: int, agent_id: int, name: str, at: datetime) -> None:
        with self._lock:
            entries = self._tickets.setdefault(ticket_id, {})
            typing = entries.get(agent_id, (name, at, None))[2]
            entries[agent_id] = (name, at + self._view_ttl, typing)
            self._sweep(at)

    def typing(self, ticket_id: int, agent_id: int, name: str, at: datetime, *, on: bool = True) -> None:
        with self._lock:
            entries = self._tickets.setdefault(ticket_id, {})
            entries[agent_id] = (name, at + self._view_ttl, at + self._typing_ttl if on else None)

    def left(self, ticket_id: int, agent_id: int) -> None:
        with self._lock:
            self._tickets.get(ticket_id, {}).pop(agent_id, None)

    def others(self, ticket_id: int, agent_id: int, at: datetime) -> tuple[list[str], list[str]]:
        """Names of the other agents viewing, and of those typing, sorted."""
        with self._lock:
            entries = self._tickets.get(ticket_id, {})
            live = [(n, t) for a, (n, until, t) in entries.items() if a != agent_id and until > at]
        return sorted(n for n, _ in live), sorted(n for n, t in live if t is not None and t > at)

    def _sweep(self, at: datetime) -> None:
        if len(self._tickets) < 2000:
            return
        for ticket_id in list(self._tickets):
            live = {a: e for a, e in self._tickets[ticket_id].items() if e[1] > at}
            if live:
                self._tickets[ticket_id] = live
            else:
                del self._tickets[ticket_id]

"""Which agents have a ticket open and which of them are typing, for a few seconds, in process memory.

The ticket page's live stream marks its agent as viewing on every poll; the composer marks them as
typing (every few seconds while keys are pressed). Like the web chat's typing signal (ADR 0004)
this is a hint worth nothing seconds later, so it is not stored: with several server *processes*
an agent sees only colleagues whose page is served by the same process. Run one process (threads
share the board) while that matters.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

VIEW_TTL = timedelta(seconds=12)
TYPING_TTL = timedelta(seconds=6)


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

"""Who is typing or viewing which ticket, for a few seconds: the meaning of the live signals.

``TypingBoard`` carries typing between the customer's chat and the agent; ``ViewerBoard`` tells an
agent which colleagues have the same ticket open and which of them are typing. Both keep their
signals in a ``otklik.core.signals`` store: process memory on the embedded SQLite desk, a table
that every server process sees on PostgreSQL (ADR 0005). Messages, owner, status and delivery
never travel this way: the streams read them from the database itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.core.signals import MemorySignals, Signals

#: a signal lasts this long unless repeated (the widget repeats it every few seconds while typing)
TYPING_TTL = timedelta(seconds=6)
#: an agent's ticket page marks them as viewing on every poll; this long without one, they left
VIEW_TTL = timedelta(seconds=12)

#: the agent typing a reply the customer will see (one per ticket), and the customer typing
AGENT_TYPING, CUSTOMER_TYPING = "agent_typing", "customer_typing"
#: an agent with the ticket page open, and an agent typing in its composer (per agent)
VIEWING, DESK_TYPING = "viewing", "desk_typing"


class TypingBoard:
    """Typing signals by ticket: the agent's name, or the customer's mark."""

    def __init__(self, signals: Signals | None = None, ttl: timedelta = TYPING_TTL) -> None:
        self._signals = signals if signals is not None else MemorySignals()
        self._ttl = ttl

    def agent(self, ticket_id: int, name: str | None, at: datetime) -> None:
        """``name`` started (or goes on) typing on the ticket; None: stopped."""
        if name is None:
            self._signals.drop(AGENT_TYPING, ticket_id, 0)
        else:
            self._signals.put(AGENT_TYPING, ticket_id, 0, name, at + self._ttl)

    def customer(self, ticket_id: int, typing: bool, at: datetime) -> None:
        if typing:
            self._signals.put(CUSTOMER_TYPING, ticket_id, 0, "", at + self._ttl)
        else:
            self._signals.drop(CUSTOMER_TYPING, ticket_id, 0)

    def agent_typing(self, ticket_id: int, at: datetime) -> str | None:
        """The name of the agent typing on the ticket now, if any."""
        return self._signals.live(ticket_id, at).get((AGENT_TYPING, 0))

    def customer_typing(self, ticket_id: int, at: datetime) -> bool:
        return (CUSTOMER_TYPING, 0) in self._signals.live(ticket_id, at)


class ViewerBoard:
    """Per ticket: which agents have it open, and which of them are typing."""

    def __init__(
        self, signals: Signals | None = None, view_ttl: timedelta = VIEW_TTL, typing_ttl: timedelta = TYPING_TTL
    ) -> None:
        self._signals = signals if signals is not None else MemorySignals()
        self._view_ttl = view_ttl
        self._typing_ttl = typing_ttl

    def viewing(self, ticket_id: int, agent_id: int, name: str, at: datetime) -> None:
        self._signals.put(VIEWING, ticket_id, agent_id, name, at + self._view_ttl)

    def typing(self, ticket_id: int, agent_id: int, name: str, at: datetime, *, on: bool = True) -> None:
        self.viewing(ticket_id, agent_id, name, at)
        if on:
            self._signals.put(DESK_TYPING, ticket_id, agent_id, name, at + self._typing_ttl)
        else:
            self._signals.drop(DESK_TYPING, ticket_id, agent_id)

    def left(self, ticket_id: int, agent_id: int) -> None:
        self._signals.drop(VIEWING, ticket_id, agent_id)
        self._signals.drop(DESK_TYPING, ticket_id, agent_id)

    def others(self, ticket_id: int, agent_id: int, at: datetime) -> tuple[list[str], list[str]]:
        """Names of the other agents viewing, and of those typing, sorted."""
        live = self._signals.live(ticket_id, at)
        viewing = {who: name for (topic, who), name in live.items() if topic == VIEWING and who != agent_id}
        typing = [name for (topic, who), name in live.items() if topic == DESK_TYPING and who in viewing]
        return sorted(viewing.values()), sorted(typing)

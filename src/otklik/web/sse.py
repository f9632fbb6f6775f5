"""Live streams as Server-Sent Events made by polling the database: the chat widget's and the agent
ticket page's alike.

Every stream reads afresh each ``webchat_poll_seconds`` in a short session on a worker thread (never
holding a thread or a connection between polls), so any server thread or process may have stored the
change it relays. Why polling and not WebSocket or LISTEN/NOTIFY: docs/adr/0004-webchat-live-updates.md.
What a stream shows is its ``Feed``: ``otklik.web.public.chat_feed.ChatFeed``,
``otklik.web.agent.live.TicketFeed``.
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

log = logging.getLogger("otklik.web.sse")
#: the browser waits this long before reconnecting a dropped stream
RETRY_MS = 3000
#: a comment line this often keeps proxies from closing a quiet stream
KEEPALIVE_SECONDS = 15.0


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

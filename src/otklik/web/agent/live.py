"""The ticket page's live stream: Server-Sent Events made by polling the database (as the web chat's,
ADR 0004), plus who else has the ticket open or is typing (``presence.ViewerBoard``).

Events: ``message`` (id, inbound; the SSE id is the message id, so a reconnect resumes with
``Last-Event-ID``), ``delivery`` (id, state and its words), ``ticket`` (status, owner, clocks or
urgency changed: the page refreshes its header) and ``presence`` (names and their words).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from otklik.core.config import get_settings
from otklik.core.i18n import one_language
from otklik.messages.models import Delivery, Direction, Message
from otklik.messages.queries import list_messages, list_messages_before
from otklik.tickets.models import Ticket
from otklik.tickets.queries import access_ticket
from otklik.web.agent.deps import DeskDep
from otklik.web.agent.ticket import MessageId, TicketId, board
from otklik.web.agent.views import DELIVERY
from otklik.web.common import DB
from otklik.web.presence import ViewerBoard
from otklik.web.sse import Event, event_stream
from otklik.web.ui import tr

router = APIRouter(include_in_schema=False)
BATCH = 500


#: a reply's state as far as a freshly connected stream knows: not yet told to the page
UNKNOWN = "unknown"


class TicketFeed:
    """What one agent's stream of one ticket has shown, and what is new since.

    Preconditions: the agent was checked to see the ticket; ``after`` is the last message id the
    page has.
    """

    def __init__(self, *, ticket_id: int, agent_id: int, agent_name: str, after: int, lang: str,
                 board: ViewerBoard) -> None:  # fmt: skip
        self.ticket_id = ticket_id
        self._agent = (agent_id, agent_name)
        self._last = after
        self._lang = lang
        self._board = board
        self._pending: dict[int, str] = {}
        self._shown: tuple[object, ...] | None = None
        self._presence: tuple[list[str], list[str]] = ([], [])
        self._started = False

    def poll(self, session: Session, at: datetime) -> list[Event]:
        ticket = session.get(Ticket, self.ticket_id)
        if ticket is None:
            return []
        events = self._messages(session)
        snapshot = (ticket.status, ticket.assignee_id, ticket.urgency, ticket.category, ticket.updated_at,
                    ticket.hold_until, ticket.waiting_since)  # fmt: skip
        if self._shown is not None and snapshot != self._shown:
            events.append(Event("ticket", {"status": ticket.status}))
        self._shown = snapshot
        events.extend(self._presence_change(at))
        self._started = True
        return events

    def _messages(self, session: Session) -> list[Event]:
        if not self._started:
            # The page may have been drawn before the worker delivered: the first poll reports the current
            # state of every public reply the page shows (unknown → its state), and keeps watching the queued.
            latest, _ = list_messages_before(session, self.ticket_id, limit=50)
            self._pending = {m.id: UNKNOWN for m in latest if m.id <= self._last and self._ours(m)}
        floor = min([self._last, *(i - 1 for i in self._pending)])
        events: list[Event] = []
        for message in list_messages(session, self.ticket_id, after_id=floor, limit=BATCH):
            if message.id > self._last:
                inbound = message.direction == Direction.INBOUND.value
                events.append(Event("message", {"id": message.id, "inbound": inbound}, id=message.id))
                self._last = message.id
                if self._queued(message):
                    self._pending[message.id] = Delivery.QUEUED.value
            elif message.id in self._pending and message.delivery_state != self._pending[message.id]:
                state = message.delivery_state or ""
                words = tr(self._lang, DELIVERY[state]) if state in DELIVERY else state
                error = one_language(message.delivery_error, self._lang) or ""
                events.append(Event("delivery", {"id": message.id, "state": state, "label": words, "error": error}))
                if state == Delivery.QUEUED.value:
                    self._pending[message.id] = state
                else:
                    self._pending.pop(message.id, None)
        return events

    @staticmethod
    def _queued(message: Message) -> bool:
        return message.delivery_state == Delivery.QUEUED.value

    @staticmethod
    def _ours(message: Message) -> bool:
        return message.direction == Direction.OUTBOUND.value and message.delivery_state is not None

    def _presence_change(self, at: datetime) -> list[Event]:
        agent_id, name = self._agent
        self._board.viewing(self.ticket_id, agent_id, name, at)
        now = self._board.others(self.ticket_id, agent_id, at)
        if now == self._presence:
            return []
        self._presence = now
        viewing, typing = now
        words = []
        if viewing:
            words.append(tr(self._lang, "Also here: %(names)s", names=", ".join(viewing)))
        if typing:
            words.append(tr(self._lang, "Typing: %(names)s", names=", ".join(typing)))
        return [Event("presence", {"viewing": viewing, "typing": typing, "text": " · ".join(words)})]


@router.get("/agent/tickets/{ticket_id}/events")
def events(ticket_id: TicketId, request: Request, desk: DeskDep, db: DB, after: MessageId = 0) -> StreamingResponse:
    """The live stream of one ticket page (``Last-Event-ID`` wins over ``after`` on a reconnect)."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    resume = request.headers.get("last-event-id", "")
    start = int(resume) if resume.isascii() and resume.isdigit() and len(resume) < 19 else after
    feed = TicketFeed(ticket_id=ticket.id, agent_id=desk.agent.id, agent_name=desk.agent.name, after=start,
                      lang=desk.lang, board=board(request))  # fmt: skip
    settings = get_settings()
    db.close()  # the stream opens a short session per poll; none is held in between
    stream = event_stream(
        request.app.state.session_factory,
        feed,
        poll_seconds=settings.webchat_poll_seconds,
        stream_seconds=settings.webchat_stream_seconds,
        label=f"ticket stream of {ticket.id}",
    )
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

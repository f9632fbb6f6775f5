"""Web chat: a visitor gets a token, writes, and follows the conversation live (SSE)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from otklik.channels.webvisitor import chat_inbound, new_visitor_id, visitor_token
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.schemas import MAX_ID
from otklik.web.common import DB, State, VisitorDep, client_address, guard
from otklik.web.intake import access_visitor_ticket, store
from otklik.web.links import follow_url
from otklik.web.public.chat_feed import ChatFeed
from otklik.web.schemas import ChatAckOut, ChatMessageIn, VisitorOut, VisitorTypingIn
from otklik.web.sse import event_stream

router = APIRouter(prefix="/api/v1/public/chat", tags=["public"])


@router.post("/visitors", status_code=201, response_model=VisitorOut)
def new_visitor(request: Request, state: State) -> VisitorOut:
    """A fresh opaque visitor token (no database row until the visitor writes)."""
    guard(state, f"address:{client_address(request)}")
    visitor_id = new_visitor_id(secrets.token_bytes(16))
    return VisitorOut(token=visitor_token(state.secret(), visitor_id))


@router.post("/messages", status_code=201, response_model=ChatAckOut)
def post_message(
    body: ChatMessageIn, request: Request, response: Response, visitor: VisitorDep, state: State, db: DB
) -> ChatAckOut:
    """Journal and build the visitor's message, then acknowledge (200 for a repeat of ``client_id``)."""
    guard(state, visitor.key)
    key = body.client_id or secrets.token_hex(8)
    inbound = chat_inbound(visitor.id, body.text, message_key=key, name=body.name, page_url=body.page_url)
    ticket, done = store(db, inbound)
    if done.duplicate:
        response.status_code = 200
    return ChatAckOut(
        ticket_id=ticket.id,
        number=ticket.number,
        message_id=done.message_id,
        duplicate=done.duplicate,
        follow_url=follow_url(request, state, ticket.id),
    )


@router.post("/typing", status_code=204)
def visitor_typing(body: VisitorTypingIn, visitor: VisitorDep, state: State, db: DB) -> Response:
    """The visitor is typing (repeated every few seconds while they do; it fades by itself)."""
    guard(state, f"{visitor.key}:signal")
    ticket = access_visitor_ticket(db, visitor.id, body.ticket_id)
    if ticket is not None:
        state.typing.customer(ticket.id, body.typing, clock.now())
    return Response(status_code=204)


@router.get("/stream", response_class=StreamingResponse)
def stream(
    request: Request,
    visitor: VisitorDep,
    state: State,
    db: DB,
    ticket: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The visitor's conversation as Server-Sent Events: ``ticket``, ``message``, ``delivery``, ``typing``.

    Without ``ticket`` it follows their open web chat (or waits for one); a ticket that is not
    theirs is a 403 before any byte is streamed. The stream ends after ``webchat_stream_seconds``;
    the client reconnects with ``Last-Event-ID`` and gets only what is new.
    """
    guard(state, f"{visitor.key}:signal")
    pinned = access_visitor_ticket(db, visitor.id, ticket) if ticket is not None else None
    db.close()  # the stream polls with short sessions of its own; hold no connection meanwhile
    resume = last_event_id or ""
    after = int(resume) if resume.isascii() and resume.isdigit() and len(resume) < 19 else 0
    feed = ChatFeed(visitor_id=visitor.id, ticket_id=pinned.id if pinned else None, after=after, typing=state.typing)
    settings = get_settings()
    events = event_stream(
        request.app.state.session_factory,
        feed,
        poll_seconds=settings.webchat_poll_seconds,
        stream_seconds=settings.webchat_stream_seconds,
        label=f"web chat stream of {feed.visitor_id}",
    )
    headers = {"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)

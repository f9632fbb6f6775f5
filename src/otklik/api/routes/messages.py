"""Messages by id: confirming a reply that an agent posted by hand on a public site."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from otklik.api.deps import DB, AuthDep, PathId
from otklik.core.errors import NotFound
from otklik.core.schemas import BLANKS, StrictIn
from otklik.messages.actions import do_confirm_posted
from otklik.messages.models import Message
from otklik.messages.schemas import MessageOut
from otklik.tickets.queries import access_ticket

router = APIRouter(prefix="/messages", tags=["messages"])


class PostedIn(StrictIn):
    url: str = Field(min_length=8, max_length=2000, pattern=rf"^[{BLANKS}]*https?://")


@router.post("/{message_id}/posted", response_model=MessageOut)
def posted(message_id: PathId, body: PostedIn, db: DB, auth: AuthDep) -> MessageOut:
    """The agent published the waiting reply at ``url``; the message is ``sent`` from now on."""
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("message_not_found", message_id=message_id)
    access_ticket(db, auth.principal, message.ticket_id)
    do_confirm_posted(db, message, url=body.url, agent=auth.agent)
    db.commit()
    return MessageOut.of(message)

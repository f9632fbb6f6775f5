"""Public mentions over HTTP: an integration (or an agent) reports a post or comment on a public site."""

from __future__ import annotations

from fastapi import APIRouter, Response

from otklik.api.deps import DB, AuthDep
from otklik.channels.base import InboundMessage
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages import pipeline
from otklik.messages.link_schemas import MentionIn, MentionOut, WentPublicOut
from otklik.messages.mentions import went_public_links

router = APIRouter(prefix="/channels/public", tags=["channels"])


@router.post(
    "/mentions",
    status_code=201,
    response_model=MentionOut,
    responses={200: {"model": MentionOut, "description": "Already stored: the same post again (duplicate: true)"}},
)
def receive(body: MentionIn, response: Response, db: DB, auth: AuthDep) -> MentionOut:
    """A public complaint becomes a public ticket, linked to its author's open private case; the
    same ``external_id`` (or URL) again answers 200 with ``duplicate: true``."""
    inbound = InboundMessage(
        channel=Channel.PUBLIC,
        external_id=body.external_id or body.url[:200],
        sender_kind=IdentityKind.PUBLIC_HANDLE,
        sender_value=body.author,
        display_name=body.author,
        text=body.text,
        url=body.url,
        sent_at=body.posted_at,
    )
    (result,) = pipeline.receive_now(db, [inbound])
    done = pipeline.built(result)
    if done.duplicate:
        response.status_code = 200
    links = went_public_links(db, done.ticket_id)
    went = [WentPublicOut(private_ticket_id=link.to_ticket_id, days=link.days or 0) for link in links]
    return MentionOut(ticket_id=done.ticket_id, message_id=done.message_id, duplicate=done.duplicate, went_public=went)

"""Intake over HTTP: acknowledged (201/200) only after the message is committed."""

from __future__ import annotations

from fastapi import APIRouter, Response

from otklik.api.deps import DB, AuthDep
from otklik.channels.base import InboundMessage
from otklik.core.db import commit_or_retry
from otklik.core.errors import Conflict
from otklik.messages.actions import do_receive_inbound
from otklik.messages.schemas import InboundIn, InboundOut

router = APIRouter(tags=["messages"])


@router.post("/messages/inbound", status_code=201, response_model=InboundOut)
def receive(body: InboundIn, response: Response, db: DB, auth: AuthDep) -> InboundOut:
    """Store a customer's message; a repeat of ``(channel, external_id)`` answers 200, duplicate."""
    inbound = InboundMessage(
        channel=body.channel,
        external_id=body.external_id,
        sender_kind=body.sender.kind,
        sender_value=body.sender.value,
        display_name=body.sender.display_name,
        text=body.text,
        subject=body.subject,
        url=body.url,
        sent_at=body.sent_at,
    )
    intake = commit_or_retry(db, lambda: do_receive_inbound(db, inbound))
    if intake is None:
        raise Conflict("external_id_conflict", channel=body.channel.value, external_id=body.external_id)
    if intake.duplicate:
        response.status_code = 200
    return InboundOut(ticket_id=intake.ticket.id, message_id=intake.message.id, duplicate=intake.duplicate)

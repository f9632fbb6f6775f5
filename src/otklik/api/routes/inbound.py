"""Intake over HTTP: acknowledged only after the item is durably journaled (``messages.pipeline``).

Without ``Prefer: respond-async`` the answer waits for the item to be built and names its ticket and
message (201, or 200 for a repeat); with it (RFC 7240) the answer is 202 with the journal item and a
link to poll, as soon as the item is journaled.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

from otklik.api.deps import DB, AuthDep, PathId, SessionFactory
from otklik.api.routes.webhooks import after_answer
from otklik.channels.base import InboundMessage
from otklik.core.errors import DomainError, NotFound
from otklik.messages import pipeline
from otklik.messages.models import JournalState
from otklik.messages.schemas import InboundAcceptedOut, InboundIn, InboundItemOut, InboundOut

router = APIRouter(tags=["messages"])


def wants_async(prefer: str | None) -> bool:
    """Whether the ``Prefer`` header asks for ``respond-async`` (RFC 7240: comma-separated, any case)."""
    return any(part.split(";")[0].strip().lower() == "respond-async" for part in (prefer or "").split(","))


@router.post(
    "/messages/inbound",
    status_code=201,
    response_model=InboundOut,
    responses={
        200: {"model": InboundOut, "description": "Already stored: the same external_id again (duplicate: true)"},
        202: {"model": InboundAcceptedOut, "description": "Journaled; built later (Prefer: respond-async)"},
    },
)
def receive(
    body: InboundIn,
    response: Response,
    db: DB,
    factory: SessionFactory,
    auth: AuthDep,
    prefer: Annotated[str | None, Header()] = None,
) -> InboundOut | JSONResponse:
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
    if wants_async(prefer):
        (accepted,) = pipeline.accept(db, [inbound])
        if isinstance(accepted, DomainError):
            raise accepted
        db.commit()  # the acknowledgement
        return _accepted(accepted.item_id, after_answer(factory, [accepted]))
    (result,) = pipeline.receive_now(db, [inbound])
    if isinstance(result, pipeline.Receipt) and result.state == JournalState.PENDING.value:
        return _accepted(result.item_id, None)  # journaled, its lane still busy: built later, said honestly
    done = pipeline.built(result)
    if done.duplicate:
        response.status_code = 200
    return InboundOut(ticket_id=done.ticket_id, message_id=done.message_id, duplicate=done.duplicate)


def _accepted(item_id: int, then: BackgroundTask | None) -> JSONResponse:
    """202 with the journal item and its status link; ``then`` runs after the answer has gone."""
    link = f"/api/v1/messages/inbound/{item_id}"
    return JSONResponse(
        InboundAcceptedOut(id=item_id, status_url=link).model_dump(),
        status_code=202,
        headers={"Location": link, "Preference-Applied": "respond-async"},
        background=then,
    )


@router.get("/messages/inbound/{item_id}", response_model=InboundItemOut)
def item(item_id: PathId, db: DB, auth: AuthDep) -> InboundItemOut:
    """What a journaled item is now: pending, built (its ticket and message) or failed (why)."""
    found = pipeline.receipt(db, item_id)
    if found is None:
        raise NotFound("inbound_item_not_found", item_id=item_id)
    return InboundItemOut(
        id=found.item_id,
        state=found.state,
        ticket_id=found.ticket_id,
        message_id=found.message_id,
        duplicate=found.duplicate,
        error=found.error,
    )

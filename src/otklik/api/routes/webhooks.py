"""Channel webhooks: authenticated by the channel's own scheme, acknowledged only after journaling."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.background import BackgroundTask

from otklik.api.deps import DB, SessionFactory
from otklik.channels.base import ChannelAuthError, ChannelNotConfigured, FileFetcher, PayloadError, fetch_files
from otklik.channels.files import screen
from otklik.channels.registry import webhook_for
from otklik.core.config import get_settings
from otklik.core.errors import InvalidInput, NotFound, Unauthorized
from otklik.core.taxonomy import Channel
from otklik.messages import pipeline
from otklik.messages.journal import Appended

router = APIRouter(prefix="/channels", tags=["channels"])
log = logging.getLogger("otklik.webhooks")


async def raw_body(request: Request) -> bytes:
    return await request.body()


def after_answer(factory: sessionmaker[Session], appended: list[Appended]) -> BackgroundTask | None:
    """The build of the lanes just appended to, run once the answer has gone — unless the workers do
    it (``OTKLIK_INTAKE_BUILDER=worker``: a keep-alive connection waits for its request's background
    work, so a busy server would otherwise acknowledge only as fast as it builds)."""
    if not appended or get_settings().intake_builder == "worker":
        return None
    return BackgroundTask(pipeline.build_lanes, factory, sorted({a.lane for a in appended}))


@router.post("/{channel}/webhook", response_model=None)
def receive(
    channel: Channel, request: Request, body: Annotated[bytes, Depends(raw_body)], db: DB, factory: SessionFactory
) -> Response:
    """Verify, parse, journal every good message (one statement), commit, answer the channel; the
    messages are built into tickets right after the answer (``otklik.messages.pipeline``)."""
    try:
        adapter = webhook_for(channel.value, get_settings())
        headers = {k.lower(): v for k, v in request.headers.items()}
        adapter.verify(headers, body)
        outcome = adapter.parse(headers, body)
    except ChannelNotConfigured as exc:
        raise NotFound("channel_not_configured", channel=channel.value, reason=str(exc)) from None
    except ChannelAuthError as exc:
        log.warning("webhook %s: authentication failed: %s", channel.value, exc)
        raise Unauthorized("webhook_auth_failed", channel=channel.value, reason=str(exc)) from None
    except PayloadError as exc:
        log.warning("webhook %s: malformed payload: %s", channel.value, exc)
        raise InvalidInput("webhook_payload", field="body", channel=channel.value, reason=str(exc)) from None
    if isinstance(adapter, FileFetcher):  # files the payload only names (Telegram's file_id): downloaded here
        outcome = fetch_files(adapter, outcome, screen)
    accepted = pipeline.accept(db, outcome.messages)
    db.commit()  # the acknowledgement: every good item is journaled; building happens after the answer
    appended = [a for a in accepted if isinstance(a, Appended)]
    then = after_answer(factory, appended)
    if outcome.reply_text is not None:
        return PlainTextResponse(outcome.reply_text, background=then)
    stored = sum(1 for a in appended if a.new)
    counts = {"stored": stored, "duplicates": len(appended) - stored, "refused": len(accepted) - len(appended)}
    return JSONResponse({"ok": True} | counts, background=then)

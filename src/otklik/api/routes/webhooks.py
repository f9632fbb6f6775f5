"""Channel webhooks: authenticated by the channel's own scheme, acknowledged only after storing."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from otklik.api.deps import DB
from otklik.channels.base import ChannelAuthError, ChannelNotConfigured, FileFetcher, PayloadError, fetch_files
from otklik.channels.files import screen
from otklik.channels.registry import webhook_for
from otklik.core.config import get_settings
from otklik.core.db import commit_or_retry
from otklik.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from otklik.core.taxonomy import Channel
from otklik.messages.actions import Intake, do_receive_batch

router = APIRouter(prefix="/channels", tags=["channels"])
log = logging.getLogger("otklik.webhooks")


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/{channel}/webhook", response_model=None)
def receive(channel: Channel, request: Request, body: Annotated[bytes, Depends(raw_body)], db: DB) -> Response:
    """Verify, parse, store every message (each on its own), commit, then answer the channel."""
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
    messages = outcome.messages
    results = commit_or_retry(db, lambda: do_receive_batch(db, messages) if messages else [])
    if results is None:  # a concurrent twin of this delivery won the race three times: let the channel retry
        raise Conflict("external_id_conflict", channel=channel.value, external_id=messages[0].external_id)
    taken = [r for r in results if isinstance(r, Intake)]
    stored = sum(1 for r in taken if not r.duplicate)
    if outcome.reply_text is not None:
        return PlainTextResponse(outcome.reply_text)
    counts = {"stored": stored, "duplicates": len(taken) - stored, "refused": len(results) - len(taken)}
    return JSONResponse({"ok": True} | counts)

"""A channel's own check of our webhook URL before it sends anything (Meta's GET challenge for WhatsApp).

Any registered webhook adapter with ``answer_challenge`` takes part; the others have no such route.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from otklik.channels.base import ChannelAuthError, ChannelNotConfigured
from otklik.channels.registry import webhook_for
from otklik.core.config import get_settings
from otklik.core.errors import NotFound, Unauthorized
from otklik.core.taxonomy import Channel

router = APIRouter(prefix="/channels", tags=["channels"])
log = logging.getLogger("otklik.webhooks")


@runtime_checkable
class ChallengeAnswering(Protocol):
    def answer_challenge(self, params: Mapping[str, str]) -> str: ...


@router.get("/{channel}/webhook", response_class=PlainTextResponse)
def answer_challenge(channel: Channel, request: Request) -> PlainTextResponse:
    """Echo the channel's challenge when its verify token is ours (``hub.mode``, ``hub.verify_token``,
    ``hub.challenge`` for WhatsApp); 401 when it is not, 404 for a channel that makes no such check."""
    try:
        adapter = webhook_for(channel.value, get_settings())
    except ChannelNotConfigured as exc:
        raise NotFound("channel_not_configured", channel=channel.value, reason=str(exc)) from None
    if not isinstance(adapter, ChallengeAnswering):
        reason = "канал не проверяет адрес так / the channel makes no such check"
        raise NotFound("channel_not_configured", channel=channel.value, reason=reason)
    try:
        return PlainTextResponse(adapter.answer_challenge(dict(request.query_params)))
    except ChannelAuthError as exc:
        log.warning("webhook %s: challenge refused: %s", channel.value, exc)
        raise Unauthorized("webhook_auth_failed", channel=channel.value, reason=str(exc)) from None

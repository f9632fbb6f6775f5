"""Channels we cannot post to ourselves (a public review site, a marketplace forum).

The reply waits, «ждёт публикации», until the agent who posts it by hand confirms where
(``POST /api/v1/messages/{id}/posted`` with the post's address); only then is it ``sent``.
Nothing here pretends a post happened.
"""

from __future__ import annotations

from otklik.channels.base import DeliveryResult, OutboundMessage

AWAITING = "ждёт публикации вручную / awaiting manual posting"


class ManualPostAdapter:
    """Hands the reply to a person: the channel's confirmation is theirs."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return DeliveryResult(False, error=AWAITING, awaiting=True)

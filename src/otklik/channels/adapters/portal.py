"""Web form and web chat replies: delivered by being shown on the customer's ticket page."""

from __future__ import annotations

from otklik.channels.base import DeliveryResult, OutboundMessage


class PortalAdapter:
    """The customer reads the reply where they wrote (their ticket link); storing it shows it."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return DeliveryResult(True, external_id=f"portal:{message.message_id}")

"""Which adapter delivers on which channel, given the settings of this installation."""

from __future__ import annotations

from otklik.channels.adapters.email import EmailAdapter
from otklik.channels.adapters.portal import PortalAdapter
from otklik.channels.base import ChannelAdapter, ChannelNotConfigured
from otklik.core.config import Settings


def adapter_for(channel: str, settings: Settings) -> ChannelAdapter:
    """The adapter for ``channel``; ``ChannelNotConfigured`` says what is missing."""
    if channel in {"webform", "webchat"}:
        return PortalAdapter(channel)
    if channel == "email":
        if not settings.smtp_url:
            raise ChannelNotConfigured(
                "почта не настроена: задайте OTKLIK_SMTP_URL / email is not set up: OTKLIK_SMTP_URL"
            )
        return EmailAdapter(settings.smtp_url, settings.mail_from)
    raise ChannelNotConfigured(f"канал {channel} ещё не подключён / channel {channel} is not connected yet")

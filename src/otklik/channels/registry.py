"""Which adapter speaks for which channel. Adding a channel: one module in ``adapters/``
and one line in each table below that applies (it sends, it receives webhooks, or both).
"""

from __future__ import annotations

from collections.abc import Callable

from otklik.channels.adapters import telegram, viber, vk, whatsapp
from otklik.channels.adapters.email import EmailAdapter
from otklik.channels.adapters.manual import ManualPostAdapter
from otklik.channels.adapters.portal import PortalAdapter
from otklik.channels.base import ChannelAdapter, ChannelNotConfigured, WebhookAdapter
from otklik.core.config import Settings


def _email(settings: Settings) -> ChannelAdapter:
    if not settings.smtp_url:
        raise ChannelNotConfigured("почта не настроена: задайте OTKLIK_SMTP_URL / email is not set up: OTKLIK_SMTP_URL")
    return EmailAdapter(settings.smtp_url, settings.mail_from)


#: channel → how to build its sender from the settings (raises ChannelNotConfigured)
SENDERS: dict[str, Callable[[Settings], ChannelAdapter]] = {
    "email": _email,
    "webform": lambda _settings: PortalAdapter("webform"),
    "webchat": lambda _settings: PortalAdapter("webchat"),
    "public": lambda _settings: ManualPostAdapter("public"),
    "telegram": telegram.sender,
    "vk": vk.sender,
    "whatsapp": whatsapp.sender,
    "viber": viber.adapter,
}

#: channels whose replies a person posts by hand (``ManualPostAdapter``): a reply there is an answer
#: only once the agent confirms where it was posted
POSTED_BY_HAND = frozenset({"public"})
#: messengers: the customer sees nothing but the conversation (no portal page, no widget header), so
#: who owns their case is said in it
CONVERSATION_ONLY = frozenset({"telegram", "whatsapp", "vk", "viber"})

#: channel → how to build its webhook receiver from the settings
WEBHOOKS: dict[str, Callable[[Settings], WebhookAdapter]] = {
    "telegram": telegram.webhook,
    "vk": vk.webhook,
    "whatsapp": whatsapp.webhook,
    "viber": viber.adapter,
}


def adapter_for(channel: str, settings: Settings) -> ChannelAdapter:
    """The adapter that sends on ``channel``; ``ChannelNotConfigured`` says what is missing."""
    factory = SENDERS.get(channel)
    if factory is None:
        raise ChannelNotConfigured(f"канал {channel} ещё не подключён / channel {channel} is not connected yet")
    return factory(settings)


def webhook_for(channel: str, settings: Settings) -> WebhookAdapter:
    """The adapter that receives ``channel``'s webhook calls."""
    factory = WEBHOOKS.get(channel)
    if factory is None:
        raise ChannelNotConfigured(f"у канала {channel} нет вебхука / channel {channel} takes no webhook")
    return factory(settings)

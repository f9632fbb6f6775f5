"""The messengers' shared pieces: an adapter missing a setting it needs is refused, naming that setting
in Russian and English; a file link that is not a web link is never fetched."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from otklik.channels.adapters import telegram, viber, vk, whatsapp
from otklik.channels.adapters.http import fetch_link, timeout_for
from otklik.channels.base import ChannelNotConfigured, FileFetchError, require
from otklik.core.config import Settings


def test_require_names_the_first_empty_setting_and_passes_when_all_are_set() -> None:
    require("ВКонтакте", "VK", ("OTKLIK_VK_SECRET", "s"), ("OTKLIK_VK_ACCESS_TOKEN", "t"))
    with pytest.raises(ChannelNotConfigured) as refused:
        require("ВКонтакте", "VK", ("OTKLIK_VK_SECRET", "s"), ("OTKLIK_VK_ACCESS_TOKEN", ""), ("OTKLIK_X", None))
    assert str(refused.value) == (
        "ВКонтакте не настроен: задайте OTKLIK_VK_ACCESS_TOKEN / VK is not set up: OTKLIK_VK_ACCESS_TOKEN"
    )


@pytest.mark.parametrize(
    ("build", "missing"),
    [
        (telegram.sender, "Telegram не настроен: задайте OTKLIK_TELEGRAM_BOT_TOKEN"),
        (telegram.webhook, "Telegram не настроен: задайте OTKLIK_TELEGRAM_WEBHOOK_SECRET"),
        (vk.sender, "ВКонтакте не настроен: задайте OTKLIK_VK_ACCESS_TOKEN"),
        (vk.webhook, "ВКонтакте не настроен: задайте OTKLIK_VK_SECRET"),
        (whatsapp.sender, "WhatsApp не настроен: задайте OTKLIK_WHATSAPP_ACCESS_TOKEN"),
        (whatsapp.webhook, "WhatsApp не настроен: задайте OTKLIK_WHATSAPP_APP_SECRET"),
        (viber.adapter, "Viber не настроен: задайте OTKLIK_VIBER_AUTH_TOKEN"),
    ],
)
def test_each_messenger_refuses_to_start_without_its_keys(build: Callable[[Settings], object], missing: str) -> None:
    bare = Settings(
        telegram_bot_token=None,
        telegram_webhook_secret=None,
        vk_access_token=None,
        vk_secret=None,
        whatsapp_access_token=None,
        whatsapp_app_secret=None,
        viber_auth_token=None,
    )
    with pytest.raises(ChannelNotConfigured, match=missing):
        build(bare)


def test_a_file_link_that_is_not_a_web_link_is_refused_before_any_call() -> None:
    with pytest.raises(FileFetchError, match="not a web link"):
        fetch_link("file:///etc/passwd", timeout_for(1.0))

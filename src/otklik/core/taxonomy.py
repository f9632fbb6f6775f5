"""The fixed codes the product speaks (see docs/taxonomy.md); their Russian and English names are the
catalogue's ``label.<code>`` entries (``otklik.core.i18n``)."""

from __future__ import annotations

from enum import StrEnum

from otklik.core.i18n import translate


class Category(StrEnum):
    SHIPPING = "shipping"
    PRODUCT_CARDS = "product_cards"
    FINANCE = "finance"
    ORDERS = "orders"
    RETURNS = "returns"
    ACCOUNT = "account"
    TECHNICAL = "technical"
    OTHER = "other"


class Urgency(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class Channel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    WEBCHAT = "webchat"
    WEBFORM = "webform"
    VK = "vk"
    WHATSAPP = "whatsapp"
    VIBER = "viber"
    PUBLIC = "public"


class IdentityKind(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    PHONE = "phone"
    VK = "vk"
    WHATSAPP = "whatsapp"
    VIBER = "viber"
    WEB = "web"
    PUBLIC_HANDLE = "public_handle"


def label(code: str, lang: str = "ru") -> str:
    """Display name of a code in ``lang`` (the catalogue's ``label.<code>``); unknown codes show as themselves."""
    key = f"label.{code}"
    found = translate(key, lang)
    return code if found == key else found

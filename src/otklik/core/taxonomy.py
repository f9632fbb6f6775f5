"""The fixed codes the product speaks (see docs/taxonomy.md), with Russian and English names."""

from __future__ import annotations

from enum import StrEnum


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


LABELS: dict[str, dict[str, str]] = {
    "shipping": {"ru": "Отгрузка и поставки", "en": "Shipping and supplies"},
    "product_cards": {"ru": "Карточки товаров", "en": "Product cards"},
    "finance": {"ru": "Финансы", "en": "Finance"},
    "orders": {"ru": "Заказы и доставка", "en": "Orders and delivery"},
    "returns": {"ru": "Возвраты и компенсации", "en": "Returns and compensation"},
    "account": {"ru": "Аккаунт и безопасность", "en": "Account and security"},
    "technical": {"ru": "Технические сбои", "en": "Technical failures"},
    "other": {"ru": "Другое", "en": "Other"},
    "urgent": {"ru": "Срочно", "en": "Urgent"},
    "normal": {"ru": "Обычная", "en": "Normal"},
    "low": {"ru": "Низкая", "en": "Low"},
    "email": {"ru": "Почта", "en": "Email"},
    "telegram": {"ru": "Telegram", "en": "Telegram"},
    "webchat": {"ru": "Веб-чат", "en": "Web chat"},
    "webform": {"ru": "Веб-форма", "en": "Web form"},
    "vk": {"ru": "ВКонтакте", "en": "VK"},
    "whatsapp": {"ru": "WhatsApp", "en": "WhatsApp"},
    "viber": {"ru": "Viber", "en": "Viber"},
    "public": {"ru": "Публичная площадка", "en": "Public site"},
}


def label(code: str, lang: str = "ru") -> str:
    """Display name of a code in ``lang``; unknown codes show as themselves."""
    return LABELS.get(code, {}).get(lang, code)

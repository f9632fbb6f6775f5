"""The short public answer to a public complaint, in Russian or English: who already has the case,
its number, where the conversation continues privately, and by when —
«Анна уже ведёт ваше обращение #10234 и напишет вам в Telegram до 15:00». Pure: values in, text out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: where the owner writes, as the sentence needs it (None: the customer has no private channel yet)
WHERE: dict[str | None, dict[str, str]] = {
    "telegram": {"ru": "в Telegram", "en": "on Telegram"},
    "vk": {"ru": "во ВКонтакте", "en": "on VK"},
    "whatsapp": {"ru": "в WhatsApp", "en": "on WhatsApp"},
    "viber": {"ru": "в Viber", "en": "on Viber"},
    "email": {"ru": "на почту", "en": "by email"},
    "webchat": {"ru": "в чате на сайте", "en": "in the chat on our website"},
    "webform": {"ru": "на странице обращения", "en": "on your request's page"},
    None: {"ru": "в личные сообщения", "en": "in a private message"},
}
MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def first_name(full_name: str) -> str:
    """«Анна Финансова» → «Анна»: the public sees the person, not the staff list."""
    words = full_name.split()
    return words[0] if words else full_name


def where(channel: str | None, lang: str) -> str:
    """How the sentence names the private channel (an unknown or public channel: «в личные сообщения»)."""
    return WHERE.get(channel, WHERE[None])[_lang(lang)]


def by_when(due: datetime, now: datetime, timezone: str, lang: str) -> str:
    """«до 15:00», «завтра до 10:00», «25 ноября до 10:00» in the desk's time zone; a due time
    with seconds is rounded up to the minute, so the promise never comes before the target."""
    zone = ZoneInfo(timezone)
    local = due.astimezone(zone)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    today = now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    days = (local.date() - today).days
    if _lang(lang) == "en":
        if days <= 0:
            return f"by {clock}"
        if days == 1:
            return f"by {clock} tomorrow"
        return f"by {clock} on {local.day} {MONTHS_EN[local.month - 1]}"
    if days <= 0:
        return f"до {clock}"
    if days == 1:
        return f"завтра до {clock}"
    return f"{local.day} {MONTHS_RU[local.month - 1]} до {clock}"


def compose(
    *, owner: str, ticket_id: int, channel: str | None, due: datetime, now: datetime, timezone: str, lang: str
) -> str:
    """The public answer: «{owner} уже ведёт ваше обращение #{ticket_id} и напишет вам {where} {when}.»"""
    name = first_name(owner)
    place = where(channel, lang)
    when = by_when(due, now, timezone, lang)
    if _lang(lang) == "en":
        return f"{name} is already handling your request #{ticket_id} and will write to you {place} {when}."
    return f"{name} уже ведёт ваше обращение #{ticket_id} и напишет вам {place} {when}."


def _lang(lang: str) -> str:
    return lang if lang in ("ru", "en") else "ru"

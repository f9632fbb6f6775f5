"""One message catalogue outside the pages (API errors, CLI output, notifications, mail, notes, the
public pages' words): Babel/gettext, domain ``otklik``, in ``core/locale/<lang>/LC_MESSAGES/otklik.po``.

The msgid is the message key (``ticket_not_found``, ``notify.sla_warn``, ``web.form.title``), so the
Russian and the English ``.po`` both hold real text and neither language is the source of the other;
placeholders are ``{name}`` (``str.format``). The compiled ``.mo`` files are committed beside the
``.po`` (``pybabel compile -D otklik -d src/otklik/core/locale``; see docs/i18n.md), and
``tests/web_agent/test_i18n.py`` fails while one is stale. Russian first: a key missing in English
reads in Russian, one missing everywhere reads as itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LANGS = ("ru", "en")
DEFAULT_LANG = "ru"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "otklik"


def catalogue(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (any other language: Russian), falling back to Russian."""
    return _load(lang if lang in LANGS else DEFAULT_LANG)


@lru_cache(maxsize=len(LANGS))
def _load(lang: str) -> NullTranslations:
    loaded = Translations.load(str(LOCALE_DIR), [lang], domain=DOMAIN)
    assert isinstance(loaded, Translations), f"no compiled catalogue {DOMAIN}.mo for {lang} under {LOCALE_DIR}"
    if lang != DEFAULT_LANG:
        loaded.add_fallback(_load(DEFAULT_LANG))
    return loaded


def known(code: str) -> bool:
    """Whether the catalogue has a message for ``code``."""
    return catalogue(DEFAULT_LANG).gettext(code) != code


def _fill(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def translate(code: str, lang: str = "ru", **params: Any) -> str:
    """The message for ``code`` in ``lang`` (falls back to Russian, then to the code), ``{params}`` filled."""
    return _fill(catalogue(lang).gettext(code), params)


def translate_plural(code: str, plural: str, count: int, lang: str = "ru", **params: Any) -> str:
    """The plural form of ``code`` for ``count`` in ``lang`` (Russian has three); ``{num}`` is the count."""
    return _fill(catalogue(lang).ngettext(code, plural, count), {"num": count, **params})


def pick_lang(accept_language: str | None, default: str = "ru") -> str:
    """The first of our languages named in an Accept-Language header, else ``default``."""
    if not accept_language:
        return default
    for part in accept_language.split(","):
        tag = part.split(";", 1)[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return default


def ru_count(number: int, one: str, few: str, many: str) -> str:
    """«1 обращение», «3 обращения», «32 обращения», «11 обращений»."""
    tens, units = number % 100, number % 10
    if 11 <= tens <= 14:
        word = many
    elif units == 1:
        word = one
    elif 2 <= units <= 4:
        word = few
    else:
        word = many
    return f"{number} {word}"


#: a stored «русский / English» pair (a channel's delivery error, a retry note)
_BILINGUAL = re.compile(r"([^()/]*?[А-Яа-яЁё][^()/]*?) / ([^()/А-Яа-яЁё]+)")


def one_language(note: str | None, lang: str) -> str | None:
    """A desk note in the reader's language: each «русский / English» pair becomes its ``lang`` half;
    anything else (a channel's own error text) is shown as it came."""
    if not note:
        return note
    return _BILINGUAL.sub(lambda m: (m.group(2) if lang == "en" else m.group(1)).strip(), note)


_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


def language_of(text: str | None, default: str = "ru") -> str:
    """The language someone wrote ``text`` in: ``ru`` when it has Cyrillic letters, ``en`` when only
    Latin ones, else ``default`` (digits, emoji, an empty message)."""
    if text and _CYRILLIC.search(text):
        return "ru"
    if text and _LATIN.search(text):
        return "en"
    return default

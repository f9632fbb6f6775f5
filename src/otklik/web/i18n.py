"""Words of the public pages and endpoints: the ``web.*`` keys of the Babel catalogue in ``otklik.core.i18n``
(Russian first, English second), and how those pages pick their language."""

from __future__ import annotations

from typing import Any

from otklik.core.i18n import LANGS, pick_lang, translate


def text(key: str, lang: str, **params: Any) -> str:
    """The words for ``key`` in ``lang`` (Russian for any other language), ``params`` filled in: the
    catalogue's ``web.<key>`` (``otklik.core.i18n``); an unknown key reads as itself."""
    code = f"web.{key}"
    found = translate(code, "en" if lang == "en" else "ru", **params)
    return key if found == code else found


def page_lang(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins over Accept-Language; Russian when neither names one of ours."""
    if query_lang in LANGS:
        return str(query_lang)
    return pick_lang(accept_language)


def other_lang(lang: str) -> str:
    return "ru" if lang == "en" else "en"

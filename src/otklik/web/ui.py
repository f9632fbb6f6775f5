"""The pages' shared shell: Babel catalogues (ru default, en), one Jinja2 environment per language
with autoescape, localised dates and plurals, and the strict security headers of a page that runs
only our own scripts.

Reusable by every server-rendered side (the agents' workspace now, the customer portal later):
``render(name, lang=..., **context)`` and the ``shell.html`` layout. Strings are marked with
``_()``/``ngettext()`` in templates and ``tr``/``ntr``/``N_`` in Python and live in
``src/otklik/web/locale/`` (see ``scripts/i18n.sh``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel.support import Translations
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from otklik.core import clock
from otklik.core.taxonomy import label

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
LANGS = ("ru", "en")
DEFAULT_LANG = "ru"

#: our scripts and styles only; no inline code, no eval, no framing, forms post only to us
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    """Marks a string for extraction; it is translated where it is shown."""
    return message


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (``locale/<lang>/LC_MESSAGES/messages.mo``)."""
    loaded = Translations.load(str(LOCALE_DIR), [lang], domain="messages")
    assert isinstance(loaded, Translations), f"no compiled catalogue for {lang} under {LOCALE_DIR}"
    return loaded


def tr(lang: str, message: str, **params: Any) -> str:
    """``message`` in ``lang``, ``%(name)s`` placeholders filled from ``params``."""
    text = translations(lang).gettext(message)
    return text % params if params else text


def ntr(lang: str, singular: str, plural: str, count: int, **params: Any) -> str:
    """The plural form of ``lang`` for ``count`` (Russian has three), ``%(num)d`` is the count."""
    text = translations(lang).ngettext(singular, plural, count)
    return text % {"num": count, **params}


@lru_cache(maxsize=len(LANGS))
def locale(lang: str) -> Locale:
    """Parsed once: Babel's formatters are several times faster given a ``Locale`` than a name."""
    return Locale.parse(lang)


def desk_zone() -> ZoneInfo:
    """The zone the page's reader reads times in (``clock.zone``: theirs, else the desk's)."""
    return clock.zone()


SHORT = "d MMM, HH:mm"


@lru_cache(maxsize=len(LANGS))
def _months(lang: str) -> dict[int, str]:
    return dict(locale(lang).months["format"]["abbreviated"])


def format_when(moment: datetime | None, lang: str, *, style: str = SHORT) -> str:
    """A moment in the desk's time zone, in ``lang``'s words («26 нояб., 19:51»).

    The short style (every message of a timeline shows one) is assembled from Babel's month
    names directly, several times faster than ``format_datetime`` and the same text.
    """
    if moment is None:
        return ""
    if style == SHORT:
        local = moment.astimezone(desk_zone())
        return f"{local.day} {_months(lang)[local.month]}, {local:%H:%M}"
    return babel_dates.format_datetime(moment, style, tzinfo=desk_zone(), locale=locale(lang))


def format_relative(moment: datetime | None, lang: str, *, now: datetime | None = None) -> str:
    """«через 5 минут», «1 час назад» / "in 5 minutes", "1 hour ago"."""
    if moment is None:
        return ""
    delta: timedelta = moment - (now or clock.now())
    return babel_dates.format_timedelta(delta, add_direction=True, threshold=1.5, locale=locale(lang))


def format_duration(seconds: int, lang: str) -> str:
    """«30 минут», «2 дня» / "30 minutes", "2 days"."""
    return babel_dates.format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=locale(lang))


@lru_cache(maxsize=32)
def static_url(name: str) -> str:
    """``/static/ui/<name>?v=<digest>``: the URL changes with the file, so browsers may cache it long."""
    digest = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:12]
    return f"/static/ui/{name}?v={digest}"


@lru_cache(maxsize=len(LANGS))
def environment(lang: str) -> Environment:
    """The templates in ``lang``: autoescape always on, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the package: no stat() per include on every render
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]  # the i18n extension adds it
    env.globals.update(
        lang=lang,
        other_lang="en" if lang == "ru" else "ru",
        when=lambda moment, style="d MMM, HH:mm": format_when(moment, lang, style=style),
        relative=lambda moment: format_relative(moment, lang),
        duration=lambda seconds: format_duration(seconds, lang),
        label=lambda code: label(code, lang) if code else "",
        iso=lambda moment: moment.isoformat() if moment else "",
        asset=static_url,
    )
    return env


def page_headers(*, private: bool = True) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if private:
        headers["Cache-Control"] = "no-store"
    return headers


def render_text(name: str, *, lang: str, **context: Any) -> str:
    return environment(lang).get_template(name).render(**context)


def render(name: str, *, lang: str, status: int = 200, private: bool = True, **context: Any) -> HTMLResponse:
    """The template ``name`` in ``lang`` as a page (or an htmx fragment) with the security headers."""
    return HTMLResponse(
        render_text(name, lang=lang, **context), status_code=status, headers=page_headers(private=private)
    )


def pick(query_lang: str | None, cookie_lang: str | None) -> str:
    """``?lang=`` wins, then the chosen language (cookie), then Russian."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGS:
            return str(candidate)
    return DEFAULT_LANG

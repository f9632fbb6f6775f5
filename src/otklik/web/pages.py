"""Server-rendered pages: one Jinja2 environment with autoescape on, and strict security headers.

Pages carry no scripts at all (CSP ``script-src`` is not granted), so customer text can only
ever be text; templates never mark anything ``|safe``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from otklik.core.config import get_settings
from otklik.web.cors import parse_origins
from otklik.web.i18n import other_lang, text

HERE = Path(__file__).parent
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def frame_ancestors(embeddable: bool) -> str:
    """Who may frame a page: the form may sit in the shop's page (the configured origins); a
    ticket page, whose address is its key, in nobody's."""
    if not embeddable:
        return "'none'"
    origins = parse_origins(get_settings().public_origins)
    return "*" if origins == ["*"] else " ".join(["'self'", *origins])


def headers(*, embeddable: bool, private: bool) -> dict[str, str]:
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {frame_ancestors(embeddable)}"
    )
    result = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        # a ticket page's address is its key: it must not travel in a Referer header
        "Referrer-Policy": "no-referrer",
    }
    if private:
        result["Cache-Control"] = "no-store"
        result["X-Robots-Tag"] = "noindex"
    return result


def render(
    name: str, *, lang: str, status: int = 200, embeddable: bool = False, private: bool = False, **context: Any
) -> HTMLResponse:
    """The page ``name`` in ``lang``; ``t(key, **params)`` in templates gives the catalogue's words."""

    def t(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    html = _env.get_template(name).render(lang=lang, other_lang=other_lang(lang), t=t, **context)
    return HTMLResponse(html, status_code=status, headers=headers(embeddable=embeddable, private=private))

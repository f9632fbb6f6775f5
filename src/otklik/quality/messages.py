"""What the checker tells the agent about each flag, in Russian and English: what is wrong with
the phrase and what to write instead (name the owner, the step and the time). The words are the
``quality.*`` keys of the Babel catalogue (``otklik.core.i18n``): ``quality.label.<code>``,
``quality.why.<code>`` (``{fragment}``), ``quality.instead.<code>``, ``quality.why.repeated`` and
``quality.public_note``."""

from __future__ import annotations

from otklik.core.i18n import translate


def explanation(code: str, fragment: str, lang: str = "ru", *, repeated: bool = False) -> str:
    """Why ``fragment`` carries flag ``code``, in ``lang`` (Russian for any other language)."""
    if repeated:
        return translate("quality.why.repeated", lang)
    short = fragment if len(fragment) <= 80 else fragment[:77].rstrip() + "…"
    return translate(f"quality.why.{code}", lang, fragment=short)


def suggestion(code: str, lang: str = "ru") -> str:
    """What to write instead."""
    return translate(f"quality.instead.{code}", lang)


def message(code: str, fragment: str, lang: str = "ru", *, repeated: bool = False, public: bool = False) -> str:
    """The one-line message of the API contract: explanation, then suggestion (and a note for public replies)."""
    parts = [explanation(code, fragment, lang, repeated=repeated), suggestion(code, lang)]
    if public:
        parts.append(translate("quality.public_note", lang))
    return " ".join(parts)


def label(code: str, lang: str = "ru") -> str:
    return translate(f"quality.label.{code}", lang)

"""The reply checker as the product calls it: flags with spans plus the explanation and the
suggestion of each, and ``ok``. Pure; the API route and the reply composer both call
``check_reply``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otklik.quality import messages
from otklik.quality.overlap import Article
from otklik.quality.rules import find_flags
from otklik.quality.text import detect_lang


@dataclass(frozen=True, slots=True)
class Flag:
    """One flag as the agent sees it; ``reply[start:end] == fragment``. ``rule`` is ``model`` when
    the learned detector found it (its span is then the sentence); ``confidence`` is the chance it
    is right as measured on outside-written replies (``rules.Finding``)."""

    code: str
    start: int
    end: int
    fragment: str
    label: str
    explanation: str
    suggestion: str
    message: str
    rule: str
    source: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    lang: str
    flags: tuple[Flag, ...]


def check_reply(
    text: str,
    *,
    customer_message: str | None = None,
    public: bool = True,
    lang: str | None = None,
    message_lang: str | None = None,
    articles: Sequence[Article] = (),
    earlier_replies: Sequence[str] = (),
) -> Check:
    """Check the draft ``text``. ``lang`` is the draft's language (detected when None);
    ``message_lang`` the language of the explanations (the draft's by default); ``public``
    adds a note that the whole site will read the reply. See ``rules.find_flags`` for the rest."""
    reply_lang = lang if lang in ("ru", "en") else detect_lang(text)
    say = message_lang if message_lang in ("ru", "en") else reply_lang
    found = find_flags(
        text, customer_message=customer_message, lang=reply_lang, articles=articles, earlier_replies=earlier_replies
    )
    flags = []
    for finding in found:
        fragment = text[finding.start : finding.end]
        repeated = finding.rule == "repeated"
        flags.append(
            Flag(
                code=finding.code,
                start=finding.start,
                end=finding.end,
                fragment=fragment,
                label=messages.label(finding.code, say),
                explanation=messages.explanation(finding.code, fragment, say, repeated=repeated),
                suggestion=messages.suggestion(finding.code, say),
                message=messages.message(finding.code, fragment, say, repeated=repeated, public=public),
                rule=finding.rule,
                source=finding.source,
                confidence=finding.confidence,
            )
        )
    return Check(ok=not flags, lang=reply_lang, flags=tuple(flags))

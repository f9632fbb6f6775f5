"""The bot's hand-off note in the reader's language: the facts gathered when the bot hands off, and
their rendering through the message catalogue (``bot.note.*``, ``bot.reason.*``, ``label.*``).

The note is stored once: ``Message.text`` in the desk's default language (Russian), ``Message.facts``
the facts; pages and the API show ``shown_text(message, lang)``, so the English workspace reads it in
English and the Russian one in Russian.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otklik.bot.triage_link import TriageView
from otklik.core import clock
from otklik.core.i18n import translate
from otklik.core.taxonomy import label
from otklik.messages.models import Direction, Message

KIND = "bot.handoff"


def handoff_facts(
    *,
    reason: str,
    signals: tuple[str, ...],
    triage: TriageView,
    offered: list[tuple[int | None, int | None, str]],
    transcript: list[Message],
) -> dict[str, Any]:
    """What the person taking over needs, as plain values: the reason code and the words that raised
    it, the triage result, the articles offered ``(id, version, title)`` and the public transcript."""
    return {
        "kind": KIND,
        "reason": reason,
        "signals": list(signals),
        "triage": triage.to_json(),
        "offered": [{"article_id": i, "version": v, "title": title} for i, v, title in offered],
        "transcript": [_said(message) for message in transcript],
    }


def _said(message: Message) -> dict[str, Any]:
    if message.direction == Direction.INBOUND.value:
        who, name = "customer", None
    elif message.author_agent is not None:
        who, name = "agent", message.author_agent.name
    else:
        who, name = "bot", None
    return {"id": message.id, "at": message.created_at.isoformat(), "who": who, "name": name, "text": message.text}


def handoff_text(facts: dict[str, Any], lang: str) -> str:
    """The note for a reader in ``lang``: reason, triage, articles offered, then the transcript."""
    reason = str(facts.get("reason", ""))
    reason_text = translate(f"bot.reason.{reason}", lang)
    if reason_text == f"bot.reason.{reason}":
        reason_text = reason
    signals = facts.get("signals") or []
    lines = [
        translate("bot.note.title", lang),
        translate("bot.note.reason", lang, reason=reason_text) + (f" ({', '.join(signals)})" if signals else ""),
        _triage_line(facts.get("triage") or {}, lang),
    ]
    offered = facts.get("offered") or []
    if offered:
        shown = "; ".join(
            translate("bot.note.article", lang, article_id=o["article_id"], title=o["title"], version=o["version"])
            for o in offered
        )
        lines.append(translate("bot.note.offered", lang, articles=shown))
    else:
        lines.append(translate("bot.note.offered_none", lang))
    lines.append(translate("bot.note.transcript", lang))
    for said in facts.get("transcript") or []:
        when = clock.desk_text(datetime.fromisoformat(said["at"]))
        who = said["name"] if said["who"] == "agent" else translate(f"bot.note.{said['who']}", lang)
        lines.append(f"[{when}] {who}: {said['text']}")
    return "\n".join(lines)


def _triage_line(triage: dict[str, Any], lang: str) -> str:
    category, urgency = triage.get("category"), triage.get("urgency")
    return translate(
        "bot.note.triage",
        lang,
        category=label(category, lang) if category else translate("bot.note.category_unknown", lang),
        urgency=label(urgency, lang) if urgency else translate("bot.note.urgency_unknown", lang),
        confidence=f"{float(triage.get('confidence') or 0.0):.2f}",
    )


def shown_text(message: Message, lang: str) -> str:
    """What a reader in ``lang`` sees of ``message``: a bot hand-off note rendered from its facts,
    any other message as stored."""
    facts = message.facts
    if facts and facts.get("kind") == KIND:
        return handoff_text(facts, lang)
    return message.text

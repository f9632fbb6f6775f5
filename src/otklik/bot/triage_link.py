"""How the bot asks triage about a text: category, urgency and confidence.

The bot depends on a small callable (``Triager``) rather than on the model, so tests can pass
their own and the bot keeps working while no triage model is installed: then only triage's pure
urgent rules speak (a person blocked right now is still recognised) and the category is unknown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from otklik.triage.rules import urgent_signals
from otklik.triage.text import Lemmatizer, prepare

log = logging.getLogger("otklik.bot")
#: the probability of urgency at which the bot hands off before looking for an article
BOT_URGENT_PROBABILITY = 0.5


@dataclass(frozen=True, slots=True)
class TriageView:
    """What the bot needs from triage; ``category``/``urgency`` are taxonomy codes or None."""

    category: str | None
    urgency: str | None
    confidence: float
    source: str
    #: the probability of ``urgency`` (a firing urgent rule counts as certain)
    urgency_confidence: float = 1.0

    @property
    def urgent(self) -> bool:
        """Urgent enough for the bot to step aside at once. Triage flags a message urgent from a
        low probability on (a missed urgent case costs ten false alarms in the queue); the bot,
        which still hands off whenever no article surely answers, steps aside on a likely one."""
        return self.urgency == "urgent" and self.urgency_confidence >= BOT_URGENT_PROBABILITY

    def to_json(self) -> dict[str, object]:
        return {
            "category": self.category,
            "urgency": self.urgency,
            "confidence": round(self.confidence, 4),
            "source": self.source,
        }


Triager = Callable[[str], TriageView]

_LOCK = threading.Lock()
_DEFAULT: list[Triager] = []


@lru_cache(maxsize=1)
def _rules_lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def rules_only(text: str) -> TriageView:
    """Triage's pure urgent rules alone: ``urgent`` or unknown, no category."""
    prepared = prepare(text, _rules_lemmatizer())
    urgent = bool(urgent_signals(prepared.lemmas))
    return TriageView(None, "urgent" if urgent else None, 0.0, "rules")


def default_triager() -> Triager:
    """Triage's model when it can be loaded (once per process), else its urgent rules alone."""
    with _LOCK:
        if _DEFAULT:
            return _DEFAULT[0]
        chosen: Triager = rules_only
        try:
            from otklik.triage.model import get_model

            model = get_model()

            def through_model(text: str) -> TriageView:
                found = model.predict(text)
                return TriageView(
                    found.category,
                    found.urgency,
                    float(found.confidence),
                    found.source,
                    float(found.urgency_confidence),
                )

            chosen = through_model
        except (OSError, ValueError, KeyError, ImportError) as exc:
            log.warning("triage model unavailable, the bot uses triage's urgent rules only: %s", exc)
        _DEFAULT.append(chosen)
        return chosen

"""What the ticket page shows beside the conversation that other domains own: the canned replies
in the reader's language (``otklik.kb.canned``), and the explanations of triage and routing read
from the audit log. Called directly: the name-lookup seams that once stood here pointed at
functions that did not exist and are gone (issue 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from otklik.core import audit
from otklik.core.actors import ActorKind
from otklik.kb.canned import CannedReply, list_canned_replies
from otklik.tickets.models import Ticket
from otklik.web.ui import N_, tr

#: the desk's own deciders by their audit names, said in the reader's language; any other
#: system actor is «Otklik» (its audit name is a program's word: «routing», «timer», «cli»)
SYSTEM_ACTORS = {
    "routing": N_("automatic routing"),
    "triage": N_("automatic triage"),
    "bot": N_("the bot"),
    "timer": N_("a timer"),
}


def canned_replies(session: Session, lang: str) -> list[CannedReply]:
    """The canned replies written in ``lang`` only: the Russian workspace offers no English text."""
    return [c for c in list_canned_replies(session, lang) if c.lang == lang]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the ticket is what it is: who decided, when, what, and the reasons they gave."""

    kind: str  # triage | routing | transfer | hold
    actor: str
    at: Any
    data: dict[str, Any]
    reasons: tuple[str, ...]


_EXPLAINED = {
    "ticket.triaged": "triage",
    "ticket.assigned": "routing",
    "ticket.transferred": "transfer",
    "ticket.held": "hold",
    "ticket.urgency_raised": "urgency",
}


def explanations(session: Session, ticket: Ticket, lang: str = "ru") -> list[Explanation]:
    """Triage and routing decisions from the ticket's audit log, with any reasons their makers recorded
    (``reasons``/``signals``/``explanation``/``reason`` in the event's data; ``reason_en`` instead of
    ``reason`` for an English reader when routing wrote one)."""
    result = []
    for event in audit.list_for_ticket(session, ticket.id, tuple(_EXPLAINED)):
        kind = _EXPLAINED.get(event.action)
        if kind is None:
            continue
        data = dict(event.data or {})
        if lang == "en" and data.get("reason_en"):
            data["reason"] = data["reason_en"]
        reasons: list[str] = []
        for key in ("reasons", "signals", "explanation", "reason"):
            value = data.get(key)
            if isinstance(value, str) and value:
                reasons.append(value)
            elif isinstance(value, list):
                reasons.extend(str(v) for v in value if v)
        result.append(Explanation(kind, _actor(event.actor_kind, event.actor_name, lang), event.created_at, data,
                                  tuple(reasons)))  # fmt: skip
    return result


def _actor(kind: str, name: str, lang: str) -> str:
    """Who decided, as the reader says it: a person by name, the desk's own parts in words."""
    if kind != ActorKind.SYSTEM.value:
        return name or kind
    return tr(lang, SYSTEM_ACTORS[name]) if name in SYSTEM_ACTORS else "Otklik"

"""Where the rest of the desk plugs into the pages without a fixed function yet: canned replies,
agent presence; and the explanations of triage and routing read from the audit log. (The reply
checker and the channels' reply policies are called directly: ``otklik.quality``.)

Each seam calls the owning domain's own function when that domain provides it, and otherwise
returns "nothing" (None or an empty list), so a page never shows made-up data. The functions are
looked up by name once (``importlib``), because their modules are being written alongside this
one; ``SEAMS`` lists every name the pages try, and ``available()`` tells which were found.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from otklik.core import audit
from otklik.tickets.models import Ticket

#: seam → candidate ``module:function`` names, the first one found wins
SEAMS: dict[str, tuple[str, ...]] = {
    "canned_replies": (
        "otklik.kb.queries:list_canned_replies",
        "otklik.kb.canned:list_canned_replies",
    ),
    "presence": (
        "otklik.routing.queries:presence_of",
        "otklik.routing.presence:presence_of",
    ),
}


@cache
def lookup(seam: str) -> Callable[..., Any] | None:
    """The first candidate of ``seam`` that imports; None while its domain has none."""
    for candidate in SEAMS.get(seam, ()):
        module_name, _, attribute = candidate.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, attribute, None)
        if callable(found):
            return found  # type: ignore[no-any-return]  # a domain function found by name
    return None


def available() -> dict[str, bool]:
    return {seam: lookup(seam) is not None for seam in SEAMS}


def _field(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def _call(function: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """``function`` with those of ``options`` it accepts (the seams' signatures are still settling)."""
    accepted = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        return function(*args, **options)
    return function(*args, **{k: v for k, v in options.items() if k in accepted})


@dataclass(frozen=True, slots=True)
class Canned:
    id: str
    title: str
    body: str


def canned_replies(session: Session, lang: str) -> list[Canned]:
    source = lookup("canned_replies")
    if source is None:
        return []
    return [
        Canned(str(_field(c, "id", "")), str(_field(c, "title", "")), str(_field(c, "body", "")))
        for c in _call(source, session, lang=lang)
    ]


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
        result.append(Explanation(kind, event.actor_name or event.actor_kind, event.created_at, data, tuple(reasons)))
    return result

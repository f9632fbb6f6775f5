"""The ticket status machine: the only place that says which action leads where.

Statuses are effects of actions, never values someone writes. The preconditions
here are what keep statuses honest:

* ``pending_customer`` only follows a stored public reply (which is, by
  construction, newer than the customer's last message);
* ``solved`` only when the last public message is the agent's;
* ``on_hold`` only with an owner and a promise due in the future;
* a customer's message on ``pending_customer``, ``on_hold`` or ``solved`` reopens;
* a latest answer whose delivery failed for good takes ``pending_customer`` or
  ``solved`` back to ``open``: the customer never got it;
* a ticket merged into another (the same problem, told twice) ends ``closed`` from any
  live status; its messages live on in the ticket it was merged into.

Below the machine: the pure rules of links and merges (urgency raised by a public
complaint, whole days of silence, what makes two tickets likely duplicates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Action(StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    PUBLIC_REPLY = "public_reply"
    ASSIGN = "assign"
    PROPOSE_SOLUTION = "propose_solution"
    CONFIRM = "confirm"
    REJECT_SOLUTION = "reject_solution"
    HOLD = "hold"
    HOLD_DUE = "hold_due"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"
    DELIVERY_FAILED = "delivery_failed"
    MERGE = "merge"


class Author(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the machine needs to know about a ticket, as plain values."""

    status: Status
    has_owner: bool
    last_public_author: Author | None


class TransitionRefused(Exception):
    """The action cannot happen now; ``reason`` is a message-catalogue code."""

    def __init__(self, action: Action, status: Status, reason: str = "transition_not_allowed") -> None:
        super().__init__(f"{action} from {status}: {reason}")
        self.action = action
        self.status = status
        self.reason = reason


WORKING = frozenset({Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD})
ACTIVE = frozenset({Status.NEW}) | WORKING
#: statuses in which no SLA clock runs (a resolution due time stays on record, counting down to nothing)
STOPPED = frozenset({Status.SOLVED, Status.CLOSED})


def next_status(facts: Facts, action: Action) -> Status:  # noqa: PLR0912  (one branch per action is the point)
    """The status after ``action``, or ``TransitionRefused`` when it is not allowed."""
    s = facts.status
    match action:
        case Action.CUSTOMER_MESSAGE if s is not Status.CLOSED:
            return Status.NEW if s is Status.NEW else Status.OPEN
        case Action.PUBLIC_REPLY if s in ACTIVE:
            return Status.PENDING_CUSTOMER
        case Action.PUBLIC_REPLY if s is Status.SOLVED:
            return Status.SOLVED  # an addition after the solution keeps it solved
        case Action.ASSIGN if s is not Status.CLOSED:
            return Status.OPEN if s is Status.NEW else s
        case Action.PROPOSE_SOLUTION if s in ACTIVE:
            if facts.last_public_author is not Author.AGENT:
                raise TransitionRefused(action, s, "solve_needs_agent_reply")
            return Status.SOLVED
        case Action.CONFIRM | Action.AUTO_CLOSE if s is Status.SOLVED:
            return Status.CLOSED
        case Action.REJECT_SOLUTION | Action.REOPEN if s is Status.SOLVED:
            return Status.OPEN
        case Action.HOLD if s in WORKING:
            if not facts.has_owner:
                raise TransitionRefused(action, s, "hold_needs_owner")
            return Status.ON_HOLD
        case Action.HOLD_DUE if s is Status.ON_HOLD:
            return Status.OPEN
        case Action.DELIVERY_FAILED if s is not Status.CLOSED:
            # the latest answer never reached the customer: nothing may claim it did
            return Status.OPEN if s in {Status.PENDING_CUSTOMER, Status.SOLVED} else s
        case Action.MERGE if s is not Status.CLOSED:
            return Status.CLOSED  # the same problem lives on in the ticket it joined
    raise TransitionRefused(action, s)


def allowed_actions(facts: Facts) -> list[Action]:
    """Every action the machine would accept now (for UIs and tests)."""
    result = []
    for action in Action:
        try:
            next_status(facts, action)
        except TransitionRefused:
            continue
        result.append(action)
    return result


# ---- links and merges -------------------------------------------------------------------


def status_after_undo(current: Status, saved: Status, *, duplicate: bool) -> Status:
    """Undoing a merge puts back the status it replaced: the duplicate leaves ``closed`` (it must
    still be the closed duplicate), the ticket that carried on returns to what it was. The saved
    status is the only one allowed; a duplicate is never restored as ``closed`` by its own undo."""
    if duplicate and (current is not Status.CLOSED or saved is Status.CLOSED):
        raise TransitionRefused(Action.MERGE, current, "merge_overtaken")
    return saved


#: urgency levels from lowest to highest; an untriaged ticket counts as ``normal`` (as its SLA does)
URGENCY_LADDER = ("low", "normal", "urgent")


def raised_urgency(urgency: str | None) -> str:
    """One level up: low → normal → urgent; untriaged (normal) → urgent; urgent stays."""
    level = URGENCY_LADDER.index(urgency) if urgency in URGENCY_LADDER else 1
    return URGENCY_LADDER[min(level + 1, len(URGENCY_LADDER) - 1)]


def whole_days(since: datetime, until: datetime) -> int:
    """Whole days from ``since`` to ``until`` (never negative): «вышла в публичное поле через N дней»."""
    return max((until - since).days, 0)


def quoted_references(text: str, references: Iterable[str]) -> set[str]:
    """Which of ``references`` (order, supply, claim numbers) ``text`` quotes as whole words."""
    found = set()
    for value in references:
        if value and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, flags=re.IGNORECASE):
            found.add(value)
    return found


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the duplicate rule needs to know about a ticket."""

    id: int
    category: str | None
    references: frozenset[tuple[str, str]]


def duplicate_reasons(ticket: CaseFacts, other: CaseFacts) -> list[str]:
    """Why ``other`` (the same customer's open ticket) looks like the same problem; empty when it does not.

    Reasons are codes: ``category:<code>`` when both were triaged alike, ``reference:<kind>:<value>``
    for every outside number they share.
    """
    reasons = []
    if ticket.category is not None and ticket.category == other.category:
        reasons.append(f"category:{ticket.category}")
    for kind, value in sorted(ticket.references & other.references):
        reasons.append(f"reference:{kind}:{value}")
    return reasons


def merge_order(first: tuple[datetime, int], second: tuple[datetime, int]) -> tuple[int, int]:
    """``(source, target)`` of two tickets given as ``(created_at, id)``: the newer joins the older,
    so the customer's clock keeps counting from their first word."""
    older, newer = sorted((first, second))
    return newer[1], older[1]


# ---- the customer portal: when the customer may put the case in front of a lead ---------


class EscalationReason(StrEnum):
    SLA_BREACHED = "sla_breached"
    NO_ANSWER = "no_answer"


class Said(StrEnum):
    """Who spoke in a public timeline, as the «no substantive answer» rule sees it."""

    CUSTOMER = "customer"
    #: an agent's public reply that reached (or is reaching) the customer and promised nothing later
    ANSWER = "answer"
    #: a holding reply («проверяю, 5 минут»), the bot, a reply that failed: not an answer
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    """What the escalation rule needs to know about a ticket, as plain values."""

    status: Status
    #: the live response target (None when we owe no answer now) and the resolution target
    response_due: datetime | None
    resolution_due: datetime | None
    hold_until: datetime | None
    #: since when the customer waits for a substantive answer (None: they do not)
    owed_since: datetime | None
    open_escalation: bool
    last_acknowledged_at: datetime | None


def owed_since(timeline: Iterable[tuple[datetime, Said]]) -> datetime | None:
    """The customer's first word after our last substantive answer, in a public timeline given in
    order; None when nothing they said is left unanswered."""
    since: datetime | None = None
    for moment, said in timeline:
        if said is Said.ANSWER:
            since = None
        elif said is Said.CUSTOMER and since is None:
            since = moment
    return since


def escalation_reason(facts: EscalationFacts, now: datetime, quiet: timedelta) -> EscalationReason | None:
    """Why the customer may escalate now, or None when they may not.

    Never on a solved or closed case (they answer «решено / не решено» there), never twice while a
    lead has not acknowledged, never while a promise is pending (the customer was told when), and
    not again within ``quiet`` of the last acknowledgement. Then: any SLA target past due, or the
    customer's words unanswered for ``quiet`` (counted from a promise that came due, if later).
    """
    if facts.status in {Status.SOLVED, Status.CLOSED} or facts.open_escalation:
        return None
    if facts.status is Status.ON_HOLD and facts.hold_until is not None and facts.hold_until > now:
        return None
    if facts.last_acknowledged_at is not None and now - facts.last_acknowledged_at < quiet:
        return None
    if any(due is not None and due <= now for due in (facts.response_due, facts.resolution_due)):
        return EscalationReason.SLA_BREACHED
    if facts.owed_since is not None:
        since = max(facts.owed_since, facts.hold_until) if facts.hold_until is not None else facts.owed_since
        if now - since >= quiet:
            return EscalationReason.NO_ANSWER
    return None


#: a survey's rating scale and the longest comment kept
RATINGS = range(1, 6)
MAX_SURVEY_COMMENT = 2000

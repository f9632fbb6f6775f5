"""The status machine against a table written from the contract ("Statuses" in api-contract.md).

Every status × action × owner × last-public-author combination is checked against
``EXPECTED`` below, which is written by hand from the contract text, never derived
from ``next_status`` itself. No database: the machine is pure.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from otklik.tickets.rules import Action, Author, Facts, Status, TransitionRefused, allowed_actions, next_status

NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = (
    Status.NEW,
    Status.OPEN,
    Status.PENDING_CUSTOMER,
    Status.ON_HOLD,
    Status.SOLVED,
    Status.CLOSED,
)

NOT_ALLOWED = "transition_not_allowed"
NEEDS_AGENT_REPLY = "solve_needs_agent_reply"
NEEDS_OWNER = "hold_needs_owner"


@dataclass(frozen=True)
class IfAgentSpokeLast:
    """Allowed only when the last public message is the agent's; refused with ``solve_needs_agent_reply``."""

    then: Status


@dataclass(frozen=True)
class IfOwned:
    """Allowed only when the ticket has an owner; refused with ``hold_needs_owner``."""

    then: Status


class Refused:
    """Not allowed from this status at all (``transition_not_allowed``), whatever the other facts."""


X = Refused()
Cell = Status | IfAgentSpokeLast | IfOwned | Refused

# One row per action, one column per status. Reasons, from the contract:
# * a customer message reopens pending_customer / on_hold / solved; a new ticket stays new
#   (nobody has worked on it yet) and a closed one takes no more messages (intake opens a new ticket);
# * pending_customer is entered only by a stored public reply after the customer spoke; a reply
#   added to a solved ticket keeps it solved (the last public message is still the agent's);
# * taking ownership starts work on a new ticket and leaves other working statuses alone;
# * solved needs the agent's public message to be the last one; closed follows solved only,
#   by the customer's confirmation or the inactivity window;
# * on_hold is a follow-up commitment by an owner, from a ticket being worked on;
# * a due hold, a rejected solution and an agent taking the solution back all return to open;
# * (from the rules' own docstring, beyond the contract text) the latest answer failing delivery for
#   good means nothing may claim it was given: pending_customer and solved go back to open, other
#   live statuses stay; a closed ticket is final;
# * (issue 4, links and merges) a ticket merged into another is the same problem told twice: it ends
#   closed from any live status, whatever its owner or last author; a closed ticket is never merged.
EXPECTED: dict[Action, dict[Status, Cell]] = {
    Action.CUSTOMER_MESSAGE: {NEW: NEW, OPEN: OPEN, PENDING: OPEN, ON_HOLD: OPEN, SOLVED: OPEN, CLOSED: X},
    Action.PUBLIC_REPLY: {NEW: PENDING, OPEN: PENDING, PENDING: PENDING, ON_HOLD: PENDING, SOLVED: SOLVED, CLOSED: X},
    Action.ASSIGN: {NEW: OPEN, OPEN: OPEN, PENDING: PENDING, ON_HOLD: ON_HOLD, SOLVED: SOLVED, CLOSED: X},
    Action.PROPOSE_SOLUTION: {
        NEW: IfAgentSpokeLast(SOLVED),
        OPEN: IfAgentSpokeLast(SOLVED),
        PENDING: IfAgentSpokeLast(SOLVED),
        ON_HOLD: IfAgentSpokeLast(SOLVED),
        SOLVED: X,
        CLOSED: X,
    },
    Action.CONFIRM: {NEW: X, OPEN: X, PENDING: X, ON_HOLD: X, SOLVED: CLOSED, CLOSED: X},
    Action.REJECT_SOLUTION: {NEW: X, OPEN: X, PENDING: X, ON_HOLD: X, SOLVED: OPEN, CLOSED: X},
    Action.HOLD: {
        NEW: X,
        OPEN: IfOwned(ON_HOLD),
        PENDING: IfOwned(ON_HOLD),
        ON_HOLD: IfOwned(ON_HOLD),
        SOLVED: X,
        CLOSED: X,
    },
    Action.HOLD_DUE: {NEW: X, OPEN: X, PENDING: X, ON_HOLD: OPEN, SOLVED: X, CLOSED: X},
    Action.REOPEN: {NEW: X, OPEN: X, PENDING: X, ON_HOLD: X, SOLVED: OPEN, CLOSED: X},
    Action.AUTO_CLOSE: {NEW: X, OPEN: X, PENDING: X, ON_HOLD: X, SOLVED: CLOSED, CLOSED: X},
    Action.DELIVERY_FAILED: {NEW: NEW, OPEN: OPEN, PENDING: OPEN, ON_HOLD: ON_HOLD, SOLVED: OPEN, CLOSED: X},
    Action.MERGE: {NEW: CLOSED, OPEN: CLOSED, PENDING: CLOSED, ON_HOLD: CLOSED, SOLVED: CLOSED, CLOSED: X},
}

AUTHORS: tuple[Author | None, ...] = (None, Author.CUSTOMER, Author.AGENT)


def expected(facts: Facts, action: Action) -> Status | str:
    """The table's answer: the next status, or the refusal reason as a string."""
    cell = EXPECTED[action][facts.status]
    match cell:
        case Status():
            return cell
        case IfAgentSpokeLast(then=then):
            return then if facts.last_public_author is Author.AGENT else NEEDS_AGENT_REPLY
        case IfOwned(then=then):
            return then if facts.has_owner else NEEDS_OWNER
    return NOT_ALLOWED


def _id(case: tuple[Status, Action, bool, Author | None]) -> str:
    status, action, owned, author = case
    return f"{status.value}-{action.value}-{'owned' if owned else 'unowned'}-{author.value if author else 'silent'}"


CASES = list(itertools.product(Status, Action, (False, True), AUTHORS))


def test_the_table_covers_every_status_and_action() -> None:
    assert set(EXPECTED) == set(Action)
    for action, row in EXPECTED.items():
        assert set(row) == set(Status), action
    assert len(CASES) == len(Status) * len(Action) * 2 * 3 >= 360


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_next_status_matches_the_contract(case: tuple[Status, Action, bool, Author | None]) -> None:
    status, action, owned, author = case
    facts = Facts(status, owned, author)
    want = expected(facts, action)
    if isinstance(want, Status):
        assert next_status(facts, action) is want
        return
    with pytest.raises(TransitionRefused) as refused:
        next_status(facts, action)
    assert refused.value.reason == want
    assert refused.value.action is action
    assert refused.value.status is status


FACTS = [Facts(s, owned, author) for s, owned, author in itertools.product(Status, (False, True), AUTHORS)]


@pytest.mark.parametrize("facts", FACTS, ids=[f"{f.status.value}-{f.has_owner}-{f.last_public_author}" for f in FACTS])
def test_allowed_actions_are_exactly_the_table_s_allowed_cells(facts: Facts) -> None:
    assert allowed_actions(facts) == [a for a in Action if isinstance(expected(facts, a), Status)]


@pytest.mark.parametrize(
    ("status", "author"),
    [(s, a) for s in (NEW, OPEN, PENDING, ON_HOLD) for a in (None, Author.CUSTOMER)],
)
@pytest.mark.parametrize("owned", [False, True])
def test_solve_is_refused_while_the_customer_has_the_last_word(
    status: Status, author: Author | None, owned: bool
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status(Facts(status, owned, author), Action.PROPOSE_SOLUTION)
    assert refused.value.reason == NEEDS_AGENT_REPLY
    assert "solve_needs_agent_reply" in str(refused.value)


@pytest.mark.parametrize("status", [OPEN, PENDING, ON_HOLD])
@pytest.mark.parametrize("author", AUTHORS)
def test_hold_is_refused_without_an_owner(status: Status, author: Author | None) -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status(Facts(status, False, author), Action.HOLD)
    assert refused.value.reason == NEEDS_OWNER


@pytest.mark.parametrize(
    ("status", "owned", "author"),
    list(itertools.product([s for s in Status if s is not PENDING], (False, True), AUTHORS)),
)
def test_only_a_public_reply_enters_pending_customer(status: Status, owned: bool, author: Author | None) -> None:
    for action in Action:
        if action is Action.PUBLIC_REPLY:
            continue
        try:
            result = next_status(Facts(status, owned, author), action)
        except TransitionRefused:
            continue
        assert result is not PENDING, action


@pytest.mark.parametrize(("owned", "author"), list(itertools.product((False, True), AUTHORS)))
def test_closed_is_final(owned: bool, author: Author | None) -> None:
    assert allowed_actions(Facts(CLOSED, owned, author)) == []


def test_the_refusal_names_action_status_and_reason() -> None:
    refused = TransitionRefused(Action.HOLD, Status.NEW)
    assert refused.reason == NOT_ALLOWED
    assert str(refused) == "hold from new: transition_not_allowed"

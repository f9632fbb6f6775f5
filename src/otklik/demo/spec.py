"""The vocabulary the demo data is written in: people, tickets and the steps of their stories.

Every step names the domain action the loader calls for it; times are minutes
after the ticket's first message, so each story reads like a chat log.
"""

from __future__ import annotations

from dataclasses import dataclass

from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency


@dataclass(frozen=True, slots=True)
class AgentSpec:
    key: str
    name: str
    email: str
    role: str
    teams: tuple[str, ...] = ()
    skills: tuple[tuple[Category, int], ...] = ()
    capacity: int = 8
    #: working hours every day of the week (Moscow), e.g. ("10:00", "18:00"); None: no shift
    shift: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    key: str
    name: str
    sla_tier: str


@dataclass(frozen=True, slots=True)
class IdentitySpec:
    kind: IdentityKind
    value: str
    verified: bool = False


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    """A customer; with ``first_contact`` they are unknown until intake meets their only identity."""

    key: str
    name: str
    identities: tuple[IdentitySpec, ...]
    organisation: str | None = None
    org_admin: bool = False
    first_contact: bool = False


# --- the steps of a ticket's story; ``after`` is minutes since its first message ---


@dataclass(frozen=True, slots=True)
class Say:
    """The customer writes (``do_receive_inbound``); the first ``Say`` opens the ticket."""

    after: int
    text: str


@dataclass(frozen=True, slots=True)
class Triage:
    """Category and urgency (``do_triage``); ``by`` (a lead) hands it to ``agent``, else ``agent`` takes it."""

    after: int
    agent: str
    category: Category
    urgency: Urgency
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A public answer (``do_reply(public=True)``): the ticket then waits for the customer."""

    after: int
    agent: str
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """An internal note (``do_reply(public=False)``), never shown to the customer."""

    after: int
    agent: str
    text: str


@dataclass(frozen=True, slots=True)
class Hold:
    """A promise with a due time (``do_hold``): ``minutes`` after now, or ``days`` ahead at ``hour`` (Moscow).

    ``{date}`` in the promise becomes the due day, e.g. «26 декабря».
    """

    after: int
    agent: str
    promise: str
    minutes: int = 0
    days: int = 0
    hour: int = 12


@dataclass(frozen=True, slots=True)
class Solve:
    """The agent proposes the solution (``do_propose_solution``)."""

    after: int
    agent: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The customer presses «решено» or «не решено» (``do_customer_verdict``)."""

    after: int
    solved: bool


@dataclass(frozen=True, slots=True)
class Survey:
    """The customer answers the survey of a closed ticket (``do_submit_survey``): solved?, 1–5."""

    after: int
    solved: bool
    rating: int | None


@dataclass(frozen=True, slots=True)
class AutoClose:
    """The inactivity window of a solved ticket ran out (``do_auto_close``)."""

    after: int


@dataclass(frozen=True, slots=True)
class Transfer:
    """``by`` hands the ticket to ``to`` with a reason (``check_assign`` then ``do_assign``)."""

    after: int
    by: str
    to: str
    reason: str


@dataclass(frozen=True, slots=True)
class Ref:
    """An outside number (``do_add_reference``): order, supply, sku, claim or other."""

    after: int
    agent: str
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Link:
    """A reference to another demo ticket by its key (``do_add_reference(kind="ticket")``)."""

    after: int
    agent: str
    ticket: str


Step = Say | Triage | Reply | Note | Hold | Solve | Verdict | Survey | AutoClose | Transfer | Ref | Link


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """One case: who writes, where, when it started and what happened since.

    ``day`` is how many days ago it started, at ``time`` (Moscow); today's tickets
    (``day == 0``) start ``ago`` minutes before now instead.
    """

    key: str
    customer: str
    channel: Channel
    via: IdentityKind
    steps: tuple[Step, ...]
    day: int = 0
    time: str = "10:00"
    ago: int = 0
    subject: str | None = None

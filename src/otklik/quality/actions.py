"""Reply quality as the desk enforces it: each channel's policy (set by admins, audited), the check
every public reply passes before it is stored, and the agents' overrides and dismissals of flags —
audited and kept as labelled examples for the checker's evaluation.

The API reply handler and the agent workspace's composer call the same ``check_before_send``
before ``messages.actions.do_reply``; a blocked reply raises ``ReplyBlocked`` (422).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from otklik.agents.models import Agent
from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.errors import InvalidInput
from otklik.core.i18n import translate
from otklik.core.taxonomy import Channel, label
from otklik.messages.actions import reply_channel
from otklik.messages.models import Direction
from otklik.messages.queries import list_messages_before
from otklik.quality import messages
from otklik.quality.checker import Check, Flag, check_reply
from otklik.quality.models import QualityFeedback, QualityPolicy
from otklik.quality.policy import Decision, decide, effective_levels, invalid_choices
from otklik.quality.queries import stored_levels
from otklik.tickets.actions import agent_actor
from otklik.tickets.models import Ticket

OVERRIDE = "override"
#: the audit event of every public reply checked before sending (the reports' flag rate)
CHECKED = "quality.reply_checked"
DISMISSAL = "dismissal"
MAX_REASON = 2000
TIMELINE = 200  # latest messages read for the customer's last word and our earlier replies


class ReplyBlocked(InvalidInput):
    """422 ``reply_blocked``: the channel's policy blocks flags found in a public reply. The problem
    lists every flag with its span and level; the same request with ``override_reason`` sends it."""

    def __init__(self, *, channel: str, public: bool, flags: Sequence[Flag], decision: Decision) -> None:
        super().__init__("reply_blocked", field="text", channel=channel)
        self.channel = channel
        self.public = public
        self.flags = tuple(flags)
        self.decision = decision

    def message(self, lang: str = "ru", *, page: bool = False) -> str:
        named = ", ".join(
            f"{messages.label(f.code, lang)} «{f.fragment}»" for f in self.flags if f.code in self.decision.blocking
        )
        where = label(self.channel, lang)
        return translate(f"{self.code}:page" if page else self.code, lang, channel=where, flags=named)

    def problem_members(self, lang: str) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "blocking": list(self.decision.blocking),
            "warnings": list(self.decision.warnings),
            "flags": [flag_json(f, self.decision, lang, public=self.public) for f in self.flags],
            "override_field": "override_reason",
        }


def flag_json(flag: Flag, decision: Decision, lang: str, *, public: bool) -> dict[str, Any]:
    """One flag for an API answer, its texts in ``lang``, with the level the policy gave it."""
    repeated = flag.rule == "repeated"
    return {
        "code": flag.code,
        "level": "block" if flag.code in decision.blocking else "warn",
        "start": flag.start,
        "end": flag.end,
        "fragment": flag.fragment,
        "label": messages.label(flag.code, lang),
        "explanation": messages.explanation(flag.code, flag.fragment, lang, repeated=repeated),
        "suggestion": messages.suggestion(flag.code, lang),
        "message": messages.message(flag.code, flag.fragment, lang, repeated=repeated, public=public),
        "rule": flag.rule,
        "confidence": flag.confidence,
    }


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the check before sending found: nothing for an internal note (``checked`` False)."""

    checked: bool
    channel: str
    public: bool
    check: Check | None = None
    decision: Decision | None = None
    feedback: QualityFeedback | None = None

    @property
    def warnings(self) -> tuple[Flag, ...]:
        if self.check is None or self.decision is None:
            return ()
        return tuple(f for f in self.check.flags if f.code in self.decision.warnings)

    @property
    def overridden(self) -> tuple[str, ...]:
        if self.feedback is None or self.feedback.decision != OVERRIDE:
            return ()
        return tuple(self.feedback.disputed)


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What the checker reads besides the draft: the customer's last word and our earlier replies."""

    customer_message: str | None
    earlier_replies: tuple[str, ...]


def reply_context(session: Session, ticket: Ticket) -> ReplyContext:
    rows, _ = list_messages_before(session, ticket.id, limit=TIMELINE)
    inbound = [m.text for m in rows if m.direction == Direction.INBOUND.value]
    earlier = tuple(m.text for m in rows if m.direction == Direction.OUTBOUND.value and m.public)
    return ReplyContext(inbound[-1] if inbound else None, earlier)


def check_reason(reason: str | None, field: str = "override_reason") -> str | None:
    """None when no override is asked for; the trimmed reason; 422 naming ``field`` on a blank or
    too long one."""
    if reason is None:
        return None
    trimmed = reason.strip()
    if not trimmed and field == "override_reason":
        raise InvalidInput("override_reason_empty", field=field)
    if not trimmed:
        raise InvalidInput("invalid_field", field=field, reason="пусто / empty")
    if len(trimmed) > MAX_REASON:
        raise InvalidInput("invalid_field", field=field, reason=f"> {MAX_REASON}")
    return trimmed


def check_before_send(
    session: Session,
    ticket: Ticket,
    *,
    agent: Agent,
    text: str,
    public: bool,
    override_reason: str | None = None,
    message_lang: str | None = None,
    at: datetime | None = None,
) -> Verdict:
    """Check a reply the way the channel's policy demands, before anyone stores it.

    Internal notes (``public`` False) are never checked. A public reply's flags are judged by the
    policy of the channel it goes to (``messages.actions.reply_channel``), with the public
    defaults on a public ticket. Blocking flags raise ``ReplyBlocked`` unless ``override_reason``
    is given; then the override is recorded (``quality.override_recorded``). A reason given for a
    reply that only has warnings records them as dismissed (``quality.dismissal_recorded``).
    A blank reason is a 422 naming ``override_reason``. Records ``quality.reply_checked`` with the
    codes found (none for a clean reply).
    """
    channel = reply_channel(session, ticket)
    if not public:
        return Verdict(checked=False, channel=channel, public=ticket.is_public)
    reason = check_reason(override_reason)
    context = reply_context(session, ticket)
    result = check_reply(
        text,
        customer_message=context.customer_message,
        public=ticket.is_public,
        message_lang=message_lang,
        earlier_replies=context.earlier_replies,
    )
    decision = decide((f.code for f in result.flags), stored_levels(session, channel), public=ticket.is_public)
    if decision.blocking and reason is None:
        raise ReplyBlocked(channel=channel, public=ticket.is_public, flags=result.flags, decision=decision)
    feedback = None
    disputed = decision.blocking or decision.warnings
    if reason is not None and disputed:
        feedback = do_record_feedback(
            session,
            kind=OVERRIDE if decision.blocking else DISMISSAL,
            reply=text,
            check=result,
            decision=decision,
            disputed=disputed,
            reason=reason,
            agent=agent,
            ticket=ticket,
            channel=channel,
            customer_message=context.customer_message,
            at=at,
        )
    codes = sorted({f.code for f in result.flags})
    audit.record(
        session, actor=agent_actor(agent), action=CHECKED, entity="ticket", entity_id=ticket.id, ticket_id=ticket.id,
        data={"flagged": bool(codes), "codes": codes, "channel": channel}, at=at or clock.now(),
    )  # fmt: skip
    return Verdict(True, channel, ticket.is_public, result, decision, feedback)


def do_record_feedback(
    session: Session,
    *,
    kind: str,
    reply: str,
    check: Check,
    decision: Decision,
    disputed: Sequence[str],
    reason: str,
    agent: Agent,
    ticket: Ticket | None,
    channel: str | None,
    customer_message: str | None,
    at: datetime | None = None,
) -> QualityFeedback:
    """Keep an override or a dismissal as a labelled example. Emits ``quality.override_recorded``
    or ``quality.dismissal_recorded`` (on the ticket's log when there is one)."""
    moment = at or clock.now()
    row = QualityFeedback(
        decision=kind,
        reason=reason,
        reply=reply,
        customer_message=customer_message,
        flags=[
            {
                "code": f.code,
                "start": f.start,
                "end": f.end,
                "text": f.fragment,
                "level": "block" if f.code in decision.blocking else "warn",
            }
            for f in check.flags
        ],
        disputed=list(dict.fromkeys(disputed)),
        lang=check.lang,
        public=ticket.is_public if ticket is not None else False,
        channel=channel,
        agent_id=agent.id,
        ticket_id=ticket.id if ticket is not None else None,
        created_at=moment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=agent_actor(agent),
        action=f"quality.{kind}_recorded",
        entity="quality_feedback",
        entity_id=row.id,
        ticket_id=row.ticket_id,
        data={"codes": row.disputed, "reason": reason, "channel": channel},
        at=moment,
    )
    return row


def check_dismissal(codes: Sequence[str], found: Check) -> tuple[str, ...]:
    """The codes to dismiss, each once; 422 naming ``codes`` when one is not on the draft."""
    wanted = tuple(dict.fromkeys(codes))
    raised = {f.code for f in found.flags}
    missing = [code for code in wanted if code not in raised]
    if not wanted or missing:
        raise InvalidInput("dismissal_not_flagged", field="codes", codes=", ".join(missing) or "—")
    return wanted


def do_record_dismissal(
    session: Session,
    *,
    agent: Agent,
    reply: str,
    codes: Sequence[str],
    reason: str,
    ticket: Ticket | None = None,
    customer_message: str | None = None,
    at: datetime | None = None,
) -> QualityFeedback:
    """An agent sets aside flags on a draft as wrong, with a reason (e.g. from the composer).

    The checker runs again here, so the stored spans are the checker's own; every dismissed code
    must be among its flags. With ``ticket`` the ticket's context and channel policy apply.
    Emits ``quality.dismissal_recorded``.
    """
    trimmed = check_reason(reason, field="reason") or ""
    context = reply_context(session, ticket) if ticket is not None else ReplyContext(customer_message, ())
    public = ticket.is_public if ticket is not None else False
    found = check_reply(
        reply,
        customer_message=customer_message or context.customer_message,
        public=public,
        earlier_replies=context.earlier_replies,
    )
    dismissed = check_dismissal(codes, found)
    channel = reply_channel(session, ticket) if ticket is not None else None
    stored = stored_levels(session, channel) if channel is not None else None
    decision = decide((f.code for f in found.flags), stored, public=public)
    return do_record_feedback(
        session,
        kind=DISMISSAL,
        reply=reply,
        check=found,
        decision=decision,
        disputed=dismissed,
        reason=trimmed,
        agent=agent,
        ticket=ticket,
        channel=channel,
        customer_message=customer_message or context.customer_message,
        at=at,
    )


def check_policy(choices: Mapping[str, str]) -> dict[str, str]:
    """An admin's choices, refused with a 422 naming ``levels`` when a code or level is unknown."""
    problems = invalid_choices(choices)
    if problems:
        raise InvalidInput("invalid_field", field="levels", reason="; ".join(problems))
    return dict(choices)


def do_set_policy(
    session: Session, channel: Channel, choices: Mapping[str, str], *, actor: Actor, at: datetime | None = None
) -> QualityPolicy:
    """Set ``warn`` or ``block`` for the named flags on ``channel``; the others keep the level in
    force. The row holds every code from then on. Emits ``quality.policy_set`` with before/after."""
    moment = at or clock.now()
    wanted = check_policy(choices)
    public = channel is Channel.PUBLIC
    row = session.get(QualityPolicy, channel.value)
    before = {code: level.value for code, level in effective_levels(row.levels if row else None, public=public).items()}
    after = {**before, **wanted}
    if row is None:
        row = QualityPolicy(channel=channel.value, levels=after, updated_at=moment, updated_by=actor.id)
        session.add(row)
    else:
        row.levels = after
        row.updated_at = moment
        row.updated_by = actor.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="quality.policy_set",
        entity="quality_policy",
        entity_id=None,
        data={"channel": channel.value, "before": before, "after": after},
        at=moment,
    )
    return row

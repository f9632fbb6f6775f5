"""API shapes of the reply policy: per-channel levels, the check a sent reply passed (the additive
``quality`` field of a stored reply), dismissals, and the drafted public answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

from otklik.core.schemas import Id, StrictIn
from otklik.messages.models import Message
from otklik.messages.schemas import MessageOut
from otklik.quality.actions import MAX_REASON, Verdict, flag_json
from otklik.quality.lexicon import CODES
from otklik.quality.public import PublicDraft
from otklik.quality.schemas import MAX_TEXT

FlagCode = Literal["cliche", "hedging", "blame", "stalling", "kb_dump", "refusal_without_reason"]
assert set(get_args(FlagCode)) == set(CODES)  # the taxonomy's codes, checked once at import


class PolicyIn(StrictIn):
    """``{"levels": {"cliche": "block", "hedging": "warn"}}``: the named flags change, the rest stay."""

    levels: dict[FlagCode, Literal["warn", "block"]] = Field(min_length=1)


class DismissalIn(StrictIn):
    """An agent sets aside flags on a draft as wrong, with a reason (kept for the evaluation)."""

    reply: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    codes: Annotated[list[FlagCode], Field(min_length=1, max_length=6)]
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
    ticket_id: Id | None = None
    customer_message: Annotated[str | None, Field(max_length=MAX_TEXT)] = None


class PolicyFlagOut(BaseModel):
    """A checker flag with the level the channel's policy gives it; ``reply[start:end] == fragment``."""

    code: str
    level: Literal["warn", "block"]
    start: int
    end: int
    fragment: str
    label: str
    explanation: str
    suggestion: str
    message: str
    rule: str


class FeedbackOut(BaseModel):
    id: int
    decision: str
    codes: list[str]
    reason: str
    ticket_id: int | None
    created_at: datetime


class QualityOut(BaseModel):
    """What the server-side check said about a sent public reply: warnings it let through, the
    blocked flags the agent overrode (with ``feedback_id``), under the policy of ``channel``."""

    checked: bool
    channel: str
    ok: bool
    warnings: list[PolicyFlagOut]
    overridden: list[str]
    feedback_id: int | None

    @classmethod
    def of(cls, verdict: Verdict, lang: str) -> QualityOut:
        decision = verdict.decision
        warnings = (
            [PolicyFlagOut(**flag_json(f, decision, lang, public=verdict.public)) for f in verdict.warnings]
            if decision
            else []
        )
        return cls(
            checked=verdict.checked,
            channel=verdict.channel,
            ok=verdict.check.ok if verdict.check is not None else True,
            warnings=warnings,
            overridden=list(verdict.overridden),
            feedback_id=verdict.feedback.id if verdict.feedback is not None else None,
        )


class ReplyOut(MessageOut):
    """The stored message, plus ``quality`` (null for an internal note: notes are never checked)."""

    quality: QualityOut | None = None

    @classmethod
    def checked(cls, message: Message, verdict: Verdict, lang: str) -> ReplyOut:
        base = MessageOut.of(message).model_dump()
        return cls(**base, quality=QualityOut.of(verdict, lang) if verdict.checked else None)


class OwnerOut(BaseModel):
    id: int
    name: str


class PublicDraftOut(BaseModel):
    """The drafted public answer, already checked: a good draft has no flags and ``allowed``."""

    ticket_id: int
    case_ticket_id: int
    owner: OwnerOut
    channel: str | None
    due_at: datetime
    timezone: str
    lang: str
    text: str
    ok: bool
    allowed: bool
    flags: list[PolicyFlagOut]

    @classmethod
    def of(cls, draft: PublicDraft, lang: str) -> PublicDraftOut:
        return cls(
            ticket_id=draft.ticket.id,
            case_ticket_id=draft.case.id,
            owner=OwnerOut(id=draft.owner.id, name=draft.owner.name),
            channel=draft.channel,
            due_at=draft.due,
            timezone=draft.timezone,
            lang=draft.lang,
            text=draft.text,
            ok=draft.check.ok,
            allowed=draft.decision.allowed,
            flags=[PolicyFlagOut(**flag_json(f, draft.decision, lang, public=True)) for f in draft.check.flags],
        )

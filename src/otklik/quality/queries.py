"""Reads of reply quality: a channel's policy as stored and as in force, the feedback examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core.taxonomy import Channel
from otklik.quality.corpus import GoldFlag, Item
from otklik.quality.models import QualityFeedback, QualityPolicy
from otklik.quality.policy import default_levels, effective_levels


def stored_levels(session: Session, channel: str) -> dict[str, str] | None:
    """The admin's choices for ``channel``; None when the channel runs on the defaults."""
    row = session.get(QualityPolicy, channel)
    return dict(row.levels) if row is not None else None


def policy_view(session: Session, channel: Channel) -> dict[str, Any]:
    """The policy in force on ``channel`` (its replies are public on the public channel), the
    defaults it started from, and who changed it last."""
    public = channel is Channel.PUBLIC
    row = session.get(QualityPolicy, channel.value)
    levels = effective_levels(row.levels if row is not None else None, public=public)
    return {
        "channel": channel.value,
        "public": public,
        "levels": {code: level.value for code, level in levels.items()},
        "defaults": {code: level.value for code, level in default_levels(public=public).items()},
        "customized": row is not None,
        "updated_at": row.updated_at if row is not None else None,
        "updated_by": row.updated_by if row is not None else None,
    }


def list_feedback(session: Session, *, limit: int = 10_000) -> list[QualityFeedback]:
    """Overrides and dismissals, oldest first (the evaluation reads them as labelled examples)."""
    return list(session.scalars(select(QualityFeedback).order_by(QualityFeedback.id).limit(limit)))


@dataclass(frozen=True, slots=True)
class FeedbackExample:
    """A stored override or dismissal as a labelled corpus item: its gold flags are the checker's
    flags at the time minus the ones the agent disputed (``disputed``)."""

    item: Item
    decision: str
    disputed: tuple[str, ...]


def feedback_examples(session: Session, *, limit: int = 10_000) -> list[FeedbackExample]:
    """Every override and dismissal as a labelled example (split ``feedback``), oldest first."""
    examples = []
    for row in list_feedback(session, limit=limit):
        disputed = tuple(row.disputed)
        gold = tuple(
            GoldFlag(f["code"], int(f["start"]), int(f["end"])) for f in row.flags if f["code"] not in disputed
        )
        item = Item(
            id=f"feedback-{row.id}",
            split="feedback",
            lang=row.lang,
            public=row.public,
            reply=row.reply,
            customer_message=row.customer_message,
            earlier_replies=(),
            articles=(),
            flags=gold,
        )
        examples.append(FeedbackExample(item, row.decision, disputed))
    return examples

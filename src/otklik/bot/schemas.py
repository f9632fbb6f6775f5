"""API shapes of the self-service bot."""

from __future__ import annotations

from pydantic import BaseModel, Field

from otklik.bot.answering import Answer
from otklik.core.schemas import NON_BLANK, StrictIn


class AnswerIn(StrictIn):
    text: str = Field(min_length=1, max_length=10_000, pattern=NON_BLANK)
    lang: str | None = Field(default=None, pattern="^(ru|en)$")


class TriageOut(BaseModel):
    category: str | None
    urgency: str | None
    confidence: float


class AnswerOut(BaseModel):
    """``handoff`` is true exactly when ``article_id`` is null; ``confidence`` is the calibrated
    probability (0..1) that the best article answers the question, whatever was decided."""

    article_id: int | None
    confidence: float
    handoff: bool
    reason: str
    title: str | None
    lang: str
    triage: TriageOut

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        best = answer.retrieval.best
        return cls(
            article_id=answer.article_id,
            confidence=answer.confidence,
            handoff=answer.handoff,
            reason=str(answer.decision.reason),
            title=best.doc.title if best is not None and answer.article_id is not None else None,
            lang=answer.lang,
            triage=TriageOut(
                category=answer.triage.category, urgency=answer.triage.urgency, confidence=answer.triage.confidence
            ),
        )

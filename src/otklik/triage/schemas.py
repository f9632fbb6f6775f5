"""API shapes of triage (``POST /api/v1/triage``, docs/shared api-contract)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from otklik.core.schemas import StrictIn
from otklik.core.taxonomy import Channel
from otklik.triage.model import Prediction
from otklik.triage.rules import extract_references

MAX_TEXT = 100_000


class TriageIn(StrictIn):
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    channel: Channel | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("пустой текст / the text is empty")
        return value


class ReferenceOut(BaseModel):
    kind: str
    value: str


class TriageOut(BaseModel):
    """The contract's three fields first; the rest explains them.

    ``confidence`` is the calibrated probability that ``category`` is right. ``queue`` is the
    category, or ``general`` (the general triage queue) when the confidence is below the
    threshold. ``signals`` name the urgent rules that fired.
    """

    category: str
    urgency: str
    confidence: float
    urgency_confidence: float
    queue: str
    threshold: float
    signals: list[str]
    source: str
    references: list[ReferenceOut]

    @classmethod
    def of(cls, prediction: Prediction, text: str, threshold: float) -> TriageOut:
        return cls(
            category=prediction.category,
            urgency=prediction.urgency,
            confidence=prediction.confidence,
            urgency_confidence=prediction.urgency_confidence,
            queue=prediction.queue,
            threshold=threshold,
            signals=list(prediction.signals),
            source=prediction.source,
            references=[ReferenceOut(kind=k, value=v) for k, v in extract_references(text)],
        )

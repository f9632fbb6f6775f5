"""API shapes of the reply checker (``POST /api/v1/replies/check``, docs/shared api-contract)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from otklik.core.schemas import Id, StrictIn
from otklik.quality.checker import Check

MAX_TEXT = 20_000


class ArticleIn(StrictIn):
    """A candidate knowledge-base article, when the caller has one to compare with."""

    id: Annotated[str, Field(min_length=1, max_length=100)]
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    title: Annotated[str, Field(max_length=300)] = ""


class CheckIn(StrictIn):
    reply: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    customer_message: Annotated[str | None, Field(max_length=MAX_TEXT)] = None
    public: bool = True
    lang: Literal["ru", "en"] | None = None
    #: the ticket the draft answers: its earlier replies and last customer message are used
    ticket_id: Id | None = None
    articles: Annotated[list[ArticleIn], Field(default_factory=list, max_length=20)]

    @field_validator("reply")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("пустой текст ответа / the reply is empty")
        return value


class FlagOut(BaseModel):
    code: str
    start: int
    end: int
    message: str
    fragment: str
    label: str
    explanation: str
    suggestion: str
    rule: str
    #: how often such a flag was right on outside-written replies (the model's calibrated probability)
    confidence: float = 1.0


class CheckOut(BaseModel):
    ok: bool
    lang: str
    flags: list[FlagOut]

    @classmethod
    def of(cls, check: Check) -> CheckOut:
        return cls(
            ok=check.ok,
            lang=check.lang,
            flags=[
                FlagOut(
                    code=f.code,
                    start=f.start,
                    end=f.end,
                    message=f.message,
                    fragment=f.fragment,
                    label=f.label,
                    explanation=f.explanation,
                    suggestion=f.suggestion,
                    rule=f.rule,
                    confidence=f.confidence,
                )
                for f in check.flags
            ],
        )

"""Building blocks of every domain's API input: strict models, 64-bit ids, UTC times.

Each refuses at the boundary, with a 422 naming the field, a value the database
driver would otherwise reject mid-request as a 500.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

MAX_ID = 2**63 - 1
"""Ids are 64-bit on PostgreSQL and SQLite alike; a larger number names nothing."""

NUL_REASON = "символ NUL (\\x00) недопустим / the NUL character (\\x00) is not allowed"


def refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text, and no person means one: refuse it in a string or a list of them."""
    items = value if isinstance(value, list | tuple | set) else (value,)
    if any(isinstance(item, str) and "\x00" in item for item in items):
        raise ValueError(NUL_REASON)
    if isinstance(value, dict) and any(isinstance(key, str) and "\x00" in key for key in value):
        raise ValueError(NUL_REASON)
    return value


def _to_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("вне календаря в UTC / out of range once converted to UTC") from None


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UTCTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A time with an explicit zone, stored and echoed back in UTC."""


class StrictIn(BaseModel):
    """An input body: unknown fields are refused (typos are caught), and so is NUL in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)

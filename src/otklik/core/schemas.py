"""Building blocks of every domain's API input: strict models, 64-bit ids, UTC times.

Each refuses at the boundary, with a 422 naming the field, a value the database
driver would otherwise reject mid-request as a 500.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

MAX_ID = 2**63 - 1024
"""Ids are 64-bit on PostgreSQL and SQLite alike; a larger number names nothing. Not 2**63 - 1: the
largest 64-bit id that a double (every JSON Schema reader's number) holds exactly, so the ``maximum``
the OpenAPI document states is the one the server enforces."""

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
TimeZone = Annotated[
    str,
    Field(
        min_length=1, max_length=64, description="an IANA time zone, e.g. Europe/Moscow",
        json_schema_extra={"enum": sorted(available_timezones())},
    ),
]  # fmt: skip
"""An IANA zone name; the document lists every zone this server knows (the server checks it anyway)."""
BLANKS = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Python's whitespace (what ``str.strip`` removes), spelt out for a regex class: ``\\s`` means other
characters in a JSON Schema (ECMA) pattern than in Python's, and the two must agree."""
NON_BLANK = rf"^[{BLANKS}]*[^{BLANKS}]"
"""A text with at least one character that is not a space (blank text is refused after trimming)."""
#: what a pattern means, for the person whose value broke it (the API says this instead of the regex)
PATTERN_REASONS: dict[str, tuple[str, str]] = {
    NON_BLANK: ("пусто", "empty"),
}


def explained(pattern: str, ru: str, en: str) -> str:
    """``pattern``, with the words a refusal uses for it (``PATTERN_REASONS``)."""
    PATTERN_REASONS[pattern] = (ru, en)
    return pattern


NO_NUL = r"^[^\x00]*$"
"""Any text without NUL, which PostgreSQL cannot store and ``StrictIn`` refuses."""


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("нужна дата ГГГГ-ММ-ДД / expected a date YYYY-MM-DD")
    return value


ISODate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar day written YYYY-MM-DD, never a number read as one (``0`` as 1970-01-01)."""
UTCTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A time with an explicit zone, stored and echoed back in UTC."""


def _kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (through Optional, unions and Annotated)."""
    inner = get_args(annotation)
    if get_origin(annotation) is Annotated:
        return _kinds(inner[0])
    if inner and get_origin(annotation) in {Union, UnionType}:
        return set().union(*(_kinds(arg) for arg in inner))
    return {annotation}


class StrictIn(BaseModel):
    """An input body: unknown fields are refused (typos are caught), and so is NUL in any text; a flag
    must be true or false and a time a string, never a number read as one (0 as false, 0 as 1970)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _as_declared(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        kinds = _kinds(field.annotation) if field is not None else set()
        if bool in kinds and value is not None and not isinstance(value, bool):
            raise ValueError("нужно true или false / expected true or false")
        if kinds & {datetime, AwareDatetime} and isinstance(value, int | float):
            raise ValueError("нужна дата и время ISO 8601 / expected an ISO 8601 date and time")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)

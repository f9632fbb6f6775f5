"""API shapes for customers and identities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from otklik.core.schemas import StrictIn
from otklik.core.taxonomy import IdentityKind
from otklik.customers.models import Customer, Identity
from otklik.customers.rules import IDENTITY_PATTERNS


def value_by_kind(schema: dict[str, Any]) -> None:
    """The document states each kind's pattern for ``value`` (``customers.rules.IDENTITY_PATTERNS``)."""
    schema["oneOf"] = [
        {"properties": {"kind": {"const": kind.value}, "value": {"pattern": pattern}}}
        for kind, pattern in IDENTITY_PATTERNS.items()
    ]


class IdentityIn(StrictIn):
    model_config = ConfigDict(json_schema_extra=value_by_kind)

    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)
    verified: bool = False


class IdentityOut(BaseModel):
    id: int
    kind: str
    value: str
    verified: bool

    @classmethod
    def of(cls, identity: Identity) -> IdentityOut:
        return cls(id=identity.id, kind=identity.kind, value=identity.value, verified=identity.verified)


class CustomerIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    lang: str = Field(default="ru", pattern="^(ru|en)$")
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class CustomerRef(BaseModel):
    id: int
    name: str


class CustomerOut(BaseModel):
    id: int
    name: str
    lang: str
    organisation: dict[str, object] | None
    is_org_admin: bool
    identities: list[IdentityOut]
    created_at: datetime

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        org = customer.organisation
        return cls(
            id=customer.id,
            name=customer.name,
            lang=customer.lang,
            organisation={"id": org.id, "name": org.name, "sla_tier": org.sla_tier} if org else None,
            is_org_admin=customer.is_org_admin,
            identities=[IdentityOut.of(i) for i in customer.identities],
            created_at=customer.created_at,
        )


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None

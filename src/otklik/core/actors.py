"""Who did something: every change in the audit log names its actor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """The author of an action, as recorded in the audit log."""

    kind: ActorKind
    id: int | None
    name: str

    @classmethod
    def system(cls, name: str = "otklik") -> Actor:
        return cls(ActorKind.SYSTEM, None, name)

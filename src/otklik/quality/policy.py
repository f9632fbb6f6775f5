"""The reply policy of a channel: for each checker flag, whether it only warns the agent or blocks
the reply. Pure: the stored choices of an admin and the reply's flags in, a decision out.

Public replies (a public ticket: the whole site reads them) default to blocking stock empathy,
blame and refusals without a reason; everything else, and every flag on a private channel,
defaults to a warning. An admin's stored choice for a channel wins over the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from otklik.quality.lexicon import BLAME, CLICHE, CODES, REFUSAL


class Level(StrEnum):
    WARN = "warn"  # the agent sees the flag and may send
    BLOCK = "block"  # the reply does not go out unless the agent overrides it with a reason


LEVELS = tuple(level.value for level in Level)
#: what a public reply may not say by default (issue 6; story 4)
PUBLIC_BLOCKS = frozenset({CLICHE, BLAME, REFUSAL})


def default_levels(*, public: bool) -> dict[str, Level]:
    """Every flag's level before an admin chooses: public replies block ``PUBLIC_BLOCKS``."""
    return {code: Level.BLOCK if public and code in PUBLIC_BLOCKS else Level.WARN for code in CODES}


def effective_levels(stored: Mapping[str, str] | None, *, public: bool) -> dict[str, Level]:
    """The defaults with an admin's stored choices over them; unknown codes and levels are ignored
    (a stored row may predate a renamed code: it must never break sending)."""
    levels = default_levels(public=public)
    for code, level in (stored or {}).items():
        if code in levels and level in LEVELS:
            levels[code] = Level(level)
    return levels


def invalid_choices(choices: Mapping[str, str]) -> list[str]:
    """What is wrong with an admin's choices, one line per problem (empty when they are fine)."""
    problems = [f"{code}: неизвестный флаг / unknown flag" for code in choices if code not in CODES]
    problems += [
        f"{code}: {level!r} ∉ {{{', '.join(LEVELS)}}}" for code, level in choices.items() if level not in LEVELS
    ]
    return problems


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy says about one reply: the codes that only warn, and those that block it."""

    warnings: tuple[str, ...]
    blocking: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.blocking


def decide(codes: Iterable[str], stored: Mapping[str, str] | None, *, public: bool) -> Decision:
    """The decision on a reply whose checker flags are ``codes`` (repeats allowed), under the
    channel's ``stored`` choices (None: the defaults) for a public or a private reply.
    Each code is listed once, in the order it first appears."""
    levels = effective_levels(stored, public=public)
    seen = list(dict.fromkeys(code for code in codes if code in levels))
    return Decision(
        warnings=tuple(code for code in seen if levels[code] is Level.WARN),
        blocking=tuple(code for code in seen if levels[code] is Level.BLOCK),
    )

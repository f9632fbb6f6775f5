"""How the learned detector's sentences join the lexicon's findings: per flag, a sentence whose
calibrated probability reaches the flag's threshold is flagged when no rule found that flag in it.

The lexicon is precise but misses new wordings; the model catches those, and where both see the
same flaw the rule's narrower span is kept. The model adds, it never takes a rule's hit away.
Pure: scored sentences and findings in, findings out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from otklik.quality.rules import Finding

MODEL_RULE = "model"


class ScoredUnit(Protocol):
    """A sentence span and its probability per flag (``model.Scored``)."""

    @property
    def unit(self) -> _Span: ...

    @property
    def probabilities(self) -> tuple[float, ...]: ...


class _Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def learned_findings(
    scored: Sequence[ScoredUnit],
    codes: Sequence[str],
    thresholds: Mapping[str, float],
    rule_findings: Sequence[Finding],
) -> list[Finding]:
    """The sentences the model flags that no rule finding of the same code overlaps; the finding's
    ``confidence`` is the model's calibrated probability. Codes without a threshold stay with the
    rules (kb_dump: the overlap detector)."""
    out: list[Finding] = []
    for item in scored:
        start, end = item.unit.start, item.unit.end
        for code, probability in zip(codes, item.probabilities, strict=True):
            limit = thresholds.get(code)
            if limit is None or probability < limit:
                continue
            if any(f.code == code and f.start < end and start < f.end for f in rule_findings):
                continue
            out.append(Finding(code, start, end, rule=MODEL_RULE, confidence=round(probability, 3)))
    return out

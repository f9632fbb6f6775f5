"""How the learned detector's sentences join the lexicon's findings: per flag, a sentence whose
calibrated probability reaches the flag's threshold is flagged when no rule found that flag in it,
and a lexicon phrase in a sentence the model finds very unlikely to carry that flag is dropped.

The lexicon is precise but misses new wordings; the model catches those, and where both see the
same flaw the rule's narrower span is kept. A phrase can also be right in form and wrong in role
(«надеемся, вы войдёте в наше положение» is blame, not a hedge): the model, trained on whole
sentences, vetoes it below the flag's ``veto`` level. Pure: scored sentences and findings in,
findings out.
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


def vetoed(
    scored: Sequence[ScoredUnit], codes: Sequence[str], vetoes: Mapping[str, float], rule_findings: Sequence[Finding]
) -> list[Finding]:
    """The lexicon's phrase findings minus those whose sentence the model scores below the code's
    veto level. Findings outside any scored sentence, and the overlap detector's, are kept."""
    kept: list[Finding] = []
    for finding in rule_findings:
        level = vetoes.get(finding.code, 0.0)
        if level > 0 and finding.rule == "phrase" and finding.code in codes:
            column = list(codes).index(finding.code)
            home = next((s for s in scored if s.unit.start <= finding.start < s.unit.end), None)
            if home is not None and home.probabilities[column] < level:
                continue
        kept.append(finding)
    return kept

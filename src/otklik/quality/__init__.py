"""Reply quality: the checker that flags cliché, hedging, blame, stalling, pasted articles and
refusals without a reason in an agent's draft, with spans, explanations and suggestions."""

from otklik.quality.checker import Check, Flag, check_reply

__all__ = ["Check", "Flag", "check_reply"]

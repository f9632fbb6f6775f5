"""Lemma patterns: a tiny notation for the lexicon and the matcher that finds them in a reply.

A pattern is a sequence of slots separated by spaces. A slot lists alternatives with ``|``; an
alternative is a lemma (``передать``), a prefix (``apolog*``) or ``_`` (any word). ``?`` before a
slot makes it optional. Grammatical conditions follow in braces: ``постараться{-excl,-past}``
(not «постарайтесь», not «постарались»), ``_{+past}`` (any past-tense word). Between two matched
slots at most ``gap`` words may stand; a ``free`` pattern matches its required slots in any order
inside one sentence window («постараемся разобраться» and «разобраться постараемся»).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import permutations

from otklik.quality.text import Text, Token

NEGATORS = frozenset({"не", "нет", "ни", "not", "never", "no"})


@dataclass(frozen=True, slots=True)
class Slot:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    wildcard: bool
    optional: bool
    require: frozenset[str]
    forbid: frozenset[str]

    def matches(self, token: Token) -> bool:
        if self.wildcard:
            candidates = list(zip(token.lemmas, token.grams, strict=True))
        else:
            candidates = [
                (lemma, grams)
                for lemma, grams in zip(token.lemmas, token.grams, strict=True)
                if lemma in self.words or (self.prefixes and lemma.startswith(self.prefixes))
            ]
        if not candidates:
            return False
        if not self.require and not self.forbid:
            return True
        return any(self.require <= grams and not (self.forbid & grams) for _, grams in candidates)


@dataclass(frozen=True, slots=True)
class Pattern:
    """One phrase of a flag's lexicon, compiled."""

    code: str
    source: str
    slots: tuple[Slot, ...]
    gap: int = 2
    free: bool = False
    negatable: bool = True
    tail: str | None = None  # "generic": only when the rest of the sentence says nothing specific
    not_after_if: bool = False  # «если нет возможности…» is a condition, not a refusal
    not_after: frozenset[str] = frozenset()  # «нам следовало» is the desk's own fault, not blame
    family: str = ""
    required: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Match:
    pattern: Pattern
    first: int  # token indexes, inclusive
    last: int
    start: int  # character offsets into the reply
    end: int


def _slot(text: str) -> Slot:
    optional = text.startswith("?")
    text = text.removeprefix("?")
    require: set[str] = set()
    forbid: set[str] = set()
    if "{" in text:
        text, _, conditions = text.partition("{")
        for condition in conditions.rstrip("}").split(","):
            (require if condition.startswith("+") else forbid).add(condition[1:])
    alternatives = text.split("|")
    words = frozenset(a.replace("ё", "е") for a in alternatives if not a.endswith("*") and a != "_")
    prefixes = tuple(a[:-1] for a in alternatives if a.endswith("*"))
    return Slot(words, prefixes, "_" in alternatives, optional, frozenset(require), frozenset(forbid))


def compile_pattern(
    code: str,
    source: str,
    *,
    gap: int = 2,
    free: bool = False,
    negatable: bool = True,
    tail: str | None = None,
    not_after_if: bool = False,
    not_after: Iterable[str] = (),
    family: str = "",
) -> Pattern:
    slots = tuple(_slot(part) for part in source.split())
    required = tuple(i for i, s in enumerate(slots) if not s.optional)
    if not required:
        raise ValueError(f"pattern without a required slot: {source}")
    return Pattern(
        code, source, slots, gap, free, negatable, tail, not_after_if, frozenset(not_after), family or code, required
    )


def _sequential(pattern: Pattern, tokens: tuple[Token, ...], begin: int, stop: int) -> list[int] | None:
    """Token indexes matched by each slot (``-1`` for a skipped optional one), or ``None``."""

    def walk(slot_index: int, position: int, limit: int) -> list[int] | None:
        if slot_index == len(pattern.slots):
            return []
        slot = pattern.slots[slot_index]
        for index in range(position, min(limit, stop)):
            if slot.matches(tokens[index]):
                rest = walk(slot_index + 1, index + 1, index + 2 + pattern.gap)
                if rest is not None:
                    return [index, *rest]
        if slot.optional:
            rest = walk(slot_index + 1, position, limit)
            if rest is not None:
                return [-1, *rest]
        return None

    return walk(0, begin, begin + 1)


def _free(pattern: Pattern, tokens: tuple[Token, ...], begin: int, stop: int) -> list[int] | None:
    window = 4 + pattern.gap * len(pattern.required)
    low, high = max(begin - window, 0), min(begin + window + 1, stop)
    required = [pattern.slots[i] for i in pattern.required]
    if not any(slot.matches(tokens[begin]) for slot in required):
        return None
    for order in permutations(range(len(required))):
        picked: list[int] = []
        position = low
        for slot_index in order:
            index = next((i for i in range(position, high) if required[slot_index].matches(tokens[i])), None)
            if index is None or (picked and index - picked[-1] - 1 > pattern.gap):
                break
            picked.append(index)
            position = index + 1
        else:
            if begin in picked:
                return picked
    return None


def _negated(pattern: Pattern, tokens: tuple[Token, ...], indexes: list[int], floor: int) -> bool:
    if not pattern.negatable:
        return False
    first, last = min(indexes), max(indexes)
    inside = [i for i in range(first, last + 1) if i not in indexes]
    before = range(max(first - 2, floor), first)
    return any(_negator(tokens, i) for i in (*before, *inside))


def _negator(tokens: tuple[Token, ...], index: int) -> bool:
    """«не», "not"… but not «тем не менее», «не только»."""
    if tokens[index].lower not in NEGATORS:
        return False
    following = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    return following not in {"менее", "только", "only"}


def _after_if(tokens: tuple[Token, ...], first: int, floor: int) -> bool:
    return any(tokens[i].lower in {"если", "if", "when", "unless"} for i in range(max(first - 3, floor), first))


class Index:
    """Patterns by the words that can start a match, so a reply costs a look-up per word."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.by_word: dict[str, list[Pattern]] = {}
        self.by_prefix: list[tuple[str, Pattern]] = []
        for pattern in patterns:
            anchors = pattern.required if pattern.free else self._leading(pattern)
            for slot_index in anchors:
                slot = pattern.slots[slot_index]
                if slot.wildcard and pattern.free:
                    continue  # a free pattern is found through its other words
                if slot.wildcard:
                    raise ValueError(f"a pattern cannot start with any word: {pattern.source}")
                for word in slot.words:
                    self.by_word.setdefault(word, []).append(pattern)
                self.by_prefix.extend((prefix, pattern) for prefix in slot.prefixes)

    @staticmethod
    def _leading(pattern: Pattern) -> list[int]:
        """Slots a sequential match can begin with: leading optional ones and the first required."""
        return list(range(pattern.required[0] + 1))

    def candidates(self, token: Token) -> list[Pattern]:
        found: dict[int, Pattern] = {}
        for lemma in token.lemmas:
            for pattern in self.by_word.get(lemma, ()):
                found[id(pattern)] = pattern
            for prefix, pattern in self.by_prefix:
                if lemma.startswith(prefix):
                    found[id(pattern)] = pattern
        return list(found.values())


def find(index: Index, text: Text) -> list[Match]:
    """Every match of the indexed patterns, one per (pattern, first word, last word)."""
    tokens = text.tokens
    seen: dict[tuple[int, int, int], Match] = {}
    for sentence in text.sentences:
        for position in range(sentence.first, sentence.last):
            for pattern in index.candidates(tokens[position]):
                picked = (
                    _free(pattern, tokens, position, sentence.last)
                    if pattern.free
                    else _sequential(pattern, tokens, position, sentence.last)
                )
                used = [i for i in (picked or []) if i >= 0]
                if not used or _negated(pattern, tokens, used, sentence.first):
                    continue
                first, last = min(used), max(used)
                if pattern.not_after_if and _after_if(tokens, first, sentence.first):
                    continue
                if pattern.not_after and any(
                    tokens[i].lemma in pattern.not_after for i in range(max(first - 2, sentence.first), first)
                ):
                    continue
                key = (id(pattern), first, last)
                if key not in seen:
                    seen[key] = Match(pattern, first, last, tokens[first].start, tokens[last].end)
    return list(seen.values())

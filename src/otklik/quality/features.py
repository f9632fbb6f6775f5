"""What the learned part of the checker reads in a draft: its units (sentences), and for each the
lemma n-grams, character n-grams and the context the rules already compute (a date, a named owner,
a step, a reason in the next sentence). Pure; shared by training and serving so both see the same.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from otklik.quality import lexicon as lx
from otklik.quality.rules import has_date, has_owner, has_time, step_indexes, thanks_only
from otklik.quality.text import Text

#: context features, in the order of the dense tail (0/1 each, the length scaled to about 0..1)
CONTEXT = (
    "date_here",
    "number_here",
    "name_here",
    "owner_in_reply",
    "time_in_reply",
    "step_elsewhere",
    "reason_here",
    "reason_next",
    "number_next",
    "first_unit",
    "last_unit",
    "question",
    "english",
    "thanks_only",
    "length",
    "greeting",
)
MIN_TOKENS = 2  # «Спасибо!» or a signature alone is never judged by the model


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of the draft: ``raw[start:end]`` (trimmed) and its tokens ``first``..``last - 1``."""

    start: int
    end: int
    first: int
    last: int


def units(text: Text) -> list[Unit]:
    """The sentences of the draft with at least ``MIN_TOKENS`` words, trimmed of spaces."""
    out: list[Unit] = []
    for sentence in text.sentences:
        if sentence.last - sentence.first < MIN_TOKENS:
            continue
        piece = text.raw[sentence.start : sentence.end]
        start = sentence.start + len(piece) - len(piece.lstrip())
        out.append(Unit(start, sentence.start + len(piece.rstrip()), sentence.first, sentence.last))
    return out


def word_features(text: Text, unit: Unit) -> list[str]:
    """Lemma unigrams and bigrams of the unit, with its opening lemma
    marked: «понимаем» opening a sentence is stock empathy more often than the same verb in the
    middle of a finding."""
    lemmas = [t.lemma.replace("ё", "е") for t in text.tokens[unit.first : unit.last]]
    out = [f"w:{lemma}" for lemma in lemmas]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(lemmas)]
    if lemmas:
        out.append(f"o:{lemmas[0]}")
    return out


def char_features(text: Text, unit: Unit) -> list[str]:
    """Character 3–5-grams of each word form padded with spaces: new inflections and compounds of a
    known formula («извиняемся», «извинения») share most of them."""
    out: list[str] = []
    for token in text.tokens[unit.first : unit.last]:
        if token.is_number:
            out.append("c:#")
            continue
        padded = f" {token.lower.replace('ё', 'е')} "
        for size in (3, 4, 5):
            out += [f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    return out


def unit_words(text: Text, unit: Unit) -> list[str]:
    """The unit's lower-case word forms, for its mean word embedding."""
    return [t.lower.replace("ё", "е") for t in text.tokens[unit.first : unit.last] if not t.is_number]


def _reason_in(text: Text, first: int, last: int) -> bool:
    for token in text.tokens[first:last]:
        if token.lemma in lx.REASONS or token.lower in lx.REASONS:
            return True
        if token.lemma in lx.ALTERNATIVES and token.lower not in {"но", "однако", "but", "however"}:
            return True
    return False


def _number_in(text: Text, first: int, last: int) -> bool:
    return any(t.is_number for t in text.tokens[first:last])


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What holds for the whole draft, computed once: a named owner and a concrete time anywhere."""

    owner: bool
    time: bool
    thanks_only: bool
    steps: frozenset[int]


def reply_context(text: Text, customer_message: str | None) -> ReplyContext:
    return ReplyContext(
        has_owner(text, customer_message), has_time(text), thanks_only(customer_message), step_indexes(text)
    )


def context_features(text: Text, units_: list[Unit], index: int, reply: ReplyContext) -> list[float]:
    """The ``CONTEXT`` values of ``units_[index]``: what the rules weigh before calling a phrase a
    flaw (a date or a named owner next to «передали», a reason after «не можем»)."""
    unit = units_[index]
    following = units_[index + 1] if index + 1 < len(units_) else None
    tokens = text.tokens[unit.first : unit.last]
    piece = text.raw[unit.start : unit.end]
    return [
        float(has_date(text, unit.first, unit.last)),
        float(_number_in(text, unit.first, unit.last)),
        float(any(t.is_name for t in tokens[1:])),
        float(reply.owner),
        float(reply.time),
        float(any(not unit.first <= i < unit.last for i in reply.steps)),
        float(_reason_in(text, unit.first, unit.last)),
        float(following is not None and _reason_in(text, following.first, following.last)),
        float(following is not None and _number_in(text, following.first, following.last)),
        float(index == 0),
        float(index == len(units_) - 1),
        float("?" in piece),
        float(text.lang == "en"),
        float(reply.thanks_only),
        min(len(tokens), 40) / 40.0,
        float(bool(tokens) and tokens[0].lemma in lx.GREETINGS),
    ]

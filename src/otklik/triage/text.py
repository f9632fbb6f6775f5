"""Text preparation for triage: normalising, tokens, lemmas (pymorphy3 for Russian, Snowball for
English) and the two feature analysers the model is trained and served with.

The lemma of each word form is cached per process; the model file also carries the lemmas of
every form seen in training, so serving rarely asks the analyser at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from otklik.core.text import morph, stemmer
from otklik.triage.lexicon import cues

_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # «срочноооо» → «срочноо»
_TOKEN = re.compile(r"[a-zа-я0-9]+(?:[-'][a-zа-я0-9]+)*|[?!]", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-я]")
_DIGITS = re.compile(r"\d")
#: words that turn the next word around; «не_склад» is its own feature
NEGATORS = frozenset({"не", "нет", "ни", "not", "no", "never", "dont", "cant", "wont", "isnt", "didnt", "doesnt"})
#: the first reading pymorphy3 gives is not always the one this domain means
LEMMA_OVERRIDES = {
    "стоить": "стоять",
    "шк": "штрихкод",
    "fbo": "фбо",
    "fbs": "фбс",
    "лк": "кабинет",
    "каб": "кабинет",
    "апи": "api",
    "пвз": "пвз",
    "смс": "смс",
    "sms": "смс",
    "щас": "сейчас",
    "ща": "сейчас",
}
#: English contractions read as one token: «we're» must not become the past tense «were»
CONTRACTIONS = {
    "i'm": "i_am",
    "im": "i_am",
    "we're": "we_are",
    "they're": "they_are",
    "can't": "cant",
    "won't": "wont",
    "don't": "dont",
    "didn't": "didnt",
    "isn't": "isnt",
    "doesn't": "doesnt",
}
MAX_TOKENS = 400  # a very long letter is judged by its first 400 words: bounded latency
MAX_CHARS = 3000


def normalise(text: str) -> str:
    """Lower case, ``ё`` → ``е``, runs of one letter shortened to two, cut at ``MAX_CHARS``."""
    return _REPEATS.sub(r"\1\1", text[:MAX_CHARS].lower().replace("ё", "е"))


def tokens(normalised: str) -> list[str]:
    """Words (with inner hyphens and apostrophes) and the marks ``?`` and ``!``, in order."""
    return _TOKEN.findall(normalised)[:MAX_TOKENS]


class Lemmatizer:
    """Word form → lemma. Russian through pymorphy3, English through the Snowball stemmer,
    numbers kept as they are. Thread-safe; the cache only grows up to ``limit`` entries."""

    def __init__(self, known: dict[str, str] | None = None, limit: int = 200_000) -> None:
        self._cache: dict[str, str] = dict(known or {})
        self._limit = limit

    def warm(self) -> None:
        """Load the analysers now (the first message should not pay for it)."""
        self._analysers()

    def _analysers(self) -> tuple[Any, Any]:
        """The process's analyser and this thread's English stemmer (``otklik.core.text``)."""
        return morph(), stemmer("english")

    def lemma(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if _DIGITS.search(word) or len(word) < 2 or word in "?!":
            found = word
        else:
            morph, english = self._analysers()
            if _CYRILLIC.search(word):
                found = str(morph.parse(word)[0].normal_form).replace("ё", "е")
            elif word in CONTRACTIONS:
                found = CONTRACTIONS[word]
            else:
                found = str(english.stemWord(word.replace("'", "")))
            found = LEMMA_OVERRIDES.get(found, found)
        if len(self._cache) < self._limit:
            self._cache[word] = found
        return found

    def lemmas(self, words: Iterable[str]) -> list[str]:
        return [self.lemma(w) for w in words]

    def known(self) -> dict[str, str]:
        """Every form seen so far with its lemma (stored in the model file)."""
        return dict(self._cache)


@dataclass(frozen=True, slots=True)
class Prepared:
    """One message, ready for the rules and the model."""

    normalised: str
    words: tuple[str, ...]
    lemmas: tuple[str, ...]


def prepare(text: str, lemmatizer: Lemmatizer) -> Prepared:
    normalised = normalise(text)
    words = tokens(normalised)
    return Prepared(normalised, tuple(words), tuple(lemmatizer.lemmas(words)))


def _number_class(lemma: str) -> str:
    """Numbers stand for their shape, not their value: «<num5>» for 10234."""
    return f"<num{min(len(lemma), 9)}>" if lemma.isdigit() else lemma


def word_features(prepared: Prepared) -> list[str]:
    """Lemma unigrams (a word after a negator becomes «не_<lemma>»), lemma bigrams and lexicon cues."""
    out: list[str] = []
    previous = ""
    negate = False
    for raw in prepared.lemmas:
        lemma = _number_class(raw)
        if lemma in NEGATORS:
            negate = True
            out.append(lemma)
        elif lemma in "?!":
            out.append(lemma)
            negate = False
        else:
            out.append(f"не_{lemma}" if negate else lemma)
            negate = False
        if previous:
            out.append(f"{previous} {lemma}")
        previous = lemma
    out.extend(cues(prepared.lemmas))
    return out


def char_features(prepared: Prepared, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams of each word padded with spaces (typos, jargon, unknown forms)."""
    out: list[str] = []
    for word in prepared.words:
        if word in "?!":
            continue
        padded = f" {_DIGITS.sub('0', word)} "
        size = len(padded)
        for n in range(low, high + 1):
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out

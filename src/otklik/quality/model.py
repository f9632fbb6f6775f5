"""The learned detector of the reply checker at serve time: a pickle-free ``.npz`` read with numpy.

Each sentence of a draft gets, per flag (cliché, hedging, blame, stalling, refusal without a
reason), a calibrated probability from a linear model over TF-IDF lemma 1–2-grams, character
3–5-grams, the sentence's mean word embedding (``otklik.core.embeddings``: new wordings of a
formula land near the old ones) and the context features of ``otklik.quality.features``. A
sentence at or above the flag's threshold is flagged where the lexicon found nothing of that
flag. scikit-learn is needed only to train (``otklik.quality.train``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.core.embeddings import DIM, embeddings
from otklik.core.modelfile import Block, LoadedOnce, read_meta, unpack_strings
from otklik.quality.features import (
    CONTEXT,
    Unit,
    char_features,
    context_features,
    reply_context,
    unit_words,
    units,
    word_features,
)
from otklik.quality.text import Text

FORMAT = 1
SHIPPED_MODEL = Path(__file__).parent / "data" / "model.npz"
DENSE_WIDTH = DIM + len(CONTEXT)

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Scored:
    """A sentence and the calibrated probability of each flag (in ``QualityModel.codes`` order)."""

    unit: Unit
    probabilities: tuple[float, ...]


def dense_vector(
    text: Text, all_units: list[Unit], index: int, context: Any, embedding_weight: float, context_weight: float
) -> Floats:
    """The unit's mean word embedding and its context features, each block scaled."""
    vector = embeddings().mean(unit_words(text, all_units[index])) * embedding_weight
    extra = np.asarray(context_features(text, all_units, index, context), dtype=np.float32) * context_weight
    result: Floats = np.concatenate([vector, extra]).astype(np.float32)
    return result


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 40.0), -40.0)))


class QualityModel:
    """Loaded once per process; ``score`` is pure and thread-safe."""

    def __init__(self, *, words: Block, chars: Block, coef: Floats, bias: Floats, meta: dict[str, Any]) -> None:
        self.words = words
        self.chars = chars
        self.coef = coef  # (features, codes)
        self.bias = bias  # (codes,)
        self.meta = meta
        self.codes: tuple[str, ...] = tuple(meta["codes"])
        self.thresholds: dict[str, float] = {c: float(t) for c, t in meta["thresholds"].items()}
        self.scale: tuple[float, ...] = tuple(float(a) for a in meta["calibration_scale"])
        self.shift: tuple[float, ...] = tuple(float(b) for b in meta["calibration_shift"])
        self.embedding_weight = float(meta["embedding_weight"])
        self.context_weight = float(meta["context_weight"])
        #: how often a rule's flag of each code was right on outside-written replies out of fold
        self.rule_precision: dict[str, float] = {c: float(p) for c, p in meta.get("rule_precision", {}).items()}

    @property
    def model_id(self) -> str:
        return f"quality-{str(self.meta.get('corpus_sha256', ''))[:10]}-{self.meta.get('examples', 0)}"

    def raw_scores(self, text: Text, customer_message: str | None) -> list[tuple[Unit, Floats]]:
        """Uncalibrated scores of every unit (training checks it reproduces sklearn's)."""
        found = units(text)
        if not found:
            return []
        context = reply_context(text, customer_message)
        out: list[tuple[Unit, Floats]] = []
        dense_rows = self.coef[self.coef.shape[0] - DENSE_WIDTH :]
        for index, unit in enumerate(found):
            word_index, word_values = self.words.vector(word_features(text, unit))
            char_index, char_values = self.chars.vector(char_features(text, unit))
            scores = self.bias.copy()
            sparse_index = word_index + char_index
            if sparse_index:
                scores += np.asarray(word_values + char_values, dtype=np.float32) @ self.coef[sparse_index]
            dense = dense_vector(text, found, index, context, self.embedding_weight, self.context_weight)
            scores += dense @ dense_rows
            out.append((unit, scores))
        return out

    def score(self, text: Text, customer_message: str | None = None) -> list[Scored]:
        """Each sentence's calibrated probability per flag (Platt scaling fitted out of fold)."""
        return [
            Scored(
                unit,
                tuple(_sigmoid(a * float(s) + b) for a, b, s in zip(self.scale, self.shift, raw.tolist(), strict=True)),
            )
            for unit, raw in self.raw_scores(text, customer_message)
        ]


# ---- the file --------------------------------------------------------------------------------


def load(path: Path) -> QualityModel:
    """Read a model file written by ``save`` (``allow_pickle`` stays off)."""
    with np.load(path, allow_pickle=False) as data:
        meta: dict[str, Any] = read_meta(data)
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: format {meta.get('format')} is not {FORMAT}; run `otklik quality train`")
        word_vocab = {f: i for i, f in enumerate(unpack_strings(data["s_word_vocab"]))}
        char_vocab = {f: i for i, f in enumerate(unpack_strings(data["s_char_vocab"]))}
        words = Block(word_vocab, data["word_idf"], float(meta["word_weight"]), 0)
        chars = Block(char_vocab, data["char_idf"], float(meta["char_weight"]), len(word_vocab))
        coef, bias = data["coef"], data["bias"]
    embeddings()  # the vectors load with the model, not on the first draft
    return QualityModel(words=words, chars=chars, coef=coef, bias=bias, meta=meta)


_LOADED = LoadedOnce(load)


def get_model(path: Path = SHIPPED_MODEL) -> QualityModel:
    """The model at ``path`` (default: the shipped one), loaded once per process."""
    return _LOADED.get(path)


def forget_loaded() -> None:
    """Drop loaded models (after training wrote a new file)."""
    _LOADED.forget()

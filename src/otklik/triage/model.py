"""The triage model at serve time: a pickle-free ``.npz`` file read with numpy alone.

Features are TF-IDF over lemma n-grams and character n-grams (``otklik.triage.text``), the mean
word embedding of the message (``otklik.core.embeddings``: paraphrases land close) and the urgency
factors of ``otklik.triage.factors``; two linear classifiers (category, urgency) with
temperature-calibrated probabilities; the urgent rules of ``otklik.triage.rules`` on top.
scikit-learn is needed only to train (``otklik.triage.training``), so the file does not depend on
its version and loads in well under a second.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.core.embeddings import DIM, embeddings
from otklik.core.modelfile import Block, LoadedOnce, read_meta, unpack_strings
from otklik.triage.factors import NAMES as FACTOR_NAMES
from otklik.triage.factors import urgency_factors
from otklik.triage.rules import urgent_signals
from otklik.triage.text import Lemmatizer, Prepared, char_features, normalise, prepare, word_features

FORMAT = 2
DATA = Path(__file__).parent / "data"
SHIPPED_MODEL = DATA / "model.npz"
#: the queue a ticket goes to when the model is not sure enough of its category
GENERAL_QUEUE = "general"

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Prediction:
    """What triage says about one message.

    ``confidence`` is the calibrated probability that ``category`` is right; below the model's
    threshold ``queue`` is ``general`` (the general triage queue) instead of the category.
    ``urgency_confidence`` is the probability of ``urgency`` (a firing rule counts with the
    precision it had in training). ``source`` is ``model``, or ``correction`` when an agent
    already labelled this very text.
    """

    category: str
    urgency: str
    confidence: float
    urgency_confidence: float
    queue: str
    signals: tuple[str, ...] = ()
    source: str = "model"
    category_scores: dict[str, float] = field(default_factory=dict)

    @property
    def routed(self) -> bool:
        return self.queue != GENERAL_QUEUE


def text_key(text: str) -> str:
    """The identity of a message text for agents' corrections: its normalised words, hashed."""
    return hashlib.sha256(" ".join(normalise(text).split()).encode()).hexdigest()[:20]


def _softmax(scores: Floats, temperature: float) -> Floats:
    scaled = scores / temperature
    scaled = scaled - scaled.max()
    exp = np.exp(scaled)
    result: Floats = (exp / exp.sum()).astype(np.float32)
    return result


#: a message with fewer known word features than this is too short to be sure of («вопрос»)
EVIDENCE_FULL = 6


def _hedged(probabilities: Floats, evidence: int) -> Floats:
    """Probabilities pulled towards uniform in proportion to missing evidence: a two-word message
    never gets 0.999 from a single word the model happens to like (the order is kept)."""
    share = min(evidence, EVIDENCE_FULL) / EVIDENCE_FULL
    result: Floats = (share * probabilities + (1.0 - share) / probabilities.shape[0]).astype(np.float32)
    return result


@dataclass(frozen=True, slots=True)
class Head:
    """A calibrated linear classifier over the joint vector."""

    classes: tuple[str, ...]
    coef: Floats  # (features, classes)
    bias: Floats  # (classes,)
    temperature: float

    def probabilities(self, index: list[int], values: list[float], dense: Floats) -> Floats:
        """``index``/``values``: the sparse blocks; ``dense``: the last columns (embedding, factors)."""
        scores = self.bias.copy()
        if index:
            scores += np.asarray(values, dtype=np.float32) @ self.coef[index]
        scores += dense @ self.coef[self.coef.shape[0] - dense.shape[0] :]
        return _softmax(scores, self.temperature)


def dense_features(prepared: Prepared, embedding_weight: float, factor_weight: float) -> Floats:
    """The message's unit mean word vector and its urgency factors (0/1), each block scaled."""
    vector = embeddings().mean(prepared.words) * embedding_weight
    found = set(urgency_factors(prepared.normalised))
    factors = np.asarray([factor_weight if name in found else 0.0 for name in FACTOR_NAMES], dtype=np.float32)
    result: Floats = np.concatenate([vector, factors]).astype(np.float32)
    return result


#: width of the dense tail of the joint vector
DENSE_WIDTH = DIM + len(FACTOR_NAMES)


class TriageModel:
    """Loaded once per process; ``predict`` is thread-safe."""

    def __init__(
        self,
        *,
        words: Block,
        chars: Block,
        category: Head,
        urgency: Head,
        lemmatizer: Lemmatizer,
        meta: dict[str, Any],
        corrections: dict[str, tuple[str, str]],
    ) -> None:
        self.words = words
        self.chars = chars
        self.category = category
        self.urgency = urgency
        self.lemmatizer = lemmatizer
        self.meta = meta
        self.corrections = corrections
        self.threshold = float(meta["threshold"])
        self.urgent_threshold = float(meta["urgent_threshold"])
        self.rule_precision = float(meta.get("rule_precision", 0.95))
        self.embedding_weight = float(meta["embedding_weight"])
        self.factor_weight = float(meta["factor_weight"])

    @property
    def model_id(self) -> str:
        """Which model answered: its corpus digest and training size, as recorded with each suggestion."""
        return f"triage-{str(self.meta.get('corpus_sha256', ''))[:10]}-{self.meta.get('examples', 0)}"

    def vector(self, prepared: Prepared) -> tuple[list[int], list[float], Floats]:
        word_index, word_values = self.words.vector(word_features(prepared))
        char_index, char_values = self.chars.vector(char_features(prepared))
        dense = dense_features(prepared, self.embedding_weight, self.factor_weight)
        return word_index + char_index, word_values + char_values, dense

    def predict(self, text: str, *, threshold: float | None = None) -> Prediction:
        """Category, urgency and calibrated confidence of ``text`` (any length, any language)."""
        prepared = prepare(text, self.lemmatizer)
        signals = tuple(urgent_signals(prepared.lemmas))
        index, values, dense = self.vector(prepared)
        cat_p = _hedged(self.category.probabilities(index, values, dense), self.words.known(word_features(prepared)))
        urg_p = self.urgency.probabilities(index, values, dense)
        best = int(cat_p.argmax())
        category, confidence = self.category.classes[best], float(cat_p[best])
        urgency, urgency_confidence = self._urgency(urg_p, signals)
        source = "model"
        remembered = self.corrections.get(text_key(text))
        if remembered is not None:
            category, urgency, confidence, urgency_confidence, source = (*remembered, 1.0, 1.0, "correction")
        limit = self.threshold if threshold is None else threshold
        return Prediction(
            category=category,
            urgency=urgency,
            confidence=round(confidence, 4),
            urgency_confidence=round(urgency_confidence, 4),
            queue=category if confidence >= limit else GENERAL_QUEUE,
            signals=signals,
            source=source,
            category_scores={c: round(float(p), 4) for c, p in zip(self.category.classes, cat_p, strict=True)},
        )

    def _urgency(self, probabilities: Floats, signals: tuple[str, ...]) -> tuple[str, float]:
        classes = self.urgency.classes
        p_urgent = float(probabilities[classes.index("urgent")])
        if signals:
            return "urgent", max(p_urgent, self.rule_precision)
        if p_urgent >= self.urgent_threshold:
            return "urgent", p_urgent
        rest = [(float(p), c) for c, p in zip(classes, probabilities, strict=True) if c != "urgent"]
        p, label = max(rest)
        return label, p / max(1.0 - p_urgent, 1e-6)


# ---- the file --------------------------------------------------------------------------------


def load(path: Path) -> TriageModel:
    """Read a model file written by ``save`` (``allow_pickle`` stays off)."""
    with np.load(path, allow_pickle=False) as data:
        meta: dict[str, Any] = read_meta(data)
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: model format {meta.get('format')} is not {FORMAT}; run `otklik triage train`")
        strings = {key[2:]: unpack_strings(data[key]) for key in data.files if key.startswith("s_")}
        word_vocab = {f: i for i, f in enumerate(strings["word_vocab"])}
        char_vocab = {f: i for i, f in enumerate(strings["char_vocab"])}
        words = Block(word_vocab, data["word_idf"], float(meta["word_weight"]), 0)
        chars = Block(char_vocab, data["char_idf"], float(meta["char_weight"]), len(word_vocab))
        category = Head(
            tuple(meta["categories"]), data["cat_coef"], data["cat_bias"], float(meta["category_temperature"])
        )
        urgency = Head(tuple(meta["urgencies"]), data["urg_coef"], data["urg_bias"], float(meta["urgency_temperature"]))
        known = dict(zip(strings["lemma_forms"], strings["lemma_values"], strict=True))
        corrections = {
            key: (cat, urg)
            for key, cat, urg in zip(
                strings.get("fix_keys", []),
                strings.get("fix_categories", []),
                strings.get("fix_urgencies", []),
                strict=True,
            )
        }
    lemmatizer = Lemmatizer(known)
    lemmatizer.warm()
    embeddings()  # the vectors load with the model, not on the first message
    return TriageModel(
        words=words,
        chars=chars,
        category=category,
        urgency=urgency,
        lemmatizer=lemmatizer,
        meta=meta,
        corrections=corrections,
    )


_LOADED = LoadedOnce(load)


def active_path(local: Path | None) -> Path:
    """The installation's own model (trained with its agents' corrections) when it exists,
    else the model shipped in the package."""
    return local if local is not None and local.exists() else SHIPPED_MODEL


def get_model(path: Path | None = None) -> TriageModel:
    """The model at ``path`` (default: the active one), loaded once per process."""
    if path is None:
        from otklik.triage.settings import local_model_path

        path = active_path(local_model_path())
    return _LOADED.get(path)


def forget_loaded() -> None:
    """Drop loaded models (after training wrote a new file)."""
    _LOADED.forget()

"""Training the triage model with scikit-learn and writing it as a pickle-free file.

Deterministic: fixed folds and seeds, the corpus in file order. Steps: lemmas → TF-IDF blocks
(lemma 1–2-grams, character 2–5-grams), the mean word embedding and the urgency factors →
out-of-fold scores (5 folds) for the temperature of each head, the urgent threshold (by the cost
of a miss against a false alarm) and the general-queue threshold → the final fit on everything.
The held-out, unseen and foreign sets are never passed here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.core.modelfile import save
from otklik.core.taxonomy import Category, Urgency
from otklik.triage import corpus
from otklik.triage.model import FORMAT, dense_features, text_key
from otklik.triage.rules import urgent_signals
from otklik.triage.text import Lemmatizer, Prepared, char_features, prepare, word_features

#: ``progress(step, done_fraction)``; the CLI draws it as a bar
Progress = Callable[[str, float], None]
CATEGORIES = tuple(c.value for c in Category)
URGENCIES = tuple(u.value for u in Urgency)
SEED = 20261126


@dataclass(frozen=True, slots=True)
class Params:
    """The knobs of a training run (chosen by cross-validation on the train split only)."""

    word_weight: float = 1.0
    char_weight: float = 1.0
    word_min_df: int = 1
    char_min_df: int = 2
    embedding_weight: float = 0.5
    factor_weight: float = 1.0
    category_c: float = 20.0
    urgency_c: float = 5.0
    folds: int = 5
    #: the general-queue threshold is the lowest confidence above which out-of-fold accuracy reaches this
    target_accuracy: float = 0.95
    #: a missed urgent message costs this many false alarms: the urgent threshold minimises
    #: ``miss_cost × misses + false alarms`` out of fold (on written, not templated, messages)
    miss_cost: float = 10.0
    correction_weight: float = 3.0


@dataclass(frozen=True, slots=True)
class Report:
    """What a training run did, for the CLI to print."""

    path: Path
    examples: int
    corrections: int
    features: int
    seconds: float
    meta: dict[str, Any]


def _nll(logits: npt.NDArray[np.float64], gold: npt.NDArray[np.int64], temperature: float) -> float:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scaled).sum(axis=1))
    return float(np.mean(log_norm - scaled[np.arange(len(gold)), gold]))


def fit_temperature(logits: npt.NDArray[np.float64], gold: npt.NDArray[np.int64]) -> float:
    """The temperature that makes softmax(logits / T) best calibrated (least log loss)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))
    losses = [_nll(logits, gold, float(t)) for t in grid]
    return float(grid[int(np.argmin(losses))])


def _softmax_rows(logits: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result


def confidence_threshold(confidence: Sequence[float], correct: Sequence[bool], target: float) -> float:
    """The lowest threshold whose accepted predictions are at least ``target`` accurate (0.3–0.7)."""
    for step in range(30, 71):
        threshold = step / 100
        accepted = [ok for c, ok in zip(confidence, correct, strict=True) if c >= threshold]
        if accepted and sum(accepted) / len(accepted) >= target:
            return threshold
    return 0.70


def urgent_threshold(p_urgent: Sequence[float], rules: Sequence[bool], gold: Sequence[bool], miss_cost: float) -> float:
    """The model threshold (0.05–0.60) at which «rule or p ≥ t» costs least, a missed urgent
    message counting ``miss_cost`` false alarms; ties go to the higher threshold."""
    best = (math.inf, 0.60)
    for step in range(60, 4, -1):
        threshold = step / 100
        predicted = [r or p >= threshold for p, r in zip(p_urgent, rules, strict=True)]
        misses = sum(1 for p, g in zip(predicted, gold, strict=True) if g and not p)
        alarms = sum(1 for p, g in zip(predicted, gold, strict=True) if p and not g)
        cost = miss_cost * misses + alarms
        if cost < best[0]:
            best = (cost, threshold)
    return best[1]


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # no type information shipped

    return LogisticRegression(C=c, max_iter=3000, tol=1e-4)


def _out_of_fold(
    x: Any, y: npt.NDArray[np.int64], weights: npt.NDArray[np.float64], c: float, folds: int
) -> npt.NDArray[np.float64]:
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]  # no type information shipped

    logits = np.zeros((x.shape[0], int(y.max()) + 1))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        model = _logistic(c).fit(x[train_rows], y[train_rows], sample_weight=weights[train_rows])
        logits[test_rows] = x[test_rows] @ _coef(model, logits.shape[1]) + _bias(model, logits.shape[1])
    return logits


def _ids(labels: Sequence[str], classes: tuple[str, ...]) -> npt.NDArray[np.int64]:
    return np.asarray([classes.index(label) for label in labels], dtype=np.int64)


def train(
    examples: Sequence[corpus.Example],
    out: Path,
    *,
    params: Params | None = None,
    progress: Progress | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> Report:
    """Fit both heads on ``examples`` and write the model to ``out`` (see ``_train``), on one
    BLAS thread: spinning helper threads only cost time on small sparse problems and shared cores."""
    import scipy.optimize  # type: ignore[import-untyped]  # noqa: F401  (loaded first so the thread limit covers its BLAS)
    import sklearn.linear_model  # type: ignore[import-untyped]  # noqa: F401  (loaded first so the thread limit covers its BLAS)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no type information shipped

    with threadpool_limits(limits=1):
        return _train(examples, out, params=params, progress=progress, extra_meta=extra_meta)


def _train(
    examples: Sequence[corpus.Example],
    out: Path,
    *,
    params: Params | None = None,
    progress: Progress | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> Report:
    """Fit both heads on ``examples`` and write the model to ``out``. Examples with
    ``source == "correction"`` are also remembered verbatim (an agent's word on that text wins)."""
    from scipy.sparse import csr_matrix, hstack  # type: ignore[import-untyped]  # no type information shipped
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]  # no type information shipped

    params = params or Params()
    started = time.perf_counter()
    step = progress or (lambda _name, _done: None)
    lemmatizer = Lemmatizer()
    prepared: list[Prepared] = []
    for number, example in enumerate(examples):
        prepared.append(prepare(example.text, lemmatizer))
        if number % 100 == 0:
            step("lemmas", 0.3 * number / len(examples))
    step("features", 0.3)
    words = TfidfVectorizer(analyzer=word_features, min_df=params.word_min_df, sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(analyzer=char_features, min_df=params.char_min_df, sublinear_tf=True, dtype=np.float32)
    dense = np.vstack([dense_features(p, params.embedding_weight, params.factor_weight) for p in prepared])
    x = hstack(
        [
            words.fit_transform(prepared) * params.word_weight,
            chars.fit_transform(prepared) * params.char_weight,
            csr_matrix(dense),
        ]
    ).tocsr()
    weights = np.asarray([e.weight for e in examples], dtype=np.float64)
    y_cat = _ids([e.category for e in examples], CATEGORIES)
    y_urg = _ids([e.urgency for e in examples], URGENCIES)
    folds = max(2, min(params.folds, int(np.bincount(y_cat).min()), int(np.bincount(y_urg).min())))

    step("category: cross-validation", 0.4)
    cat_oof = _out_of_fold(x, y_cat, weights, params.category_c, folds)
    cat_t = fit_temperature(cat_oof, y_cat)
    cat_p = _softmax_rows(cat_oof, cat_t)
    cat_ok = (cat_p.argmax(axis=1) == y_cat).tolist()
    threshold = confidence_threshold(cat_p.max(axis=1).tolist(), cat_ok, params.target_accuracy)

    step("urgency: cross-validation", 0.6)
    urg_oof = _out_of_fold(x, y_urg, weights, params.urgency_c, folds)
    urg_t = fit_temperature(urg_oof, y_urg)
    p_urgent = _softmax_rows(urg_oof, urg_t)[:, URGENCIES.index("urgent")].tolist()
    rules = [bool(urgent_signals(p.lemmas)) for p in prepared]
    gold_urgent = [e.urgency == "urgent" for e in examples]
    real = [e.source != "template" for e in examples]
    if sum(1 for r, g in zip(real, gold_urgent, strict=True) if r and g) < 20:
        real = [True] * len(examples)  # too few real urgent messages to judge by: use them all
    u_threshold = urgent_threshold(
        [p for p, r in zip(p_urgent, real, strict=True) if r],
        [x for x, r in zip(rules, real, strict=True) if r],
        [g for g, r in zip(gold_urgent, real, strict=True) if r],
        params.miss_cost,
    )
    fired = sum(rules)
    rule_hits = sum(1 for r, g in zip(rules, gold_urgent, strict=True) if r and g)

    step("final fit", 0.8)
    cat_model = _logistic(params.category_c).fit(x, y_cat, sample_weight=weights)
    urg_model = _logistic(params.urgency_c).fit(x, y_urg, sample_weight=weights)
    fixes = [(text_key(e.text), e.category, e.urgency) for e in examples if e.source == "correction"]
    meta: dict[str, Any] = {
        "format": FORMAT,
        "categories": list(CATEGORIES),
        "urgencies": list(URGENCIES),
        "word_weight": params.word_weight,
        "char_weight": params.char_weight,
        "embedding_weight": params.embedding_weight,
        "factor_weight": params.factor_weight,
        "category_temperature": round(cat_t, 6),
        "urgency_temperature": round(urg_t, 6),
        "threshold": threshold,
        "urgent_threshold": u_threshold,
        # Laplace-smoothed, so a rule that never missed in training does not claim certainty
        "rule_precision": round((rule_hits + 1) / (fired + 2), 4),
        "oof_category_accuracy": round(float(np.mean(cat_ok)), 4),
        "examples": len(examples),
        "corrections": len(fixes),
        "params": {k: getattr(params, k) for k in params.__dataclass_fields__},
        "corpus_sha256": corpus.digest(),
        **(extra_meta or {}),
    }
    step("save", 0.95)
    save(
        out,
        {
            "word_idf": words.idf_.astype(np.float32),
            "char_idf": chars.idf_.astype(np.float32),
            "cat_coef": _coef(cat_model, len(CATEGORIES)),
            "cat_bias": _bias(cat_model, len(CATEGORIES)),
            "urg_coef": _coef(urg_model, len(URGENCIES)),
            "urg_bias": _bias(urg_model, len(URGENCIES)),
        },
        meta,
        {
            "word_vocab": _vocabulary(words),
            "char_vocab": _vocabulary(chars),
            "lemma_forms": list(lemmatizer.known()),
            "lemma_values": list(lemmatizer.known().values()),
            "fix_keys": [k for k, _, _ in fixes],
            "fix_categories": [c for _, c, _ in fixes],
            "fix_urgencies": [u for _, _, u in fixes],
        },
    )
    step("done", 1.0)
    return Report(out, len(examples), len(fixes), x.shape[1], time.perf_counter() - started, meta)


def _vocabulary(vectorizer: Any) -> list[str]:
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    ordered = [""] * len(vocabulary)
    for feature, index in vocabulary.items():
        if "\n" in feature:
            raise ValueError(f"feature {feature!r} has a line break")  # the analysers never make one
        ordered[index] = feature
    return ordered


def _coef(model: Any, classes: int) -> npt.NDArray[np.float32]:
    """(features, classes) weights as multinomial logits; a class missing from the data never wins.
    A two-class model has one score: its second class gets it, its first gets zero."""
    coef = np.zeros((model.coef_.shape[1], classes), dtype=np.float32)
    if len(model.classes_) == 2:
        coef[:, model.classes_[1]] = model.coef_[0]
    else:
        coef[:, model.classes_] = model.coef_.T
    return coef


def _bias(model: Any, classes: int) -> npt.NDArray[np.float32]:
    bias = np.full(classes, -1e3, dtype=np.float32)
    if len(model.classes_) == 2:
        bias[model.classes_] = (0.0, float(model.intercept_[0]))
    else:
        bias[model.classes_] = model.intercept_
    return bias

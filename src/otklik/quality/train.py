"""Training the learned detector of the reply checker and writing it as a pickle-free file.

    python -m otklik.quality.train            (or ``otklik quality train``)

Deterministic: the corpus in file order, fixed folds, liblinear. Steps: every sentence of the
training splits (train, dev, written, written2) labelled per flag by the gold spans it overlaps →
TF-IDF blocks (lemma 1–2-grams, character 3–5-grams), the mean word embedding and the context
features → out-of-fold scores (5 folds by reply) → Platt scaling per flag → per-flag thresholds
chosen on the out-of-fold scores of outside-written replies the lexicon was never tuned on (the
odd ids of ``written`` and all of ``written2``), with the rules' own findings in place, so a
threshold pays for what the model adds → the final fit on everything. heldout, unseen,
written2_check and foreign are never read here.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.core.embeddings import embeddings
from otklik.core.modelfile import Block, save
from otklik.quality import lexicon as lx
from otklik.quality.corpus import Item, load_articles, load_items
from otklik.quality.features import char_features, reply_context, units, word_features
from otklik.quality.learned import learned_findings
from otklik.quality.model import DENSE_WIDTH, FORMAT, SHIPPED_MODEL, Scored, dense_vector, forget_loaded
from otklik.quality.rules import Finding, judged_matches, rule_findings
from otklik.quality.text import analyse

TRAIN_SPLITS = ("train", "dev", "written", "written2")
CODES = (lx.CLICHE, lx.HEDGING, lx.BLAME, lx.STALLING, lx.REFUSAL)
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Params:
    """The knobs of a training run (chosen out of fold on the training splits only)."""

    word_weight: float = 1.0
    char_weight: float = 1.0
    min_df: int = 2
    embedding_weight: float = 1.0
    context_weight: float = 0.5
    c: float = 4.0
    #: "balanced" weighs the few flagged sentences up, so the model dares on new wordings
    class_weight: str | None = None
    folds: int = 5
    #: a threshold never goes below this: a model flag must be more likely right than wrong
    min_threshold: float = 0.5
    #: the share of good outside-written replies the model may add a flag to, out of fold
    good_budget: float = 0.02


@dataclass
class Rows:
    """The sentences of the training replies, their features and labels."""

    item: list[int] = field(default_factory=list)
    words: list[list[str]] = field(default_factory=list)
    chars: list[list[str]] = field(default_factory=list)
    dense: list[npt.NDArray[np.float32]] = field(default_factory=list)
    labels: list[list[int]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


def _labels(item: Item, start: int, end: int) -> list[int]:
    """1 for each flag whose gold span overlaps the sentence."""
    return [int(any(g.code == code and g.start < end and start < g.end for g in item.flags)) for code in CODES]


def sentence_rows(items: Sequence[Item], params: Params) -> Rows:
    rows = Rows()
    for number, item in enumerate(items):
        text = analyse(item.reply, item.lang)
        found = units(text)
        context = reply_context(text, item.customer_message)
        for index, unit in enumerate(found):
            rows.item.append(number)
            rows.words.append(word_features(text, unit))
            rows.chars.append(char_features(text, unit))
            rows.dense.append(dense_vector(text, found, index, context, params.embedding_weight, params.context_weight))
            rows.labels.append(_labels(item, unit.start, unit.end))
            rows.spans.append((unit.start, unit.end))
    return rows


def build_block(documents: list[list[str]], min_df: int, weight: float, offset: int) -> tuple[Block, list[str]]:
    """Vocabulary (document frequency ≥ ``min_df``, sorted for reproducibility) and smooth idf."""
    df: dict[str, int] = {}
    for features in documents:
        for feature in set(features):
            df[feature] = df.get(feature, 0) + 1
    vocabulary = sorted(f for f, n in df.items() if n >= min_df)
    total = len(documents)
    idf = np.asarray([math.log((1 + total) / (1 + df[f])) + 1.0 for f in vocabulary], dtype=np.float32)
    return Block({f: i for i, f in enumerate(vocabulary)}, idf, weight, offset), vocabulary


def matrix(rows: Rows, words: Block, chars: Block) -> Any:
    """The joint sparse matrix: both TF-IDF blocks, then the dense tail."""
    from scipy import sparse  # type: ignore[import-untyped]  # comes with scikit-learn, no type information

    width = len(words.vocabulary) + len(chars.vocabulary)
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for word_list, char_list, dense in zip(rows.words, rows.chars, rows.dense, strict=True):
        wi, wv = words.vector(word_list)
        ci, cv = chars.vector(char_list)
        indices += wi + ci + list(range(width, width + DENSE_WIDTH))
        data += wv + cv + dense.tolist()
        indptr.append(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows.words), width + DENSE_WIDTH))


def _fit(x: Any, y: npt.NDArray[np.int64], c: float, class_weight: str | None = None) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # training only

    model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, class_weight=class_weight)
    model.fit(x, y)
    return model


def out_of_fold(x: Any, labels: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], params: Params) -> Floats:
    """Decision values of each sentence from models that never saw its reply (fold = reply number
    modulo ``folds``)."""
    scores = np.zeros(labels.shape, dtype=np.float64)
    fold_of = groups % params.folds
    for fold in range(params.folds):
        test = fold_of == fold
        for column in range(labels.shape[1]):
            model = _fit(x[~test], labels[~test, column], params.c, params.class_weight)
            scores[test, column] = model.decision_function(x[test])
    return scores


def platt(scores: Floats, labels: npt.NDArray[np.int64]) -> tuple[float, float]:
    """``a``, ``b`` of ``sigmoid(a·score + b)`` fitted to out-of-fold scores: honest probabilities."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, solver="lbfgs")
    model.fit(scores.reshape(-1, 1), labels)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


@dataclass
class Pool:
    """Outside-written replies for choosing thresholds: their rule findings and out-of-fold scores."""

    items: list[Item]
    rules: list[list[Finding]]
    scored: list[list[Scored]]
    #: lexicon phrases a context rule cleared: the model does not overrule them
    spared: list[list[Finding]] = field(default_factory=list)


def _counts(pool: Pool, code: str, threshold: float) -> tuple[int, int, int, set[int]]:
    """tp, fp, fn of one code with the rules plus the model at ``threshold``; the good replies the
    model flags."""
    tp = fp = fn = 0
    flagged_good: set[int] = set()
    rows = zip(pool.items, pool.rules, pool.scored, pool.spared, strict=True)
    for number, (item, all_found, scored, spared) in enumerate(rows):
        added = learned_findings(scored, CODES, {code: threshold}, all_found + spared)
        predicted = [f for f in all_found if f.code == code] + added
        gold = [g for g in item.flags if g.code == code]
        for finding in predicted:
            match = next((g for g in gold if g.start < finding.end and finding.start < g.end), None)
            if match is None:
                fp += 1
            else:
                gold.remove(match)
                tp += 1
        fn += len(gold)
        if item.good and added:
            flagged_good.add(number)
    return tp, fp, fn, flagged_good


def _best(rows: list[tuple[float, float, set[int]]]) -> int:
    """The index of the best F1; on a tie the higher threshold (fewer flags for the same F1)."""
    return max(range(len(rows)), key=lambda i: (rows[i][1], i))


def choose_thresholds(pool: Pool, params: Params) -> dict[str, float]:
    """Per code, the threshold with the best F1 of rules plus model on the pool; then, while the
    model flags more than ``good_budget`` of the pool's good replies, the code whose threshold
    costs least F1 to raise is raised."""
    grid = [round(t, 2) for t in np.arange(params.min_threshold, 0.96, 0.025)]
    table: dict[str, list[tuple[float, float, set[int]]]] = {}
    for code in CODES:
        rows = []
        for t in grid:
            tp, fp, fn, good = _counts(pool, code, t)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            rows.append((t, f1, good))
        table[code] = rows
    chosen = {code: _best(table[code]) for code in CODES}
    good_total = sum(i.good for i in pool.items) or 1
    while True:
        flagged = set().union(*(table[c][chosen[c]][2] for c in CODES))
        if len(flagged) / good_total <= params.good_budget:
            break
        movable = [c for c in CODES if chosen[c] + 1 < len(grid)]
        if not movable:
            break
        cost = {c: table[c][chosen[c]][1] - table[c][chosen[c] + 1][1] for c in movable}
        step = min(movable, key=lambda c: (cost[c], c))
        chosen[step] += 1
    return {code: float(grid[chosen[code]]) for code in CODES}


def rule_precision(pool: Pool) -> dict[str, float]:
    """How often a rule's flag of each code is right on the pool (its confidence)."""
    out: dict[str, float] = {}
    for code in lx.CODES:
        right = wrong = 0
        for item, found in zip(pool.items, pool.rules, strict=True):
            gold = [g for g in item.flags if g.code == code]
            for finding in (f for f in found if f.code == code):
                match = next((g for g in gold if g.start < finding.end and finding.start < g.end), None)
                right += match is not None
                wrong += match is None
                if match is not None:
                    gold.remove(match)
        out[code] = round((right + 1) / (right + wrong + 2), 3)  # Laplace: few flags, no certainty
    return out


def _in_pool(item: Item) -> bool:
    """Outside-written replies the lexicon was not tuned on: odd ``written`` ids, all of ``written2``."""
    if item.split == "written2":
        return True
    digits = "".join(ch for ch in item.id if ch.isdigit())
    return item.split == "written" and bool(digits) and int(digits) % 2 == 1


def digest(items: Sequence[Item]) -> str:
    sha = hashlib.sha256()
    for item in items:
        sha.update(item.id.encode())
        sha.update(item.reply.encode())
        sha.update(repr([(g.code, g.start, g.end) for g in item.flags]).encode())
    return sha.hexdigest()


def train(path: Path = SHIPPED_MODEL, params: Params | None = None, log: Any = print) -> dict[str, Any]:
    """Train on the training splits, write the model to ``path`` and return its ``meta``."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no type information shipped

    with threadpool_limits(limits=1):
        return _train(path, params or Params(), log)


def _train(path: Path, params: Params, log: Any) -> dict[str, Any]:
    items = load_items(TRAIN_SPLITS)
    articles = load_articles()
    embeddings()
    rows = sentence_rows(items, params)
    words, word_vocab = build_block(rows.words, params.min_df, params.word_weight, 0)
    chars, char_vocab = build_block(rows.chars, params.min_df, params.char_weight, len(word_vocab))
    x = matrix(rows, words, chars)
    labels = np.asarray(rows.labels, dtype=np.int64)
    groups = np.asarray(rows.item, dtype=np.int64)
    log(f"{len(items)} replies, {x.shape[0]} sentences, {x.shape[1]} features; positives {labels.sum(0).tolist()}")
    oof = out_of_fold(x, labels, groups, params)
    calibration = [platt(oof[:, k], labels[:, k]) for k in range(len(CODES))]
    probabilities = np.column_stack([1 / (1 + np.exp(-(a * oof[:, k] + b))) for k, (a, b) in enumerate(calibration)])
    pool = _pool(items, rows, probabilities, articles)
    thresholds = choose_thresholds(pool, params)
    log(f"thresholds {thresholds} on {len(pool.items)} outside-written replies")
    finals = [_fit(x, labels[:, k], params.c, params.class_weight) for k in range(len(CODES))]
    coef = np.column_stack([m.coef_[0] for m in finals]).astype(np.float32)
    bias = np.asarray([m.intercept_[0] for m in finals], dtype=np.float32)
    meta = {
        "format": FORMAT,
        "codes": list(CODES),
        "thresholds": thresholds,
        "calibration_scale": [a for a, _ in calibration],
        "calibration_shift": [b for _, b in calibration],
        "rule_precision": rule_precision(pool),
        "word_weight": params.word_weight,
        "char_weight": params.char_weight,
        "embedding_weight": params.embedding_weight,
        "context_weight": params.context_weight,
        "c": params.c,
        "examples": len(items),
        "sentences": int(x.shape[0]),
        "splits": list(TRAIN_SPLITS),
        "corpus_sha256": digest(items),
    }
    save(
        path,
        {"coef": coef, "bias": bias, "word_idf": words.idf, "char_idf": chars.idf},
        meta,
        {"word_vocab": word_vocab, "char_vocab": char_vocab},
    )
    forget_loaded()
    log(f"wrote {path}")
    return meta


def _pool(items: list[Item], rows: Rows, probabilities: Floats, articles: dict[str, Any]) -> Pool:
    pool = Pool([], [], [])
    by_item: dict[int, list[Scored]] = {}
    from otklik.quality.features import Unit

    for row, (number, (start, end)) in enumerate(zip(rows.item, rows.spans, strict=True)):
        unit = Unit(start, end, 0, 0)
        by_item.setdefault(number, []).append(Scored(unit, tuple(float(p) for p in probabilities[row])))
    for number, item in enumerate(items):
        if not _in_pool(item):
            continue
        text = analyse(item.reply, item.lang)
        kept, cleared = judged_matches(text, item.customer_message)
        found = rule_findings(
            text, item.customer_message, [articles[a] for a in item.articles], item.earlier_replies, kept
        )
        pool.spared.append([Finding(m.pattern.code, m.start, m.end) for m in cleared])
        pool.items.append(item)
        pool.rules.append(found)
        pool.scored.append(by_item.get(number, []))
    return pool


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m otklik.quality.train [PATH]``: retrain and write the shipped model (or PATH)."""
    args = list(sys.argv[1:] if argv is None else argv)
    train(Path(args[0]) if args else SHIPPED_MODEL)


if __name__ == "__main__":
    main()

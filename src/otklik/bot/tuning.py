"""Tuning the bot on the tuning split only (``otklik bot tune``): ranking weights, the logistic
calibration of the confidence, and the answer threshold. Deterministic; pure Python.

It can read several knowledge bases at once (the demo's and a second shop's written for
training), so that what it learns is how a right answer looks, not what one shop's articles say;
the foreign knowledge base in ``tests/data/foreign`` is never read here.

1. Ranking weights: a small grid, chosen by top-1 accuracy on the tuning questions an article covers.
2. Calibration: a logistic regression (L2, standardised features) whose label is «the best
   article is the right one»; questions no article covers and personal cases are negatives.
3. Threshold: the lowest confidence at which the out-of-fold precision of the answers the rules
   let through stays at or above ``TARGET_PRECISION`` for every higher threshold too, measured on
   the hash-split tuning questions (the extra, deliberately hard ones train the model only).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.bot.evaluation import Question
from otklik.bot.language import analyse, lang_of
from otklik.bot.retrieval import (
    CALIBRATION,
    FEATURES,
    Calibration,
    Corpus,
    Doc,
    candidate_docs,
    corpus_for,
    features_of,
    index_candidates,
    query_terms,
    unanswered_part,
)
from otklik.bot.rules import Action, Candidate, decide
from otklik.core.embeddings import Vector, sentences
from otklik.kb.models import Article

#: precision the threshold is tuned for: above the bar (0.95), leaving room for unseen questions
TARGET_PRECISION = 0.97
GRID = {
    "match": (0.0, 0.5, 1.0),
    "passage": (0.0, 0.5),
    "title_precision": (0.0, 0.2),
    "pairs": (0.0, 0.2),
    "semantic": (0.5, 1.0, 2.0),
    "semantic_phrase": (0.5, 1.0, 2.0),
}
FOLDS = 5
L2 = 0.5
STEPS = 3000
RATE = 0.1


@dataclass(frozen=True, slots=True)
class Prepared:
    question: Question
    corpus: Corpus
    terms: tuple[str, ...]
    weights: dict[str, float]
    vector: Vector
    docs: tuple[Doc, ...]
    rules_pass: bool
    #: the article slug of each candidate's id in this question's knowledge base
    slugs: dict[int, str | None]


@dataclass(frozen=True, slots=True)
class Report:
    calibration: Calibration
    top1: float
    oof_precision: float
    oof_coverage: float
    rows: int

    def summary(self) -> str:
        return (
            f"веса ранжирования / ranking weights {self.calibration.rank_weights}; "
            f"top-1 на покрытых / on covered {self.top1:.3f}; порог / threshold {self.calibration.threshold:.3f}; "
            f"вне фолда / out of fold: точность / precision {self.oof_precision:.3f}, "
            f"покрытие / coverage {self.oof_coverage:.3f} ({self.rows} вопросов / questions)"
        )


def prepare(session: Session, questions: Sequence[Question]) -> list[Prepared]:
    """Terms, candidates (by words and by meaning) and whether the bot's own rules would let an
    answer through, per question, against the knowledge base in ``session``."""
    slugs = dict(session.execute(select(Article.id, Article.slug)).tuples().all())
    out = []
    for question in questions:
        lang = lang_of(question.text)
        corpus = corpus_for(session, lang)
        terms, _ = query_terms(question.text, corpus)
        vector = sentences().one(question.text)
        docs = tuple(candidate_docs(corpus, vector, terms, index_candidates(session)))
        weights = {t: corpus.idf(t) for t in dict.fromkeys(terms)}
        # triage is left out on purpose: the threshold must not move when triage's model is retrained
        probe = decide(
            analyse(question.text),
            best=Candidate(docs[0].article_id, 1.0) if docs else None,
            threshold=0.0,
            urgent=False,
        )
        rules_pass = probe.action is Action.ANSWER
        out.append(Prepared(question, corpus, tuple(terms), weights, vector, docs, rules_pass, slugs))
    return out


def _rows(
    prepared: Sequence[Prepared], rank_weights: dict[str, float], *, parts: bool = True
) -> list[tuple[dict[str, float], bool, bool]]:
    """(features, best is right, rules let it through) per question. A best article that leaves a
    part of the question unanswered is never let through (the bot hands off)."""
    rows = []
    for item in prepared:
        corpus = item.corpus
        scored = sorted(
            (corpus.score(item.terms, item.weights, d, rank_weights, item.vector) for d in item.docs),
            key=lambda s: (-s.rank, s.doc.article_id),
        )
        best = scored[0] if scored else None
        features = features_of(corpus, item.terms, best, scored[1] if len(scored) > 1 else None)
        right = best is not None and item.slugs.get(best.doc.article_id) == item.question.label
        whole = best is not None and (not parts or unanswered_part(corpus, item.question.text, best.doc) is None)
        rows.append((features, right, item.rules_pass and whole))
    return rows


def choose_rank_weights(prepared: Sequence[Prepared]) -> tuple[dict[str, float], float]:
    covered = [p for p in prepared if p.question.covered]
    best: tuple[float, float, dict[str, float]] | None = None
    for values in itertools.product(*GRID.values()):
        weights = dict(zip(GRID, values, strict=True))
        rows = _rows(covered, weights, parts=False)
        top1 = sum(right for _, right, _ in rows) / max(len(rows), 1)
        key = (top1, -sum(values))
        if best is None or key > (best[0], best[1]):
            best = (top1, -sum(values), weights)
    assert best is not None
    return best[2], best[0]


def _standardise(matrix: list[list[float]]) -> tuple[list[float], list[float]]:
    columns = list(zip(*matrix, strict=True))
    means = [sum(c) / len(c) for c in columns]
    scales = [math.sqrt(sum((x - m) ** 2 for x in c) / len(c)) or 1.0 for c, m in zip(columns, means, strict=True)]
    return means, scales


def fit_logistic(x: list[list[float]], y: list[bool]) -> tuple[list[float], float, list[float], list[float]]:
    """Weights, bias, means and scales of an L2 logistic regression (full-batch gradient descent)."""
    means, scales = _standardise(x)
    z = [[(v - m) / s for v, m, s in zip(row, means, scales, strict=True)] for row in x]
    n, k = len(z), len(means)
    w, b = [0.0] * k, 0.0
    for _ in range(STEPS):
        grad_w, grad_b = [L2 * wi / n for wi in w], 0.0
        for row, label in zip(z, y, strict=True):
            p = 1.0 / (1.0 + math.exp(-max(min(b + sum(wi * xi for wi, xi in zip(w, row, strict=True)), 40), -40)))
            error = p - float(label)
            grad_b += error / n
            for j in range(k):
                grad_w[j] += error * row[j] / n
        w = [wi - RATE * g for wi, g in zip(w, grad_w, strict=True)]
        b -= RATE * grad_b
    return w, b, means, scales


def _fold(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % FOLDS


def choose_threshold(probabilities: Sequence[float], right: Sequence[bool], passes: Sequence[bool]) -> float:
    """The lowest threshold whose precision, and that of every higher one, is ≥ ``TARGET_PRECISION``."""
    answered = sorted(((p, r) for p, r, ok in zip(probabilities, right, passes, strict=True) if ok), reverse=True)
    threshold = 1.0
    correct = 0
    for count, (p, r) in enumerate(answered, 1):
        correct += r
        if correct / count < TARGET_PRECISION:
            break
        threshold = p
    return threshold


def tune(prepared: Sequence[Prepared]) -> Report:
    """Tune on ``prepared`` questions (``prepare`` each knowledge base's tuning questions)."""
    rank_weights, top1 = choose_rank_weights(prepared)
    rows = _rows(prepared, rank_weights)
    x = [[f[name] for name in FEATURES] for f, _, _ in rows]
    y = [right for _, right, _ in rows]
    passes = [ok for _, _, ok in rows]
    folds = [_fold(p.question.text) for p in prepared]
    oof = [0.0] * len(rows)
    for fold in range(FOLDS):
        train = [i for i in range(len(rows)) if folds[i] != fold]
        w, b, means, scales = fit_logistic([x[i] for i in train], [y[i] for i in train])
        model = Calibration(rank_weights, tuple(means), tuple(scales), tuple(w), b, 0.0)
        for i in range(len(rows)):
            if folds[i] == fold:
                oof[i] = model.probability(rows[i][0])
    # the extra questions teach the model; the threshold is set where the questions are distributed
    # as the users' are (the hash-split tuning questions), so adversarial extras do not decide it
    natural = [i for i, p in enumerate(prepared) if not p.question.extra]
    threshold = choose_threshold([oof[i] for i in natural], [y[i] for i in natural], [passes[i] for i in natural])
    w, b, means, scales = fit_logistic(x, y)
    calibration = Calibration(rank_weights, tuple(means), tuple(scales), tuple(w), b, threshold)
    answered = [i for i in range(len(rows)) if passes[i] and oof[i] >= threshold]
    covered = [i for i, p in enumerate(prepared) if p.question.covered]
    precision = sum(y[i] for i in answered) / len(answered) if answered else 1.0
    coverage = sum(1 for i in answered if y[i] and prepared[i].question.covered) / max(len(covered), 1)
    return Report(calibration, top1, precision, coverage, len(rows))


def save(calibration: Calibration, path: Path = CALIBRATION, note: dict[str, Any] | None = None) -> None:
    data = calibration.to_json() | {"note": note or {}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")

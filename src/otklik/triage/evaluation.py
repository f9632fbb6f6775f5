"""Scoring a triage model on a labelled split: per-label precision, recall and F1, confusion
matrices, urgent recall and precision, calibration and the general-queue share. Pure arithmetic
over predictions, so it is tested without a model."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from otklik.triage.corpus import Example
from otklik.triage.model import TriageModel

#: the quality bar of issue 5, checked on the held-out split
BAR_CATEGORY_ACCURACY = 0.90
BAR_URGENT_RECALL = 0.95
BAR_URGENT_PRECISION = 0.80
#: the bar of issue 11, on the foreign split (text written and labelled outside the project)
FOREIGN_CATEGORY_ACCURACY = 0.92
FOREIGN_URGENT_RECALL = 0.97
FOREIGN_CALIBRATION_ERROR = 0.05


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Scores:
    """Everything ``otklik triage eval`` prints about one split."""

    split: str
    size: int
    category_accuracy: float
    urgency_accuracy: float
    categories: list[LabelScore]
    urgencies: list[LabelScore]
    category_confusion: list[list[int]]
    urgency_confusion: list[list[int]]
    category_labels: list[str]
    urgency_labels: list[str]
    urgent_precision: float
    urgent_recall: float
    #: share of messages sent to the general queue, and category accuracy on the rest
    general_share: float
    routed_accuracy: float
    #: expected calibration error of the category confidence (10 bins)
    calibration_error: float
    mean_ms: float

    def meets_bar(self) -> bool:
        return (
            self.category_accuracy >= BAR_CATEGORY_ACCURACY
            and self.urgent_recall >= BAR_URGENT_RECALL
            and self.urgent_precision >= BAR_URGENT_PRECISION
        )

    def meets_foreign_bar(self) -> bool:
        return (
            self.category_accuracy >= FOREIGN_CATEGORY_ACCURACY
            and self.urgent_recall >= FOREIGN_URGENT_RECALL
            and self.urgent_precision >= BAR_URGENT_PRECISION
            and self.calibration_error <= FOREIGN_CALIBRATION_ERROR
        )


def per_label(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[LabelScore]:
    out = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        flagged = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        precision = tp / flagged if flagged else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append(LabelScore(label, round(precision, 4), round(recall, 4), round(f1, 4), support))
    return out


def confusion(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are the true labels, columns the predicted ones, both in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: the mean gap between confidence and accuracy, weighted by bin size."""
    total = len(confidence)
    if not total:
        return 0.0
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidence) if low < c <= high or (b == 0 and c == 0)]
        if members:
            mean_conf = sum(confidence[i] for i in members) / len(members)
            accuracy = sum(1 for i in members if correct[i]) / len(members)
            error += len(members) / total * abs(mean_conf - accuracy)
    return round(error, 4)


def evaluate(model: TriageModel, examples: Sequence[Example], split: str) -> Scores:
    """Predict every example of ``split`` and score the answers."""
    started = time.perf_counter()
    predictions = [model.predict(e.text) for e in examples]
    elapsed = time.perf_counter() - started
    gold_cat = [e.category for e in examples]
    gold_urg = [e.urgency for e in examples]
    pred_cat = [p.category for p in predictions]
    pred_urg = [p.urgency for p in predictions]
    cat_labels = list(model.category.classes)
    urg_labels = list(model.urgency.classes)
    correct = [g == p for g, p in zip(gold_cat, pred_cat, strict=True)]
    routed = [ok for ok, p in zip(correct, predictions, strict=True) if p.routed]
    urgent = next(s for s in per_label(gold_urg, pred_urg, ["urgent"]))
    size = max(len(examples), 1)
    return Scores(
        split=split,
        size=len(examples),
        category_accuracy=round(sum(correct) / size, 4),
        urgency_accuracy=round(sum(1 for g, p in zip(gold_urg, pred_urg, strict=True) if g == p) / size, 4),
        categories=per_label(gold_cat, pred_cat, cat_labels),
        urgencies=per_label(gold_urg, pred_urg, urg_labels),
        category_confusion=confusion(gold_cat, pred_cat, cat_labels),
        urgency_confusion=confusion(gold_urg, pred_urg, urg_labels),
        category_labels=cat_labels,
        urgency_labels=urg_labels,
        urgent_precision=urgent.precision,
        urgent_recall=urgent.recall,
        general_share=round(1 - len(routed) / size, 4),
        routed_accuracy=round(sum(routed) / len(routed), 4) if routed else 0.0,
        calibration_error=calibration_error([p.confidence for p in predictions], correct),
        mean_ms=round(elapsed / size * 1000, 3),
    )

"""Evaluation arithmetic without a model."""

from __future__ import annotations

import pytest

from otklik.triage.evaluation import calibration_error, confusion, per_label


def test_per_label_precision_recall_f1() -> None:
    gold = ["a", "a", "b", "b", "c"]
    predicted = ["a", "b", "b", "b", "a"]
    scores = {s.label: s for s in per_label(gold, predicted, ["a", "b", "c"])}
    assert (scores["a"].precision, scores["a"].recall, scores["a"].support) == (0.5, 0.5, 2)
    assert scores["b"].precision == pytest.approx(0.6667, abs=1e-4)
    assert scores["b"].recall == 1.0
    assert scores["b"].f1 == pytest.approx(0.8, abs=1e-4)
    assert (scores["c"].precision, scores["c"].recall, scores["c"].f1) == (0.0, 0.0, 0.0)


def test_confusion_rows_are_truth_columns_predictions() -> None:
    assert confusion(["a", "a", "b"], ["a", "b", "b"], ["a", "b"]) == [[1, 1], [0, 1]]


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    assert calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)
    assert calibration_error([], []) == 0.0

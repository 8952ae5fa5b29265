import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_distill._soft_targets import (
    PROBA_FLOOR,
    log_softmax,
    mix_targets,
    proba_to_log_scores,
    resolve_response_method,
    soften,
    teacher_log_scores,
)


def test_soften_at_temperature_one_keeps_probabilities():
    proba = np.array([[0.81, 0.19], [0.16, 0.84]])
    targets = soften(proba_to_log_scores(proba), 1.0)
    np.testing.assert_allclose(targets, proba, atol=1e-12)


def test_soften_floors_zero_and_one():
    proba = np.array([[0.0, 1.0], [1.0, 0.0]])
    targets = soften(proba_to_log_scores(proba), 4.0)
    assert np.all(targets > 0)
    assert np.all(targets < 1)
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    expected_minority = PROBA_FLOOR**0.25 / (1 + PROBA_FLOOR**0.25)
    np.testing.assert_allclose(targets.min(axis=1), expected_minority, rtol=1e-6)


@pytest.mark.parametrize("temperature", [0.01, 1e4, 1e6])
def test_soften_extreme_temperatures_are_finite(temperature):
    proba = np.array([[0.0, 1.0], [0.3, 0.7], [1.0, 0.0]])
    with np.errstate(all="raise"):
        targets = soften(proba_to_log_scores(proba), temperature)
    assert np.all(np.isfinite(targets))
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    np.testing.assert_array_equal(targets.argmax(axis=1), proba.argmax(axis=1))


def test_soften_huge_temperature_is_uniform():
    proba = np.array([[0.0, 1.0], [0.3, 0.7]])
    targets = soften(proba_to_log_scores(proba), 1e6)
    np.testing.assert_allclose(targets, 0.5, atol=1e-3)


def test_log_softmax_handles_minus_infinity():
    log_proba = log_softmax(np.array([[0.0, -np.inf, 1.0]]))
    np.testing.assert_allclose(np.exp(log_proba).sum(), 1.0)
    assert log_proba[0, 1] == -np.inf


def test_mix_targets_weights_soft_and_hard():
    soft = np.array([[0.6, 0.4], [0.2, 0.8]])
    mixed = mix_targets(soft, np.array([1, 1]), alpha=0.25)
    np.testing.assert_allclose(mixed, [[0.15, 0.85], [0.05, 0.95]])


def test_resolve_response_method_prefers_decision_function():
    assert resolve_response_method(LogisticRegression()) == "decision_function"
    assert resolve_response_method(DecisionTreeClassifier()) == "predict_proba"
    assert (
        resolve_response_method(LogisticRegression(), "predict_proba")
        == "predict_proba"
    )
    assert resolve_response_method(SVC(), "predict_proba") is None


def test_teacher_log_scores_binary_logits_match_proba(binary_data):
    X, y = binary_data
    teacher = LogisticRegression().fit(X, y)
    log_scores = teacher_log_scores(teacher, X, np.array([0, 1]))
    np.testing.assert_allclose(
        soften(log_scores, 1.0), teacher.predict_proba(X), rtol=1e-6
    )


def test_teacher_log_scores_unseen_class_gets_floor(binary_data):
    X, y = binary_data
    teacher = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    proba = soften(teacher_log_scores(teacher, X, np.array([0, 1, 2])), 1.0)
    assert proba.shape == (60, 3)
    assert np.all(proba[:, 2] <= PROBA_FLOOR)
    assert np.all(proba[:, 2] > 0)


def test_teacher_log_scores_unseen_class_logits(binary_data):
    X, y = binary_data
    teacher = LogisticRegression().fit(X, y)
    proba = soften(teacher_log_scores(teacher, X, np.array([0, 1, 2])), 1.0)
    assert np.all(proba[:, 2] < PROBA_FLOOR)
    np.testing.assert_array_equal(proba.argmax(axis=1), teacher.predict(X))


def test_teacher_log_scores_rejects_ovo_decisions(rare_class_data):
    X, y = rare_class_data
    y = np.arange(60) % 4
    teacher = SVC(decision_function_shape="ovo").fit(X, y)
    message = (
        "The teacher SVC returns 6 decision_function columns for 4 classes, so "
        "they are not per-class logits. Set response_method='predict_proba' or "
        "configure the teacher for one-vs-rest decisions."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        teacher_log_scores(teacher, X, np.arange(4))

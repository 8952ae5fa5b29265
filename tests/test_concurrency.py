"""Concurrent prediction from several threads on one fitted estimator."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetClassifier

from sklearn_distill import DistillationClassifier

N_THREADS = 8
N_CALLS = 48

MODELS = {
    "tree-tree": lambda: DistillationClassifier(
        DecisionTreeClassifier(max_depth=4), DecisionTreeClassifier(max_depth=3)
    ),
    "forest-regressor": lambda: DistillationClassifier(
        RandomForestClassifier(10), RandomForestRegressor(5, max_depth=3)
    ),
    "linear-linear": lambda: DistillationClassifier(
        LogisticRegression(), LogisticRegression(), temperature=2.0
    ),
    "boosting-forest": lambda: DistillationClassifier(
        HistGradientBoostingClassifier(max_iter=10), RandomForestClassifier(5)
    ),
    "skorch-student": lambda: DistillationClassifier(
        RandomForestClassifier(10),
        NeuralNetClassifier(
            torch.nn.Linear,
            module__in_features=4,
            module__out_features=2,
            criterion=torch.nn.CrossEntropyLoss,
            max_epochs=3,
            train_split=None,
            verbose=0,
        ),
    ),
}

METHODS = ["predict", "predict_proba", "compute_soft_targets"]


def _chunks(X):
    """Return overlapping row blocks of different sizes, the whole of X first."""
    return [X, X[:1], X[5:17], X[::3], X[40:]]


def _serial_results(model, blocks):
    return {
        (method, index): getattr(model, method)(block)
        for method in METHODS
        for index, block in enumerate(blocks)
    }


@pytest.mark.parametrize("name", list(MODELS))
def test_concurrent_predictions_equal_serial(binary_data, name):
    X, y = binary_data
    model = MODELS[name]().set_params(random_state=0).fit(X, y)
    blocks = _chunks(X)
    expected = _serial_results(model, blocks)
    calls = [list(expected)[i % len(expected)] for i in range(N_CALLS)]

    def run(call):
        method, index = call
        return call, getattr(model, method)(blocks[index])

    with ThreadPoolExecutor(max_workers=N_THREADS) as executor:
        results = list(executor.map(run, calls))

    assert len(results) == N_CALLS
    for (method, index), found in results:
        np.testing.assert_array_equal(found, expected[method, index])
    # The fitted model still gives the serial results afterwards.
    np.testing.assert_array_equal(model.predict(X), expected["predict", 0])


def test_concurrent_dataframe_predictions_equal_serial(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    labels = np.where(y == 1, "pos", "neg")
    model = MODELS["forest-regressor"]().set_params(random_state=0)
    model.fit(frame, labels)
    expected = model.predict_proba(frame)

    with ThreadPoolExecutor(max_workers=N_THREADS) as executor:
        results = list(
            executor.map(lambda _: model.predict_proba(frame), range(N_CALLS))
        )

    for found in results:
        np.testing.assert_array_equal(found, expected)

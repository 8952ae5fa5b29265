import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import NotFittedError
from skorch.dataset import Dataset

from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)

NET_CLASSES = [AdversarialNetClassifier, TemperatureNetClassifier]


def _net(net_class=TemperatureNetClassifier, **params):
    defaults = {"max_epochs": 1, "train_split": None, "verbose": 0}
    return net_class(torch.nn.Linear(4, 2), **{**defaults, **params})


@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_fit_records_features(binary_data, net_class):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])

    net = _net(net_class).fit(frame, y)

    assert net.n_features_in_ == 4
    assert net.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    assert net.predict_proba(frame).shape == (60, 2)


def test_float64_input_is_converted(binary_data):
    X, y = binary_data
    X = X.astype(np.float64)

    net = _net().fit(X, y)

    assert net.predict_proba(X).dtype == np.float32
    assert net.predict(X).shape == (60,)


@pytest.mark.parametrize(
    "net_class, n_outputs, labels",
    [
        (TemperatureNetClassifier, 2, np.array([0.0, 1.0])),
        (AdversarialNetClassifier, 2, np.array([0, 1], dtype=np.int32)),
        (AdversarialNetBinaryClassifier, 1, np.array([0, 1])),
    ],
)
def test_numeric_labels_are_cast(binary_data, net_class, n_outputs, labels):
    X, y = binary_data
    net = net_class(
        torch.nn.Linear(4, n_outputs), max_epochs=1, train_split=None, verbose=0
    )

    net.fit(X, labels[y])

    assert set(net.predict(X).tolist()) <= {0, 1}


def test_fit_rejects_nan(binary_data):
    X, y = binary_data
    X = X.copy()
    X[0, 0] = np.nan

    msg = (
        "Input X contains NaN.\nTemperatureNetClassifier does not accept missing "
        "values encoded as NaN natively. For supervised learning, you might want "
        "to consider sklearn.ensemble.HistGradientBoostingClassifier and "
        "Regressor which accept missing values encoded as NaNs natively. "
        "Alternatively, it is possible to preprocess the data, for instance by "
        "using an imputer transformer in a pipeline or drop samples with missing "
        "values. See https://scikit-learn.org/stable/modules/impute.html You can "
        "find a list of all estimators that handle NaN values at the following "
        "page: https://scikit-learn.org/stable/modules/impute.html"
        "#estimators-that-handle-nan-values"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X, y)


def test_fit_rejects_sparse_dok_matrix(binary_data):
    X, y = binary_data

    msg = (
        "Sparse data was passed for X, but dense data is required. Use "
        "'.toarray()' to convert to a dense numpy array."
    )
    with pytest.raises(TypeError, match=f"^{re.escape(msg)}$"):
        _net().fit(sp.dok_matrix(X), y)


def test_fit_rejects_empty_input(binary_data):
    X, y = binary_data

    msg = (
        "Found array with 0 sample(s) (shape=(0, 4)) while a minimum of 1 is "
        "required by TemperatureNetClassifier."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X[:0], y[:0])


def test_fit_rejects_one_class(binary_data):
    X, _ = binary_data

    msg = (
        "TemperatureNetClassifier needs samples of at least 2 classes in y, but "
        "y has one class, 1. Pass rows of every class to fit."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X, np.ones(60, dtype=np.int64))


def test_fit_rejects_continuous_target(binary_data):
    X, _ = binary_data

    msg = (
        "Unknown label type: continuous. Maybe you are trying to fit a "
        "classifier, which expects discrete classes on a regression target "
        "with continuous values."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X, np.linspace(0.0, 1.0, 60))


def test_fit_requires_y_for_arrays(binary_data):
    X, _ = binary_data

    msg = (
        "This TemperatureNetClassifier estimator requires y to be passed, but "
        "the target y is None."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X, None)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predict_rejects_unfitted_net(binary_data, method):
    X, _ = binary_data

    msg = (
        "This TemperatureNetClassifier instance is not fitted yet. Call 'fit' "
        "with appropriate arguments before using this estimator."
    )
    with pytest.raises(NotFittedError, match=f"^{re.escape(msg)}$"):
        getattr(_net(), method)(X)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "partial_fit"])
def test_methods_reject_other_feature_count(binary_data, method):
    X, y = binary_data
    net = _net().fit(X, y)
    args = (X[:, :3], y) if method == "partial_fit" else (X[:, :3],)

    msg = (
        "X has 3 features, but TemperatureNetClassifier is expecting 4 features "
        "as input."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        getattr(net, method)(*args)


def test_dataset_input_passes_unchanged(binary_data):
    X, y = binary_data

    net = _net().fit(Dataset(X, y), y)

    assert not hasattr(net, "n_features_in_")
    assert net.predict_proba(Dataset(X, y)).shape == (60, 2)


def test_random_start_rejects_int(binary_data):
    X, y = binary_data
    net = _net(AdversarialNetClassifier, random_start=1)

    msg = (
        "The 'random_start' parameter of AdversarialNetClassifier must be an "
        "instance of 'bool' or an instance of 'numpy.bool'. Got 1 instead."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"max_epochs": -1},
            "The 'max_epochs' parameter of TemperatureNetClassifier must be an "
            "int in the range [0, inf). Got -1 instead.",
        ),
        (
            {"batch_size": 0},
            "The 'batch_size' parameter of TemperatureNetClassifier must be an "
            "int in the range [1, inf) or a int among {-1}. Got 0 instead.",
        ),
    ],
)
def test_skorch_parameters_are_validated(binary_data, params, msg):
    X, y = binary_data

    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net(**params).fit(X, y)


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            np.array([1, 2]),
            "AdversarialNetBinaryClassifier needs the labels 0 and 1, but y has "
            "the labels [1, 2]. Encode them first, for example with "
            "sklearn.preprocessing.LabelEncoder, or distill into the net with "
            "DistillationClassifier, which encodes labels itself.",
        ),
        (
            np.array([0, 1, 2]),
            "Only binary classification is supported. The type of the target is "
            "multiclass. AdversarialNetBinaryClassifier has one output; use "
            "AdversarialNetClassifier for more than two classes.",
        ),
    ],
)
def test_binary_net_rejects_other_labels(binary_data, labels, message):
    X, y = binary_data
    y = labels[np.arange(60) % labels.shape[0]]
    net = AdversarialNetBinaryClassifier(
        torch.nn.Linear(4, 1), max_epochs=1, train_split=None, verbose=0
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        net.fit(X, y)
    assert not hasattr(net, "n_features_in_")

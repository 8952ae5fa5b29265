import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import LRScheduler
from skorch.dataset import Dataset

from sklearn_distill._compat import InvalidParameterError
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)

NET_CLASSES = [AdversarialNetClassifier, TemperatureNetClassifier]


def _net(net_class=TemperatureNetClassifier, n_outputs=2, **params):
    defaults = {"max_epochs": 1, "train_split": None, "verbose": 0}
    return net_class(torch.nn.Linear(4, n_outputs), **{**defaults, **params})


@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_fit_records_features(binary_data, net_class):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])

    net = _net(net_class).fit(frame, y)

    assert net.n_features_in_ == 4
    assert net.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    assert net.predict_proba(frame).shape == (60, 2)
    assert net.predict(frame).shape == (60,)


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


def test_binary_net_rejects_three_classes(binary_data):
    X, _ = binary_data
    net = _net(AdversarialNetBinaryClassifier, 1)

    msg = (
        "Only binary classification is supported. AdversarialNetBinaryClassifier "
        "has one output, so it separates two classes, but y has 3 classes: "
        "[0, 1, 2]. Use AdversarialNetClassifier with one module output per class."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, np.arange(60) % 3)
    assert not hasattr(net, "n_features_in_")


@pytest.mark.parametrize(
    "labels",
    [np.array([1, 2]), np.array(["neg", "pos"]), np.array([-1.0, 1.0])],
)
def test_binary_net_encodes_two_labels(binary_data, labels):
    X, y = binary_data
    net = _net(AdversarialNetBinaryClassifier, 1, max_epochs=3, lr=1.0)

    net.fit(X, labels[y])
    y_pred = net.predict(X)

    np.testing.assert_array_equal(net.classes_, labels)
    assert y_pred.dtype == labels.dtype
    assert set(y_pred.tolist()) <= set(labels.tolist())
    positions = (net.predict_proba(X)[:, 1] > 0.5).astype(int)
    np.testing.assert_array_equal(y_pred, labels[positions])


ALL_NETS = [
    (AdversarialNetClassifier, 2),
    (TemperatureNetClassifier, 2),
    (AdversarialNetBinaryClassifier, 1),
]


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_string_labels_are_decoded(binary_data, net_class, n_outputs):
    X, y = binary_data
    labels = np.array(["yes", "no"])[y]
    net = _net(net_class, n_outputs, max_epochs=3)

    net.fit(X, labels)
    y_pred = net.predict(X)
    proba = net.predict_proba(X)

    np.testing.assert_array_equal(net.classes_, ["no", "yes"])
    assert y_pred.dtype == labels.dtype
    np.testing.assert_array_equal(y_pred, net.classes_[proba.argmax(axis=1)])


def _validation_accuracy(net_class, n_outputs, X, y):
    """Fit a net from fixed weights with skorch's default validation split."""
    torch.manual_seed(0)
    net = net_class(torch.nn.Linear(4, n_outputs), max_epochs=2, verbose=0)
    return net.fit(X, y).history[:, "valid_acc"]


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_validation_accuracy_compares_labels(binary_data, net_class, n_outputs):
    X, y = binary_data
    # "a" and "b" sort as 0 and 1, so both fits see the same positions.
    labels = np.array(["a", "b"])[y]

    accuracy_on_labels = _validation_accuracy(net_class, n_outputs, X, labels)
    accuracy_on_positions = _validation_accuracy(net_class, n_outputs, X, y)

    np.testing.assert_allclose(accuracy_on_labels, accuracy_on_positions)


def test_non_contiguous_labels_use_module_columns(binary_data):
    X, _ = binary_data
    y = np.array([3, 7, 11])[np.arange(60) % 3]
    net = _net(n_outputs=3, max_epochs=2)

    net.fit(X, y)

    np.testing.assert_array_equal(net.classes_, [3, 7, 11])
    assert set(net.predict(X).tolist()) <= {3, 7, 11}
    assert net.predict_proba(X).shape == (60, 3)


@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_fit_rejects_too_few_module_outputs(binary_data, net_class):
    X, _ = binary_data
    net = _net(net_class)

    msg = (
        f"{net_class.__name__} is trained on 3 classes [0, 1, 2], but its module "
        "returns 2 outputs per row. Give the module one output per class, for "
        "example with the module__ parameter of its output size, such as "
        "module__out_features=3 for torch.nn.Linear, or use the default "
        "module, MLPModule, whose output size fit sets."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, np.arange(60) % 3)


def test_fit_rejects_mixed_label_types(binary_data):
    X, _ = binary_data
    y = [1 if i % 2 else "a" for i in range(60)]

    msg = (
        "y contains labels of mixed types ['int', 'str']. Convert y to a single "
        "type, for example with y.astype(str)."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(X, y)


def test_classes_parameter_fixes_column_order(binary_data):
    X, y = binary_data
    labels = np.array(["no", "yes"])[y]

    net = _net(classes=["yes", "no"], max_epochs=2).fit(X, labels)
    proba = net.predict_proba(X)

    np.testing.assert_array_equal(net.classes_, ["yes", "no"])
    np.testing.assert_array_equal(net.predict(X), net.classes_[proba.argmax(axis=1)])


def test_classes_parameter_rejects_other_labels(binary_data):
    X, y = binary_data
    net = _net(classes=["yes", "no"])

    msg = (
        "y contains the labels ['maybe'], which are not among the classes "
        "['yes', 'no'] of TemperatureNetClassifier. Add them to the classes "
        "parameter."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, np.array(["maybe", "no"])[y])


def test_partial_fit_keeps_first_classes(binary_data):
    X, _ = binary_data
    y = np.array(["a", "b", "c"])[np.arange(60) % 3]
    net = _net(n_outputs=3)

    net.partial_fit(X[:20], y[:20])
    net.partial_fit(X[20:], y[20:])

    np.testing.assert_array_equal(net.classes_, ["a", "b", "c"])
    assert net.n_iter_ == 2


def test_partial_fit_takes_classes_argument(binary_data):
    X, y = binary_data
    net = _net(n_outputs=3)

    net.partial_fit(X, y, classes=[2, 0, 1])
    net.partial_fit(X, np.full(60, 2))

    np.testing.assert_array_equal(net.classes_, [0, 1, 2])


def test_partial_fit_rejects_unseen_label(binary_data):
    X, y = binary_data
    net = _net().partial_fit(X, y)

    msg = (
        "y contains the labels [2], which are not among the classes [0, 1] of "
        "TemperatureNetClassifier. Pass every label to the first call of "
        "partial_fit through its classes argument, or train again with fit."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.partial_fit(X, np.where(y == 1, 2, 0))


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_n_iter_counts_epochs(binary_data, net_class, n_outputs):
    X, y = binary_data
    net = _net(net_class, n_outputs, max_epochs=3)

    assert net.fit(X, y).n_iter_ == 3
    assert net.partial_fit(X, y).n_iter_ == 6
    assert net.fit(X, y).n_iter_ == 3
    assert net.set_params(warm_start=True).fit(X, y).n_iter_ == 6


def test_get_params_omits_private_attributes():
    net = _net(module__bias=False)

    params = net.get_params(deep=False)

    assert "_params_to_validate" not in params
    assert params["module__bias"] is False
    assert clone(net).get_params(deep=False).keys() == params.keys()


def test_set_params_accepts_callbacks_after_invalid_ones(binary_data):
    X, y = binary_data
    net = _net()

    net.set_params(callbacks=-np.inf)
    net.set_params(callbacks=[("lr", LRScheduler(policy="StepLR", step_size=1))])
    net.fit(X, y)

    assert "lr" in dict(net.callbacks_)


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_pickle_keeps_labels(binary_data, net_class, n_outputs):
    X, y = binary_data
    labels = np.array(["no", "yes"])[y]
    net = _net(net_class, n_outputs, max_epochs=2).fit(X, labels)

    loaded = pickle.loads(pickle.dumps(net))

    np.testing.assert_array_equal(loaded.classes_, net.classes_)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert loaded.n_iter_ == 2


def test_dataset_fit_uses_skorch_classes(binary_data):
    X, y = binary_data
    net = _net().fit(X, np.array(["no", "yes"])[y])

    net.fit(Dataset(X, y), y)

    np.testing.assert_array_equal(net.classes_, [0, 1])
    assert set(net.predict(X).tolist()) <= {0, 1}


SKORCH_STATE = ("history_", "initialized_", "virtual_params_")


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_init_sets_parameters_only(net_class, n_outputs):
    net = _net(net_class, n_outputs)

    public = {name for name in vars(net) if not name.startswith("_")}

    assert public == set(net.get_params(deep=False))
    assert net.history_ is None
    assert net.initialized_ is False
    assert net.virtual_params_ == {}


@pytest.mark.parametrize("name", SKORCH_STATE)
def test_skorch_state_stored_privately(binary_data, name):
    X, y = binary_data
    net = _net().fit(X, y)

    assert name not in vars(net)
    assert vars(net)[f"_{name}"] is getattr(net, name)

    delattr(net, name)
    assert not hasattr(net, name)


def test_skorch_state_after_pickle_and_clone(binary_data):
    X, y = binary_data
    net = _net(max_epochs=2).fit(X, y)

    loaded = pickle.loads(pickle.dumps(net))
    cloned = clone(net)

    assert loaded.initialized_ is True
    assert len(loaded.history_) == 2
    assert cloned.initialized_ is False
    assert cloned.history_ is None

    # skorch sets lr on the built optimizer through a virtual parameter.
    loaded.set_params(lr=0.5)
    assert loaded.optimizer_.param_groups[0]["lr"] == 0.5


def _mlp_net(net_class, **params):
    defaults = {
        "max_epochs": 2,
        "batch_size": 16,
        "iterator_train__shuffle": True,
        "train_split": None,
        "verbose": 0,
    }
    return net_class(**{**defaults, **params})


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_random_state_repeats_fit(binary_data, net_class, n_outputs, method):
    X, y = binary_data
    first = _mlp_net(net_class, random_state=0)
    second = _mlp_net(net_class, random_state=0)

    torch.manual_seed(1)
    getattr(first, method)(X, y)
    torch.manual_seed(2)
    getattr(second, method)(X, y)

    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_random_state_restores_global_generator(binary_data, net_class, n_outputs):
    X, y = binary_data
    net = _mlp_net(net_class, random_state=0)
    torch.manual_seed(1)
    state = torch.get_rng_state()

    net.fit(X, y)

    assert torch.equal(torch.get_rng_state(), state)


def test_random_state_seeds_batch_order(binary_data):
    X, y = binary_data
    # The module's weights are seeded on their own, so only the order of the
    # shuffled batches depends on random_state.
    nets = [
        _mlp_net(TemperatureNetClassifier, module__random_state=0, random_state=seed)
        for seed in (0, 0, 1)
    ]

    first, second, other = (net.fit(X, y).predict_proba(X) for net in nets)

    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_random_state_none_uses_global_generator(binary_data):
    X, y = binary_data
    first = _mlp_net(TemperatureNetClassifier)
    second = _mlp_net(TemperatureNetClassifier)
    state = torch.get_rng_state()

    torch.manual_seed(1)
    first.fit(X, y)
    assert not torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(1)
    second.fit(X, y)

    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_random_state_rejects_numpy_generator(binary_data):
    X, y = binary_data
    net = _mlp_net(TemperatureNetClassifier, random_state=np.random.RandomState(0))

    msg = (
        r"^The 'random_state' parameter of TemperatureNetClassifier must be an "
        r"int in the range \[0, 9223372036854775807\] or None\. Got "
        r"RandomState\(MT19937\) at 0x[0-9A-F]+ instead\.$"
    )
    with pytest.raises(ValueError, match=msg):
        net.fit(X, y)


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_random_state_accepts_numpy_integer(binary_data, net_class, n_outputs):
    X, y = binary_data
    # GridSearchCV over np.arange(2) passes its values as np.int64.
    numpy_seeded = _mlp_net(net_class, random_state=np.int64(3)).fit(X, y)
    int_seeded = _mlp_net(net_class, random_state=3).fit(X, y)

    np.testing.assert_array_equal(
        numpy_seeded.predict_proba(X), int_seeded.predict_proba(X)
    )


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
@pytest.mark.parametrize("random_state", [True, False])
def test_random_state_rejects_bool(binary_data, net_class, n_outputs, random_state):
    X, y = binary_data
    net = _mlp_net(net_class, random_state=random_state)

    msg = (
        f"The 'random_state' parameter of {net_class.__name__} must be an int "
        "in the range [0, 9223372036854775807] or None. Got "
        f"{random_state!r} instead."
    )
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
@pytest.mark.parametrize("method", ["predict_proba", "predict", "forward"])
def test_inference_keeps_global_generator(binary_data, net_class, n_outputs, method):
    X, y = binary_data
    net = _mlp_net(net_class).fit(X, y)
    torch.manual_seed(1)
    state = torch.random.get_rng_state()

    getattr(net, method)(X)

    assert torch.equal(torch.random.get_rng_state(), state)


def test_training_forward_uses_global_generator(binary_data):
    X, y = binary_data
    module = torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(4, 2))
    net = _mlp_net(TemperatureNetClassifier, module=module).fit(X, y)
    torch.manual_seed(1)
    state = torch.random.get_rng_state()

    net.forward(X, training=True)

    # Dropout in training mode draws its masks from the global generator.
    assert not torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_warm_start_rejects_new_feature_count(binary_data, net_class, n_outputs):
    X, y = binary_data
    net = _net(net_class, n_outputs, warm_start=True).fit(X, y)
    wider = np.hstack([X, X[:, :2]])

    msg = (
        f"{net_class.__name__} was fitted on rows of 4 features, and "
        "warm_start=True keeps its module, but the rows of X have 6 features. "
        "Set warm_start=False to build a new module, or pass X with the 4 "
        "features of the previous fit."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(wider, y)
    # The net still describes the module that it kept.
    assert net.n_features_in_ == 4
    assert net.predict_proba(X).shape == (60, 2)


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_warm_start_keeps_fitted_feature_names(binary_data, net_class, n_outputs):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    net = _net(net_class, n_outputs, warm_start=True).fit(frame, y)
    wider = frame.assign(e=frame["a"])

    with pytest.raises(ValueError, match="warm_start=True keeps its module"):
        net.fit(wider, y)

    assert net.feature_names_in_.tolist() == ["a", "b", "c", "d"]


@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_refit_without_warm_start_takes_new_features(binary_data, net_class, n_outputs):
    X, y = binary_data
    wider = np.hstack([X, X[:, :2]])
    net = net_class(
        torch.nn.Linear,
        module__in_features=4,
        module__out_features=n_outputs,
        max_epochs=1,
        train_split=None,
        verbose=0,
    ).fit(X, y)

    net.set_params(module__in_features=6).fit(wider, y)

    assert net.n_features_in_ == 6
    assert net.module_.in_features == 6
    assert net.predict_proba(wider).shape == (60, 2)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
@pytest.mark.parametrize("net_class, n_outputs", ALL_NETS)
def test_frame_fit_warns_once_on_array(binary_data, net_class, n_outputs, method):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    net = _net(net_class, n_outputs).fit(frame, y)
    args = (X, y) if method == "score" else (X,)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(net, method)(*args)

    msg = (
        f"X does not have valid feature names, but {net_class.__name__} was "
        "fitted with feature names"
    )
    assert [str(warning.message) for warning in caught] == [msg]

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import has_fit_parameter
from skorch.callbacks import Callback
from skorch.dataset import Dataset, ValidSplit
from torch.nn import functional as F

from sklearn_distill import DistillationClassifier
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    DistillationLoss,
    TemperatureNetClassifier,
    distillation_targets,
)

# PGD without a random start and FGSM draw no random numbers, and
# adversarial_weight=0.5 trains on both the adversarial and the clean term.
NET_CONFIGURATIONS = [
    pytest.param(TemperatureNetClassifier, {"temperature": 2.0}, id="temperature"),
    pytest.param(
        AdversarialNetClassifier,
        {"max_iter": 2, "random_start": False, "adversarial_weight": 0.5},
        id="adversarial-pgd",
    ),
    pytest.param(
        AdversarialNetBinaryClassifier,
        {"attack": "fgsm", "adversarial_weight": 1.0},
        id="adversarial-binary-fgsm",
    ),
]

NET_CLASSES = [
    TemperatureNetClassifier,
    AdversarialNetClassifier,
    AdversarialNetBinaryClassifier,
]


def _full_batch_net(net_class, **params):
    """Build a net whose fit is deterministic: one unshuffled batch, seeded weights."""
    defaults = {
        "module__hidden_layer_sizes": (5,),
        "module__random_state": 0,
        "optimizer": torch.optim.SGD,
        "lr": 0.5,
        "max_epochs": 4,
        "batch_size": -1,
        "iterator_train__shuffle": False,
        "train_split": None,
        "verbose": 0,
    }
    return net_class(**{**defaults, **params})


def _parameters(net):
    return [parameter.detach().numpy().copy() for parameter in net.module_.parameters()]


def _assert_same_parameters(net, reference):
    for actual, expected in zip(_parameters(net), _parameters(reference), strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def _integer_weights(n_rows):
    return np.random.RandomState(1).randint(0, 4, n_rows)


@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_nets_declare_sample_weight(net_class):
    assert has_fit_parameter(net_class(), "sample_weight")


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("net_class, params", NET_CONFIGURATIONS)
def test_integer_weights_equal_repeated_rows(binary_data, net_class, params, method):
    X, y = binary_data
    weight = _integer_weights(len(y))

    weighted = _full_batch_net(net_class, **params)
    getattr(weighted, method)(X, y, sample_weight=weight)
    repeated = _full_batch_net(net_class, **params)
    getattr(repeated, method)(np.repeat(X, weight, axis=0), np.repeat(y, weight))
    unweighted = _full_batch_net(net_class, **params).fit(X, y)

    _assert_same_parameters(weighted, repeated)
    assert not np.allclose(_parameters(weighted)[0], _parameters(unweighted)[0])


@pytest.mark.parametrize("net_class, params", NET_CONFIGURATIONS)
def test_zero_weights_equal_dropped_rows(binary_data, net_class, params):
    X, y = binary_data
    weight = np.ones(len(y))
    weight[::3] = 0

    weighted = _full_batch_net(net_class, **params).fit(X, y, sample_weight=weight)
    kept_rows = weight > 0
    dropped = _full_batch_net(net_class, **params).fit(X[kept_rows], y[kept_rows])

    _assert_same_parameters(weighted, dropped)


def test_weights_scale_to_unit_mean(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y)) + 0.5

    net = _full_batch_net(TemperatureNetClassifier).fit(X, y, sample_weight=weight)
    scaled = _full_batch_net(TemperatureNetClassifier).fit(
        X, y, sample_weight=1000.0 * weight
    )

    _assert_same_parameters(scaled, net)


def test_weights_beyond_float32_are_learned(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y))

    net = _full_batch_net(TemperatureNetClassifier).fit(
        X, y, sample_weight=1e300 * weight
    )
    reference = _full_batch_net(TemperatureNetClassifier).fit(
        X, y, sample_weight=weight
    )

    _assert_same_parameters(net, reference)


def test_dataframe_weights_equal_array_weights(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])

    net = _full_batch_net(TemperatureNetClassifier).fit(
        frame, y, sample_weight=pd.Series(weight)
    )
    reference = _full_batch_net(TemperatureNetClassifier).fit(
        X, y, sample_weight=weight
    )

    _assert_same_parameters(net, reference)
    assert net.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    assert net.predict(frame).shape == (60,)


def test_sum_reduction_sums_weighted_losses(binary_data):
    # The weights are scaled to mean 1, so the weighted sum is the sum over
    # repeated rows times n_rows / sum(weight), which SGD turns into a
    # learning rate scaled by the same factor.
    X, y = binary_data
    weight = _integer_weights(len(y))
    factor = len(y) / weight.sum()

    weighted = _full_batch_net(
        TemperatureNetClassifier, criterion__reduction="sum", lr=0.01
    ).fit(X, y, sample_weight=weight)
    repeated = _full_batch_net(
        TemperatureNetClassifier, criterion__reduction="sum", lr=0.01 * factor
    ).fit(np.repeat(X, weight, axis=0), np.repeat(y, weight))

    _assert_same_parameters(weighted, repeated)


def test_distillation_loss_multiplies_packed_weights(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y))
    targets = distillation_targets(np.zeros((len(y), 2)), y)

    net = _full_batch_net(
        TemperatureNetClassifier,
        criterion=DistillationLoss,
        module__n_outputs=2,
        predict_nonlinearity=None,
    )
    net.fit(X, targets, sample_weight=weight)
    packed = _full_batch_net(
        TemperatureNetClassifier,
        criterion=DistillationLoss,
        module__n_outputs=2,
        predict_nonlinearity=None,
    )
    scaled = weight / weight.mean()
    packed.fit(X, distillation_targets(np.zeros((len(y), 2)), y, scaled))

    _assert_same_parameters(net, packed)


def test_validation_loss_is_weighted(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y))
    split = ValidSplit(4)

    net = _full_batch_net(
        TemperatureNetClassifier, temperature=2.0, train_split=split, max_epochs=1
    ).fit(X, y, sample_weight=weight)

    _, valid = split(Dataset(X, y), y)
    rows = np.asarray(valid.indices)
    logits = torch.as_tensor(net.forward(X[rows]), dtype=torch.float64)
    losses = F.cross_entropy(logits / 2.0, torch.as_tensor(y[rows]), reduction="none")
    scaled = torch.as_tensor(weight[rows] / weight.mean())
    expected = (scaled * losses).mean().item()
    assert net.history[-1, "valid_loss"] == pytest.approx(expected, rel=1e-5)


class _RecordTrainInput(Callback):
    """Record the type of X that on_train_begin receives."""

    def initialize(self):
        self.input_types_ = []
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.input_types_.append(type(X))


def test_callbacks_receive_rows_without_weights(binary_data):
    X, y = binary_data
    recorder = _RecordTrainInput()

    net = _full_batch_net(TemperatureNetClassifier, callbacks=[recorder])
    net.fit(X, y, sample_weight=np.ones(len(y)))

    assert recorder.input_types_ == [np.ndarray]


@pytest.mark.parametrize(
    "X_type",
    [
        pytest.param(dict, id="dict"),
        pytest.param(Dataset, id="dataset"),
        pytest.param(torch.Tensor, id="tensor"),
    ],
)
def test_unchanged_input_rejects_weights(binary_data, X_type):
    X, y = binary_data
    inputs = {
        dict: {"X": X},
        Dataset: Dataset(X, y),
        torch.Tensor: torch.as_tensor(X),
    }[X_type]
    net = _full_batch_net(TemperatureNetClassifier, module__n_outputs=2)

    msg = (
        "sample_weight is supported only with X as an array-like, but X is a "
        f"{type(inputs).__name__}, which goes to skorch unchanged. Pass X as an "
        "array or a DataFrame to weight its rows."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(inputs, y, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "weight, msg",
    [
        pytest.param(
            np.array([1.0, 1.0, 1.0, -1.0] + [1.0] * 56),
            "sample_weight contains negative weights {3: -1.0} (row: weight). Pass "
            "weights of 0 or more, with 0 for a row to leave out.",
            id="negative",
        ),
        pytest.param(
            np.zeros(60),
            "sample_weight is zero for every row, so no row would be learned. Give "
            "at least one row a positive weight.",
            id="all-zero",
        ),
        pytest.param(
            np.ones(59),
            "sample_weight has shape (59,), but X has 60 rows. Pass one weight per "
            "row.",
            id="short",
        ),
    ],
)
def test_invalid_weights_are_rejected(binary_data, weight, msg, method):
    X, y = binary_data
    net = _full_batch_net(TemperatureNetClassifier)

    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        getattr(net, method)(X, y, sample_weight=weight)
    assert not hasattr(net, "n_features_in_")


def test_net_and_distillation_reject_weights_alike(binary_data):
    X, y = binary_data
    weight = np.ones(len(y))
    weight[3] = -1.0
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2), DecisionTreeClassifier(max_depth=2)
    )

    with pytest.raises(ValueError) as distillation_error:
        model.fit(X, y, sample_weight=weight)
    with pytest.raises(ValueError) as net_error:
        _full_batch_net(TemperatureNetClassifier).fit(X, y, sample_weight=weight)

    assert str(net_error.value) == str(distillation_error.value)


def test_unreduced_criterion_rejects_weights(binary_data):
    X, y = binary_data
    net = _full_batch_net(TemperatureNetClassifier, criterion__reduction="none")

    msg = (
        "TemperatureNetClassifier weights rows by computing per-row losses with "
        "the criterion's reduction set to 'none', so sample_weight requires a "
        "criterion whose reduction is 'mean' or 'sum', but CrossEntropyLoss has "
        "reduction='none'. Use a torch loss with reduction='mean', such as "
        "torch.nn.CrossEntropyLoss, or fit without sample_weight."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y, sample_weight=np.ones(len(y)))


def test_predict_takes_rows_only(binary_data):
    X, y = binary_data
    net = _full_batch_net(AdversarialNetClassifier, max_iter=2, random_start=False)
    net.fit(X, y, sample_weight=_integer_weights(len(y)))

    proba = net.predict_proba(X)

    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(net.predict(X).tolist()) <= {0, 1}


def test_distillation_passes_weights_to_net_teacher(binary_data):
    X, y = binary_data
    weight = _integer_weights(len(y))
    teacher = _full_batch_net(TemperatureNetClassifier, temperature=2.0)
    model = DistillationClassifier(
        teacher, DecisionTreeClassifier(max_depth=2), temperature=2.0
    )

    model.fit(X, y, sample_weight=weight)

    repeated = _full_batch_net(TemperatureNetClassifier, temperature=2.0).fit(
        np.repeat(X, weight, axis=0), np.repeat(y, weight)
    )
    unweighted = _full_batch_net(TemperatureNetClassifier, temperature=2.0).fit(X, y)
    _assert_same_parameters(model.teacher_, repeated)
    assert not np.allclose(_parameters(model.teacher_)[0], _parameters(unweighted)[0])
    assert model.predict(X).shape == (60,)

import re

import numpy as np
import pytest
import torch
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier

from sklearn_distill import DistillationClassifier, _art
from sklearn_distill.adversarial import AttackSampler, generate_adversarial
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    MLPModule,
    TemperatureNetClassifier,
    distillation_targets,
)
from sklearn_distill.neural._skorch import as_module_dtype, module_dtype, row_dtype

# PGD without a random start and FGSM draw no random numbers, so weighted and
# repeated fits see the same batches.
NET_CONFIGURATIONS = [
    pytest.param(TemperatureNetClassifier, {"temperature": 2.0}, id="temperature"),
    pytest.param(
        AdversarialNetClassifier,
        {"max_iter": 2, "random_start": False, "adversarial_weight": 0.5},
        id="adversarial-pgd",
    ),
    pytest.param(
        AdversarialNetBinaryClassifier,
        {"attack": "fgsm"},
        id="adversarial-binary-fgsm",
    ),
]

NET_CLASSES = [
    TemperatureNetClassifier,
    AdversarialNetClassifier,
    AdversarialNetBinaryClassifier,
]

UNSUPPORTED_DTYPES = [torch.float16, torch.int64, "float64", np.float64, None]


def _net(net_class, **params):
    """Build a seeded float64 net that trains on one batch."""
    defaults = {
        "module__hidden_layer_sizes": (5,),
        "module__dtype": torch.float64,
        "lr": 0.5,
        "max_epochs": 4,
        "batch_size": -1,
        "train_split": None,
        "verbose": 0,
        "random_state": 0,
    }
    return net_class(**{**defaults, **params})


def _skorch_student(**params):
    """Build skorch's own classifier on a float64 MLPModule."""
    defaults = {
        "module": MLPModule,
        "module__hidden_layer_sizes": (5,),
        "module__random_state": 0,
        "module__dtype": torch.float64,
        "criterion": torch.nn.CrossEntropyLoss,
        "lr": 0.5,
        "max_epochs": 4,
        "train_split": None,
        "verbose": 0,
    }
    return NeuralNetClassifier(**{**defaults, **params})


def _integer_weights(n_rows):
    return np.random.RandomState(1).randint(0, 4, n_rows)


def _parameter_dtypes(net):
    return {parameter.dtype for parameter in net.module_.parameters()}


def test_module_builds_float64_layers():
    module = MLPModule((3,), n_features=4, n_outputs=2, dtype=torch.float64)

    assert {parameter.dtype for parameter in module.parameters()} == {torch.float64}
    assert module(torch.ones(2, 4, dtype=torch.float64)).dtype == torch.float64


def test_float64_module_seed_fixes_weights():
    def build():
        return MLPModule(
            (3,), n_features=4, n_outputs=2, random_state=0, dtype=torch.float64
        )

    first, second = build(), build()

    for left, right in zip(first.parameters(), second.parameters(), strict=True):
        assert left.dtype == torch.float64
        assert torch.equal(left, right)
    # torch.nn.Linear draws its weights within 1 / sqrt(fan_in).
    assert float(first.layers[0].weight.detach().abs().max()) <= 1 / 4**0.5


@pytest.mark.parametrize("dtype", UNSUPPORTED_DTYPES)
def test_module_rejects_unsupported_dtype(dtype):
    msg = (
        "The 'dtype' parameter of MLPModule must be torch.float32 or "
        f"torch.float64. Got {dtype!r} instead. Pass torch.float64 to train in "
        "float64, or leave it unset for float32."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        MLPModule(n_features=4, n_outputs=2, dtype=dtype)


@pytest.mark.parametrize("dtype", UNSUPPORTED_DTYPES)
@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_net_rejects_unsupported_dtype(binary_data, net_class, dtype):
    X, y = binary_data
    msg = (
        f"The module__dtype parameter of {net_class.__name__} must be "
        f"torch.float32 or torch.float64. Got {dtype!r} instead. Pass "
        "torch.float64 to train in float64, or leave it unset for float32."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net(net_class, module__dtype=dtype).fit(X, y)


def test_skorch_student_rejects_unsupported_dtype(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2),
        _skorch_student(module__dtype=torch.float16),
    )
    msg = (
        "The 'dtype' parameter of MLPModule must be torch.float32 or "
        "torch.float64. Got torch.float16 instead."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        model.fit(X, y)


@pytest.mark.parametrize("net_class", NET_CLASSES)
def test_float32_is_default(binary_data, net_class):
    X, y = binary_data
    net = _net(net_class).set_params(module__dtype=torch.float32)
    default = net_class(max_epochs=1, train_split=None, verbose=0)

    assert _parameter_dtypes(net.fit(X, y)) == {torch.float32}
    assert _parameter_dtypes(default.fit(X.astype(np.float64), y)) == {torch.float32}
    assert net.predict_proba(X.astype(np.float64)).dtype == np.float32


@pytest.mark.parametrize("net_class, params", NET_CONFIGURATIONS)
def test_float64_net_fit_and_predict(binary_data, net_class, params):
    X, y = binary_data
    # float32 rows are converted to the module's dtype, as for
    # sklearn.neural_network.MLPClassifier, which keeps the training dtype.
    net = _net(net_class, **params).fit(X, y, sample_weight=_integer_weights(len(y)))

    assert _parameter_dtypes(net) == {torch.float64}
    assert net.predict_proba(X).dtype == np.float64
    assert net.predict(X).shape == y.shape


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("net_class, params", NET_CONFIGURATIONS)
def test_float64_weights_equal_repeated_rows(binary_data, net_class, params, method):
    X, y = binary_data
    X = X.astype(np.float64)
    weight = _integer_weights(len(y))

    weighted = _net(net_class, **params)
    getattr(weighted, method)(X, y, sample_weight=weight)
    repeated = _net(net_class, **params)
    getattr(repeated, method)(np.repeat(X, weight, axis=0), np.repeat(y, weight))

    # rtol of scikit-learn's check_sample_weight_equivalence_on_dense_data.
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7
    )


def test_float64_student_weights_match_repeats(binary_data):
    X, y = binary_data
    X = X.astype(np.float64)
    weight = _integer_weights(len(y))

    def fit(*args, **kwargs):
        model = DistillationClassifier(
            DecisionTreeClassifier(max_depth=2, random_state=0),
            _skorch_student(),
            temperature=2.0,
        )
        return model.fit(*args, **kwargs)

    weighted = fit(X, y, sample_weight=weight)
    repeated = fit(np.repeat(X, weight, axis=0), np.repeat(y, weight))

    assert _parameter_dtypes(weighted.student_) == {torch.float64}
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7
    )


def test_float64_binary_student(binary_data):
    X, y = binary_data
    student = NeuralNetBinaryClassifier(
        MLPModule,
        module__hidden_layer_sizes=(5,),
        module__dtype=torch.float64,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0), student
    ).fit(X, y)

    assert _parameter_dtypes(model.student_) == {torch.float64}
    assert model.predict_proba(X).shape == (len(y), 2)


def test_float64_teacher(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        _net(TemperatureNetClassifier),
        DecisionTreeClassifier(max_depth=2, random_state=0),
    ).fit(X, y)

    assert _parameter_dtypes(model.teacher_) == {torch.float64}
    assert model.soft_targets_.dtype == np.float64


def test_tensor_rows_take_module_dtype(binary_data):
    X, y = binary_data
    # skorch receives float32 tensors unchanged, and infer converts batches.
    net = _net(TemperatureNetClassifier, module__n_features=4, module__n_outputs=2).fit(
        torch.as_tensor(X), torch.as_tensor(y)
    )

    assert _parameter_dtypes(net) == {torch.float64}
    assert net.predict_proba(torch.as_tensor(X)).dtype == np.float64


def test_module_dtype_fallbacks():
    configured = _skorch_student()
    instance = NeuralNetClassifier(torch.nn.Linear(4, 2, dtype=torch.float64))
    default = NeuralNetClassifier(MLPModule)
    no_parameters = NeuralNetClassifier(torch.nn.Identity())

    assert module_dtype(configured) == torch.float64
    assert module_dtype(instance) == torch.float64
    assert module_dtype(default) == torch.float32
    assert module_dtype(no_parameters) == torch.float32
    assert row_dtype(configured) == np.float64
    assert row_dtype(default) == np.float32


def test_module_dtype_of_float16_module():
    net = NeuralNetClassifier(torch.nn.Linear(4, 2, dtype=torch.float16))
    X = np.ones((3, 4))

    assert module_dtype(net) == torch.float16
    # NumPy rows stay float32, and tensors take the module's dtype.
    assert as_module_dtype(net, X).dtype == np.float32
    assert as_module_dtype(net, torch.as_tensor(X)).dtype == torch.float16
    assert as_module_dtype(net, torch.ones(3, dtype=torch.int64)).dtype == torch.int64


def test_targets_packed_in_float64():
    log_scores = np.log([[0.3, 0.7], [0.5, 0.5]])

    targets = distillation_targets(
        log_scores, [1, 0], sample_weight=[1e39, 0.5], dtype=np.float64
    )

    assert targets.dtype == np.float64
    np.testing.assert_array_equal(targets[:, :2], log_scores)
    np.testing.assert_array_equal(targets[:, 2], [1e39, 0.5])


def test_float64_targets_reject_infinite_weight():
    msg = (
        "sample_weight must contain finite weights from 0 to 1.798e+308, the "
        "largest float64, but row 1 weighs inf. Pass weights of 0 or more, with "
        "0 for a row to leave out, and divide them all by a common factor if "
        "they exceed the float64 range."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        distillation_targets(
            np.zeros((2, 2)), [0, 1], sample_weight=[1.0, np.inf], dtype=np.float64
        )


@pytest.mark.parametrize("dtype", [np.float16, np.int64, torch.float64, None])
def test_targets_reject_unsupported_dtype(dtype):
    msg = (
        "The 'dtype' parameter of distillation_targets must be numpy.float32 or "
        f"numpy.float64. Got {dtype!r} instead. Pass numpy.float64 for a float64 "
        "student module, or leave it unset for float32."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        distillation_targets(np.zeros((2, 2)), [0, 1], dtype=dtype)


@pytest.mark.parametrize(
    "make_net",
    [
        pytest.param(lambda: _net(TemperatureNetClassifier, max_epochs=20), id="net"),
        pytest.param(
            lambda: _skorch_student(
                max_epochs=20, module__n_features=4, module__n_outputs=2
            ),
            id="skorch",
        ),
    ],
)
def test_gradient_attacks_on_float64_net(binary_data, make_net):
    X, y = binary_data
    # skorch's own net passes rows to the module unchanged, so it takes
    # float64 rows, which generate_adversarial returns for float64 input.
    X = X.astype(np.float64)
    net = make_net().fit(X, y)

    for attack in ("fgsm", "pgd"):
        X_adv = generate_adversarial(net, X, y, attack=attack, eps=0.3)
        assert np.mean(net.predict(X_adv) == y) < np.mean(net.predict(X) == y)


def test_float64_net_loss_gradients(binary_data):
    X, y = binary_data
    net = _net(TemperatureNetClassifier).fit(X, y)
    clip_values = (X.min(axis=0), X.max(axis=0))
    classes, positions = _art.model_classes(net, y)

    gradients = _art.loss_gradients(net, X, positions, classes, clip_values)

    assert gradients.shape == X.shape
    assert np.all(np.isfinite(gradients))
    assert np.any(gradients != 0)


def test_attack_sampler_on_float64_net(binary_data):
    X, y = binary_data
    sampler = AttackSampler(
        _net(TemperatureNetClassifier), attack="fgsm", eps=0.1, random_state=0
    )

    X_new, y_new = sampler.fit_resample(X, y)

    assert _parameter_dtypes(sampler.estimator_) == {torch.float64}
    assert X_new.shape[1] == X.shape[1]
    assert X_new.shape[0] == y_new.shape[0] > X.shape[0]

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier
from torch.nn import functional as F

from sklearn_distill import DistillationClassifier
from sklearn_distill._soft_targets import PROBA_FLOOR, soften
from sklearn_distill.neural import (
    DistillationLoss,
    TemperatureNetClassifier,
    TemperatureScaledModule,
)


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


class ScaledLinear(torch.nn.Module):
    """Linear layer whose logits are multiplied by a large constant."""

    def __init__(self, n_features=4, n_outputs=2, scale=1000.0):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        self.scale = scale

    def forward(self, X):
        return self.scale * self.linear(X)


class SoftmaxLinear(torch.nn.Module):
    """Linear layer followed by a softmax, skorch's convention for NLLLoss."""

    def __init__(self, n_features=4, n_classes=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, X):
        return torch.softmax(self.linear(X), dim=-1)


def _frozen_net(net_class, module, X, y, **params):
    net = net_class(module, max_epochs=1, train_split=None, verbose=0, **params)
    return FrozenEstimator(net.fit(X, y))


def _module_output(frozen, X):
    with torch.no_grad():
        return frozen.estimator.module_(torch.tensor(X)).double().numpy()


def _student():
    return NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=1,
        train_split=None,
        verbose=0,
    )


def test_teacher_soft_targets_from_logits(binary_data):
    # Logits of about 1000 make the softmax exactly 0 and 1 in float32, so
    # logs of the probabilities would be floored. The logits keep the scale.
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetClassifier, ScaledLinear, X, y, criterion=torch.nn.CrossEntropyLoss
    )
    model = DistillationClassifier(teacher, _student(), temperature=100.0)

    model.fit(X, y)

    logits = _module_output(teacher, X)
    np.testing.assert_allclose(model.soft_targets_, soften(logits, 100.0), rtol=1e-6)
    proba = teacher.predict_proba(X)
    assert np.any(proba == 0.0)
    floored = np.log(np.clip(proba, PROBA_FLOOR, None))
    assert not np.allclose(model.soft_targets_, soften(floored, 100.0), atol=1e-3)


def test_teacher_scoring_keeps_global_generator(binary_data):
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetClassifier, ScaledLinear, X, y, criterion=torch.nn.CrossEntropyLoss
    )
    model = DistillationClassifier(teacher, DecisionTreeClassifier(random_state=0))
    state = torch.random.get_rng_state()

    # Scoring the training rows is the only use of torch during this fit.
    model.fit(X, y)
    model.compute_soft_targets(X)

    assert torch.equal(torch.random.get_rng_state(), state)


def test_teacher_fitted_inside(binary_data):
    X, y = binary_data
    teacher = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        verbose=0,
    )
    model = DistillationClassifier(teacher, _student(), temperature=3.0)

    model.fit(X, y)

    assert teacher.initialized_ is False
    logits = model.teacher_.forward(X).double().numpy()
    np.testing.assert_allclose(model.soft_targets_, soften(logits, 3.0), rtol=1e-6)
    np.testing.assert_allclose(model.compute_soft_targets(X), model.soft_targets_)


def test_teacher_probability_module(binary_data):
    # An NLLLoss net returns only probabilities, so their floored logs are
    # the best log-scores available.
    X, y = binary_data
    teacher = _frozen_net(NeuralNetClassifier, SoftmaxLinear, X, y)
    model = DistillationClassifier(teacher, _student(), temperature=2.0)

    model.fit(X, y)

    proba = _module_output(teacher, X)
    expected = soften(np.log(np.clip(proba, PROBA_FLOOR, None)), 2.0)
    np.testing.assert_allclose(model.soft_targets_, expected, rtol=1e-5)


def test_binary_teacher_single_logit(binary_data):
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetBinaryClassifier, torch.nn.Linear(4, 1), X, y.astype("float32")
    )
    model = DistillationClassifier(teacher, _student(), temperature=4.0)

    model.fit(X, np.array(["neg", "pos"])[y])

    decision = _module_output(teacher, X).reshape(-1)
    expected = 1.0 / (1.0 + np.exp(-decision / 4.0))
    np.testing.assert_allclose(model.soft_targets_[:, 1], expected, rtol=1e-6)
    np.testing.assert_array_equal(model.classes_, ["neg", "pos"])


def test_teacher_columns_follow_labels(binary_data):
    # A net fitted on class positions scores column j for the j-th label.
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetClassifier,
        torch.nn.Linear(4, 2),
        X,
        y,
        criterion=torch.nn.CrossEntropyLoss,
    )
    model = DistillationClassifier(teacher, _student())

    model.fit(X, np.array([3, 7])[y])

    logits = _module_output(teacher, X)
    np.testing.assert_allclose(model.soft_targets_, soften(logits, 1.0), rtol=1e-6)


def test_teacher_predict_proba_method(binary_data):
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetClassifier, ScaledLinear, X, y, criterion=torch.nn.CrossEntropyLoss
    )
    model = DistillationClassifier(
        teacher, _student(), temperature=100.0, response_method="predict_proba"
    )

    model.fit(X, y)

    floored = np.log(np.clip(teacher.predict_proba(X), PROBA_FLOOR, None))
    np.testing.assert_allclose(model.soft_targets_, soften(floored, 100.0), rtol=1e-5)


def test_teacher_rejects_unknown_criterion(binary_data):
    X, y = binary_data
    teacher = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.MultiMarginLoss,
        max_epochs=1,
        train_split=None,
        verbose=0,
    )
    model = DistillationClassifier(teacher, _student())

    msg = (
        "The skorch net NeuralNetClassifier uses the criterion MultiMarginLoss, "
        "which does not tell what its module returns, so it cannot be distilled. "
        "Use CrossEntropyLoss (module returns logits), NLLLoss (module returns "
        "probabilities) or DistillationLoss."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_teacher_rejects_column_mismatch(binary_data):
    X, y = binary_data
    teacher = _frozen_net(
        NeuralNetClassifier,
        torch.nn.Linear(4, 3),
        X,
        y,
        criterion=torch.nn.CrossEntropyLoss,
    )
    model = DistillationClassifier(teacher, _student())

    msg = (
        "The skorch teacher's module returns 3 columns, but the teacher knows 2 "
        "classes. Give the module one output per class."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_temperature_net_trains_at_temperature(binary_data):
    X, y = binary_data
    net = TemperatureNetClassifier(
        torch.nn.Linear(4, 2), temperature=20.0, max_epochs=1, verbose=0
    ).fit(X, y)
    logits = torch.randn(5, 2)
    labels = torch.tensor([0, 1, 1, 0, 1])

    loss = net.get_loss(logits, labels)

    expected = F.cross_entropy(logits / 20.0, labels)
    assert loss.item() == pytest.approx(expected.item())
    assert net.training_temperature_ == 20.0


@pytest.mark.parametrize(
    "criterion_params",
    [
        {"criterion": torch.nn.CrossEntropyLoss},
        {"criterion": DistillationLoss, "criterion__alpha": 0.0},
    ],
    ids=["cross_entropy", "distillation"],
)
def test_temperature_net_predicts_at_one(binary_data, criterion_params):
    X, y = binary_data
    net = TemperatureNetClassifier(
        torch.nn.Linear(4, 2),
        temperature=20.0,
        max_epochs=1,
        verbose=0,
        **criterion_params,
    )

    net.fit(X, y)

    with torch.no_grad():
        logits = net.module_(torch.tensor(X))
    expected = torch.softmax(logits, dim=1).numpy()
    np.testing.assert_allclose(net.predict_proba(X), expected, rtol=1e-6)


def test_temperature_net_records_latest_temperature(binary_data):
    X, y = binary_data
    net = TemperatureNetClassifier(
        torch.nn.Linear(4, 2), temperature=20.0, max_epochs=1, verbose=0
    ).fit(X, y)

    net.set_params(temperature=5.0)
    net.partial_fit(X, y)

    assert net.training_temperature_ == 5.0
    logits = torch.randn(3, 2)
    labels = torch.tensor([0, 1, 0])
    expected = F.cross_entropy(logits / 5.0, labels)
    assert net.get_loss(logits, labels).item() == pytest.approx(expected.item())


@pytest.mark.parametrize("temperature", [0, -2.0, "high"])
def test_temperature_net_rejects_temperature(binary_data, temperature):
    X, y = binary_data
    net = TemperatureNetClassifier(
        torch.nn.Linear(4, 2), temperature=temperature, max_epochs=1, verbose=0
    )

    msg = (
        "The 'temperature' parameter of TemperatureNetClassifier must be a float "
        f"in the range (0.0, inf). Got {temperature!r} instead."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)


def test_temperature_net_rejects_probability_criterion(binary_data):
    X, y = binary_data
    net = TemperatureNetClassifier(
        SoftmaxLinear, criterion=torch.nn.NLLLoss, temperature=5.0, verbose=0
    )

    msg = (
        "TemperatureNetClassifier divides the module's logits by the temperature, "
        "so its criterion must take logits, but it is NLLLoss. Use "
        "torch.nn.CrossEntropyLoss or DistillationLoss(input_type='logits')."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)


def test_defensive_distillation(binary_data):
    X, y = binary_data
    temperature = 20.0
    teacher = TemperatureNetClassifier(
        torch.nn.Linear(4, 2),
        temperature=temperature,
        max_epochs=20,
        lr=0.5,
        train_split=None,
        verbose=0,
    )
    model = DistillationClassifier(
        teacher, _student(), temperature=temperature, alpha=1.0
    )

    model.fit(X, y)

    assert model.teacher_.training_temperature_ == temperature
    assert model.student_.training_temperature_ == temperature
    # The soft labels are the teacher's softmax at the training temperature.
    teacher_logits = model.teacher_.forward(X).double().numpy()
    np.testing.assert_allclose(
        model.soft_targets_, soften(teacher_logits / temperature, 1.0), rtol=1e-6
    )
    # The student is deployed at temperature 1.
    with torch.no_grad():
        student_logits = model.student_.module_(torch.tensor(X)).double()
    np.testing.assert_allclose(
        model.predict_proba(X), torch.softmax(student_logits, 1).numpy(), rtol=1e-6
    )


def test_scaled_module_divides_logits():
    linear = torch.nn.Linear(3, 2)
    scaled = TemperatureScaledModule(linear, temperature=8.0)
    X = torch.rand(4, 3)

    output = scaled(X)

    torch.testing.assert_close(output, linear(X) / 8.0)
    assert scaled.module is linear
    assert list(scaled.parameters()) == list(linear.parameters())


def test_scaled_module_restores_gradients():
    # Saturated logits give a softmax cross-entropy gradient of exactly 0 in
    # float32, while the logits divided by the temperature still give one.
    linear = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[200.0, 0.0], [-200.0, 0.0]]))
    X = torch.tensor([[1.0, 0.5]], requires_grad=True)
    y = torch.tensor([0])

    (plain,) = torch.autograd.grad(F.cross_entropy(linear(X), y), X)
    scaled_module = TemperatureScaledModule(linear, temperature=100.0)
    (scaled,) = torch.autograd.grad(F.cross_entropy(scaled_module(X), y), X)

    assert plain.abs().max().item() == 0.0
    assert scaled.abs().max().item() > 0.0


@pytest.mark.parametrize("temperature", [0.0, -1, float("inf"), True])
def test_scaled_module_rejects_temperature(temperature):
    msg = (
        "The 'temperature' parameter of TemperatureScaledModule must be a float "
        f"in the range (0.0, inf). Got {temperature!r} instead."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        TemperatureScaledModule(torch.nn.Linear(2, 2), temperature)


@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize(
    "net_class, criterion, n_outputs",
    [
        (NeuralNetClassifier, torch.nn.CrossEntropyLoss, 2),
        (NeuralNetBinaryClassifier, torch.nn.BCEWithLogitsLoss, 1),
    ],
)
def test_teacher_fitted_on_frame_and_labels(
    binary_data, cv, net_class, criterion, n_outputs
):
    X, y = binary_data
    frame = pd.DataFrame(X.astype(np.float64), columns=list("abcd"))
    labels = np.where(y == 1, "pos", "neg")
    module = torch.nn.Linear(4, n_outputs)
    if n_outputs == 1:
        module = torch.nn.Sequential(module, torch.nn.Flatten(0))
    teacher = net_class(
        module, criterion=criterion, max_epochs=2, train_split=None, verbose=0
    )
    model = DistillationClassifier(
        teacher,
        DecisionTreeClassifier(max_depth=2, random_state=0),
        temperature=2.0,
        cv=cv,
        random_state=0,
    ).fit(frame, labels)

    assert model.classes_.tolist() == ["neg", "pos"]
    assert set(model.predict(frame)) <= {"neg", "pos"}
    assert np.all(np.isfinite(model.soft_targets_))
    np.testing.assert_allclose(model.soft_targets_.sum(axis=1), 1.0)

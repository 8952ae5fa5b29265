import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier
from skorch.callbacks import Callback, EpochScoring
from skorch.utils import to_numpy

from sklearn_distill import DistillationClassifier
from sklearn_distill._compat import InvalidParameterError
from sklearn_distill.neural import (
    AdversarialNetClassifier,
    DistillationLoss,
    TemperatureNetClassifier,
    distillation_targets,
)

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


class MLP(torch.nn.Module):
    """One hidden layer returning logits, with a tunable width."""

    def __init__(self, n_features=4, hidden_units=8, n_classes=2):
        super().__init__()
        self.hidden = torch.nn.Linear(n_features, hidden_units)
        self.output = torch.nn.Linear(hidden_units, n_classes)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(X)))


class SoftmaxLinear(torch.nn.Module):
    """Linear layer followed by a softmax, skorch's convention for NLLLoss."""

    def __init__(self, n_features=4, n_classes=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, X):
        return torch.softmax(self.linear(X), dim=-1)


class InputRecorder(torch.nn.Module):
    """Linear layer that stores every input it receives in training mode."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)
        self.training_inputs = []

    def forward(self, X):
        if self.training:
            self.training_inputs.append(X.detach().clone())
        return self.linear(X)


def _student(**params):
    defaults = {
        "criterion": torch.nn.CrossEntropyLoss,
        "max_epochs": 2,
        "verbose": 0,
    }
    return NeuralNetClassifier(MLP, **{**defaults, **params})


def _check_proba(proba, n_samples, n_classes):
    assert proba.shape == (n_samples, n_classes)
    assert proba.min() >= 0.0
    assert proba.max() <= 1.0
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("temperature", [0.05, 1.0, 20.0])
def test_tree_teacher_gives_finite_training(binary_data, temperature):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0),
        NeuralNetClassifier(
            torch.nn.Linear(4, 2), criterion=torch.nn.CrossEntropyLoss, verbose=0
        ),
        temperature=temperature,
        alpha=0.5,
    )

    model.fit(X, y)

    train_loss = np.asarray(model.student_.history[:, "train_loss"])
    assert train_loss.shape == (10,)
    assert np.all(np.isfinite(train_loss))
    for parameter in model.student_.module_.parameters():
        assert torch.all(torch.isfinite(parameter))
    criterion = model.student_.criterion_
    assert isinstance(criterion, DistillationLoss)
    assert criterion.alpha == 0.5
    assert criterion.temperature == temperature
    assert model.student_.training_temperature_ == temperature


def test_default_validation_split_stratifies_labels(binary_data):
    X, y = binary_data
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), _student())

    model.fit(X, y)

    valid_acc = model.student_.history[:, "valid_acc"]
    assert len(valid_acc) == 2
    assert all(0.0 <= score <= 1.0 for score in valid_acc)
    np.testing.assert_array_equal(model.classes_, [0, 1])
    np.testing.assert_array_equal(model.student_.classes_, [0, 1])
    assert set(model.predict(X)) <= {0, 1}


def test_scoring_callbacks_read_labels(binary_data):
    X, y = binary_data
    train_acc = EpochScoring("accuracy", on_train=True, name="train_acc")
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(callbacks=[train_acc])
    )

    model.fit(X, y)

    assert 0.0 <= model.student_.history[-1, "train_acc"] <= 1.0


def test_labels_reach_criterion(binary_data):
    # With alpha=0 the distillation loss is the cross-entropy on the labels,
    # so the student trains exactly as the net alone does on the same seed.
    X, y = binary_data
    params = {"lr": 0.1, "max_epochs": 3}

    torch.manual_seed(3)
    alone = _student(**params).fit(X, y)
    torch.manual_seed(3)
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(**params), alpha=0.0
    ).fit(X, y)

    for distilled, plain in zip(
        model.student_.module_.parameters(), alone.module_.parameters(), strict=True
    ):
        np.testing.assert_allclose(
            distilled.detach().numpy(), plain.detach().numpy(), rtol=1e-5
        )


@pytest.mark.parametrize("alpha, same_weights", [(1.0, True), (0.5, False)])
def test_soft_targets_reach_criterion(binary_data, alpha, same_weights):
    # A frozen teacher gives the same soft targets whatever y is, so with
    # alpha=1 flipping the labels must not change the student at all.
    X, y = binary_data
    teacher = FrozenEstimator(RandomForestClassifier(10, random_state=0).fit(X, y))
    weights = []
    for labels in (y, 1 - y):
        torch.manual_seed(5)
        model = DistillationClassifier(
            teacher, _student(train_split=None), temperature=2.0, alpha=alpha
        ).fit(X, labels)
        weights.append(model.student_.module_.output.weight.detach().numpy())

    assert np.array_equal(weights[0], weights[1]) == same_weights


def test_float_labels_for_classifier_student(binary_data):
    X, y = binary_data
    y_float = y.astype(np.float64)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), _student())

    model.fit(X, y_float)

    predictions = model.predict(X)
    assert predictions.dtype == np.float64
    assert set(predictions) <= {0.0, 1.0}
    np.testing.assert_array_equal(model.classes_, [0.0, 1.0])


def test_int_labels_for_binary_student(binary_data):
    X, y = binary_data
    student = NeuralNetBinaryClassifier(torch.nn.Linear(4, 1), max_epochs=2, verbose=0)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    model.fit(X, y)

    predictions = model.predict(X)
    assert predictions.dtype == y.dtype
    assert set(predictions) <= {0, 1}
    _check_proba(model.predict_proba(X), 60, 2)
    assert model.student_.criterion_.input_type == "binary_logit"


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["neg", "pos"]),
        np.array([1, 2]),
        np.array([-1.0, 1.0]),
    ],
)
def test_binary_student_keeps_labels(binary_data, labels):
    X, y = binary_data
    y_labels = labels[y]
    student = NeuralNetBinaryClassifier(torch.nn.Linear(4, 1), max_epochs=2, verbose=0)
    model = DistillationClassifier(RandomForestClassifier(10, random_state=0), student)

    model.fit(X, y_labels)

    np.testing.assert_array_equal(model.classes_, labels)
    assert set(model.predict(X)) <= set(labels)
    assert model.predict(X).dtype == y_labels.dtype


def test_string_labels_three_classes():
    rng = np.random.RandomState(0)
    X = rng.rand(90, 4).astype("float32")
    names = np.array(["owl", "cat", "dog"])
    y = names[X[:, :3].argmax(axis=1)]
    student = _student(module__n_classes=3, max_epochs=150, lr=0.5, train_split=None)
    model = DistillationClassifier(
        RandomForestClassifier(30, random_state=0), student, alpha=0.5
    )

    model.fit(X, y)

    np.testing.assert_array_equal(model.classes_, ["cat", "dog", "owl"])
    predictions = model.predict(X)
    assert set(predictions) <= {"cat", "dog", "owl"}
    assert np.mean(predictions == y) > 0.8
    proba = model.predict_proba(X)
    _check_proba(proba, 90, 3)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predictions)


def test_non_contiguous_labels(binary_data):
    X, _ = binary_data
    y = np.array([2, 5, 9] * 20)
    model = DistillationClassifier(
        RandomForestClassifier(10, random_state=0),
        _student(module__n_classes=3, train_split=None),
    )

    model.fit(X, y)

    np.testing.assert_array_equal(model.classes_, [2, 5, 9])
    assert set(model.predict(X)) <= {2, 5, 9}
    _check_proba(model.predict_proba(X), 60, 3)


def test_dataframe_input(binary_data):
    X, y = binary_data
    X_frame = pd.DataFrame(X.astype(np.float64), columns=list("abcd"))
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), _student())

    model.fit(X_frame, pd.Series(y, name="target"))

    np.testing.assert_array_equal(model.feature_names_in_, list("abcd"))
    assert model.predict(X_frame).shape == (60,)
    _check_proba(model.predict_proba(X_frame), 60, 2)


def test_float64_array_input(binary_data):
    X, y = binary_data
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), _student())

    model.fit(X.astype(np.float64), y)

    assert model.predict(X.astype(np.float64)).shape == (60,)


@pytest.mark.parametrize(
    "student",
    [
        # skorch's default criterion, NLLLoss, takes a module ending in softmax.
        NeuralNetClassifier(SoftmaxLinear, max_epochs=1, verbose=0),
        NeuralNetClassifier(
            torch.nn.Linear(4, 2),
            criterion=torch.nn.CrossEntropyLoss,
            max_epochs=1,
            verbose=0,
        ),
        NeuralNetClassifier(
            SoftmaxLinear,
            criterion=torch.nn.NLLLoss,
            max_epochs=1,
            verbose=0,
        ),
        NeuralNetClassifier(
            torch.nn.Linear(4, 2),
            criterion=DistillationLoss,
            max_epochs=1,
            verbose=0,
        ),
        NeuralNetBinaryClassifier(torch.nn.Linear(4, 1), max_epochs=1, verbose=0),
    ],
    ids=["default", "cross_entropy", "nll", "distillation", "binary"],
)
def test_predict_proba_whatever_criterion(binary_data, student):
    X, y = binary_data
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    model.fit(X, y)

    proba = model.predict_proba(X)
    _check_proba(proba, 60, 2)
    predictions = model.predict(X)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predictions)
    log_proba = model.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(log_proba), proba)


def test_probability_module_student_proba(binary_data):
    # A module that returns probabilities keeps them: the student's
    # predict_proba equals its module's output.
    X, y = binary_data
    student = NeuralNetClassifier(SoftmaxLinear, max_epochs=2, verbose=0)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    model.fit(X, y)

    with torch.no_grad():
        module_proba = model.student_.module_(torch.tensor(X)).numpy()
    np.testing.assert_allclose(model.predict_proba(X), module_proba, rtol=1e-5)
    assert model.student_.criterion_.input_type == "proba"


def test_student_deployed_at_temperature_one(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(), temperature=20.0
    )

    model.fit(X, y)

    with torch.no_grad():
        logits = model.student_.module_(torch.tensor(X)).double()
    expected = torch.softmax(logits, dim=1).numpy()
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_allclose(model.student_.predict_proba(X), expected, rtol=1e-5)


def test_adversarial_student(binary_data):
    X, y = binary_data
    student = AdversarialNetClassifier(
        InputRecorder,
        eps=0.2,
        max_iter=2,
        clip_values=(0.0, 1.0),
        max_epochs=1,
        batch_size=60,
        train_split=None,
        verbose=0,
    )
    model = DistillationClassifier(
        RandomForestClassifier(10, random_state=0), student, temperature=4.0
    )

    model.fit(X, y)

    (seen,) = model.student_.module_.training_inputs
    assert np.abs(seen.numpy() - X).max() > 0.1
    assert np.abs(seen.numpy() - X).max() <= 0.2 + 1e-6
    _check_proba(model.predict_proba(X), 60, 2)


@pytest.mark.parametrize("device", DEVICES)
def test_student_device_passthrough(binary_data, device):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(device=device)
    )

    model.fit(X, y)

    assert model.student_.device == device
    assert next(model.student_.module_.parameters()).device.type == device
    _check_proba(model.predict_proba(X), 60, 2)


def test_grid_search_over_net_parameters(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        _student(train_split=None),
    )
    grid = {
        "temperature": [1.0, 4.0],
        "alpha": [0.5, 1.0],
        "student__lr": [0.05, 0.2],
        "student__module__hidden_units": [3, 6],
    }

    search = GridSearchCV(model, grid, cv=StratifiedKFold(2)).fit(X, y)

    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (16,)
    assert np.all(np.isfinite(scores))
    best = search.best_estimator_
    hidden = best.student_.module_.hidden.out_features
    assert hidden == search.best_params_["student__module__hidden_units"]
    assert best.student_.lr == search.best_params_["student__lr"]
    assert best.student_.criterion_.temperature == search.best_params_["temperature"]
    # The searched template is never fitted; each candidate got a fresh net.
    assert not hasattr(model.student, "module_")


def test_grid_search_over_student_seed(binary_data):
    X, y = binary_data
    student = AdversarialNetClassifier(
        max_iter=1, max_epochs=1, train_split=None, verbose=0
    )
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)
    # ParameterGrid passes the values of np.arange as np.int64.
    grid = {"student__random_state": np.arange(2)}

    search = GridSearchCV(model, grid, cv=StratifiedKFold(2)).fit(X, y)

    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.student_.random_state in (0, 1)


def test_student_rejects_bool_random_state(binary_data):
    X, y = binary_data
    student = AdversarialNetClassifier(
        random_state=True, max_iter=1, max_epochs=1, train_split=None, verbose=0
    )
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    msg = (
        "The 'random_state' parameter of AdversarialNetClassifier must be an "
        "int in the range [0, 9223372036854775807] or None. Got True instead."
    )
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_refit_reinitialises_net(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(train_split=None)
    )

    first = model.fit(X, y).student_
    model.set_params(student__module__hidden_units=5)
    second = model.fit(X, y).student_

    assert first is not second
    assert second.module_.hidden.out_features == 5
    assert len(second.history) == 2


class TargetRecorder(Callback):
    """Store the packed targets of every training batch."""

    def initialize(self):
        self.targets_ = []
        return self

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            self.targets_.append(to_numpy(batch[1]))


def _full_batch_model(student_class=NeuralNetClassifier, n_outputs=2, **params):
    """Distil a tree into a net trained by plain SGD on one batch per epoch."""
    criterion = (
        torch.nn.BCEWithLogitsLoss
        if student_class is NeuralNetBinaryClassifier
        else torch.nn.CrossEntropyLoss
    )
    student = student_class(
        MLP,
        module__n_classes=n_outputs,
        criterion=criterion,
        batch_size=-1,
        train_split=None,
        max_epochs=5,
        lr=0.5,
        verbose=0,
    )
    distillation_params = {"alpha": 0.5, "temperature": 2.0, "random_state": 0}
    return DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        student,
        **{**distillation_params, **params},
    )


def _assert_same_module(trained, expected):
    for got, want in zip(
        trained.module_.parameters(), expected.module_.parameters(), strict=True
    ):
        np.testing.assert_allclose(
            got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-7
        )


@pytest.mark.parametrize(
    "student_class, n_outputs",
    [(NeuralNetClassifier, 2), (NeuralNetBinaryClassifier, 1)],
)
@pytest.mark.parametrize(
    "weight",
    [
        np.r_[np.full(10, 2), np.zeros(10), np.ones(40)],
        np.r_[np.full(5, 3), np.ones(55)],
    ],
    ids=["doubled-and-removed", "tripled"],
)
def test_sample_weight_equals_repeated_rows(
    binary_data, student_class, n_outputs, weight
):
    # One full batch per epoch makes plain SGD deterministic, so weighted
    # rows train the student as the rows repeated by their weights do, and
    # the tree teacher is the same either way.
    X, y = binary_data
    model = _full_batch_model(student_class, n_outputs)
    repeats = weight.astype(int)

    weighted = clone(model).fit(X, y, sample_weight=weight)
    repeated = clone(model).fit(X.repeat(repeats, axis=0), y.repeat(repeats))
    unweighted = clone(model).fit(X, y)

    _assert_same_module(weighted.student_, repeated.student_)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5
    )
    proba_change = weighted.predict_proba(X) - unweighted.predict_proba(X)
    assert np.abs(proba_change).max() > 1e-3


def test_zero_weight_batch_trains_finite(binary_data):
    # Without shuffling, the first batch contains the ten rows of weight 0.
    X, y = binary_data
    weight = np.r_[np.zeros(10), np.ones(50)]
    student = _student(batch_size=10, train_split=None)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    model.fit(X, y, sample_weight=weight)

    first_epoch = model.student_.history[0, "batches"]
    assert first_epoch[0]["train_loss"] == 0.0
    assert all(np.isfinite(batch["train_loss"]) for batch in first_epoch)
    assert first_epoch[1]["train_loss"] > 0.0
    for parameter in model.student_.module_.parameters():
        assert torch.all(torch.isfinite(parameter))


def test_weights_scaled_to_unit_mean(binary_data):
    X, y = binary_data
    recorder = TargetRecorder()
    student = _student(batch_size=-1, train_split=None, callbacks=[recorder])
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)
    weight = np.r_[np.full(30, 4.0), np.full(30, 1e300)]

    model.fit(X, y, sample_weight=weight)

    # Weights beyond the float32 range of the packed targets become finite.
    targets = dict(model.student_.callbacks_)["TargetRecorder"].targets_[0]
    assert targets.shape == (60, 4)
    assert np.all(np.isfinite(targets[:, 2]))
    assert targets[:, 2].mean() == pytest.approx(1.0)
    np.testing.assert_allclose(targets[30:, 2], 2.0)
    np.testing.assert_array_equal(targets[:, 3], y)


def test_class_weight_weighs_rows_by_label(binary_data):
    # With alpha=0 each row's target is its label, so class_weight weighs a
    # row as sample_weight set to its label's class weight does.
    X, y = binary_data
    model = _full_batch_model(alpha=0.0)

    by_class = clone(model).set_params(class_weight={0: 3.0, 1: 1.0}).fit(X, y)
    by_row = clone(model).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    unweighted = clone(model).fit(X, y)

    _assert_same_module(by_class.student_, by_row.student_)
    proba_change = by_class.predict_proba(X) - unweighted.predict_proba(X)
    assert np.abs(proba_change).max() > 1e-3


def _adversarial_student(**params):
    defaults = {
        "criterion": torch.nn.CrossEntropyLoss,
        "attack": "fgsm",
        "eps": 0.1,
        "clip_values": (0.0, 1.0),
        "batch_size": -1,
        "train_split": None,
        "max_epochs": 3,
        "lr": 0.5,
        "verbose": 0,
    }
    return AdversarialNetClassifier(MLP, **{**defaults, **params})


def test_adversarial_student_weights_equal_repeated_rows(binary_data):
    # FGSM draws no random numbers, and a weight scales a row's loss without
    # changing the sign of its input gradient, so each row is attacked alike.
    X, y = binary_data
    weight = np.r_[np.full(10, 2), np.zeros(10, dtype=int), np.ones(40, dtype=int)]
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        _adversarial_student(),
        alpha=0.5,
        temperature=2.0,
        random_state=0,
    )

    weighted = clone(model).fit(X, y, sample_weight=weight)
    repeated = clone(model).fit(X.repeat(weight, axis=0), y.repeat(weight))
    unweighted = clone(model).fit(X, y)

    _assert_same_module(weighted.student_, repeated.student_)
    proba_change = weighted.predict_proba(X) - unweighted.predict_proba(X)
    assert np.abs(proba_change).max() > 1e-3


@pytest.mark.parametrize("attack", ["fgsm", "pgd"])
def test_positive_weights_keep_attack_per_row(binary_data, attack):
    X, y = binary_data
    net = _adversarial_student(
        criterion=DistillationLoss, attack=attack, max_iter=3, random_start=False
    ).initialize()
    teacher = np.column_stack([-4 * X[:, 0], 4 * X[:, 0]])
    weight = np.random.RandomState(0).uniform(0.01, 10.0, size=60)

    perturbed = [
        net.generate_adversarial(torch.tensor(X), torch.tensor(targets))
        for targets in (
            distillation_targets(teacher, y),
            distillation_targets(teacher, y, sample_weight=weight),
        )
    ]

    assert np.abs(perturbed[0].numpy() - X).max() > 0.05
    np.testing.assert_array_equal(perturbed[1].numpy(), perturbed[0].numpy())


@pytest.mark.parametrize("transfer_labels", ["source", "teacher"])
def test_attack_rows_inherit_source_weight(transfer_labels):
    from sklearn_distill.adversarial import AttackSampler

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.array([0] * 54 + [1] * 6)
    weight = np.where(y == 1, 5.0, 1.0)
    sampler = AttackSampler(n_samples=30, eps=0.05, random_state=0)
    recorder = TargetRecorder()
    student = _student(
        module__n_features=3,
        batch_size=-1,
        train_split=None,
        max_epochs=1,
        callbacks=[recorder],
    )
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        student,
        transfer_set=sampler,
        transfer_labels=transfer_labels,
        random_state=0,
    )

    model.fit(X, y, sample_weight=weight)

    # Fitted alone, the seeded sampler draws the same sources as in the fit.
    alone = clone(sampler)
    alone.fit_resample(X, y)
    sources = alone.sample_indices_
    (targets,) = dict(model.student_.callbacks_)["TargetRecorder"].targets_
    assert targets.shape == (90, 4)
    expected = weight[sources]
    np.testing.assert_allclose(targets[:, 2], expected / expected.mean(), rtol=1e-6)
    assert np.unique(y[sources[60:]]).tolist() == [0, 1]


def test_student_rejects_foreign_criterion_params(binary_data):
    X, y = binary_data
    student = _student(criterion__weight=torch.tensor([1.0, 2.0]))
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    msg = (
        "The skorch student sets ['criterion__weight'], but its criterion is "
        "replaced by DistillationLoss, which does not take these parameters. "
        "Remove them from the student."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_student_rejects_unknown_criterion(binary_data):
    X, y = binary_data
    student = _student(criterion=torch.nn.MSELoss)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    msg = (
        "The skorch net NeuralNetClassifier uses the criterion MSELoss, which "
        "does not tell what its module returns, so it cannot be distilled. Use "
        "CrossEntropyLoss (module returns logits), NLLLoss (module returns "
        "probabilities) or DistillationLoss."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_binary_student_rejects_bce_on_probabilities(binary_data):
    X, y = binary_data
    student = NeuralNetBinaryClassifier(
        torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Sigmoid()),
        criterion=torch.nn.BCELoss,
        verbose=0,
    )
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    msg = (
        "The skorch student NeuralNetBinaryClassifier uses BCELoss, so its module "
        "returns probabilities, which DistillationLoss cannot take for a single "
        "output. Return the logit and use BCEWithLogitsLoss."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_binary_student_rejects_three_classes(binary_data):
    X, _ = binary_data
    y = np.array([0, 1, 2] * 20)
    student = NeuralNetBinaryClassifier(torch.nn.Linear(4, 1), verbose=0)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    msg = (
        "The student NeuralNetBinaryClassifier predicts two classes, but y has 3 "
        "classes. Use a NeuralNetClassifier with one output per class."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_student_rejects_wrong_output_width(binary_data):
    X, _ = binary_data
    y = np.array([0, 1, 2] * 20)
    student = _student(train_split=None)
    model = DistillationClassifier(DecisionTreeClassifier(random_state=0), student)

    # Checked before training: the criterion would read the targets of three
    # classes as the weighted targets of two.
    msg = (
        "The skorch student's module returns 2 columns, but y has 3 classes. "
        "Give the module one output per class, or one output for a "
        "NeuralNetBinaryClassifier."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)
    assert not hasattr(model, "student_")


def test_student_rejects_own_temperature(binary_data):
    X, y = binary_data
    student = TemperatureNetClassifier(MLP, temperature=20.0, verbose=0)
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), student, temperature=20.0
    )

    msg = (
        "The student TemperatureNetClassifier has temperature=20.0, but "
        "DistillationClassifier already divides the student's logits by its own "
        "temperature (20.0) in the soft term, so they would be divided twice. "
        "Set the student's temperature to 1 and DistillationClassifier's "
        "temperature to the training temperature."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        model.fit(X, y)


def test_fitted_model_pickles(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0), _student(), temperature=3.0
    ).fit(X, y)

    restored = pickle.loads(pickle.dumps(model))

    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored.student_.training_temperature_ == 3.0

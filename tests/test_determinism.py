"""Reproducibility for any n_jobs, and inputs that fitting never modifies."""

import copy

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import (
    ExtraTreesClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetClassifier

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import AttackSampler
from sklearn_distill.cleaning import LabelNoiseCleaner, OutlierFilter
from sklearn_distill.metrics import robustness_report
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)
from sklearn_distill.transfer import (
    GaussianNoiseSampler,
    InterpolationSampler,
    LinfCornerSampler,
    MungeSampler,
)


class TwoLayerNet(torch.nn.Module):
    """A module passed as a class, so skorch initialises its weights randomly."""

    def __init__(self, n_features=4, hidden_units=8, n_classes=2):
        super().__init__()
        self.hidden = torch.nn.Linear(n_features, hidden_units)
        self.output = torch.nn.Linear(hidden_units, n_classes)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(X)))


def _net(**params):
    defaults = {
        "criterion": torch.nn.CrossEntropyLoss,
        "max_epochs": 2,
        "train_split": None,
        "verbose": 0,
    }
    return NeuralNetClassifier(TwoLayerNet, **{**defaults, **params})


# Every component below draws random numbers and none sets its own seed, so
# only DistillationClassifier's random_state can make two fits agree.
RANDOM_CONFIGURATIONS = {
    "forest-tree": lambda: DistillationClassifier(
        RandomForestClassifier(10, max_depth=3),
        DecisionTreeClassifier(max_depth=3, max_features=2),
    ),
    "extra-trees-forest": lambda: DistillationClassifier(
        ExtraTreesClassifier(10, max_depth=3), RandomForestClassifier(5, max_depth=3)
    ),
    "forest-regressor": lambda: DistillationClassifier(
        RandomForestClassifier(10, max_depth=3), RandomForestRegressor(5, max_depth=3)
    ),
    "out-of-fold": lambda: DistillationClassifier(
        RandomForestClassifier(10, max_depth=3),
        DecisionTreeClassifier(max_depth=3, max_features=2),
        cv=3,
    ),
    "skorch-student": lambda: DistillationClassifier(
        RandomForestClassifier(10, max_depth=3), _net(), temperature=2.0
    ),
    "skorch-teacher": lambda: DistillationClassifier(
        _net(max_epochs=3), DecisionTreeClassifier(max_depth=3, max_features=2)
    ),
}


def _fitted_outputs(make_model, X, y, **params):
    model = make_model().set_params(**params).fit(X, y)
    return model.soft_targets_, model.predict_proba(X), model.predict(X)


@pytest.mark.parametrize("name", list(RANDOM_CONFIGURATIONS))
def test_same_random_state_same_model(binary_data, name):
    X, y = binary_data
    make_model = RANDOM_CONFIGURATIONS[name]

    first = _fitted_outputs(make_model, X, y, random_state=0)
    second = _fitted_outputs(make_model, X, y, random_state=0)
    other_seed = _fitted_outputs(make_model, X, y, random_state=1)

    for expected, found in zip(first, second, strict=True):
        np.testing.assert_array_equal(found, expected)
    # The seed reaches the randomness: another seed changes the model.
    assert not np.array_equal(first[0], other_seed[0]) or not np.array_equal(
        first[1], other_seed[1]
    )


def test_skorch_seeding_restores_torch_generator(binary_data):
    X, y = binary_data
    torch.manual_seed(123)
    expected_state = torch.get_rng_state()
    RANDOM_CONFIGURATIONS["skorch-student"]().set_params(random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), expected_state)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_out_of_fold_targets_same_for_any_n_jobs(binary_data, n_jobs):
    X, y = binary_data
    make_model = RANDOM_CONFIGURATIONS["out-of-fold"]
    serial = _fitted_outputs(make_model, X, y, random_state=0, n_jobs=None)
    parallel = _fitted_outputs(make_model, X, y, random_state=0, n_jobs=n_jobs)
    for expected, found in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(found, expected)


def test_cross_val_predict_same_for_any_n_jobs(binary_data):
    X, y = binary_data
    model = RANDOM_CONFIGURATIONS["forest-tree"]().set_params(random_state=0)
    serial = cross_val_predict(model, X, y, cv=3, method="predict_proba")
    parallel = cross_val_predict(model, X, y, cv=3, method="predict_proba", n_jobs=2)
    np.testing.assert_array_equal(parallel, serial)


NET_PARAMS = {
    "max_epochs": 2,
    "verbose": 0,
    "train_split": None,
    "module__hidden_layer_sizes": (8,),
}

# The package's nets, each made with its own parameters.
PACKAGE_NETS = {
    "adversarial": lambda **params: AdversarialNetClassifier(
        max_iter=2, **NET_PARAMS, **params
    ),
    "adversarial-binary": lambda **params: AdversarialNetBinaryClassifier(
        max_iter=2, **NET_PARAMS, **params
    ),
    "temperature": lambda **params: TemperatureNetClassifier(**NET_PARAMS, **params),
}


def _string_label_data():
    X = np.random.RandomState(0).rand(40, 4)
    y = np.where(X[:, 0] > 0.5, "yes", "no")
    return X, y


@pytest.mark.parametrize("name", list(PACKAGE_NETS))
def test_seeded_net_student_repeats_fit(name):
    X, y = _string_label_data()
    probas = []
    # The student's random_state alone must fix its weights, whatever the
    # state of torch's global generator.
    for global_seed in (1, 2):
        torch.manual_seed(global_seed)
        model = DistillationClassifier(
            LogisticRegression(), PACKAGE_NETS[name](random_state=0)
        )
        probas.append(model.fit(X, y).predict_proba(X))

    np.testing.assert_array_equal(probas[1], probas[0])


@pytest.mark.parametrize("student_name", ["package-net", "plain-skorch-net"])
def test_net_student_same_for_any_n_jobs(student_name):
    X, y = _string_label_data()
    students = {
        "package-net": PACKAGE_NETS["adversarial"](),
        "plain-skorch-net": _net(module__n_features=4),
    }
    probas = []
    for n_jobs in (1, 2):
        # Fold teachers fitted in this process score their rows here, and
        # in other processes with n_jobs=2.
        model = DistillationClassifier(
            PACKAGE_NETS["temperature"](),
            students[student_name],
            cv=3,
            random_state=0,
            n_jobs=n_jobs,
        )
        probas.append(model.fit(X, y).predict_proba(X))

    np.testing.assert_array_equal(probas[1], probas[0])


def test_skorch_fold_teachers_ignore_n_jobs():
    X, y = _string_label_data()
    soft_targets = []
    for n_jobs in (1, 2):
        # The fold teachers have no random_state, so only the generator that
        # DistillationClassifier seeds makes the two fits agree.
        model = DistillationClassifier(
            _net(module__n_features=4),
            DecisionTreeClassifier(max_depth=2, random_state=0),
            cv=3,
            random_state=0,
            n_jobs=n_jobs,
        )
        soft_targets.append(model.fit(X, y).soft_targets_)

    np.testing.assert_array_equal(soft_targets[1], soft_targets[0])


@pytest.mark.parametrize("random_state", [0, 1])
def test_plain_skorch_student_ignores_teacher_draws(random_state):
    X, y = _string_label_data()
    probas = []
    # Each epoch of the teacher draws the order of its rows from torch's
    # global generator. With alpha=0 the student learns the labels alone,
    # so only its seed, drawn from random_state, decides its predictions.
    for teacher_epochs in (1, 3):
        model = DistillationClassifier(
            _net(max_epochs=teacher_epochs),
            _net(),
            alpha=0.0,
            random_state=random_state,
        )
        probas.append(model.fit(X, y).predict_proba(X))

    np.testing.assert_array_equal(probas[1], probas[0])


@pytest.mark.parametrize("student_name", ["package-net", "plain-skorch-net"])
def test_distilled_net_predict_keeps_global_generator(student_name):
    X, y = _string_label_data()
    students = {
        "package-net": PACKAGE_NETS["adversarial"](),
        "plain-skorch-net": _net(),
    }
    model = DistillationClassifier(
        PACKAGE_NETS["temperature"](), students[student_name], random_state=0
    ).fit(X, y)
    torch.manual_seed(1)
    state = torch.random.get_rng_state()

    model.predict_proba(X)
    model.predict(X)
    model.compute_soft_targets(X)

    assert torch.equal(torch.random.get_rng_state(), state)


def _training_inputs(binary_data):
    """Return the training data in each container that fit accepts."""
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    inputs = {
        "float32": (X, y),
        "float64-fortran": (np.asfortranarray(X, dtype=np.float64), y),
        "dataframe-series": (frame, pd.Series(np.where(y == 1, "yes", "no"))),
        "list": (X.tolist(), y.tolist()),
    }
    return inputs


@pytest.mark.parametrize(
    "container", ["float32", "float64-fortran", "dataframe-series", "list"]
)
@pytest.mark.parametrize("name", ["forest-tree", "out-of-fold", "skorch-student"])
def test_fit_and_predict_leave_inputs_unchanged(binary_data, container, name):
    X, y = _training_inputs(binary_data)[container]
    sample_weight = np.linspace(0.5, 1.5, 60)
    if name == "skorch-student":
        sample_weight = None
    model = RANDOM_CONFIGURATIONS[name]().set_params(random_state=0)
    copies = copy.deepcopy((X, y, sample_weight, model))
    input_hash = joblib.hash((X, y, sample_weight))
    params_hash = joblib.hash(model.get_params(deep=True))

    model.fit(X, y, sample_weight=sample_weight)
    model.predict(X)
    model.predict_proba(X)
    model.compute_soft_targets(X)

    assert joblib.hash((X, y, sample_weight)) == input_hash
    assert joblib.hash(model.get_params(deep=True)) == params_hash
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, copies[0])
        pd.testing.assert_series_equal(y, copies[1])
    else:
        np.testing.assert_array_equal(X, copies[0])
        np.testing.assert_array_equal(y, copies[1])
    assert not hasattr(model.teacher, "classes_")
    assert not hasattr(model.student, "classes_")


@pytest.mark.parametrize(
    "teacher",
    [
        RandomForestClassifier(10, max_depth=3, random_state=0),
        _net(max_epochs=1),
    ],
    ids=["forest", "skorch"],
)
def test_frozen_teacher_left_unchanged(binary_data, teacher):
    X, y = binary_data
    torch.manual_seed(0)
    teacher.fit(X, y)
    proba = teacher.predict_proba(X)
    teacher_hash = joblib.hash(teacher)

    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeClassifier(max_depth=3), random_state=0
    ).fit(X, y)
    model.predict_proba(X)

    assert joblib.hash(teacher) == teacher_hash
    np.testing.assert_array_equal(teacher.predict_proba(X), proba)


SAMPLERS = {
    "gaussian-noise": GaussianNoiseSampler,
    "interpolation": InterpolationSampler,
    "munge": MungeSampler,
    "linf-corner": LinfCornerSampler,
    "label-noise": lambda **params: LabelNoiseCleaner(
        threshold=0.6, sampling_strategy="all", cv=3, **params
    ),
    "outlier": lambda **params: OutlierFilter(sampling_strategy="all", **params),
}


def _resample(name, X, y, **params):
    sampler = SAMPLERS[name](**params)
    X_res, y_res = sampler.fit_resample(X, y)
    return X_res, y_res, sampler


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampler_same_random_state_same_rows(binary_data, name):
    X, y = binary_data
    input_hash = joblib.hash((X, y))

    X_first, y_first, _ = _resample(name, X, y, random_state=0)
    X_second, y_second, _ = _resample(name, X, y, random_state=0)

    np.testing.assert_array_equal(X_second, X_first)
    np.testing.assert_array_equal(y_second, y_first)
    assert joblib.hash((X, y)) == input_hash


@pytest.mark.parametrize(
    "name", ["gaussian-noise", "interpolation", "munge", "linf-corner"]
)
def test_sampler_seed_reaches_generated_rows(binary_data, name):
    X, y = binary_data
    X_first, _, _ = _resample(name, X, y, random_state=0)
    X_other, _, _ = _resample(name, X, y, random_state=1)
    assert not np.array_equal(X_first, X_other)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_label_noise_cleaner_same_for_any_n_jobs(binary_data, n_jobs):
    X, y = binary_data
    _, _, serial = _resample("label-noise", X, y, random_state=0)
    _, _, parallel = _resample("label-noise", X, y, random_state=0, n_jobs=n_jobs)
    np.testing.assert_array_equal(
        parallel.out_of_fold_proba_, serial.out_of_fold_proba_
    )
    np.testing.assert_array_equal(parallel.removed_indices_, serial.removed_indices_)


# Each attack set depends on random numbers, at least through the choice of
# source rows, so only random_state can make two runs agree.
ATTACK_SAMPLERS = {
    "exact-tree": lambda **params: AttackSampler(n_samples=20, **params),
    "fgsm-linear": lambda **params: AttackSampler(
        LogisticRegression(), attack="fgsm", n_samples=20, **params
    ),
    "pgd-linear": lambda **params: AttackSampler(
        LogisticRegression(), attack="pgd", n_samples=20, **params
    ),
}


@pytest.mark.parametrize("name", list(ATTACK_SAMPLERS))
def test_attack_set_same_for_same_random_state(binary_data, name):
    X, y = binary_data
    input_hash = joblib.hash((X, y))

    first = ATTACK_SAMPLERS[name](random_state=0)
    X_first, y_first = first.fit_resample(X, y)
    second = ATTACK_SAMPLERS[name](random_state=0)
    X_second, y_second = second.fit_resample(X, y)
    X_other, _ = ATTACK_SAMPLERS[name](random_state=1).fit_resample(X, y)

    np.testing.assert_array_equal(X_second, X_first)
    np.testing.assert_array_equal(y_second, y_first)
    np.testing.assert_array_equal(second.sample_indices_, first.sample_indices_)
    assert not np.array_equal(X_other, X_first)
    assert joblib.hash((X, y)) == input_hash


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_attack_set_same_for_any_n_jobs(binary_data, n_jobs):
    X, y = binary_data
    make_sampler = ATTACK_SAMPLERS["pgd-linear"]
    X_serial, y_serial = make_sampler(random_state=0).fit_resample(X, y)
    X_parallel, y_parallel = make_sampler(random_state=0, n_jobs=n_jobs).fit_resample(
        X, y
    )
    np.testing.assert_array_equal(X_parallel, X_serial)
    np.testing.assert_array_equal(y_parallel, y_serial)


def test_attack_sampler_leaves_estimator_unchanged(binary_data):
    X, y = binary_data
    estimator = LogisticRegression()
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    hashes = joblib.hash((estimator, frozen))
    AttackSampler(estimator, attack="fgsm", random_state=0).fit_resample(X, y)
    AttackSampler(frozen, attack="fgsm", random_state=0).fit_resample(X, y)
    assert joblib.hash((estimator, frozen)) == hashes
    assert not hasattr(estimator, "coef_")


@pytest.mark.parametrize(
    "name, params",
    [
        ("sampler", {"sampler": SMOTE()}),
        ("transfer-set", {"transfer_set": GaussianNoiseSampler()}),
        (
            "attack-transfer-set",
            {"transfer_set": AttackSampler(n_samples=20), "transfer_labels": "source"},
        ),
    ],
)
def test_stages_seeded_by_random_state(binary_data, name, params):
    X, y = binary_data

    def fitted_proba(random_state):
        model = DistillationClassifier(
            RandomForestClassifier(10, max_depth=3),
            DecisionTreeClassifier(max_depth=3, max_features=2),
            random_state=random_state,
            **params,
        )
        return model.fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(fitted_proba(0), fitted_proba(0))


def test_robustness_report_same_for_any_n_jobs(binary_data):
    X, y = binary_data
    estimator = LogisticRegression().fit(X, y)
    estimator_hash = joblib.hash(estimator)
    input_hash = joblib.hash((X, y))

    def report(**params):
        return robustness_report(
            estimator, X[:30], y[:30], attacks=["pgd"], eps=(0.1,), **params
        )

    serial = report(random_state=0)
    pd.testing.assert_frame_equal(report(random_state=0), serial)
    pd.testing.assert_frame_equal(report(random_state=0, n_jobs=2), serial)
    assert joblib.hash(estimator) == estimator_hash
    assert joblib.hash((X, y)) == input_hash

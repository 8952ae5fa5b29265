"""Pickle and skops round trips of every kind of fitted estimator and sampler."""

import pickle

import numpy as np
import pytest
import skops.io as sio
import torch
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from skops.io.exceptions import UntrustedTypesFoundException
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import AttackSampler
from sklearn_distill.cleaning import LabelNoiseCleaner, OutlierFilter
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

# Packages whose types a file written by sklearn-distill may contain.
TRUSTED_PACKAGES = (
    "imblearn.",
    "numpy.",
    "scipy.",
    "sklearn.",
    "sklearn_distill.",
    "skorch.",
    "torch.",
)

# Types outside those packages that skorch nets contain: skorch's PrintLog
# callback writes with print by default, and a skorch student predicts with
# functools.partial(torch.softmax, dim=-1).
SKORCH_BUILTINS = {"builtins.print", "functools.partial"}

# Every type that skops reports as untrusted for the estimators below. A
# new entry means a new kind of object in saved files: review it before
# adding it here.
EXPECTED_UNTRUSTED_TYPES = {
    "builtins.print",
    "functools.partial",
    "imblearn.over_sampling._smote.base.SMOTE",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
    "sklearn_distill._distillation.DistillationClassifier",
    "sklearn_distill.adversarial._sampler.AttackSampler",
    "sklearn_distill.cleaning.LabelNoiseCleaner",
    "sklearn_distill.cleaning.OutlierFilter",
    "sklearn_distill.neural._loss.DistillationLoss",
    "sklearn_distill.neural._loss.hard_labels",
    "sklearn_distill.neural._nets.AdversarialNetBinaryClassifier",
    "sklearn_distill.neural._nets.AdversarialNetClassifier",
    "sklearn_distill.neural._nets.TemperatureNetClassifier",
    "sklearn_distill.transfer.GaussianNoiseSampler",
    "sklearn_distill.transfer.InterpolationSampler",
    "sklearn_distill.transfer.LinfCornerSampler",
    "sklearn_distill.transfer.MungeSampler",
    "skorch.callbacks.logging.EpochTimer",
    "skorch.callbacks.logging.PrintLog",
    "skorch.callbacks.scoring.EpochScoring",
    "skorch.callbacks.scoring.PassthroughScoring",
    "skorch.classifier.NeuralNetBinaryClassifier",
    "skorch.classifier.NeuralNetClassifier",
    "skorch.dataset.Dataset",
    "skorch.dataset.ValidSplit",
    "skorch.history.History",
    "skorch.setter.optimizer_setter",
    "skorch.utils._identity",
    "skorch.utils._indexing_other",
    "skorch.utils._sigmoid_then_2d",
    "skorch.utils.to_numpy",
    "torch.nn.modules.linear.Linear",
    "torch.nn.modules.loss.BCEWithLogitsLoss",
    "torch.nn.modules.loss.CrossEntropyLoss",
    "torch.optim.sgd.SGD",
    "torch.softmax",
    "torch.utils.data.dataloader.DataLoader",
}


def _net(net_class=NeuralNetClassifier, n_outputs=2, **params):
    # The module is given as a class, not an instance: skops cannot save
    # torch tensors held outside skorch's own serialised attributes.
    defaults = {
        "module__in_features": 4,
        "module__out_features": n_outputs,
        "max_epochs": 2,
        "train_split": None,
        "verbose": 0,
    }
    if net_class in (NeuralNetClassifier, TemperatureNetClassifier):
        defaults["criterion"] = torch.nn.CrossEntropyLoss
    return net_class(torch.nn.Linear, **{**defaults, **params})


def _frozen_forest(X, y):
    return FrozenEstimator(RandomForestClassifier(5, random_state=0).fit(X, y))


def _frozen_net(X, y):
    torch.manual_seed(0)
    return FrozenEstimator(_net().fit(X, y))


DISTILLATION_MODELS = {
    "tree-tree": lambda X, y: DistillationClassifier(
        DecisionTreeClassifier(max_depth=3), DecisionTreeClassifier(max_depth=2)
    ),
    "forest-regressor": lambda X, y: DistillationClassifier(
        RandomForestClassifier(5), RandomForestRegressor(5, max_depth=3)
    ),
    "linear-linear": lambda X, y: DistillationClassifier(
        LogisticRegression(), LogisticRegression(), temperature=3.0, alpha=0.5
    ),
    "boosting-pipeline": lambda X, y: DistillationClassifier(
        HistGradientBoostingClassifier(max_iter=5),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ),
    "frozen-forest": lambda X, y: DistillationClassifier(
        _frozen_forest(X, y), DecisionTreeClassifier(max_depth=3)
    ),
    "out-of-fold": lambda X, y: DistillationClassifier(
        RandomForestClassifier(5), DecisionTreeClassifier(max_depth=3), cv=3
    ),
    "sampler-transfer-set": lambda X, y: DistillationClassifier(
        RandomForestClassifier(5),
        DecisionTreeClassifier(max_depth=3),
        sampler=SMOTE(k_neighbors=3),
        transfer_set=GaussianNoiseSampler(),
    ),
    "skorch-student": lambda X, y: DistillationClassifier(
        RandomForestClassifier(5), _net(), temperature=2.0, alpha=0.5
    ),
    "skorch-binary-student": lambda X, y: DistillationClassifier(
        RandomForestClassifier(5), _net(NeuralNetBinaryClassifier, n_outputs=1)
    ),
    "skorch-teacher": lambda X, y: DistillationClassifier(
        _frozen_net(X, y), DecisionTreeClassifier(max_depth=3)
    ),
}

NETS = {
    "adversarial-net": lambda: _net(AdversarialNetClassifier, max_iter=2),
    "adversarial-binary-net": lambda: _net(
        AdversarialNetBinaryClassifier, n_outputs=1, attack="fgsm"
    ),
    "temperature-net": lambda: _net(TemperatureNetClassifier, temperature=5.0),
}

SAMPLERS = {
    "gaussian-noise": GaussianNoiseSampler,
    "interpolation": InterpolationSampler,
    "munge": MungeSampler,
    "linf-corner": LinfCornerSampler,
    "label-noise": lambda random_state: LabelNoiseCleaner(
        estimator=LogisticRegression(), threshold=0.7, random_state=random_state
    ),
    "outlier": lambda random_state: OutlierFilter(random_state=random_state),
    "attack-tree": lambda random_state: AttackSampler(
        n_samples=10, random_state=random_state
    ),
    "attack-linear": lambda random_state: AttackSampler(
        LogisticRegression(), attack="fgsm", n_samples=10, random_state=random_state
    ),
}

ROUND_TRIPS = ["pickle", "skops"]


def _round_trip(estimator, kind):
    if kind == "pickle":
        return pickle.loads(pickle.dumps(estimator))

    dumped = sio.dumps(estimator)
    untrusted = sio.get_untrusted_types(data=dumped)
    _check_trusted_types(untrusted)
    return sio.loads(dumped, trusted=untrusted)


def _check_trusted_types(untrusted):
    unexpected = sorted(set(untrusted) - EXPECTED_UNTRUSTED_TYPES)
    assert unexpected == []
    for name in untrusted:
        assert name.startswith(TRUSTED_PACKAGES) or name in SKORCH_BUILTINS, name


def _predictions(model, X):
    outputs = {"predict": model.predict(X)}
    for method in ("predict_proba", "decision_function", "compute_soft_targets"):
        if hasattr(model, method):
            outputs[method] = getattr(model, method)(X)
    return outputs


def _check_same_predictions(loaded, model, X):
    expected = _predictions(model, X)
    found = _predictions(loaded, X)
    assert sorted(found) == sorted(expected)
    for method, values in expected.items():
        np.testing.assert_array_equal(found[method], values, err_msg=method)
        assert found[method].dtype == values.dtype, method


@pytest.mark.parametrize("kind", ROUND_TRIPS)
@pytest.mark.parametrize("name", list(DISTILLATION_MODELS))
def test_distillation_round_trip(binary_data, name, kind):
    X, y = binary_data
    model = DISTILLATION_MODELS[name](X, y).set_params(random_state=0).fit(X, y)

    loaded = _round_trip(model, kind)

    assert type(loaded) is DistillationClassifier
    assert loaded.get_params().keys() == model.get_params().keys()
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    np.testing.assert_array_equal(loaded.soft_targets_, model.soft_targets_)
    _check_same_predictions(loaded, model, X)


@pytest.mark.parametrize("kind", ROUND_TRIPS)
def test_string_labels_round_trip(binary_data, kind):
    X, y = binary_data
    labels = np.where(y == 1, "pos", "neg")
    model = DISTILLATION_MODELS["tree-tree"](X, labels).fit(X, labels)
    loaded = _round_trip(model, kind)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.predict(X).dtype == labels.dtype


@pytest.mark.parametrize("kind", ROUND_TRIPS)
@pytest.mark.parametrize("name", list(NETS))
def test_net_round_trip(binary_data, name, kind):
    X, y = binary_data
    torch.manual_seed(0)
    net = NETS[name]()
    net.fit(X, y.astype(np.float32) if "binary" in name else y)
    loaded = _round_trip(net, kind)
    _check_same_predictions(loaded, net, X)


@pytest.mark.parametrize("kind", ROUND_TRIPS)
@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampler_round_trip(binary_data, name, kind):
    X, y = binary_data
    sampler = SAMPLERS[name](random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)

    loaded = _round_trip(sampler, kind)

    assert repr(loaded) == repr(sampler)
    fitted = {key: value for key, value in vars(sampler).items() if key.endswith("_")}
    assert fitted
    for key, value in fitted.items():
        if hasattr(value, "predict"):
            # A fitted estimator, such as the model the attack ran against.
            assert repr(getattr(loaded, key)) == repr(value)
            _check_same_predictions(getattr(loaded, key), value, X)
        else:
            np.testing.assert_equal(getattr(loaded, key), value, err_msg=key)
    # The loaded sampler refits to the same rows.
    X_again, y_again = loaded.fit_resample(X, y)
    np.testing.assert_array_equal(X_again, X_res)
    np.testing.assert_array_equal(y_again, y_res)


def test_skops_rejects_untrusted_types_by_default(binary_data):
    X, y = binary_data
    model = DISTILLATION_MODELS["tree-tree"](X, y).fit(X, y)
    dumped = sio.dumps(model)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(dumped)


def test_skops_file_round_trip(binary_data, tmp_path):
    X, y = binary_data
    model = DISTILLATION_MODELS["forest-regressor"](X, y).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    _check_trusted_types(untrusted)
    loaded = sio.load(path, trusted=untrusted)
    _check_same_predictions(loaded, model, X)


def test_skorch_student_weights_round_trip_without_pickle(binary_data, tmp_path):
    # safetensors files hold tensors only, so loading them runs no code.
    X, y = binary_data
    model = DISTILLATION_MODELS["skorch-student"](X, y).set_params(random_state=0)
    model.fit(X, y)
    path = tmp_path / "student.safetensors"
    model.student_.save_params(f_params=path, use_safetensors=True)

    student = _net()
    student.initialize()
    student.load_params(f_params=path, use_safetensors=True)

    np.testing.assert_array_equal(
        student.forward(X).numpy(), model.student_.forward(X).numpy()
    )

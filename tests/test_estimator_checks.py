"""scikit-learn's and imbalanced-learn's estimator checks on every public estimator.

Public estimators are found in ``__all__`` of the package and of each public
module, so a new estimator or sampler is checked as soon as it is exported.
Classes that cannot be built without arguments get their instances from
`CONFIGURATIONS` or, for skorch nets and skorch components, from
`SKORCH_CONFIGURATIONS`. A new class of that kind fails
`test_every_estimator_has_instances` until it is added there.
"""

import importlib
import inspect
import pkgutil
import re

import pytest
import torch
from imblearn.over_sampling import RandomOverSampler
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sampler_checks,
)
from sklearn.base import clone
from sklearn.ensemble import (
    ExtraTreesClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)
from skorch import NeuralNet, NeuralNetClassifier

import sklearn_distill
from sklearn_distill import DistillationClassifier
from sklearn_distill.cleaning import LabelNoiseCleaner
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    MLPModule,
    TemperatureNetClassifier,
)
from sklearn_distill.transfer import GaussianNoiseSampler


def public_modules():
    """Import and return the package and every module without a private part."""
    names = ["sklearn_distill"]
    for module in pkgutil.walk_packages(sklearn_distill.__path__, "sklearn_distill."):
        parts = module.name.split(".")[1:]
        if not any(part.startswith("_") for part in parts):
            names.append(module.name)
    return [importlib.import_module(name) for name in names]


def public_estimator_classes():
    """Return the exported classes that have ``fit`` and ``get_params``."""
    classes = {}
    for module in public_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            is_estimator = hasattr(obj, "fit") and hasattr(obj, "get_params")
            if inspect.isclass(obj) and is_estimator:
                classes[f"{module.__name__}.{name}"] = obj
    return classes


# Bootstrap resampling and random feature subsets make sample weights differ
# from repeated rows, which scikit-learn marks as an expected failure of
# RandomForestClassifier itself; the forest teacher below turns both off so
# that its output depends on the weights alone. Every teacher kind (scores
# from predict_proba or decision_function, fitted out of fold) and every
# student kind (weighted classifier, regressor, pipeline) appears once.
DISTILLATION_CONFIGURATIONS = [
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3), DecisionTreeClassifier(max_depth=3)
    ),
    DistillationClassifier(
        RandomForestClassifier(5, max_depth=3, bootstrap=False, max_features=None),
        ExtraTreesClassifier(5, max_depth=3),
    ),
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3), DecisionTreeRegressor(max_depth=3)
    ),
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3),
        DecisionTreeClassifier(max_depth=3),
        temperature=3.0,
        alpha=0.5,
    ),
    DistillationClassifier(LogisticRegression(), LogisticRegression(), temperature=2.0),
    DistillationClassifier(
        LogisticRegression(), make_pipeline(StandardScaler(), LogisticRegression())
    ),
    DistillationClassifier(LogisticRegression(), LinearRegression()),
    DistillationClassifier(
        LogisticRegression(), LogisticRegression(), class_weight="balanced"
    ),
    # scikit-learn's sample-weight checks give an estimator with a `cv`
    # parameter explicit folds, in which a weighted row and its repeats fall
    # into the same fold.
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3),
        DecisionTreeClassifier(max_depth=3),
        cv=2,
    ),
    # Samplers count rows, not weights, so the oversampled fold teachers
    # differ between weighted and repeated rows. A fully grown teacher fits
    # the check rows exactly either way, as each has a copy in another fold.
    DistillationClassifier(
        DecisionTreeClassifier(),
        DecisionTreeClassifier(max_depth=3),
        sampler=RandomOverSampler(random_state=0),
        transfer_set=GaussianNoiseSampler(random_state=0),
    ),
]

CONFIGURATIONS = {
    DistillationClassifier: DISTILLATION_CONFIGURATIONS,
    # A linear model keeps these checks fast: the default forest fits five
    # forests of 100 trees on each check's data, and tests/test_cleaning.py
    # runs the checks on the default cleaner.
    LabelNoiseCleaner: [LabelNoiseCleaner(estimator=LogisticRegression())],
}


class Float64MLPModule(MLPModule):
    """MLPModule whose weights are float64 unless `dtype` is set."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        n_features=None,
        n_outputs=None,
        random_state=None,
        dtype=torch.float64,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            n_features=n_features,
            n_outputs=n_outputs,
            random_state=random_state,
            dtype=dtype,
        )


def _net(net_class, **params):
    """Build a float64 skorch net on MLPModule, whose initial weights are seeded."""
    # check_classifiers_train needs a training accuracy above 0.83, which
    # ten epochs at lr=0.1 do not reach at temperature 2.
    defaults = {"lr": 0.1, "max_epochs": 20, "train_split": None, "verbose": 0}
    # The nets train in float64: in float32, fits on weighted and on repeated
    # rows round differently, so their probabilities differ by about 2e-7
    # relative, above the rtol of 1e-7 of
    # check_sample_weight_equivalence_on_dense_data. float64 brings this to
    # about 1e-15.
    if net_class is NeuralNetClassifier:
        # skorch's own net has no random_state, but it runs only as a student
        # here, so its module__* parameters are not checked as parameters of
        # its own __init__. skorch lists them in a set in the net's repr, the
        # test id, whose order changes between pytest-xdist workers unless
        # there is one, so the module class sets the dtype.
        defaults.update(
            module=Float64MLPModule,
            criterion=torch.nn.CrossEntropyLoss,
            module__random_state=0,
        )
    else:
        # check_no_attributes_set_in_init rejects the module__* attributes
        # that skorch sets from **kwargs, so the module class sets the dtype.
        defaults.update(module=Float64MLPModule, random_state=0)
    return net_class(**{**defaults, **params})


SKORCH_CONFIGURATIONS = {
    # The plain skorch student gets its module's sizes from
    # DistillationClassifier, but a teacher gets them only from the nets of
    # this package.
    DistillationClassifier: [
        DistillationClassifier(
            DecisionTreeClassifier(max_depth=3), _net(NeuralNetClassifier)
        ),
        DistillationClassifier(
            _net(TemperatureNetClassifier), DecisionTreeClassifier(max_depth=3)
        ),
    ],
    # PGD starts from the rows themselves: random starts are drawn once per
    # row, so a row of weight 2 and the same row repeated twice would be
    # attacked from different points, and the sample-weight checks would
    # compare different fits.
    AdversarialNetClassifier: [
        _net(AdversarialNetClassifier, max_iter=2, random_start=False)
    ],
    AdversarialNetBinaryClassifier: [
        _net(AdversarialNetBinaryClassifier, attack="fgsm")
    ],
    TemperatureNetClassifier: [_net(TemperatureNetClassifier, temperature=2.0)],
}

PUBLIC_ESTIMATORS = public_estimator_classes()


def _is_skorch(estimator):
    return isinstance(estimator, NeuralNet)


def _has_skorch_component(estimator):
    return _is_skorch(estimator) or any(
        _is_skorch(value) for value in estimator.get_params().values()
    )


def _instances(cls):
    """Return the instances of `cls` to check, or [] if it needs arguments."""
    configured = CONFIGURATIONS.get(cls, []) + SKORCH_CONFIGURATIONS.get(cls, [])
    if configured:
        return [clone(estimator) for estimator in configured]
    try:
        estimator = cls()
    except TypeError:
        return []
    # Checks compare repeated fits, which must draw the same random numbers.
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    return [estimator]


def _is_sampler(estimator):
    return hasattr(estimator, "fit_resample")


ALL_INSTANCES = [
    estimator for cls in PUBLIC_ESTIMATORS.values() for estimator in _instances(cls)
]
SCIKIT_LEARN_INSTANCES = [
    estimator for estimator in ALL_INSTANCES if not _has_skorch_component(estimator)
]
SKORCH_INSTANCES = [
    estimator for estimator in ALL_INSTANCES if _has_skorch_component(estimator)
]
SAMPLER_INSTANCES = [estimator for estimator in ALL_INSTANCES if _is_sampler(estimator)]


def listed_parametrize(mark):
    """Rebuild a parametrize mark with its generated cases in a list.

    imbalanced-learn 0.14.2 hands pytest a generator of cases, which pytest
    deprecates with a warning that the test configuration turns into an error.
    """
    return pytest.mark.parametrize(mark.args[0], list(mark.args[1]), **mark.kwargs)


@parametrize_with_checks(
    SCIKIT_LEARN_INSTANCES,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(
    SKORCH_INSTANCES,
)
def test_skorch_estimator_checks(estimator, check):
    check(estimator)


# A column vector y is flattened with a DataConversionWarning, as scikit-learn
# estimators do, and check_samplers_2d_target passes one.
@listed_parametrize(parametrize_with_sampler_checks(SAMPLER_INSTANCES))
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_imbalanced_learn_sampler_checks(estimator, check):
    check(estimator)


def _param_validation_cases():
    # The id is the compact repr that parametrize_with_checks uses.
    return [
        pytest.param(estimator, id=re.sub(r"\s", "", str(estimator)))
        for estimator in ALL_INSTANCES
    ]


@pytest.mark.parametrize("estimator", _param_validation_cases())
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


def test_discovery_finds_known_estimators():
    expected = {
        "sklearn_distill.DistillationClassifier",
        "sklearn_distill.cleaning.LabelNoiseCleaner",
        "sklearn_distill.cleaning.OutlierFilter",
        "sklearn_distill.transfer.GaussianNoiseSampler",
        "sklearn_distill.transfer.InterpolationSampler",
        "sklearn_distill.transfer.LinfCornerSampler",
        "sklearn_distill.transfer.MungeSampler",
    }
    assert expected <= set(PUBLIC_ESTIMATORS)
    assert len(SAMPLER_INSTANCES) >= 6
    assert len(SKORCH_INSTANCES) >= 5


@pytest.mark.parametrize("path", sorted(PUBLIC_ESTIMATORS))
def test_every_estimator_has_instances(path):
    instances = _instances(PUBLIC_ESTIMATORS[path])
    assert instances
    assert all(type(estimator) is PUBLIC_ESTIMATORS[path] for estimator in instances)


def test_every_skorch_kind_is_checked():
    students = [est.student for est in SKORCH_INSTANCES if hasattr(est, "student")]
    teachers = [est.teacher for est in SKORCH_INSTANCES if hasattr(est, "teacher")]
    assert any(_is_skorch(student) for student in students)
    assert any(_is_skorch(teacher) for teacher in teachers)


def test_teacher_not_fitted_by_checks():
    # parametrize_with_checks clones; the configured teachers stay unfitted.
    for estimator in DISTILLATION_CONFIGURATIONS:
        assert not hasattr(estimator.teacher, "classes_")
        assert not hasattr(estimator, "classes_")

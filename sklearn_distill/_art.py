"""Adaptor between fitted classifiers and the Adversarial Robustness Toolbox.

This is the only module of sklearn-distill that imports ``art``. It decides
which attacks a fitted model supports and wraps the model in the matching ART
estimator: one with loss gradients for skorch nets and the linear models ART
differentiates, a black box otherwise. It also maps labels to class positions
and runs one chunk of an ART evasion attack. Chunking, projection onto the
ε-ball and the caller's containers are handled in
:mod:`sklearn_distill.adversarial`.

ART 1.20 expects one-hot labels in class-position order and float32 inputs,
and its scikit-learn wrappers call ``predict_proba`` on bare arrays. Every
model is therefore reached through this module, which passes one-hot float32
targets, restores feature names and dtypes, and aligns probability columns.
The module of a skorch net receives ART's float32 rows in the dtype of its
own parameters, so float64 nets are attacked too.
"""

import copy
import functools
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from art.attacks import EvasionAttack
from art.attacks.evasion import (
    CarliniL2Method,
    CarliniLInfMethod,
    FastGradientMethod,
    HopSkipJump,
    ProjectedGradientDescent,
    ZooAttack,
)
from art.estimators.classification import (
    BlackBoxClassifier,
    PyTorchClassifier,
    SklearnClassifier,
)
from art.estimators.classification.scikitlearn import (
    ScikitlearnLogisticRegression,
    ScikitlearnSVC,
)
from joblib import parallel_config
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from . import _skorch_detect as skorch_detect
from ._labels import align_columns, encode_labels, label_positions
from ._soft_targets import one_hot, soften, teacher_log_scores

GRADIENT_ATTACKS = ("fgsm", "pgd", "cw")
BLACK_BOX_ATTACKS = ("hopskipjump", "zoo")
TREE_ATTACKS = ("decision_tree",)
ATTACKS = GRADIENT_ATTACKS + BLACK_BOX_ATTACKS + TREE_ATTACKS

#: Norms each named attack supports. ``zoo`` minimises an L2 objective and its
#: result is projected onto the ball of the requested norm.
ATTACK_NORMS = {
    "fgsm": ("inf", 1, 2),
    "pgd": ("inf", 1, 2),
    "cw": ("inf", 2),
    "hopskipjump": ("inf", 2),
    "zoo": ("inf", 1, 2),
    "decision_tree": ("inf", 1, 2),
}

#: Steps of the named ``"pgd"`` attack. The step size is ``2.5 * eps / 20``,
#: so that the steps together can cross the ball more than twice.
PGD_MAX_ITER = 20

#: Settings of the named black-box attacks and of ``"cw"``. ART's defaults
#: (for HopSkipJump 50 iterations of up to 10,000 model calls per row) take
#: minutes per row on a CPU; pass an ART attack instance for other settings.
#: The ZOO step size and trade-off constant suit features scaled to about
#: [0, 1]; ART's defaults (0.01 and 0.001) leave such rows unchanged.
HOPSKIPJUMP_PARAMS = {"max_iter": 10, "max_eval": 1000, "init_eval": 10}
ZOO_PARAMS = {
    "max_iter": 10,
    "nb_parallel": 8,
    "learning_rate": 0.1,
    "initial_const": 100.0,
    "binary_search_steps": 1,
    "use_resize": False,
    "use_importance": False,
}
CW_PARAMS = {"max_iter": 10}

# ART attacks draw from NumPy's and torch's global generators. Seeding them per
# chunk makes results independent of the worker, but threads of one process
# share them, so the seeded section is serialised within a process.
_GLOBAL_RANDOM_LOCK = threading.Lock()


@dataclass(frozen=True)
class AttackSpec:
    """A resolved attack: a name, or an ART attack class with its parameters."""

    name: str
    art_class: type | None = None
    params: dict = field(default_factory=dict)


def model_family(estimator):
    """Name how ART can attack a fitted estimator.

    Returns
    -------
    family : {"gradient", "tree", "black_box"}
        ``"gradient"`` for skorch nets, :class:`~sklearn.linear_model.
        LogisticRegression` and :class:`~sklearn.svm.LinearSVC` (ART computes
        their loss gradients), and for a distillation model whose student is
        one of them; ``"tree"`` for a single decision tree or a distillation
        model with a tree student; ``"black_box"`` otherwise.
    """
    if differentiable_model(estimator) is not None:
        return "gradient"
    if single_tree(estimator) is not None:
        return "tree"
    return "black_box"


def applicable_attacks(estimator, norm=None):
    """List the named attacks that apply to a fitted estimator.

    Parameters
    ----------
    estimator : fitted classifier
        The model to attack.
    norm : {"inf", 1, 2} or None, default=None
        If given, keep only the attacks that support this norm.

    Returns
    -------
    attacks : tuple of str
        Attack names, white-box ones first.
    """
    family = model_family(estimator)
    names = {
        "gradient": GRADIENT_ATTACKS + BLACK_BOX_ATTACKS,
        "tree": TREE_ATTACKS + BLACK_BOX_ATTACKS,
        "black_box": BLACK_BOX_ATTACKS,
    }[family]
    if norm is None:
        return names
    return tuple(name for name in names if norm in ATTACK_NORMS[name])


def resolve_attack(estimator, attack, norm):
    """Check that `attack` applies to `estimator` and return its spec.

    ``"auto"`` picks ``"pgd"`` for differentiable models, the exact
    ``"decision_tree"`` attack for single trees and ``"hopskipjump"``
    otherwise (``"zoo"`` under the L1 norm).

    Raises
    ------
    ValueError
        If the attack needs gradients the model does not have, is the exact
        tree attack on another model, does not support `norm`, or is an ART
        instance whose estimator requirements the model's ART wrapper does
        not meet. The message names the model type and lists the attacks
        that apply.
    """
    if isinstance(attack, EvasionAttack):
        return _resolve_instance(estimator, attack)

    applicable = applicable_attacks(estimator, norm)
    if attack == "auto":
        return AttackSpec(name=_auto_attack(estimator, norm))

    model = model_name(estimator)
    if attack not in ATTACKS:
        raise ValueError(
            f"Unknown attack {attack!r}. Use one of {_quoted(ATTACKS)}, 'auto' "
            "or an ART evasion attack instance."
        )
    if attack in GRADIENT_ATTACKS and model_family(estimator) != "gradient":
        raise ValueError(
            f"The attack {attack!r} needs loss gradients, but {model} is not "
            "differentiable: gradient attacks (fgsm, pgd, cw) need a skorch "
            "net, a LogisticRegression, a LinearSVC, or a DistillationClassifier "
            f"with such a student. Attacks that apply to {model}: "
            f"{_quoted(applicable_attacks(estimator, norm))}."
        )
    if attack in TREE_ATTACKS and model_family(estimator) != "tree":
        raise ValueError(
            f"The attack 'decision_tree' is exact only for a single "
            f"DecisionTreeClassifier, but the model is {model}. Attacks that "
            f"apply to {model}: {_quoted(applicable_attacks(estimator, norm))}."
        )
    if norm not in ATTACK_NORMS[attack]:
        raise ValueError(
            f"The attack {attack!r} does not support norm={norm!r}; it supports "
            f"{_quoted(ATTACK_NORMS[attack])}. Attacks that apply to {model} "
            f"with norm={norm!r}: {_quoted(applicable)}."
        )
    return AttackSpec(name=attack)


def _auto_attack(estimator, norm):
    """Pick the strongest named attack for the model family and norm."""
    preferred = {
        "gradient": "pgd",
        "tree": "decision_tree",
        "black_box": "hopskipjump",
    }[model_family(estimator)]
    if norm in ATTACK_NORMS[preferred]:
        return preferred
    return applicable_attacks(estimator, norm)[0]


def model_name(estimator):
    """Return the class name of `estimator`, looking inside a frozen estimator."""
    return type(unwrap_frozen(estimator)).__name__


def unwrap_frozen(estimator):
    """Return the estimator wrapped by (possibly nested) frozen estimators."""
    while isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return estimator


def differentiable_model(estimator):
    """Return the part of `estimator` whose loss gradients ART can compute.

    Returns
    -------
    model : skorch net, LogisticRegression, LinearSVC or None
        The estimator itself, the student of a distillation model, or None.
    """
    model = unwrap_frozen(estimator)
    student = _distillation_student(model)
    if student is not None:
        model = student
    # ART's scikit-learn wrappers accept classes defined in scikit-learn only,
    # so subclasses are attacked as black boxes.
    if is_skorch_net(model) or type(model) in (LogisticRegression, LinearSVC):
        return model
    return None


def single_tree(estimator):
    """Return the decision tree that makes `estimator`'s predictions, or None.

    Returns
    -------
    found : tuple of (DecisionTreeClassifier, bool) or None
        The tree (the estimator itself or the student of a distillation
        model) and whether it was trained on class positions
        ``0..n_classes-1`` rather than on the labels. A distillation student
        is. None when no single-output decision tree makes the predictions.
    """
    model = unwrap_frozen(estimator)
    student = _distillation_student(model)
    uses_positions = student is not None
    if uses_positions:
        model = student
    if isinstance(model, DecisionTreeClassifier) and model.n_outputs_ == 1:
        return model, uses_positions
    return None


def predict_labels(estimator, X):
    """Predict the labels of the rows `X`, passed as :func:`model_input` does."""
    return np.asarray(estimator.predict(model_input(estimator, X)))


def is_skorch_net(model):
    """Tell whether `model` is a fitted skorch net with a torch module."""
    return skorch_detect.is_skorch_net(model) and isinstance(
        getattr(model, "module_", None), torch.nn.Module
    )


def training_temperature(estimator):
    """Return the softmax temperature a deployed model was trained at, or None.

    The model, or its differentiable part, must expose
    ``training_temperature_`` or ``temperature``. Only models ART can
    differentiate have one, because only their logits can be rescaled.
    """
    model = differentiable_model(estimator)
    if model is None:
        return None
    for owner in (model, unwrap_frozen(estimator)):
        for name in ("training_temperature_", "temperature"):
            value = getattr(owner, name, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def model_classes(estimator, y=None):
    """Return the labels of the model's output columns and the class positions.

    Parameters
    ----------
    estimator : fitted classifier
        Its ``classes_`` fixes the column order. A model without
        ``classes_`` uses the sorted labels of `y`.
    y : array-like of shape (n_samples,) or (n_samples, 1), default=None
        Labels to encode. A column vector is flattened with a
        :class:`~sklearn.exceptions.DataConversionWarning`.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Labels of the model's output columns.
    positions : ndarray of shape (n_samples,) or None
        Index of each label of `y` in `classes`; None when `y` is None.

    Raises
    ------
    ValueError
        If `y` contains a label that is not among the model's classes.
    """
    known = getattr(unwrap_frozen(estimator), "classes_", None)
    if y is None:
        return np.asarray(known), None

    labels, y_encoded = encode_labels(y, min_classes=1)
    if known is None:
        return labels, y_encoded

    known = np.asarray(known)
    positions, unknown = label_positions(labels, known)
    if unknown:
        raise ValueError(
            f"y contains labels {unknown!r} that {model_name(estimator)} was not "
            f"fitted on; its classes are {known.tolist()!r}. Attack rows whose "
            "labels the model knows."
        )
    return known, positions[y_encoded]


def model_input(estimator, X, dtype=None):
    """Return `X` as the estimator expects it: with feature names if it has any.

    A skorch net gets rows in the dtype of its module's parameters, float32
    unless the module is float64, since skorch passes rows to torch
    unconverted and torch layers reject rows of another dtype. A DataFrame
    passed to an estimator fitted with feature names keeps its own columns,
    so that the estimator still checks them against those names.
    """
    if dtype is None and is_skorch_net(estimator):
        from .neural._skorch import row_dtype

        dtype = row_dtype(unwrap_frozen(estimator))
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and isinstance(X, pd.DataFrame):
        return X if dtype is None else X.astype(dtype)

    if dtype is not None:
        X = np.asarray(X, dtype=dtype)
    if names is None:
        return X
    return pd.DataFrame(X, columns=names)


def class_proba(estimator, X, classes):
    """Return the estimator's probabilities with one column per class position.

    ``predict_proba`` is used when available, then a softmax of
    ``decision_function``, then one-hot predictions.
    """
    if hasattr(estimator, "predict_proba"):
        proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        return align_columns(proba, estimator.classes_, classes)
    if hasattr(estimator, "decision_function"):
        scores = teacher_log_scores(estimator, X, classes, "decision_function")
        return soften(scores, 1.0)

    predictions = np.asarray(estimator.predict(X))
    index = {label: position for position, label in enumerate(classes.tolist())}
    positions = np.array([index[label] for label in predictions.tolist()])
    return one_hot(positions, classes.shape[0])


def art_classifier(
    estimator, n_features, classes, clip_values, *, dtype, adaptive=False
):
    """Wrap a fitted estimator in the ART classifier that suits it.

    Parameters
    ----------
    estimator : fitted classifier
        The model to attack.
    n_features : int
        Width of the input rows.
    classes : ndarray of shape (n_classes,)
        Labels of the output columns, from :func:`model_classes`.
    clip_values : tuple of (ndarray, ndarray)
        Per-feature minimum and maximum of valid inputs.
    dtype : numpy dtype
        dtype of the rows the model receives.
    adaptive : bool, default=False
        Divide a differentiable model's logits by its training temperature,
        which undoes the saturation of a softmax deployed at temperature 1.

    Returns
    -------
    classifier : art.estimators.classification.ClassifierMixin
        A PyTorchClassifier for skorch nets, ART's scikit-learn wrapper for
        LogisticRegression and LinearSVC, a BlackBoxClassifier otherwise.
    """
    art_clip = _art_clip_values(clip_values)
    model = differentiable_model(estimator)

    if model is not None and is_skorch_net(model):
        temperature = training_temperature(estimator) if adaptive else None
        return PyTorchClassifier(
            model=_LogScoreModule(model, temperature),
            loss=torch.nn.CrossEntropyLoss(),
            input_shape=(n_features,),
            nb_classes=classes.shape[0],
            clip_values=art_clip,
            device_type="cpu",
        )
    if model is not None:
        return SklearnClassifier(_without_feature_names(model), clip_values=art_clip)

    return BlackBoxClassifier(
        _ProbaFunction(estimator, classes, dtype),
        input_shape=(n_features,),
        nb_classes=classes.shape[0],
        clip_values=art_clip,
    )


def attack_chunk(
    estimator,
    X,
    positions,
    classes,
    spec,
    *,
    eps,
    norm,
    clip_values,
    seed,
    adaptive=False,
):
    """Run an ART attack on one chunk of rows.

    Parameters
    ----------
    estimator : fitted classifier
        The model to attack.
    X : ndarray of shape (n_samples, n_features), dtype float32 or float64
        Rows of the chunk.
    positions : ndarray of shape (n_samples,)
        Class position of each row's true label; the attack moves away from
        it.
    classes : ndarray of shape (n_classes,)
        Labels of the model's output columns.
    spec : AttackSpec
        Resolved attack.
    eps : float
        Perturbation budget given to attacks that take one.
    norm : {"inf", 1, 2}
        Norm of the perturbation.
    clip_values : tuple of (ndarray, ndarray)
        Per-feature range of valid inputs.
    seed : int
        Seed of NumPy's and torch's global generators during the attack.
    adaptive : bool, default=False
        Attack the logits divided by the training temperature.

    Returns
    -------
    X_adv : ndarray of shape (n_samples, n_features), dtype float64
        ART's adversarial rows, not yet projected onto the ball.
    """
    if _needs_scalar_clip(spec):
        clip_values = _overall_range(clip_values)
        if clip_values[0] == clip_values[1]:
            return X.astype(np.float64)

    classifier = art_classifier(
        estimator, X.shape[1], classes, clip_values, dtype=X.dtype, adaptive=adaptive
    )
    attack = _build_attack(spec, classifier, eps=eps, norm=norm, n_rows=X.shape[0])
    targets = one_hot(positions, classes.shape[0]).astype(np.float32)

    # Chunks are the unit of parallelism: the model's own joblib calls run
    # sequentially, instead of sending every prediction to a Dask cluster.
    with (
        _GLOBAL_RANDOM_LOCK,
        _seeded_global_generators(seed),
        parallel_config(backend="threading", n_jobs=1),
    ):
        if isinstance(attack, HopSkipJump):
            X_adv = _run_hopskipjump(attack, classifier, X.astype(np.float32), targets)
        else:
            X_adv = attack.generate(X.astype(np.float32), y=targets)
    return np.asarray(X_adv, dtype=np.float64)


def predict_positions(estimator, X, classes, clip_values, *, adaptive=False):
    """Return the class positions that the ART view of the model predicts."""
    classifier = art_classifier(
        estimator, X.shape[1], classes, clip_values, dtype=X.dtype, adaptive=adaptive
    )
    return np.argmax(classifier.predict(X.astype(np.float32)), axis=1)


def loss_gradients(estimator, X, positions, classes, clip_values, *, adaptive=False):
    """Return the gradient of the model's loss with respect to each input row.

    Only for models of the ``"gradient"`` family. The loss is the cross
    entropy of the model's log-scores, divided by the training temperature
    when `adaptive` is True.
    """
    classifier = art_classifier(
        estimator, X.shape[1], classes, clip_values, dtype=X.dtype, adaptive=adaptive
    )
    targets = one_hot(positions, classes.shape[0]).astype(np.float32)
    gradients = classifier.loss_gradient(X.astype(np.float32), targets)
    return np.asarray(gradients, dtype=np.float64).reshape(X.shape)


def check_clip_values_finite(spec, clip_values):
    """Reject infinite clip values for attacks that sample between them."""
    if spec.name != "hopskipjump":
        return
    low, high = clip_values
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ValueError(
            "hopskipjump draws its starting points uniformly between the clip "
            "values, so they must be finite, but some are infinite. Pass finite "
            "clip_values or leave them None to use the range of the data."
        )


class _ProbaFunction:
    """Picklable prediction function of a black-box model for ART."""

    def __init__(self, estimator, classes, dtype):
        self.estimator = estimator
        self.classes = classes
        self.dtype = dtype

    def __call__(self, X):
        X = model_input(self.estimator, X, dtype=self.dtype)
        return class_proba(self.estimator, X, self.classes).astype(np.float32)


class _LogScoreModule(torch.nn.Module):
    """A skorch net's module with outputs turned into log-probabilities.

    ART's loss is the cross entropy of these scores. skorch maps the
    module's output to probabilities with the net's prediction nonlinearity,
    which therefore shows what the module returns. A softmax means logits, which are
    used as they are. A sigmoid means one logit ``z`` per row, turned into
    the two columns ``[0, z]``. Anything else means probabilities, whose
    logarithm is taken. With a temperature the scores are divided by it.

    The module is a copy with frozen parameters, so that attacks never
    change the net or accumulate gradients in it. ART feeds float32 rows,
    which are converted to the dtype of the module's parameters inside the
    graph, so the loss gradients flow back to the float32 rows.

    NOTE: for a module that returns probabilities, the logits are lost once
    a probability underflows to 0, so the adaptive attack on such a net can
    stay masked. It is reliable for modules that return logits.
    """

    def __init__(self, net, temperature=None):
        from .neural._skorch import module_dtype

        super().__init__()
        self.module = copy.deepcopy(net.module_).to("cpu").eval()
        self.module.requires_grad_(False)
        self.kind, self.nonlinearity = _output_kind(net)
        self.temperature = temperature
        self.dtype = module_dtype(net)

    def forward(self, x):
        output = self.module(x.to(self.dtype))
        if isinstance(output, tuple):
            output = output[0]

        if self.kind == "logits":
            scores = output
        elif self.kind == "binary_logit":
            logit = output.reshape(-1, 1)
            scores = torch.cat([torch.zeros_like(logit), logit], dim=1)
        else:
            proba = self.nonlinearity(output)
            scores = torch.log(proba + torch.finfo(proba.dtype).eps)

        if self.temperature is not None:
            scores = scores / self.temperature
        return scores


def _output_kind(net):
    """Classify what a skorch net's module returns, from its nonlinearity."""
    from skorch.utils import _identity, _sigmoid_then_2d

    nonlinearity = net._get_predict_nonlinearity()
    is_softmax = (
        isinstance(nonlinearity, functools.partial)
        and nonlinearity.func is torch.softmax
    )
    if is_softmax:
        return "logits", nonlinearity
    if nonlinearity is _sigmoid_then_2d:
        return "binary_logit", nonlinearity
    if nonlinearity is _identity:
        return "proba", _identity
    return "proba", nonlinearity


def _build_attack(spec, classifier, *, eps, norm, n_rows):
    """Instantiate the ART attack of `spec` on `classifier`."""
    if spec.art_class is not None:
        attack = spec.art_class(classifier)
        attack.set_params(**spec.params)
        return attack

    art_norm = np.inf if norm == "inf" else norm
    batch_size = max(1, n_rows)
    if spec.name == "fgsm":
        return FastGradientMethod(
            classifier, norm=art_norm, eps=eps, batch_size=batch_size
        )
    if spec.name == "pgd":
        return ProjectedGradientDescent(
            classifier,
            norm=art_norm,
            eps=eps,
            eps_step=2.5 * eps / PGD_MAX_ITER,
            max_iter=PGD_MAX_ITER,
            batch_size=batch_size,
            verbose=False,
        )
    if spec.name == "cw":
        carlini = CarliniLInfMethod if norm == "inf" else CarliniL2Method
        return carlini(classifier, batch_size=batch_size, verbose=False, **CW_PARAMS)
    if spec.name == "hopskipjump":
        return HopSkipJump(
            classifier,
            norm=art_norm,
            batch_size=batch_size,
            verbose=False,
            **HOPSKIPJUMP_PARAMS,
        )
    # ART's ZOO handles one feature vector per batch and updates at most one
    # coordinate per feature in parallel.
    params = dict(ZOO_PARAMS)
    params["nb_parallel"] = min(params["nb_parallel"], classifier.input_shape[0])
    return ZooAttack(classifier, batch_size=1, verbose=False, **params)


def _needs_scalar_clip(spec):
    """Tell whether the ART attack of `spec` handles scalar clip values only.

    ART 1.20's HopSkipJump divides by a tenth of ``maximum - minimum`` when it
    estimates gradients, so a constant feature gives NaN steps and its step
    search never ends. Its ZOO clips the updated coordinates with the whole
    per-feature arrays, which fails when it updates fewer coordinates than
    there are features.
    """
    if spec.art_class is not None:
        return issubclass(spec.art_class, HopSkipJump | ZooAttack)
    return spec.name in ("hopskipjump", "zoo")


def _overall_range(clip_values):
    """Return the smallest minimum and largest maximum over all features.

    The adversarial rows are clipped to the per-feature range afterwards.
    """
    low, high = clip_values
    return float(np.min(low)), float(np.max(high))


def _run_hopskipjump(attack, classifier, X, targets):
    """Run HopSkipJump from starting points drawn with the seeded generator.

    ART 1.20's HopSkipJump draws its starting points from an unseeded
    ``np.random.RandomState()``, which would make results differ between
    runs. Its starting points are drawn here instead, as it does: uniformly
    in the clip range until the model predicts another class, at most
    ``init_size`` draws per row. Rows without such a point stay unchanged,
    as they would in ART.
    """
    predicted = np.argmax(classifier.predict(X), axis=1)
    low, high = classifier.clip_values
    # ART's attacks read the global generator, seeded by the caller.
    draws = np.random.uniform(low, high, size=(attack.init_size, *X.shape))  # noqa: NPY002
    draws = draws.astype(np.float32)

    flat_draws = draws.reshape(-1, X.shape[1])
    draw_classes = np.argmax(classifier.predict(flat_draws), axis=1)
    differs = draw_classes.reshape(attack.init_size, X.shape[0]) != predicted
    found = differs.any(axis=0)
    first = np.argmax(differs, axis=0)

    X_adv = X.copy()
    if found.any():
        starts = draws[first[found], np.flatnonzero(found)]
        X_adv[found] = attack.generate(X[found], y=targets[found], x_adv_init=starts)
    return X_adv


def _resolve_instance(estimator, attack):
    """Check an ART attack instance against the wrapper the model will get."""
    wrapper = _wrapper_class(estimator)
    requirements = attack._estimator_requirements or ()
    unmet = [
        requirement
        for requirement in requirements
        if not _meets_requirement(wrapper, requirement)
    ]
    if unmet:
        needs = ", ".join(_requirement_name(requirement) for requirement in unmet)
        model = model_name(estimator)
        raise ValueError(
            f"The ART attack {type(attack).__name__} needs an estimator with "
            f"{needs}, but {model} is attacked through {wrapper.__name__}. "
            f"Attacks that apply to {model}: {_quoted(applicable_attacks(estimator))}."
        )

    if getattr(attack, "targeted", False):
        raise ValueError(
            f"The ART attack {type(attack).__name__} is targeted, but attacks here "
            "move each row away from its true label. Pass the attack with "
            "targeted=False."
        )

    params = {
        name: getattr(attack, name)
        for name in attack.attack_params
        if name != "summary_writer" and hasattr(attack, name)
    }
    return AttackSpec(name=type(attack).__name__, art_class=type(attack), params=params)


def _wrapper_class(estimator):
    model = differentiable_model(estimator)
    if model is None:
        return BlackBoxClassifier
    if is_skorch_net(model):
        return PyTorchClassifier
    if isinstance(model, LogisticRegression):
        return ScikitlearnLogisticRegression
    return ScikitlearnSVC


def _meets_requirement(wrapper, requirement):
    if isinstance(requirement, tuple):
        return any(issubclass(wrapper, option) for option in requirement)
    return issubclass(wrapper, requirement)


def _requirement_name(requirement):
    if isinstance(requirement, tuple):
        return " or ".join(option.__name__ for option in requirement)
    return requirement.__name__


def _distillation_student(model):
    """Return the student of a fitted distillation model, or None."""
    if hasattr(model, "teacher_") and hasattr(model, "student_"):
        return unwrap_frozen(model.student_)
    return None


def _without_feature_names(model):
    """Return a shallow copy of `model` that accepts bare arrays silently.

    ART's scikit-learn wrappers call ``predict_proba`` on arrays, which makes
    a model fitted on a DataFrame warn about missing feature names.
    """
    if not hasattr(model, "feature_names_in_"):
        return model
    view = copy.copy(model)
    del view.feature_names_in_
    return view


def _art_clip_values(clip_values):
    """Return clip values ART accepts: float32, with maximum > minimum.

    ART rejects a feature whose minimum equals its maximum, as for a constant
    column of the data. Such a maximum is raised by one float32 step; the
    adversarial rows are clipped to the true range afterwards.
    """
    low, high = clip_values
    low = np.asarray(low, dtype=np.float32)
    high = np.asarray(high, dtype=np.float32)
    high = np.where(high > low, high, np.nextafter(low, np.float32(np.inf)))
    return low, high


@contextmanager
def _seeded_global_generators(seed):
    """Seed NumPy's and torch's global generators, then restore NumPy's state."""
    # ART's attacks draw from the legacy global generator, not from a Generator.
    numpy_state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)  # noqa: NPY002


def _quoted(names):
    return ", ".join(repr(name) for name in names)

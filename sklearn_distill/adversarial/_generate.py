"""Attacks run in chunks with joblib, and the public attack helpers."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted
from tqdm.auto import tqdm

from .. import _art
from .._compat import HasMethods, Interval, StrOptions, validate_params
from .._input_checks import check_attack_columns
from ._exact_tree import attack_tree
from ._projection import clip_bounds, project

#: Rows per chunk for each named attack. Chunks are fixed by the attack and
#: the row count alone, never by `n_jobs`, and each has its own seed, so
#: results do not depend on how many workers run them. Gradient attacks and
#: the exact tree attack process a chunk as one batch, so large chunks keep
#: them vectorised. The other attacks work row by row, so small chunks
#: balance the load between workers.
CHUNK_SIZES = {"fgsm": 256, "pgd": 256, "decision_tree": 1024}

#: Rows per chunk for the attacks missing from `CHUNK_SIZES`.
DEFAULT_CHUNK_SIZE = 32


class NonBoolInterval(Interval):
    """Parameter constraint of an :class:`Interval` that rejects bool.

    scikit-learn 1.9's ``Interval(Integral, ...)`` and ``Interval(Real, ...)``
    accept True and False as 1 and 0, because Python counts bool as an int.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


ATTACK_CONSTRAINTS = [
    StrOptions({"auto", *_art.ATTACKS}),
    HasMethods(["generate"]),
]
NORM_CONSTRAINTS = [
    StrOptions({"inf"}),
    NonBoolInterval(Integral, 1, 2, closed="both"),
]


@dataclass
class AttackRun:
    """Adversarial rows of one attack at one budget.

    Attributes
    ----------
    attack : str
        Name of the attack that ran (the resolved name for ``"auto"``).
    X_adv : ndarray of shape (n_samples, n_features)
        Adversarial rows within the ε-ball and the clip range, in the dtype
        of the source rows.
    classes : ndarray of shape (n_classes,)
        Labels of the model's output columns.
    positions : ndarray of shape (n_samples,)
        Class position of the label each row was attacked away from.
    """

    attack: str
    X_adv: np.ndarray
    classes: np.ndarray
    positions: np.ndarray


def run_attack(
    estimator,
    X,
    y=None,
    *,
    attack="auto",
    eps=0.1,
    norm="inf",
    clip_values=None,
    random_state=None,
    n_jobs=None,
    verbose=0,
    adaptive=False,
    chunk_size=None,
):
    """Attack the rows of `X` in chunks and project the result onto the ball.

    Parameters are those of :func:`generate_adversarial`, with `X` a
    validated float32 or float64 array, plus:

    adaptive : bool, default=False
        Attack the logits divided by the model's training temperature.
    chunk_size : int, default=None
        Rows per chunk. None takes the attack's entry in `CHUNK_SIZES`, or
        `DEFAULT_CHUNK_SIZE`.

    Returns
    -------
    run : AttackRun
        The adversarial rows and the labels they were attacked away from.
    """
    spec = _art.resolve_attack(estimator, attack, norm)
    _check_n_features(estimator, X)
    classes, positions = _reference_positions(estimator, X, y)
    low, high = clip_bounds(clip_values, X)
    _art.check_clip_values_finite(spec, (low, high))

    if eps == 0:
        return AttackRun(spec.name, X.copy(), classes, positions)
    if spec.name != "decision_tree":
        _check_art_view(estimator, X, classes, (low, high), adaptive)

    if chunk_size is None:
        chunk_size = CHUNK_SIZES.get(spec.name, DEFAULT_CHUNK_SIZE)
    chunks = [
        slice(start, start + chunk_size) for start in range(0, X.shape[0], chunk_size)
    ]
    seeds = chunk_seeds(random_state, len(chunks))
    tasks = _chunk_tasks(
        estimator,
        X,
        classes,
        positions,
        spec,
        chunks,
        seeds,
        eps,
        norm,
        low,
        high,
        adaptive,
    )
    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    progress = tqdm(
        results,
        total=len(chunks),
        desc=f"{spec.name} attack",
        unit="chunk",
        disable=verbose <= 0,
    )
    X_adv = np.concatenate(list(progress), axis=0) if chunks else X.copy()
    return AttackRun(
        spec.name, project(X_adv, X, eps, norm, low, high), classes, positions
    )


def chunk_seeds(random_state, n_chunks):
    """Derive one seed per chunk from `random_state` and the chunk index."""
    base = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return [
        int(np.random.SeedSequence([base, index]).generate_state(1)[0])
        for index in range(n_chunks)
    ]


def validate_rows(X):
    """Return `X` as a 2-D float32 or float64 array, keeping float32."""
    check_attack_columns(X)
    return check_array(X, dtype=[np.float64, np.float32], ensure_min_samples=1)


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "X": ["array-like"],
        "y": ["array-like", None],
        "attack": ATTACK_CONSTRAINTS,
        "eps": [Interval(Real, 0, None, closed="left")],
        "norm": NORM_CONSTRAINTS,
        "clip_values": [tuple, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def generate_adversarial(
    estimator,
    X,
    y=None,
    *,
    attack="auto",
    eps=0.1,
    norm="inf",
    clip_values=None,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Generate adversarial rows against a fitted classifier.

    Every adversarial row lies within `eps` of its source row in the given
    norm and within the clip range. Attacks that search for a minimal
    perturbation without a budget (``"cw"``, ``"hopskipjump"``, ``"zoo"``)
    are projected onto the ball afterwards, so a row they could only change
    with a larger perturbation comes back unchanged in prediction.

    Parameters
    ----------
    estimator : fitted classifier
        Any fitted classifier with ``predict``: a scikit-learn estimator or
        pipeline, a skorch net, a :class:`~sklearn_distill.
        DistillationClassifier`, or a :class:`~sklearn.frozen.
        FrozenEstimator` around one of them.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Rows to attack.
    y : array-like of shape (n_samples,) or (n_samples, 1), default=None
        True labels, drawn from the estimator's ``classes_``; the attack
        moves each row away from its label. None uses the estimator's
        predictions.
    attack : str or ART evasion attack, default="auto"
        ``"fgsm"``, ``"pgd"`` or ``"cw"`` (gradient attacks, for skorch nets,
        LogisticRegression and LinearSVC), ``"hopskipjump"`` or ``"zoo"``
        (black-box attacks, for any model), ``"decision_tree"`` (the exact
        attack of :func:`exact_tree_attack`, for a single decision tree), or
        ``"auto"``, which picks ``"pgd"``, ``"decision_tree"`` or
        ``"hopskipjump"`` by model type. An instance of an ART evasion
        attack is rebuilt on the model's ART wrapper with its own
        parameters, and its output is still projected onto the `eps`-ball.
    eps : float, default=0.1
        Maximum perturbation, in the units of the features.
    norm : {"inf", 1, 2}, default="inf"
        Norm that measures the perturbation.
    clip_values : tuple of (float or array-like, float or array-like), \
            default=None
        Minimum and maximum valid value of every feature. None uses the
        range of each column of `X`.
    random_state : int, RandomState instance or None, default=None
        Seeds the attacks that draw random numbers. Each chunk of rows gets
        a seed derived from this value and its index, so results are the
        same for any `n_jobs` and any joblib backend.
    n_jobs : int, default=None
        Number of chunks attacked in parallel with joblib. None means 1
        unless in a :func:`joblib.parallel_backend` context; -1 means all
        processors.
    verbose : int, default=0
        Show a progress bar over the chunks when greater than 0.

    Returns
    -------
    X_adv : ndarray or DataFrame of shape (n_samples, n_features)
        Adversarial rows, in the container of `X` (a DataFrame keeps its
        columns and index) and its dtype when float32.

    Raises
    ------
    ValueError
        If the attack does not apply to the estimator (the message lists
        the ones that do), or `y` contains labels the estimator does not know.

    See Also
    --------
    AttackSampler : Append adversarial rows to a training set.
    exact_tree_attack : The exact attack on a single decision tree.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_distill.adversarial import generate_adversarial
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(40, 2)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> model = LogisticRegression().fit(X, y)
    >>> X_adv = generate_adversarial(model, X, y, attack="fgsm", eps=0.1)
    >>> float(np.abs(X_adv - X).max()) <= 0.1
    True
    """
    check_is_fitted(estimator)
    X_valid = validate_rows(X)
    run = run_attack(
        estimator,
        X_valid,
        y,
        attack=attack,
        eps=eps,
        norm=norm,
        clip_values=clip_values,
        random_state=random_state,
        n_jobs=n_jobs,
        verbose=verbose,
    )
    return restore_container(run.X_adv, X)


@validate_params(
    {"estimator": [HasMethods(["predict"])], "norm": NORM_CONSTRAINTS + [None]},
    prefer_skip_nested_validation=True,
)
def applicable_attacks(estimator, norm=None):
    """List the named attacks that apply to a fitted classifier.

    Parameters
    ----------
    estimator : fitted classifier
        The model to attack.
    norm : {"inf", 1, 2} or None, default=None
        If given, keep only the attacks that support this norm.

    Returns
    -------
    attacks : tuple of str
        Attack names, white-box ones first: gradient attacks for
        differentiable models, ``"decision_tree"`` for a single tree, then
        the black-box attacks.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.adversarial import applicable_attacks
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> applicable_attacks(DecisionTreeClassifier().fit(X, y))
    ('decision_tree', 'hopskipjump', 'zoo')
    >>> applicable_attacks(RandomForestClassifier(3).fit(X, y))
    ('hopskipjump', 'zoo')
    """
    return _art.applicable_attacks(estimator, norm)


def restore_container(X_adv, X_original):
    """Return `X_adv` in the container type of `X_original`."""
    if isinstance(X_original, pd.DataFrame):
        frame = pd.DataFrame(X_adv, columns=X_original.columns, index=X_original.index)
        return frame
    return X_adv


def _reference_positions(estimator, X, y):
    """Return the model's classes and the class position of each row's label."""
    if y is not None:
        return _art.model_classes(estimator, y)
    predictions = estimator.predict(_art.model_input(estimator, X))
    return _art.model_classes(estimator, predictions)


def _chunk_tasks(
    estimator,
    X,
    classes,
    positions,
    spec,
    chunks,
    seeds,
    eps,
    norm,
    low,
    high,
    adaptive,
):
    """Build one joblib task per chunk of rows."""
    if spec.name == "decision_tree":
        tree, uses_positions = _art.single_tree(estimator)
        reference = _tree_reference(tree, uses_positions, classes, positions)
        return [
            delayed(_exact_chunk)(tree, X[rows], reference[rows], norm, low, high)
            for rows in chunks
        ]

    return [
        delayed(_art.attack_chunk)(
            estimator,
            X[rows],
            positions[rows],
            classes,
            spec,
            eps=eps,
            norm=norm,
            clip_values=(low, high),
            seed=seed,
            adaptive=adaptive,
        )
        for rows, seed in zip(chunks, seeds, strict=True)
    ]


def _exact_chunk(tree, X, reference, norm, low, high):
    X_adv, _ = attack_tree(tree, X, reference, eps=None, norm=norm, low=low, high=high)
    return X_adv


def _tree_reference(tree, uses_positions, classes, positions):
    """Return each row's reference label as an index in ``tree.classes_``.

    A distillation student is trained on class positions, so its classes
    are positions; a bare tree's classes are the labels. A label the tree
    never saw gets -1: every leaf predicts another class.
    """
    labels = positions if uses_positions else classes[positions]
    index = {label: i for i, label in enumerate(tree.classes_.tolist())}
    return np.array([index.get(label, -1) for label in labels.tolist()], dtype=np.int64)


def _check_n_features(estimator, X):
    model = _art.unwrap_frozen(estimator)
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and expected != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features, but {_art.model_name(estimator)} was "
            f"fitted on {expected}. Attack rows with the training columns."
        )


def _check_art_view(estimator, X, classes, clip_values, adaptive):
    """Fail if ART's view of the model predicts otherwise than the model."""
    expected = _art.model_classes(
        estimator, estimator.predict(_art.model_input(estimator, X))
    )[1]
    seen = _art.predict_positions(estimator, X, classes, clip_values, adaptive=adaptive)
    mismatches = int(np.sum(seen != expected))
    if mismatches:
        raise ValueError(
            f"The ART wrapper of {_art.model_name(estimator)} predicts another "
            f"class than its predict method on {mismatches} of {X.shape[0]} rows, "
            "so attack results would not describe the model. Check that its "
            "output columns follow classes_ and that its predict takes the "
            "argmax of predict_proba."
        )

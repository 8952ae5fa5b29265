"""A scorer that measures a metric of a classifier's predictions under attack."""

from numbers import Integral, Real

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.utils import check_random_state

from .. import _art
from .._compat import Interval, StrOptions, validate_params
from ..adversarial._generate import ATTACK_CONSTRAINTS, NORM_CONSTRAINTS, validate_rows
from ..adversarial._projection import evaluation_clip_values
from ._robustness import attack_runs, evaluate_attack, validate_labels, worst_case

ROBUST_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "minority_recall",
)


class RobustnessScorer:
    """Scorer returning a metric of a model's worst-case predictions under attack.

    Build it with :func:`make_robustness_scorer`. Calling it attacks the
    rows, takes for each row the worse of the clean and the adversarial
    prediction, and scores those predictions against the true labels.

    Parameters
    ----------
    attack : str or ART evasion attack
        Attack to run.
    eps : float
        Perturbation budget.
    norm : {"inf", 1, 2}
        Norm of the perturbation.
    metric : str or callable
        Name in ``ROBUST_METRICS`` or ``metric(y_true, y_pred)``.
    clip_values : tuple or None
        Clip values of the attack; None uses the range of the scored rows.
    random_state : int, RandomState instance or None
        Seeds the attack. An int gives every call the same seed.
    n_jobs : int or None
        Number of chunks attacked in parallel.

    See Also
    --------
    make_robustness_scorer : Build this scorer with validated parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.metrics import make_robustness_scorer
    >>> X = np.linspace(0, 1, 20).reshape(-1, 1)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> tree = DecisionTreeClassifier(max_depth=1).fit(X, y)
    >>> scorer = make_robustness_scorer(eps=0.06)
    >>> float(scorer(tree, X, y))
    0.9
    """

    def __init__(self, attack, eps, norm, metric, clip_values, random_state, n_jobs):
        self.attack = attack
        self.eps = eps
        self.norm = norm
        self.metric = metric
        self.clip_values = clip_values
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __call__(self, estimator, X, y, sample_weight=None):
        """Score the estimator's worst-case predictions on attacked rows.

        Parameters
        ----------
        estimator : fitted classifier
            The model to evaluate.
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to attack.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights of the metric.

        Returns
        -------
        score : float
            The metric; greater is better for every named metric.
        """
        X_valid = validate_rows(X)
        y = validate_labels(y, X_valid)
        y_clean = _art.predict_labels(estimator, X)
        rng = check_random_state(self.random_state)

        outcomes = [
            evaluate_attack(
                estimator,
                X_valid,
                X,
                y,
                y_clean,
                attack=attack,
                label=label,
                kind=kind,
                eps=self.eps,
                norm=self.norm,
                clip_values=evaluation_clip_values(self.clip_values, X_valid, self.eps),
                random_state=rng.randint(np.iinfo(np.int32).max),
                n_jobs=self.n_jobs,
                verbose=0,
            )
            for label, attack, kind in attack_runs(estimator, [self.attack], self.norm)
        ]
        y_pred = worst_case(outcomes, y_clean, self.eps).y_pred
        return score_predictions(self.metric, y, y_pred, sample_weight)

    def __repr__(self):
        return (
            f"make_robustness_scorer(attack={self.attack!r}, eps={self.eps!r}, "
            f"norm={self.norm!r}, metric={self.metric!r})"
        )


@validate_params(
    {
        "attack": ATTACK_CONSTRAINTS,
        "eps": [Interval(Real, 0, None, closed="neither")],
        "norm": NORM_CONSTRAINTS,
        "metric": [StrOptions(set(ROBUST_METRICS)), callable],
        "clip_values": [tuple, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def make_robustness_scorer(
    *,
    attack="auto",
    eps=0.1,
    norm="inf",
    metric="accuracy",
    clip_values=None,
    random_state=None,
    n_jobs=None,
):
    """Make a scorer of robust accuracy or another metric under attack.

    The scorer fits the ``scoring`` argument of
    :class:`~sklearn.model_selection.GridSearchCV` and
    :func:`~sklearn.model_selection.cross_val_score`. It attacks the
    validation rows of each split and scores, for every row, the worse of
    the clean and the adversarial prediction. For a model trained at a
    softmax temperature above 1, a gradient attack also runs on the logits
    divided by that temperature, and the worse outcome counts.

    Parameters
    ----------
    attack : str or ART evasion attack, default="auto"
        Attack to run; see
        :func:`~sklearn_distill.adversarial.generate_adversarial`.
    eps : float, default=0.1
        Perturbation budget, in the units of the features.
    norm : {"inf", 1, 2}, default="inf"
        Norm that measures the perturbation.
    metric : str or callable, default="accuracy"
        ``"accuracy"``, ``"balanced_accuracy"``, ``"precision_macro"``,
        ``"recall_macro"``, ``"f1_macro"``, ``"minority_recall"`` (recall of
        the least frequent class of the scored labels), or a callable
        ``metric(y_true, y_pred)`` that returns a float, greater being
        better. Macro averages run over the classes of the scored labels.
    clip_values : tuple of (float or array-like, float or array-like), \
            default=None
        Minimum and maximum valid value of every feature. None lets the
        attacker move every feature by the full `eps`: the range of each
        column of the scored rows widened by `eps` on each side.
    random_state : int, RandomState instance or None, default=None
        Seeds the attack. An int gives every split the same seed.
    n_jobs : int, default=None
        Number of chunks of rows attacked in parallel with joblib.

    Returns
    -------
    scorer : RobustnessScorer
        Callable as ``scorer(estimator, X, y)``.

    See Also
    --------
    robustness_report : All metrics for several attacks and budgets.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.preprocessing import minmax_scale
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.metrics import make_robustness_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = minmax_scale(X)
    >>> scorer = make_robustness_scorer(eps=0.05, metric="balanced_accuracy")
    >>> scores = cross_val_score(
    ...     DecisionTreeClassifier(max_depth=3, random_state=0), X, y, cv=3,
    ...     scoring=scorer,
    ... )
    >>> scores.shape
    (3,)
    """
    return RobustnessScorer(
        attack, eps, norm, metric, clip_values, random_state, n_jobs
    )


def score_predictions(metric, y, y_pred, sample_weight=None):
    """Compute a named or callable metric of predictions."""
    if callable(metric):
        return float(metric(y, y_pred))

    labels = np.unique(y)
    settings = {"labels": labels, "sample_weight": sample_weight, "zero_division": 0}
    if metric == "accuracy":
        return float(accuracy_score(y, y_pred, sample_weight=sample_weight))
    if metric in ("balanced_accuracy", "recall_macro"):
        # Balanced accuracy is the mean recall over the classes of y.
        return float(recall_score(y, y_pred, average="macro", **settings))
    if metric == "precision_macro":
        return float(precision_score(y, y_pred, average="macro", **settings))
    if metric == "f1_macro":
        return float(f1_score(y, y_pred, average="macro", **settings))

    _, counts = np.unique(y, return_counts=True)
    minority = labels[np.argmin(counts)]
    settings["labels"] = [minority]
    return float(recall_score(y, y_pred, average="macro", **settings))

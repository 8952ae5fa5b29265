"""Robust accuracy and related metrics of a classifier under attack."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .. import _art
from .._compat import HasMethods, Interval, StrOptions, validate_params
from ..adversarial._generate import (
    NORM_CONSTRAINTS,
    restore_container,
    run_attack,
    validate_rows,
)
from ..adversarial._projection import evaluation_clip_values, perturbation_norm
from ..exceptions import GradientMaskingWarning
from ._masking import masking_reasons

REPORT_COLUMNS = ["attack", "eps", "metric", "class", "value"]


@dataclass
class AttackOutcome:
    """Predictions of a model on the rows one attack produced.

    Attributes
    ----------
    attack : str
        Row label of the attack in the report, such as ``"pgd"`` or
        ``"adaptive_pgd"``.
    kind : {"gradient", "adaptive", "black_box", "exact"}
        Family of the attack, used by the gradient-masking checks.
    eps : float
        Perturbation budget.
    y_pred : ndarray of shape (n_samples,)
        Worst-case prediction within the ball: the adversarial prediction for
        rows the model classifies correctly, the clean one for the others.
    success : ndarray of shape (n_samples,)
        Whether the attack turned a correct prediction into a wrong one.
    perturbation : ndarray of shape (n_samples,)
        Norm of each row's perturbation.
    """

    attack: str
    kind: str
    eps: float
    y_pred: np.ndarray
    success: np.ndarray
    perturbation: np.ndarray


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "attacks": [StrOptions({"auto", "all"}), list, tuple],
        "eps": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "norm": NORM_CONSTRAINTS,
        "clip_values": [tuple, None],
        "check_masking": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def robustness_report(
    estimator,
    X,
    y,
    *,
    attacks="auto",
    eps=(0.05, 0.1, 0.2),
    norm="inf",
    clip_values=None,
    check_masking=True,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Measure clean and robust classification metrics under several attacks.

    Every attack runs at every budget in `eps`. A row counts as correct under
    an attack only if the model classifies both the row and its adversarial
    row correctly, so robust accuracy never exceeds clean accuracy. The
    ``"worst_case"`` rows combine all attacks per example: a row is robust
    only if no attack changed its prediction.

    Some models are deployed at temperature 1 after training at a higher
    softmax temperature: an estimator or skorch net whose
    ``training_temperature_`` or ``temperature`` is above 1. For them, every
    gradient attack also runs on the logits divided by that temperature, in
    rows named ``"adaptive_<attack>"``.

    Parameters
    ----------
    estimator : fitted classifier
        The model to evaluate; see
        :func:`~sklearn_distill.adversarial.generate_adversarial`.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Evaluation rows, usually held out from training.
    y : array-like of shape (n_samples,)
        True labels. A column vector is flattened with a
        :class:`~sklearn.exceptions.DataConversionWarning`.
    attacks : "auto", "all" or list of (str or ART evasion attack), \
            default="auto"
        Attacks to run. ``"auto"`` runs ``"pgd"`` and ``"hopskipjump"`` on
        differentiable models, so that the gradient-masking checks can
        compare a white-box with a black-box attack, the exact
        ``"decision_tree"`` attack on single trees, and ``"hopskipjump"`` on
        other models. ``"all"`` runs every attack that applies to the model
        and `norm`.
    eps : float or array-like of float, default=(0.05, 0.1, 0.2)
        Positive perturbation budgets, in the units of the features.
    norm : {"inf", 1, 2}, default="inf"
        Norm that measures the perturbation.
    clip_values : tuple of (float or array-like, float or array-like), \
            default=None
        Minimum and maximum valid value of every feature. None lets the
        attacker move every feature by the full budget: the range of each
        column of `X` widened by the largest `eps` on each side, which the
        ball around a row never reaches. Set it when features have hard
        limits, such as pixels in [0, 1].
    check_masking : bool, default=True
        Run the gradient-masking checks and raise a
        :class:`~sklearn_distill.exceptions.GradientMaskingWarning` for each
        finding. The checks look for more than 10% of rows with a loss
        gradient of exactly zero, a black-box attack that beats every
        gradient attack, robust accuracy that does not fall as `eps` grows,
        and an adaptive attack on temperature-scaled logits that beats the
        plain one.
    random_state : int, RandomState instance or None, default=None
        Seeds the attacks; each attack and budget gets its own seed drawn
        from it.
    n_jobs : int, default=None
        Number of chunks of rows attacked in parallel with joblib.
    verbose : int, default=0
        Show a progress bar per attack when greater than 0.

    Returns
    -------
    report : DataFrame
        One row per measurement, with columns:

        - ``attack``: ``"clean"``, the name of an attack, ``"adaptive_"``
          followed by a gradient attack's name, or ``"worst_case"``;
        - ``eps``: the budget, 0 for ``"clean"``;
        - ``metric``: ``"accuracy"``, ``"balanced_accuracy"``,
          ``"precision_macro"``, ``"recall_macro"``, ``"f1_macro"``,
          ``"minority_recall"`` (recall of the least frequent class of `y`),
          the per-class ``"precision"``, ``"recall"`` and ``"f1"``, and for
          attacks ``"success_rate"`` (share of correctly classified rows the
          attack turned wrong) and ``"median_perturbation"`` (median norm
          of the successful perturbations, NaN when there are none);
        - ``class``: the label for per-class metrics, None otherwise;
        - ``value``: the measurement.

        ``report.attrs["gradient_masking"]`` lists the findings of the
        gradient-masking checks.

    Warns
    -----
    GradientMaskingWarning
        When `check_masking` is True and a check finds evidence of gradient
        masking. The message gives the evidence.

    See Also
    --------
    make_robustness_scorer : One robust metric as a scorer for model selection.
    RobustnessCurveDisplay : Plot robust accuracy against the budget.

    Notes
    -----
    Robust accuracy under an attack is an upper bound on the true robust
    accuracy, except under the exact ``"decision_tree"`` attack, where it is
    exact. The ``"worst_case"`` rows give the tightest bound the attacks
    found.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.metrics import robustness_report
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(80, 2)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    >>> report = robustness_report(tree, X, y, eps=[0.05, 0.2])
    >>> accuracy = report[report.metric == "accuracy"]
    >>> accuracy.pivot(index="attack", columns="eps", values="value").round(2)
    eps            0.00  0.05  0.20
    attack
    clean           1.0   NaN   NaN
    decision_tree   NaN  0.92  0.57
    worst_case      NaN  0.92  0.57
    """
    check_is_fitted(estimator)
    X_valid = validate_rows(X)
    y = validate_labels(y, X_valid)
    budgets = _validate_budgets(eps)
    clip_values = evaluation_clip_values(clip_values, X_valid, max(budgets))
    runs = attack_runs(estimator, attacks, norm)
    rng = check_random_state(random_state)

    y_clean = _art.predict_labels(estimator, X)
    classes, counts = np.unique(y, return_counts=True)
    minority = classes[np.argmin(counts)]
    rows = metric_rows("clean", 0.0, y, y_clean, classes, minority)

    outcomes = []
    for budget in budgets:
        budget_outcomes = []
        for label, attack, kind in runs:
            outcome = evaluate_attack(
                estimator,
                X_valid,
                X,
                y,
                y_clean,
                attack=attack,
                label=label,
                kind=kind,
                eps=budget,
                norm=norm,
                clip_values=clip_values,
                random_state=rng.randint(np.iinfo(np.int32).max),
                n_jobs=n_jobs,
                verbose=verbose,
            )
            budget_outcomes.append(outcome)
            rows += outcome_rows(outcome, y, y_clean, classes, minority)
        worst = worst_case(budget_outcomes, y_clean, budget)
        rows += outcome_rows(worst, y, y_clean, classes, minority)
        outcomes += budget_outcomes

    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    # Keep labels as they are; pandas would turn integer labels mixed with
    # None into floats.
    report["class"] = pd.Series([row["class"] for row in rows], dtype=object)
    reasons = []
    if check_masking:
        reasons = masking_reasons(
            estimator, X_valid, y, y_clean, outcomes, clip_values=clip_values
        )
        _warn_masking(estimator, reasons)
    report.attrs["gradient_masking"] = reasons
    return report


def evaluate_attack(
    estimator,
    X_valid,
    X_original,
    y,
    y_clean,
    *,
    attack,
    label,
    kind,
    eps,
    norm,
    clip_values,
    random_state,
    n_jobs,
    verbose,
):
    """Attack the rows and return the model's worst-case predictions.

    Parameters
    ----------
    estimator : fitted classifier
        The model to attack.
    X_valid : ndarray of shape (n_samples, n_features)
        Validated rows.
    X_original : array-like or DataFrame
        The same rows in the caller's container, which the model predicts on.
    y : ndarray of shape (n_samples,)
        True labels.
    y_clean : ndarray of shape (n_samples,)
        The model's predictions on `X_original`.
    attack : str or ART evasion attack
        Attack to run.
    label : str
        Name of the attack in the report.
    kind : {"gradient", "adaptive", "black_box", "exact"}
        Family of the attack; ``"adaptive"`` attacks temperature-scaled
        logits.
    eps, norm, clip_values, random_state, n_jobs, verbose
        See :func:`robustness_report`.

    Returns
    -------
    outcome : AttackOutcome
        Predictions, successes and perturbation sizes.
    """
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
        adaptive=kind == "adaptive",
    )
    y_adv = _art.predict_labels(estimator, restore_container(run.X_adv, X_original))
    correct = y_clean == y
    return AttackOutcome(
        attack=label,
        kind=kind,
        eps=eps,
        y_pred=np.where(correct, y_adv, y_clean),
        success=correct & (y_adv != y),
        perturbation=perturbation_norm(run.X_adv.astype(np.float64) - X_valid, norm),
    )


def attack_runs(estimator, attacks, norm):
    """List the attacks to run as (report label, attack, kind) triples.

    Gradient attacks get an adaptive twin when the model was trained at a
    softmax temperature above 1.
    """
    if attacks == "auto":
        attacks = _default_attacks(estimator, norm)
    elif attacks == "all":
        attacks = list(_art.applicable_attacks(estimator, norm))

    if len(attacks) == 0:
        raise ValueError(
            "attacks is empty, so no robust accuracy can be measured. Pass "
            "'auto', 'all' or a list of attack names or ART attack instances."
        )

    runs = []
    seen = {}
    for attack in attacks:
        spec = _art.resolve_attack(estimator, attack, norm)
        # Repeated attacks, such as two ART instances of one class, get
        # numbered labels so that their report rows stay apart.
        seen[spec.name] = seen.get(spec.name, 0) + 1
        label = spec.name if seen[spec.name] == 1 else f"{spec.name}_{seen[spec.name]}"
        runs.append((label, attack, _attack_kind(attack, spec)))

    temperature = _art.training_temperature(estimator)
    if temperature is not None and temperature > 1:
        runs += [
            (f"adaptive_{label}", attack, "adaptive")
            for label, attack, kind in list(runs)
            if kind == "gradient"
        ]
    return runs


def worst_case(outcomes, y_clean, eps):
    """Combine attack outcomes at one budget into the per-example worst case.

    A row counts as broken if any attack succeeded on it; its prediction and
    perturbation are those of the successful attack with the smallest
    perturbation.
    """
    success = np.stack([outcome.success for outcome in outcomes])
    perturbation = np.stack([outcome.perturbation for outcome in outcomes])
    predictions = np.stack([outcome.y_pred for outcome in outcomes])

    masked = np.where(success, perturbation, np.inf)
    best = np.argmin(masked, axis=0)
    rows = np.arange(y_clean.shape[0])
    broken = success.any(axis=0)
    return AttackOutcome(
        attack="worst_case",
        kind="worst_case",
        eps=eps,
        y_pred=np.where(broken, predictions[best, rows], y_clean),
        success=broken,
        perturbation=np.where(broken, masked[best, rows], 0.0),
    )


def outcome_rows(outcome, y, y_clean, classes, minority):
    """Return the report rows of one attack outcome."""
    rows = metric_rows(
        outcome.attack, outcome.eps, y, outcome.y_pred, classes, minority
    )
    attacked = int(np.sum(y_clean == y))
    success_rate = outcome.success.sum() / attacked if attacked else np.nan
    successful = outcome.perturbation[outcome.success]
    median = float(np.median(successful)) if successful.size else np.nan
    rows.append(_row(outcome.attack, outcome.eps, "success_rate", None, success_rate))
    rows.append(_row(outcome.attack, outcome.eps, "median_perturbation", None, median))
    return rows


def metric_rows(attack, eps, y, y_pred, classes, minority):
    """Return the classification-metric rows for one set of predictions.

    Balanced accuracy is the mean recall over the classes of `y`, computed
    directly so that predicted labels absent from `y` raise no warning.
    """
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, y_pred, labels=classes, zero_division=0
    )
    minority_index = int(np.flatnonzero(classes == minority)[0])
    aggregates = {
        "accuracy": float(np.mean(y_pred == y)),
        "balanced_accuracy": float(np.mean(recall)),
        "precision_macro": float(np.mean(precision)),
        "recall_macro": float(np.mean(recall)),
        "f1_macro": float(np.mean(f1)),
        "minority_recall": float(recall[minority_index]),
    }
    rows = [_row(attack, eps, name, None, value) for name, value in aggregates.items()]
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        rows += [
            _row(attack, eps, name, label, float(value))
            for label, value in zip(classes.tolist(), values, strict=True)
        ]
    return rows


def validate_labels(y, X):
    """Return `y` as a 1-D array with one label per row of `X`."""
    y = column_or_1d(y, warn=True)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y has {y.shape[0]} labels, but X has {X.shape[0]} rows. Pass one "
            "label per row."
        )
    return y


def _validate_budgets(eps):
    budgets = np.unique(np.atleast_1d(np.asarray(eps, dtype=np.float64)))
    invalid = not np.all(np.isfinite(budgets)) or np.any(budgets <= 0)
    if budgets.ndim != 1 or budgets.size == 0 or invalid:
        raise ValueError(
            f"eps must be a positive float or a list of them, got {eps!r}. The "
            "clean metrics are reported with eps=0 anyway."
        )
    return budgets.tolist()


def _default_attacks(estimator, norm):
    """Pick a white-box and a black-box attack for differentiable models."""
    if _art.model_family(estimator) != "gradient":
        return ["auto"]
    black_box = [
        name for name in _art.BLACK_BOX_ATTACKS if norm in _art.ATTACK_NORMS[name]
    ]
    return ["auto", black_box[0]]


def _attack_kind(attack, spec):
    if spec.name in _art.GRADIENT_ATTACKS:
        return "gradient"
    if spec.name in _art.TREE_ATTACKS:
        return "exact"
    if spec.art_class is not None and _needs_gradients(spec.art_class):
        return "gradient"
    return "black_box"


def _needs_gradients(art_class):
    names = {
        requirement.__name__
        for requirement in (art_class._estimator_requirements or ())
        if isinstance(requirement, type)
    }
    return bool(names & {"LossGradientsMixin", "ClassGradientsMixin"})


def _warn_masking(estimator, reasons):
    model = _art.model_name(estimator)
    for reason in reasons:
        warnings.warn(
            f"Gradient masking suspected in {model}: {reason} Gradient attacks may "
            "overstate its robustness; rely on the worst_case rows.",
            GradientMaskingWarning,
            stacklevel=4,
        )


def _row(attack, eps, metric, label, value):
    return {
        "attack": attack,
        "eps": float(eps),
        "metric": metric,
        "class": label,
        "value": value,
    }

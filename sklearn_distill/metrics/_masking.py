"""Checks that gradient attacks do not overstate a model's robustness.

A model masks its gradients when they are zero or point away from nearby
adversarial examples, so that white-box attacks fail although such examples
exist. Each check below looks for one symptom in the outcomes of
:func:`~sklearn_distill.metrics.robustness_report`.
"""

from collections import defaultdict

import numpy as np

from .. import _art
from ..adversarial._projection import clip_bounds

#: Share of rows with a loss gradient of exactly zero above which the
#: zero-gradient check reports masking.
ZERO_GRADIENT_SHARE = 0.1


def masking_reasons(estimator, X, y, y_clean, outcomes, *, clip_values):
    """Return one sentence of evidence per gradient-masking symptom found.

    Parameters
    ----------
    estimator : fitted classifier
        The evaluated model.
    X : ndarray of shape (n_samples, n_features)
        Validated evaluation rows.
    y : ndarray of shape (n_samples,)
        True labels.
    y_clean : ndarray of shape (n_samples,)
        The model's predictions on `X`.
    outcomes : list of AttackOutcome
        Outcomes of every attack at every budget, without the worst case.
    clip_values : tuple or None
        Clip values of the attacks.

    Returns
    -------
    reasons : list of str
        Findings; empty when no check finds masking. Differences in robust
        accuracy count only when larger than one row's share.
    """
    tolerance = 1.0 / y.shape[0]
    reasons = _zero_gradient_reasons(estimator, X, y, clip_values)
    reasons += _black_box_reasons(outcomes, y, tolerance)
    reasons += _budget_reasons(outcomes, y, y_clean, tolerance)
    reasons += _adaptive_reasons(estimator, outcomes, y, tolerance)
    return reasons


def zero_gradient_share(estimator, X, y, clip_values):
    """Return the share of rows whose loss gradient is exactly zero.

    A zero gradient leaves sign-gradient attacks such as FGSM and PGD without
    a direction, so they cannot move the row at all.
    """
    classes, positions = _art.model_classes(estimator, y)
    bounds = clip_bounds(clip_values, X)
    gradients = _art.loss_gradients(estimator, X, positions, classes, bounds)
    return float(np.mean(np.all(gradients == 0.0, axis=1)))


def _zero_gradient_reasons(estimator, X, y, clip_values):
    if _art.model_family(estimator) != "gradient":
        return []
    share = zero_gradient_share(estimator, X, y, clip_values)
    if share <= ZERO_GRADIENT_SHARE:
        return []
    count = int(round(share * y.shape[0]))
    return [
        f"{count} of {y.shape[0]} rows ({share:.0%}) have a loss gradient of "
        "exactly zero, so sign-gradient attacks cannot move them."
    ]


def _black_box_reasons(outcomes, y, tolerance):
    reasons = []
    for eps, group in _by_budget(outcomes).items():
        white = [outcome for outcome in group if outcome.kind == "gradient"]
        black = [outcome for outcome in group if outcome.kind == "black_box"]
        if not (white and black):
            continue
        best_white = min(white, key=lambda outcome: _accuracy(outcome, y))
        best_black = min(black, key=lambda outcome: _accuracy(outcome, y))
        white_accuracy = _accuracy(best_white, y)
        black_accuracy = _accuracy(best_black, y)
        if black_accuracy < white_accuracy - tolerance:
            reasons.append(
                f"at eps={eps:g} the black-box attack {best_black.attack} leaves "
                f"a robust accuracy of {black_accuracy:.3f}, below the "
                f"{white_accuracy:.3f} of the best gradient attack "
                f"{best_white.attack}."
            )
    return reasons


def _budget_reasons(outcomes, y, y_clean, tolerance):
    """Flag attacks whose robust accuracy does not fall as the budget grows.

    The exact tree attack is left out: a flat curve is the truth there.
    """
    clean_accuracy = float(np.mean(y_clean == y))
    curves = defaultdict(list)
    for outcome in outcomes:
        if outcome.kind != "exact":
            curves[outcome.attack].append((outcome.eps, _accuracy(outcome, y)))

    reasons = []
    for attack, curve in curves.items():
        curve.sort()
        largest_eps, last_accuracy = curve[-1]
        if clean_accuracy > 0 and last_accuracy >= clean_accuracy:
            reasons.append(
                f"robust accuracy under {attack} stays at the clean accuracy "
                f"{clean_accuracy:.3f} up to eps={largest_eps:g}: the attack "
                "never changed a correct prediction."
            )
            continue
        smallest_eps, first_accuracy = curve[0]
        if len(curve) > 1 and first_accuracy > 0 and last_accuracy >= first_accuracy:
            reasons.append(
                f"robust accuracy under {attack} does not fall from "
                f"{first_accuracy:.3f} at eps={smallest_eps:g} as eps grows to "
                f"{largest_eps:g}, although a larger budget can only help the "
                "attacker."
            )
            continue
        for (low_eps, low), (high_eps, high) in zip(curve, curve[1:], strict=False):
            if high > low + tolerance:
                reasons.append(
                    f"robust accuracy under {attack} rises from {low:.3f} at "
                    f"eps={low_eps:g} to {high:.3f} at eps={high_eps:g}, although "
                    "a larger budget can only help the attacker."
                )
                break
    return reasons


def _adaptive_reasons(estimator, outcomes, y, tolerance):
    temperature = _art.training_temperature(estimator)
    plain = {
        (outcome.attack, outcome.eps): outcome
        for outcome in outcomes
        if outcome.kind == "gradient"
    }
    reasons = []
    for outcome in outcomes:
        if outcome.kind != "adaptive":
            continue
        name = outcome.attack.removeprefix("adaptive_")
        baseline = plain[(name, outcome.eps)]
        plain_accuracy = _accuracy(baseline, y)
        adaptive_accuracy = _accuracy(outcome, y)
        if adaptive_accuracy < plain_accuracy - tolerance:
            reasons.append(
                "dividing the logits by the training temperature "
                f"{temperature:g} lowers robust accuracy under {name} at "
                f"eps={outcome.eps:g} from {plain_accuracy:.3f} to "
                f"{adaptive_accuracy:.3f}."
            )
    return reasons


def _by_budget(outcomes):
    groups = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.eps].append(outcome)
    return groups


def _accuracy(outcome, y):
    return float(np.mean(outcome.y_pred == y))

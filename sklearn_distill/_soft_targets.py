"""Temperature-softened targets computed from a teacher's class scores.

Every soft target in the package is computed here. Scores are handled in log
space so that probabilities of exactly 0 and 1, common in trees, and extreme
temperatures give finite targets without floating-point warnings.
"""

import numpy as np

from ._labels import align_columns
from ._skorch_detect import is_skorch_net

#: Smallest probability used when a teacher only exposes ``predict_proba``.
#: Probabilities below it are raised to it and each row is renormalised before
#: taking logs, so that a leaf with probabilities exactly 0 and 1 still softens
#: as the temperature grows. Rows without such entries are left unchanged, so at
#: temperature 1 the targets equal the teacher's probabilities.
PROBA_FLOOR = 1e-6

RESPONSE_METHODS = ("auto", "decision_function", "predict_proba")


def log_softmax(scores):
    """Compute the row-wise log-softmax of a score matrix.

    Parameters
    ----------
    scores : ndarray of shape (n_samples, n_classes)
        Unnormalised log-scores, such as logits. ``-inf`` entries are allowed
        as long as each row has a finite entry.

    Returns
    -------
    log_proba : ndarray of shape (n_samples, n_classes)
        Log-probabilities whose exponentials sum to 1 on every row.
    """
    scores = np.asarray(scores, dtype=float)
    shifted = scores - scores.max(axis=1, keepdims=True)
    # Entries far below the row maximum underflow to probability 0, which is
    # the correct limit, so the underflow is not reported.
    with np.errstate(divide="ignore", under="ignore"):
        log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted - log_norm


def soften(log_scores, temperature):
    """Turn log-scores into probabilities softened at `temperature`.

    Parameters
    ----------
    log_scores : ndarray of shape (n_samples, n_classes)
        Logits or log-probabilities.
    temperature : float
        Softmax temperature. Values above 1 flatten the distribution towards
        uniform, values below 1 sharpen it towards one-hot.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        ``softmax(log_scores / temperature)``. Rows sum to 1 and the argmax of
        each row is the argmax of `log_scores`.
    """
    # Tiny log-scores divided by a large temperature, and entries far below
    # the row maximum, underflow to 0, the correct limit, so it is not reported.
    with np.errstate(under="ignore"):
        log_proba = log_softmax(np.asarray(log_scores, dtype=float) / temperature)
        return np.exp(log_proba)


def proba_to_log_scores(proba):
    """Convert probabilities to log-scores after flooring at `PROBA_FLOOR`.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Probabilities whose rows sum to 1.

    Returns
    -------
    log_scores : ndarray of shape (n_samples, n_classes)
        Finite log-probabilities of the floored and renormalised rows.
    """
    floored = np.maximum(np.asarray(proba, dtype=float), PROBA_FLOOR)
    floored /= floored.sum(axis=1, keepdims=True)
    return np.log(floored)


def one_hot(y_encoded, n_classes):
    """Encode class positions as a one-hot matrix of floats."""
    targets = np.zeros((y_encoded.shape[0], n_classes))
    targets[np.arange(y_encoded.shape[0]), y_encoded] = 1.0
    return targets


def mix_targets(soft_targets, y_encoded, alpha):
    """Mix soft targets with one-hot labels.

    Parameters
    ----------
    soft_targets : ndarray of shape (n_samples, n_classes)
        Teacher's probabilities at the distillation temperature.
    y_encoded : ndarray of shape (n_samples,)
        True class positions.
    alpha : float
        Weight of `soft_targets`; ``1 - alpha`` goes to the one-hot labels.

    Returns
    -------
    targets : ndarray of shape (n_samples, n_classes)
        ``alpha * soft_targets + (1 - alpha) * one_hot(y_encoded)``.
    """
    hard = one_hot(y_encoded, soft_targets.shape[1])
    # Soft targets near the smallest float times alpha underflow to 0.
    with np.errstate(under="ignore"):
        return alpha * soft_targets + (1.0 - alpha) * hard


def resolve_response_method(estimator, response_method="auto"):
    """Name the method whose output the soft targets are computed from.

    ``"auto"`` prefers ``decision_function``, whose values are logits for
    linear and boosted models, and falls back to ``predict_proba``.

    Parameters
    ----------
    estimator : object
        A classifier, fitted or not.
    response_method : {"auto", "decision_function", "predict_proba"}
        The requested method.

    Returns
    -------
    method : str or None
        ``"decision_function"``, ``"predict_proba"``, or None when the
        estimator has neither of the requested methods.
    """
    candidates = {
        "auto": ("decision_function", "predict_proba"),
        "decision_function": ("decision_function",),
        "predict_proba": ("predict_proba",),
    }[response_method]
    for method in candidates:
        if hasattr(estimator, method):
            return method
    return None


def teacher_log_scores(teacher, X, classes, response_method="auto"):
    """Compute a fitted teacher's log-scores with one column per class.

    Parameters
    ----------
    teacher : fitted classifier
        Has ``classes_`` and the method named by `response_method`.
    X : array-like of shape (n_samples, n_features)
        Rows to score.
    classes : ndarray of shape (n_classes,)
        Labels of the output columns. A class the teacher never saw gets the
        log-score of a probability `PROBA_FLOOR` times smaller than that of
        the least likely class it did see.
    response_method : {"auto", "decision_function", "predict_proba"}
        Method to score with; see :func:`resolve_response_method`. A skorch
        teacher is scored from its module's logits unless this is
        ``"predict_proba"``.

    Returns
    -------
    log_scores : ndarray of shape (n_samples, n_classes)
        Logits from ``decision_function`` or from a skorch teacher's module,
        or floored log-probabilities from ``predict_proba``. Every entry is
        finite.

    Raises
    ------
    ValueError
        If the teacher's scores are not finite or do not have one column per
        class in its ``classes_``.
    """
    if response_method != "predict_proba" and is_skorch_net(teacher):
        return _skorch_teacher_log_scores(teacher, X, classes)

    method = resolve_response_method(teacher, response_method)
    teacher_classes = np.asarray(teacher.classes_)

    if method == "decision_function":
        scores = _decision_scores(teacher, X, teacher_classes)
        scores = align_columns(scores, teacher_classes, classes, fill_value=np.nan)
        return _fill_unseen_classes(scores)

    proba = np.asarray(teacher.predict_proba(X), dtype=float)
    _check_finite_scores(proba, teacher, "predict_proba")
    proba = align_columns(proba, teacher_classes, classes, fill_value=0.0)
    return proba_to_log_scores(proba)


def _skorch_teacher_log_scores(teacher, X, classes):
    """Score with a skorch teacher's logits, which keep their full range.

    Probabilities of a confident net round to exactly 0 and 1, so logs of
    them would lose the ranking that the logits still carry.
    """
    from .neural._skorch import module_classes, skorch_logits

    logits = skorch_logits(teacher, X)
    _check_finite_scores(logits, teacher, "forward")
    teacher_classes = module_classes(teacher, logits.shape[1], classes)
    scores = align_columns(logits, teacher_classes, classes, fill_value=np.nan)
    return _fill_unseen_classes(scores)


def _decision_scores(teacher, X, teacher_classes):
    """Return ``decision_function`` as one logit column per teacher class."""
    scores = np.asarray(teacher.decision_function(X), dtype=float)
    _check_finite_scores(scores, teacher, "decision_function")

    if scores.ndim == 1 or scores.shape[1] == 1:
        # A binary decision value d is the log-odds of the positive class, and
        # softmax([-d / 2, d / 2]) equals sigmoid(d).
        half = scores.reshape(-1) / 2.0
        return np.column_stack([-half, half])

    if scores.shape[1] != teacher_classes.shape[0]:
        raise ValueError(
            f"The teacher {type(teacher).__name__} returns {scores.shape[1]} "
            f"decision_function columns for {teacher_classes.shape[0]} classes, "
            "so they are not per-class logits. Set response_method='predict_proba' "
            "or configure the teacher for one-vs-rest decisions."
        )
    return scores


def _fill_unseen_classes(scores):
    """Give classes without a score a log-score `PROBA_FLOOR` below the row min."""
    missing = np.isnan(scores)
    if missing.any():
        row_min = np.nanmin(scores, axis=1, keepdims=True)
        scores = np.where(missing, row_min + np.log(PROBA_FLOOR), scores)
    return scores


def _check_finite_scores(scores, teacher, method):
    if not np.all(np.isfinite(scores)):
        raise ValueError(
            f"The teacher {type(teacher).__name__} returned non-finite values from "
            f"{method}. Check the teacher's input for NaN or infinity, or "
            "choose a teacher whose outputs are finite."
        )

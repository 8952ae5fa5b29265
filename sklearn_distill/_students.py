"""Fitting a student to soft targets, for each kind of student.

A student learns a target matrix of shape (n_samples, n_classes) whose rows are
probability distributions over the class positions 0..n_classes-1:

- a classifier whose ``fit`` accepts ``sample_weight`` learns it by weighted
  replication: each row appears once per class, labelled with that class and
  weighted by its target probability times the row's sample weight. For
  impurity-based trees this gives exactly the split gains and leaf
  distributions of the soft targets;
- a regressor learns the matrix itself (the positive-class column for two
  classes) and its outputs are clipped to [0, 1] and renormalised;
- a skorch ``NeuralNetClassifier`` or ``NeuralNetBinaryClassifier`` learns
  the soft targets and the true labels through
  :class:`~sklearn_distill.neural.DistillationLoss`, which multiplies each
  row's loss by the row's weight.
"""

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import has_fit_parameter

from ._labels import align_columns
from ._skorch_detect import is_skorch_net

#: Replicated rows whose target probability is below this value are dropped.
#: They carry at most this share of a row's weight, and dropping them keeps
#: the replicated training set close to one row per class the teacher favours.
MIN_REPLICA_PROBA = 1e-3

STUDENT_KINDS = ("weighted_classifier", "regressor", "skorch_net")


def student_kind(student):
    """Name how `student` learns soft targets.

    Parameters
    ----------
    student : estimator
        An unfitted or fitted estimator.

    Returns
    -------
    kind : {"weighted_classifier", "regressor", "skorch_net"} or None
        None when the student can learn soft targets in none of the
        supported ways.
    """
    if is_skorch_net(student) and not isinstance(student, FrozenEstimator):
        return "skorch_net"
    if is_classifier(student) and _accepts_sample_weight(student):
        return "weighted_classifier"
    if is_regressor(student):
        return "regressor"
    return None


def fit_student(
    student,
    X,
    targets,
    *,
    sample_weight=None,
    class_weight=None,
    soft_targets=None,
    y_encoded=None,
    alpha=None,
    temperature=None,
):
    """Fit `student` in place to the rows `X` and the target matrix `targets`.

    Parameters
    ----------
    student : estimator
        Unfitted student whose :func:`student_kind` is not None.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training rows.
    targets : ndarray of shape (n_samples, n_classes)
        Target probabilities over class positions; rows sum to 1.
    sample_weight : ndarray of shape (n_samples,) or None
        Row weights.
    class_weight : ndarray of shape (n_classes,) or None
        Weight of each class position in the loss. A replica of class ``k``
        is weighted by ``class_weight[k]``, which for one-hot targets equals
        weighting each row by the weight of its label. A regressor learns
        the class-weighted targets ``targets * class_weight``, renormalised,
        with row weights ``targets @ class_weight``, which gives the same
        weight to each class as the replicas do. A skorch student gets only
        those row weights, times `sample_weight`, so that its soft term
        stays a divergence between probability distributions. For one-hot
        targets (``alpha=0``) a row's weight is then its label's class weight.
    soft_targets, y_encoded, alpha, temperature : optional
        The unmixed soft targets, the class positions of the true labels,
        the weight of the soft targets and the temperature. Required for a
        skorch student, whose loss keeps the two terms apart.

    Returns
    -------
    student : estimator
        The fitted student.
    """
    if student_kind(student) == "weighted_classifier":
        X_rep, y_rep, weight_rep = replicate_targets(
            X, targets, sample_weight, class_weight
        )
        return student.fit(X_rep, y_rep, **_weight_params(student, weight_rep))

    if class_weight is not None:
        targets, sample_weight = _apply_class_weight(
            targets, sample_weight, class_weight
        )

    if student_kind(student) == "skorch_net":
        return _fit_skorch_student(
            student, X, soft_targets, y_encoded, alpha, temperature, sample_weight
        )

    regression_targets = targets[:, 1] if targets.shape[1] == 2 else targets
    params = {}
    if sample_weight is not None:
        if not _accepts_sample_weight(student):
            raise ValueError(
                f"Row weights were requested through sample_weight or "
                f"class_weight, but the student {type(student).__name__} does not "
                "accept sample_weight in fit, so it would be trained unweighted. "
                "Choose a student that accepts sample_weight, or drop "
                "sample_weight and class_weight."
            )
        params = _weight_params(student, sample_weight)
    return student.fit(X, regression_targets, **params)


def student_predict_proba(student, X, n_classes):
    """Return the fitted student's probabilities over all class positions.

    Parameters
    ----------
    student : fitted estimator
        Student fitted by :func:`fit_student`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows to predict.
    n_classes : int
        Number of classes of the distillation problem.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Rows sum to 1. Classes the student never saw get probability 0.
    """
    if student_kind(student) == "skorch_net":
        from .neural._skorch import skorch_student_predict_proba

        return skorch_student_predict_proba(student, X, n_classes)

    if student_kind(student) == "weighted_classifier":
        proba = np.asarray(student.predict_proba(X), dtype=float)
        return align_columns(proba, student.classes_, np.arange(n_classes))

    raw = np.asarray(student.predict(X), dtype=float)
    if n_classes == 2:
        positive = np.clip(raw.reshape(-1), 0.0, 1.0)
        return np.column_stack([1.0 - positive, positive])
    return _normalise_rows(np.clip(raw, 0.0, None))


def student_has(student, method):
    """Tell whether the distillation wrapper can offer `method` for `student`."""
    if student_kind(student) == "skorch_net":
        return method in ("predict_proba", "predict_log_proba")
    if student_kind(student) == "regressor":
        return method in ("predict_proba", "predict_log_proba")
    if method in ("predict_proba", "predict_log_proba", "decision_function"):
        return is_classifier(student) and hasattr(student, method)
    return hasattr(student, method)


def replicate_targets(X, targets, sample_weight=None, class_weight=None):
    """Expand soft targets into weighted hard-labelled rows.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows.
    targets : ndarray of shape (n_samples, n_classes)
        Target probabilities.
    sample_weight : ndarray of shape (n_samples,) or None
        Row weights; None means 1 for every row.
    class_weight : ndarray of shape (n_classes,) or None
        Weight of each class; None means 1 for every class.

    Returns
    -------
    X_rep : {array-like, sparse matrix} of shape (n_replicas, n_features)
        Each row repeated once per class whose share of the row's
        class-weighted targets is at least `MIN_REPLICA_PROBA`.
    y_rep : ndarray of shape (n_replicas,)
        Class position of each replica.
    weight_rep : ndarray of shape (n_replicas,)
        Target probability of each replica times its class weight and its
        row's weight.
    """
    if sample_weight is None:
        sample_weight = np.ones(targets.shape[0])
    weighted = targets
    if class_weight is not None:
        weighted = targets * class_weight

    with np.errstate(invalid="ignore", divide="ignore"):
        share = weighted / weighted.sum(axis=1, keepdims=True)
    kept = share >= MIN_REPLICA_PROBA
    # A class below the threshold on every row would vanish from the
    # student's labels, and classifiers such as LogisticRegression reject
    # one-class data. Its most likely row is kept, with its tiny weight.
    vanished = np.flatnonzero(~kept.any(axis=0) & (weighted.max(axis=0) > 0))
    kept[share[:, vanished].argmax(axis=0), vanished] = True
    rows, classes = np.nonzero(kept)
    weight_rep = weighted[rows, classes] * sample_weight[rows]
    return _safe_indexing(X, rows), classes, weight_rep


def _apply_class_weight(targets, sample_weight, class_weight):
    """Fold class weights into renormalised targets and row weights."""
    weighted = targets * class_weight
    row_weight = weighted.sum(axis=1)
    if sample_weight is not None:
        row_weight = row_weight * sample_weight
    return _normalise_rows(weighted), row_weight


def _accepts_sample_weight(estimator):
    if isinstance(estimator, Pipeline):
        return has_fit_parameter(estimator.steps[-1][1], "sample_weight")
    return has_fit_parameter(estimator, "sample_weight")


def _weight_params(estimator, sample_weight):
    if isinstance(estimator, Pipeline):
        # Every step that takes weights gets them: a StandardScaler fitted
        # unweighted would take its statistics from the replicated rows.
        # NOTE: steps whose fit takes no sample_weight, such as PCA, still do.
        return {
            f"{name}__sample_weight": sample_weight
            for name, step in estimator.steps
            if step not in (None, "passthrough")
            and has_fit_parameter(step, "sample_weight")
        }
    return {"sample_weight": sample_weight}


def _normalise_rows(values):
    totals = values.sum(axis=1, keepdims=True)
    uniform = np.full_like(values, 1.0 / values.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, values / totals, uniform)


def _fit_skorch_student(
    student, X, soft_targets, y_encoded, alpha, temperature, sample_weight
):
    """Fit a skorch student on the unmixed soft targets and the labels."""
    from .neural._skorch import fit_skorch_student

    return fit_skorch_student(
        student,
        X,
        soft_targets,
        y_encoded,
        alpha=alpha,
        temperature=temperature,
        sample_weight=sample_weight,
    )

"""Fitting the teacher and scoring rows with it, in sample or out of fold."""

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing

from ._soft_targets import teacher_log_scores


def out_of_fold_log_scores(
    teacher, X, y, *, classes, cv, response_method, fit_params, n_jobs
):
    """Score every row with a teacher fitted on the folds that exclude it.

    Parameters
    ----------
    teacher : classifier
        Unfitted classifier; never a frozen one.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training rows.
    y : array-like of shape (n_samples,)
        Training labels.
    classes : ndarray of shape (n_classes,)
        Labels of the output columns.
    cv : int, cross-validation generator or iterable
        Splitting strategy, resolved with :func:`~sklearn.model_selection.check_cv`
        as for a classifier (stratified folds for an integer).
    response_method : str
        Method the teacher scores with.
    fit_params : dict
        Parameters for the teacher's ``fit``; per-row arrays of length
        n_samples are split with the folds.
    n_jobs : int or None
        Number of folds fitted in parallel.

    Returns
    -------
    log_scores : ndarray of shape (n_samples, n_classes)
        Out-of-fold log-scores; see
        :func:`~sklearn_distill._soft_targets.teacher_log_scores`.
    """
    splitter = check_cv(cv, y, classifier=True)
    folds = list(splitter.split(X, y))
    _check_fold_classes(folds, y)
    fold_scores = Parallel(n_jobs=n_jobs)(
        delayed(_score_fold)(
            teacher, X, y, train, test, classes, response_method, fit_params
        )
        for train, test in folds
    )

    log_scores = np.empty((X.shape[0], classes.shape[0]))
    covered = np.zeros(X.shape[0], dtype=bool)
    for (_, test), scores in zip(folds, fold_scores, strict=True):
        log_scores[test] = scores
        covered[test] = True

    if not covered.all():
        raise ValueError(
            f"The teacher_cv splitter left {int((~covered).sum())} rows out of "
            "every test fold, so they have no out-of-fold targets. Use a "
            "splitter whose test folds partition the data, such as KFold."
        )
    return log_scores


def _check_fold_classes(folds, y):
    """Raise if the training part of a fold lacks a class of `y`.

    A teacher fitted without a class gives that class no score, so the rows
    of the fold would get targets that rule the class out.
    """
    labels = np.unique(y)
    for index, (train, _) in enumerate(folds):
        missing = np.setdiff1d(labels, np.unique(_safe_indexing(y, train)))
        if missing.size:
            raise ValueError(
                f"Fold {index} of teacher_cv has no rows of class "
                f"{missing.tolist()[0]!r} in its training part, so its teacher "
                "could not score that class and the fold's targets would rule "
                "it out. Use a stratified splitter such as StratifiedKFold, or "
                "set teacher_cv=None to score the training rows in sample."
            )


def check_teacher_cv(cv, y):
    """Raise if stratified folds of `cv` need more rows than a class of `y` has.

    An integer `cv` gives :class:`~sklearn.model_selection.StratifiedKFold`,
    which puts rows of every class in each of its test folds. scikit-learn
    only warns when a class has fewer rows than folds, and raises its own
    message, which does not name `teacher_cv`, only when every class has.
    Other splitters are not checked.
    """
    if cv is None:
        return
    splitter = check_cv(cv, y, classifier=True)
    if not isinstance(splitter, StratifiedKFold):
        return

    labels, counts = np.unique(y, return_counts=True)
    smallest = int(np.argmin(counts))
    label, count = labels.tolist()[smallest], int(counts[smallest])
    n_splits = splitter.get_n_splits()
    if count >= n_splits:
        return

    setting = "teacher_cv" if isinstance(cv, Integral) else "n_splits of teacher_cv"
    fix = f"Set {setting} to {count} or lower"
    if count == 1:
        fix = "Add rows of that class"
    raise ValueError(
        f"teacher_cv={cv!r} splits each class into {n_splits} stratified folds, "
        f"but class {label!r} has only {count} {'row' if count == 1 else 'rows'}. "
        f"{fix}, or set teacher_cv=None to score the training rows in sample."
    )


def fill_random_states(estimator, random_state):
    """Give every unset ``random_state`` parameter of `estimator` a seed.

    Parameters
    ----------
    estimator : estimator
        Modified in place; nested parameters such as
        ``final_estimator__random_state`` are included.
    random_state : RandomState instance
        Source of the integer seeds, drawn in sorted parameter order so that
        the same seed gives the same assignment.
    """
    params = estimator.get_params(deep=True)
    seeds = {
        name: random_state.randint(np.iinfo(np.int32).max)
        for name in sorted(params)
        if (name == "random_state" or name.endswith("__random_state"))
        and params[name] is None
    }
    if seeds:
        estimator.set_params(**seeds)


def is_frozen(teacher):
    """Tell whether `teacher` is pre-trained and must not be refitted."""
    return isinstance(teacher, FrozenEstimator)


def _score_fold(teacher, X, y, train, test, classes, response_method, fit_params):
    fold_params = {
        name: _safe_indexing(value, train) if is_per_row(value, y) else value
        for name, value in fit_params.items()
    }
    fold_teacher = clone(teacher).fit(
        _safe_indexing(X, train), _safe_indexing(y, train), **fold_params
    )
    return teacher_log_scores(
        fold_teacher, _safe_indexing(X, test), classes, response_method
    )


def is_per_row(value, y):
    return hasattr(value, "__len__") and len(value) == len(y)

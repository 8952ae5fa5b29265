"""Fitting the teacher and scoring rows with it, in sample or out of fold."""

import reprlib
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

from ._compat import GroupsConsumerMixin
from ._skorch_detect import contains_skorch_net
from ._soft_targets import teacher_log_scores


def out_of_fold_log_scores(
    teacher, X, y, *, classes, folds, response_method, fit_params, n_jobs
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
    folds : list of (train, test) tuples
        Row indices of each fold, as returned by :func:`teacher_folds`.
    response_method : str
        Method the teacher scores with.
    fit_params : dict
        Parameters for the teacher's ``fit``; per-row arrays of length
        n_samples are split with the folds.
    n_jobs : int or None
        Number of folds fitted in parallel. The folds of a skorch teacher
        are fitted one after another.

    Returns
    -------
    log_scores : ndarray of shape (n_samples, n_classes)
        Out-of-fold log-scores; see
        :func:`~sklearn_distill._soft_targets.teacher_log_scores`.
    """
    if contains_skorch_net(teacher):
        # NOTE: skorch teachers fitted in loky worker processes hung the fit
        # at times (cause not found), and torch uses several cores itself.
        # In this process they also draw from the generator that fit seeds.
        n_jobs = 1
    fold_scores = Parallel(n_jobs=n_jobs)(
        delayed(_score_fold)(
            teacher, X, y, train, test, classes, response_method, fit_params
        )
        for train, test in folds
    )

    log_scores = np.empty((_num_samples(X), classes.shape[0]))
    for (_, test), scores in zip(folds, fold_scores, strict=True):
        log_scores[test] = scores
    return log_scores


def teacher_folds(cv, X, y):
    """Resolve `cv` into the folds of the out-of-fold targets, or raise.

    An integer `cv` gives :class:`~sklearn.model_selection.StratifiedKFold`,
    which puts rows of every class in each of its test folds. An iterable of
    folds is read once here, so that a generator can be used. Splitters
    that need groups are rejected, since ``fit`` takes none. The folds are
    checked before any teacher is fitted.

    Parameters
    ----------
    cv : int, cross-validation generator, iterable or None
        The `cv` parameter of the classifier.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training rows.
    y : array-like of shape (n_samples,)
        Training labels.

    Returns
    -------
    folds : list of (train, test) tuples or None
        Row indices of each fold; None when `cv` is None.
    """
    if cv is None:
        return None
    if _is_fold_iterable(cv):
        cv = _fold_pairs(cv)
    splitter = check_cv(cv, y, classifier=True)
    _check_no_groups(cv, splitter)
    if isinstance(splitter, StratifiedKFold):
        _check_stratified_folds(cv, splitter.get_n_splits(), y)
    folds = list(splitter.split(X, y))

    _check_partition(folds, _num_samples(X))
    _check_fold_classes(folds, y)
    return folds


def _is_fold_iterable(cv):
    """Tell whether `cv` is an iterable of folds rather than an int or a splitter."""
    return not (isinstance(cv, Integral | str) or hasattr(cv, "split"))


def _fold_pairs(cv):
    """Read an iterable of folds into a list, or raise unless each is a pair."""
    folds = list(cv)
    for index, fold in enumerate(folds):
        is_sequence = isinstance(fold, tuple | list)
        if is_sequence and len(fold) == 2:
            continue
        found = reprlib.repr(fold) if not is_sequence else f"a {type(fold).__name__}"
        if is_sequence:
            found += f" of {len(fold)} {'item' if len(fold) == 1 else 'items'}"
        raise ValueError(
            f"Fold {index} of cv is {found}, not a (train, test) pair. Pass a "
            "splitter, or (train, test) pairs of integer indices into the rows "
            "given to fit."
        )
    return folds


def _check_partition(folds, n_samples):
    """Raise unless the folds hold valid rows and their test parts partition them.

    Each test part must also be disjoint from the training part of its fold.
    """
    counts = np.zeros(n_samples, dtype=int)
    for index, (train, test) in enumerate(folds):
        train = _fold_rows(train, n_samples, f"training part of fold {index}")
        test = _fold_rows(test, n_samples, f"test part of fold {index}")
        _check_disjoint(index, train, test)
        np.add.at(counts, test, 1)

    uncovered, repeated = int(np.sum(counts == 0)), int(np.sum(counts > 1))
    problems = []
    if uncovered:
        problems.append(f"leaves {uncovered} rows out of every test fold")
    if repeated:
        problems.append(f"puts {repeated} rows into several test folds")
    if problems:
        raise ValueError(
            f"The cv splitter {' and '.join(problems)}, so those rows would "
            "have no single out-of-fold target. Use a splitter whose test folds "
            "partition the data, such as KFold."
        )


def _check_disjoint(index, train, test):
    shared = np.intersect1d(train, test)
    if shared.size:
        raise ValueError(
            f"Fold {index} of cv has {shared.size} rows in both its training "
            f"and its test part, such as rows {_preview(shared)}, so their "
            "targets would come from a teacher that saw them. Pass folds whose "
            "training and test parts are disjoint, such as those of KFold."
        )


def _fold_rows(rows, n_samples, name):
    """Return the integer row indices of a fold part, or raise if invalid."""
    rows = np.asarray(rows)
    if rows.size == 0:
        return rows.astype(np.intp)
    if rows.dtype == bool and rows.shape == (n_samples,):
        return np.flatnonzero(rows)

    if rows.dtype.kind not in "iu":
        raise ValueError(
            f"The {name} of cv contains {rows.dtype} values, not integer row "
            f"indices: {_preview(rows)}. Pass a splitter, or (train, test) "
            "pairs of integer indices into the rows given to fit."
        )
    outside = rows[(rows < 0) | (rows >= n_samples)]
    if outside.size:
        raise ValueError(
            f"The {name} of cv contains indices outside the rows 0 to "
            f"{n_samples - 1}: {_preview(outside)}. Pass a splitter, or "
            "(train, test) pairs of integer indices into the rows given to fit."
        )
    return rows.ravel()


def _preview(rows):
    """Format the first five values of `rows` and how many more there are."""
    rows = np.asarray(rows).ravel()
    first_values = rows[:5].tolist()
    n_more = rows.size - len(first_values)
    if n_more:
        return f"{first_values} and {n_more} more"
    return f"{first_values}"


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
                f"Fold {index} of cv has no rows of class "
                f"{missing.tolist()[0]!r} in its training part, so its teacher "
                "could not score that class and the fold's targets would rule "
                "it out. Use a stratified splitter such as StratifiedKFold, or "
                "set cv=None to score the training rows in sample."
            )


def _check_no_groups(cv, splitter):
    if isinstance(splitter, GroupsConsumerMixin):
        raise ValueError(
            f"cv={cv!r} needs the groups of the rows, which "
            "DistillationClassifier does not take. Pass the folds themselves, "
            "as in cv=list(GroupKFold(5).split(X, y, groups))."
        )


def _check_stratified_folds(cv, n_splits, y):
    """Raise if a class of `y` has fewer rows than there are folds.

    scikit-learn only warns when a class has fewer rows than folds, and
    raises its own message, which does not name `cv`, only when every class
    has.
    """
    labels, counts = np.unique(y, return_counts=True)
    smallest = int(np.argmin(counts))
    label, count = labels.tolist()[smallest], int(counts[smallest])
    if count >= n_splits:
        return

    setting = "cv" if isinstance(cv, Integral) else "n_splits of cv"
    fix = f"Set {setting} to {count} or lower"
    if count == 1:
        fix = "Add rows of that class"
    raise ValueError(
        f"cv={cv!r} splits each class into {n_splits} stratified folds, "
        f"but class {label!r} has only {count} {'row' if count == 1 else 'rows'}. "
        f"{fix}, or set cv=None to score the training rows in sample."
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
    # A teacher fitted after its stages is scored as itself, as teacher_ is,
    # so that a skorch net's logits are mapped to the labels.
    from ._stages import StagedTeacher

    scored = fold_teacher
    if isinstance(fold_teacher, StagedTeacher):
        scored = fold_teacher.teacher_
    return teacher_log_scores(scored, _safe_indexing(X, test), classes, response_method)


def is_per_row(value, y):
    return hasattr(value, "__len__") and len(value) == len(y)

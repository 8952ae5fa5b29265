"""Cleaning samplers: remove rows with likely wrong labels or outlying values."""

from numbers import Integral, Real

import numpy as np
from imblearn.under_sampling.base import BaseCleaningSampler
from sklearn.base import clone
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils import _safe_indexing

from ._compat import GroupsConsumerMixin, HasMethods, Interval, StrOptions
from ._input_checks import check_sampler_input
from ._labels import encode_labels

__all__ = ["LabelNoiseCleaner", "OutlierFilter"]


class _BaseCleaner(BaseCleaningSampler):
    """Cleaning sampler that checks the columns of a DataFrame `X` by name.

    It also warns about a column-vector `y`, as scikit-learn does.
    """

    def _check_X_y(self, X, y, accept_sparse=None):
        check_sampler_input(
            X,
            y,
            subject="Cleaning samplers take numeric input only",
            fix="place the cleaner after the step that encodes these columns, as "
            f"in imblearn.pipeline.make_pipeline(encoder, {type(self).__name__}(), "
            "model).",
            reject_categorical=False,
        )
        return super()._check_X_y(X, y, accept_sparse=accept_sparse)


class LabelNoiseCleaner(_BaseCleaner):
    """Remove rows whose label an out-of-fold classifier confidently rejects.

    A classifier is fitted with cross-validation, and each row is scored by
    the model that did not see it. A row is removed when that model
    confidently assigns it to a class other than its label: such rows are
    likely mislabelled, and a teacher fitted on them learns the noise. By
    default the confidence needed for each class is the classifier's mean
    out-of-fold probability of that class on the rows labelled with it, as
    in confident learning, so the rule adapts to how calibrated the
    classifier is.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba`` that scores the rows out of fold.
        None uses ``RandomForestClassifier(random_state=random_state)``.
    threshold : "auto" or float, default="auto"
        Out-of-fold probability at or above which a class counts as
        confidently predicted for a row.

        - ``"auto"``: each class j gets its own threshold, the mean
          out-of-fold probability of j over the rows labelled j. A row is
          removed when the most probable of the classes that reach their
          thresholds is not its label and is more probable than its label.
          A row that reaches no threshold is kept, and so is a row whose
          label is at least as probable as that class, even when the label
          misses its own threshold.
        - float in (0, 1]: one threshold for every class. A row is removed
          when any other class reaches it, even when the row's own label is
          as probable or more, which is possible at 0.5 or below. Lower
          values remove more rows.
    sampling_strategy : str, list or callable, default="auto"
        Classes whose rows may be removed. ``"auto"`` and ``"not minority"``
        keep every row of the minority class, which an imbalanced data set
        cannot spare. ``"all"``, ``"majority"`` and ``"not majority"`` select
        classes by size. A list names the classes. A callable takes `y` and
        returns a dict whose keys are the classes.
    random_state : int, RandomState instance or None, default=None
        Seed of the default estimator. Ignored when `estimator` is given.
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-fold scores, as in
        :func:`~sklearn.model_selection.cross_val_predict`. An int gives
        stratified folds. Splitters that need groups, such as
        :class:`~sklearn.model_selection.GroupKFold`, are rejected, because
        ``fit_resample`` takes no groups: pass their folds as a list.
    n_jobs : int or None, default=None
        Number of folds fitted in parallel. None means 1 unless in a
        :func:`joblib.parallel_backend` context.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes whose rows may be removed, as keys.
    classes_ : ndarray of shape (n_classes,)
        Sorted class labels, the columns of `out_of_fold_proba_`.
    out_of_fold_proba_ : ndarray of shape (n_samples, n_classes)
        Probability of each class given to each row by the fold model that
        did not see it.
    thresholds_ : ndarray of shape (n_classes,)
        Threshold of each class in `classes_`: the mean self-confidence of
        the class with ``threshold="auto"``, and `threshold` for every class
        when it is a float.
    removed_indices_ : ndarray of shape (n_removed,)
        Indices of the removed rows in the input.
    sample_indices_ : ndarray of shape (n_samples - n_removed,)
        Indices of the kept rows in the input, in order.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    OutlierFilter : Remove rows with outlying feature values.
    imblearn.under_sampling.InstanceHardnessThreshold : Remove the rows with
        the lowest out-of-fold probability until a target count is reached.
    imblearn.under_sampling.EditedNearestNeighbours : Remove the rows whose
        nearest neighbours disagree with their label.

    Notes
    -----
    ``threshold="auto"`` is the assignment rule of the confident joint in
    confident learning [1]_: the per-class thresholds are the classes'
    average self-confidence, and a row counts for the most probable class
    among those that reach their thresholds. A row is removed only when that
    class is also more probable than its label, a condition close to
    cleanlab's filter of rows whose most probable class is not their label,
    which cleanlab combines with the confident joint in
    ``filter_by="both"``. Without it, a class with one or two rows, whose
    threshold is near 0 because no fold model learns it, would take every
    row whose label misses its own threshold, such as a row labelled 1 with
    probabilities (0.16, 0.73, 0.11) when class 1's threshold is 0.744.
    A fixed threshold ignores how calibrated the classifier is. On
    imbalanced-learn's check data (1000 rows of three overlapping classes
    from ``make_classification``, whose default ``flip_y=0.01`` reassigns 1%
    of the labels at random), the default forest scored out of fold gives no
    row 0.9 for another class, so a threshold of 0.9 removes nothing.

    Only labels are judged, so a correct but rare kind of row that the
    classifier cannot learn is removed too. Where classes overlap, their
    thresholds are low and correctly labelled rows near the class boundaries
    are removed as well: on the same check data, the default cleaner with
    ``random_state=0`` removes 98 rows of the two larger classes. A
    classifier no better than chance, such as
    :class:`~sklearn.dummy.DummyClassifier`, gives every row about the class
    frequencies, which reach every threshold, so it removes nearly every row
    outside the most frequent class. Check `removed_indices_` before
    trusting the cleaned data, and set a float `threshold` when the rule
    removes too much.

    References
    ----------
    .. [1] C. Northcutt, L. Jiang and I. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research, 2021. https://doi.org/10.1613/jair.1.12125

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_distill.cleaning import LabelNoiseCleaner
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 2)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> y[[8, 40]] = 1 - y[[8, 40]]
    >>> cleaner = LabelNoiseCleaner(sampling_strategy="all", random_state=0)
    >>> X_res, y_res = cleaner.fit_resample(X, y)
    >>> cleaner.removed_indices_
    array([ 8, 40])
    >>> cleaner.thresholds_.round(3)
    array([0.844, 0.896])
    >>> cleaner = LabelNoiseCleaner(
    ...     estimator=LogisticRegression(C=100), threshold=0.8, sampling_strategy="all"
    ... )
    >>> X_res, y_res = cleaner.fit_resample(X, y)
    >>> cleaner.removed_indices_
    array([ 8, 40])
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "threshold": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="right")],
        "random_state": ["random_state"],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        estimator=None,
        threshold="auto",
        sampling_strategy="auto",
        random_state=None,
        cv=5,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.estimator = estimator
        self.threshold = threshold
        self.random_state = random_state
        self.cv = cv
        self.n_jobs = n_jobs

    def _fit_resample(self, X, y):
        self.classes_, y_encoded = encode_labels(y)
        self.out_of_fold_proba_ = self._out_of_fold_proba(X, y_encoded)

        if self.threshold == "auto":
            self.thresholds_ = _self_confidence(self.out_of_fold_proba_, y_encoded)
            contradicted = _confidently_other_class(
                self.out_of_fold_proba_, y_encoded, self.thresholds_
            )
        else:
            self.thresholds_ = np.full(self.classes_.shape[0], float(self.threshold))
            rejected = self.out_of_fold_proba_.copy()
            rejected[np.arange(y_encoded.shape[0]), y_encoded] = 0.0
            contradicted = rejected.max(axis=1) >= self.threshold
        cleanable = np.isin(y, list(self.sampling_strategy_))

        removed = contradicted & cleanable
        self.removed_indices_ = np.flatnonzero(removed)
        self.sample_indices_ = np.flatnonzero(~removed)
        return (
            _safe_indexing(X, self.sample_indices_),
            _safe_indexing(y, self.sample_indices_),
        )

    def _out_of_fold_proba(self, X, y_encoded):
        if self.estimator is None:
            estimator = RandomForestClassifier(random_state=self.random_state)
        else:
            estimator = clone(self.estimator)
        cv = _check_folds(self.cv, X, y_encoded)
        return cross_val_predict(
            estimator, X, y_encoded, cv=cv, method="predict_proba", n_jobs=self.n_jobs
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags


def _check_folds(cv, X, y_encoded):
    """Resolve `cv` into a splitter, or raise naming `cv` and the fix.

    scikit-learn raises these errors itself, in words that do not name `cv`.
    A class with fewer rows than stratified folds, while another class has
    enough, only gets scikit-learn's warning.
    """
    splitter = check_cv(cv, y_encoded, classifier=True)
    if isinstance(splitter, GroupsConsumerMixin):
        raise ValueError(
            f"cv={cv!r} needs the groups of the rows, which LabelNoiseCleaner "
            "does not take. Pass the folds themselves, as in "
            "cv=list(GroupKFold(3).split(X, y, groups))."
        )

    n_splits = splitter.get_n_splits(X, y_encoded)
    setting = "cv" if isinstance(cv, Integral) else "n_splits of cv"
    # Stratified folds are checked first: their limit, the size of the
    # largest class, is never above the number of rows.
    largest = int(np.bincount(y_encoded).max())
    if isinstance(splitter, StratifiedKFold) and n_splits > largest:
        fix = f"Set {setting} to {largest} or lower"
        if largest < 2:
            fix = "Add rows, so that at least one class has 2"
        raise ValueError(
            f"cv={cv!r} splits each class into {n_splits} stratified folds, "
            f"but the largest class has only {largest} "
            f"{'row' if largest == 1 else 'rows'}. {fix}."
        )
    n_rows = X.shape[0]
    if n_splits > n_rows:
        raise ValueError(
            f"cv={cv!r} splits the rows into {n_splits} folds, but X has only "
            f"{n_rows} rows. Set {setting} to {n_rows} or lower."
        )
    return splitter


def _self_confidence(proba, y_encoded):
    """Compute each class's mean probability over the rows labelled with it.

    Every class has rows, because `y_encoded` comes from encoding `y`.
    """
    n_classes = proba.shape[1]
    own_proba = proba[np.arange(y_encoded.shape[0]), y_encoded]
    totals = np.bincount(y_encoded, weights=own_proba, minlength=n_classes)
    counts = np.bincount(y_encoded, minlength=n_classes)
    return totals / counts


def _confidently_other_class(proba, y_encoded, thresholds):
    """Return a mask of the rows that confident learning assigns to another class.

    A row is assigned to its most probable class among those whose
    probability reaches the class's threshold, and counts against its label
    only when that class is also more probable than the label. A tie with the
    row's own label keeps the row, and a row that reaches no threshold stays
    unassigned.
    """
    # A probability of 0 never counts as reaching a threshold, which is 0
    # when every row of a class gets 0 for it.
    reached = (proba >= thresholds) & (proba > 0)
    rows = np.arange(y_encoded.shape[0])
    own_proba = proba[rows, y_encoded]

    other_reached = reached.copy()
    other_reached[rows, y_encoded] = False
    best_other = np.where(other_reached, proba, -np.inf).max(axis=1)

    # When the label reaches its threshold and is the more probable, the row
    # is assigned to its label. When it misses its threshold, the row is
    # assigned to the other class, but a less probable class is no evidence
    # against the label.
    return best_other > own_proba


class OutlierFilter(_BaseCleaner):
    """Remove rows that an outlier detector flags, class by class.

    An outlier detector such as :class:`~sklearn.ensemble.IsolationForest` is
    fitted on the rows of each class to clean, and the rows it labels ``-1``
    are removed. Fitting per class finds rows that are unusual for their own
    class, such as entry errors, which a detector fitted on all rows misses
    when they sit near another class.

    Parameters
    ----------
    estimator : outlier detector or None, default=None
        Estimator with ``fit_predict`` returning 1 for inliers and -1 for
        outliers. None uses ``IsolationForest(random_state=random_state)``,
        whose default contamination removes only clearly isolated rows.
    per_class : bool, default=True
        Whether to fit one detector on each class to clean. When False, one
        detector is fitted on all rows, and only the flagged rows of the
        classes to clean are removed.
    sampling_strategy : str, list or callable, default="auto"
        Classes whose rows may be removed. ``"auto"`` and ``"not minority"``
        keep every row of the minority class, whose rare rows are often the
        informative ones. ``"all"``, ``"majority"`` and ``"not majority"``
        select classes by size. A list names the classes. A callable takes
        `y` and returns a dict whose keys are the classes.
    random_state : int, RandomState instance or None, default=None
        Seed of the default estimator. Ignored when `estimator` is given.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes whose rows may be removed, as keys.
    removed_indices_ : ndarray of shape (n_removed,)
        Indices of the removed rows in the input.
    sample_indices_ : ndarray of shape (n_samples - n_removed,)
        Indices of the kept rows in the input, in order.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    LabelNoiseCleaner : Remove rows whose label a classifier rejects.

    Notes
    -----
    The detector judges feature values only, never labels: a mislabelled row
    with ordinary values stays.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.cleaning import OutlierFilter
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 2))
    >>> X[5] = [25.0, -25.0]
    >>> y = np.repeat([0, 1], 20)
    >>> outlier_filter = OutlierFilter(sampling_strategy="all", random_state=0)
    >>> X_res, y_res = outlier_filter.fit_resample(X, y)
    >>> 5 in outlier_filter.removed_indices_
    True
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "estimator": [HasMethods(["fit_predict"]), None],
        "per_class": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        estimator=None,
        per_class=True,
        sampling_strategy="auto",
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.estimator = estimator
        self.per_class = per_class
        self.random_state = random_state

    def _fit_resample(self, X, y):
        cleanable = np.isin(y, list(self.sampling_strategy_))
        outlier = np.zeros(y.shape[0], dtype=bool)

        if self.per_class:
            for label in self.sampling_strategy_:
                rows = np.flatnonzero(y == label)
                outlier[rows] = self._flag_outliers(_safe_indexing(X, rows))
        else:
            outlier = self._flag_outliers(X) & cleanable

        self.removed_indices_ = np.flatnonzero(outlier)
        self.sample_indices_ = np.flatnonzero(~outlier)
        return (
            _safe_indexing(X, self.sample_indices_),
            _safe_indexing(y, self.sample_indices_),
        )

    def _flag_outliers(self, X):
        """Return a mask of the rows a fresh detector labels -1."""
        if self.estimator is None:
            detector = IsolationForest(random_state=self.random_state)
        else:
            detector = clone(self.estimator)
        return np.asarray(detector.fit_predict(X)) == -1

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags

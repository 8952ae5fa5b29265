"""imbalanced-learn sampler that appends adversarial rows to a training set."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from imblearn.base import BaseSampler
from scipy import sparse
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state

from .._compat import HasMethods, Interval, StrOptions
from .._input_checks import (
    check_rows_within,
    check_sample_weight_shape,
    check_sampler_input,
)
from .._skorch_detect import is_skorch_net
from .._teacher import fill_random_states, is_frozen
from ._generate import (
    ATTACK_CONSTRAINTS,
    NORM_CONSTRAINTS,
    NonBoolInterval,
    run_attack,
)
from ._projection import clip_bounds

#: Depth of the decision tree fitted as surrogate when no estimator is given.
#: It bounds the number of leaf boxes the exact attack measures to 256.
SURROGATE_MAX_DEPTH = 8


class AttackSampler(BaseSampler):
    """Append adversarial rows, labelled like their source rows, to a training set.

    The sampler fits a model on the training rows (a surrogate of its own,
    a given estimator, or a pre-trained one wrapped in
    :class:`~sklearn.frozen.FrozenEstimator`), draws source rows per class,
    attacks them through the Adversarial Robustness Toolbox and appends the
    adversarial rows with the true labels of their source rows. Like every
    sampler it acts only in :meth:`fit_resample`; in a pipeline it changes
    the training set and nothing at predict or score time.

    Parameters
    ----------
    estimator : estimator, default=None
        Model to attack. It is cloned and fitted on the rows passed to
        :meth:`fit_resample`; wrap a pre-trained model in
        :class:`~sklearn.frozen.FrozenEstimator` to attack it as it is. None
        fits a ``DecisionTreeClassifier(max_depth=8)``, attacked exactly.
    attack : str or ART evasion attack, default="auto"
        ``"fgsm"``, ``"pgd"``, ``"cw"``, ``"hopskipjump"``, ``"zoo"``,
        ``"decision_tree"`` or ``"auto"``; see
        :func:`~sklearn_distill.adversarial.generate_adversarial`. An attack
        that does not apply to the fitted model raises a ValueError in
        :meth:`fit_resample` that lists the attacks that do.
    eps : float, default=0.1
        Maximum perturbation of a row, in the units of the features.
    norm : {"inf", 1, 2}, default="inf"
        Norm that measures the perturbation.
    n_samples : int or float, default=1.0
        Number of adversarial rows. An int is a count; a float is a multiple
        of the number of training rows, rounded to the nearest count of at
        least 1.
    class_share : dict, "balanced" or None, default=None
        Share of the adversarial rows that each class gets. A dict maps
        labels to non-negative weights, normalised to sum to 1; classes it
        omits get none. ``"balanced"`` gives every class the same number.
        None follows the class frequencies of `y`. Source rows are drawn
        without replacement within a class while it has enough rows, then
        each row is used again.
    clip_values : tuple of (float or array-like, float or array-like), \
            default=None
        Minimum and maximum valid value of every feature. None uses the
        range of each column of the training rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of source rows, the fitted estimator's unset
        ``random_state`` parameters and the attack.
    n_jobs : int, default=None
        Number of chunks of rows attacked in parallel with joblib; the result
        does not depend on it. None means 1 unless in a
        :func:`joblib.parallel_backend` context.
    verbose : int, default=0
        Show a progress bar over the chunks when greater than 0.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model that was attacked.
    attack_ : str
        Name of the attack that ran; the choice made when `attack` is
        ``"auto"``.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Source row of every output row: ``0..n_samples-1`` for the original
        rows, which come first, then the source row of each adversarial row.
        Index per-row metadata with it, as in ``sample_weight[sample_indices_]``.
    n_adversarial_per_class_ : dict
        Number of adversarial rows appended for each label.
    clip_values_ : tuple of (ndarray, ndarray)
        Per-feature minimum and maximum that bounded the adversarial rows.
    sampling_strategy_ : str
        Always ``"auto"``; imbalanced-learn's samplers set it. This sampler
        is sized by `n_samples` and `class_share`.
    n_features_in_ : int
        Number of features seen during :meth:`fit_resample`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit_resample`. Defined only
        when `X` has feature names that are all strings.

    See Also
    --------
    sklearn_distill.adversarial.generate_adversarial : Adversarial rows
        without the training rows.
    imblearn.pipeline.Pipeline : Runs samplers during fit only.

    Notes
    -----
    imbalanced-learn's :class:`~imblearn.pipeline.Pipeline` passes only
    ``(X, y)`` from a sampler to the next step, so sample weights cannot grow
    with the rows inside it. Pass the sampler to ``DistillationClassifier`` as
    its `sampler` or `transfer_set`, which grow the weights with the rows, or
    call :meth:`fit_resample` with `sample_weight` outside the pipeline and
    fit the model on the three results. With metadata routing the sampler
    does not request `sample_weight`. Weights routed to the final step of
    such a pipeline therefore fail its length check rather than train it on
    misaligned rows, and a ``DistillationClassifier`` step explains the fix
    in its error.

    A DataFrame comes back with its columns and their dtypes, as from every
    imbalanced-learn sampler. In integer and bool columns the adversarial
    values are rounded to the nearest whole number within `clip_values` (0 or
    1 for bool) before that cast. A perturbation below 0.5 therefore leaves
    these columns at their source values, so at `eps` below 0.5 they never
    change, and a larger one can move them by more than `eps`. Convert them to
    float to let the attack move them freely.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.adversarial import AttackSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(20, 2)
    >>> y = np.array([0] * 15 + [1] * 5)
    >>> sampler = AttackSampler(n_samples=10, class_share="balanced", random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape
    (30, 2)
    >>> sampler.attack_
    'decision_tree'
    >>> sampler.n_adversarial_per_class_
    {0: 5, 1: 5}
    >>> bool(np.all(y_res == y[sampler.sample_indices_]))
    True
    """

    _sampling_type = "bypass"

    @property
    def sampling_strategy(self):
        """Sampling strategy that imbalanced-learn reads, always ``"auto"``.

        The "bypass" sampling type passes it through unused; `n_samples` and
        `class_share` size the attack set instead.
        """
        return "auto"

    # A pipeline cannot pass grown weights on to the next step, so routers do
    # not send sample_weight here unless a caller requests it explicitly.
    __metadata_request__fit_resample = {"sample_weight": False}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "attack": ATTACK_CONSTRAINTS,
        "eps": [Interval(Real, 0, None, closed="neither")],
        "norm": NORM_CONSTRAINTS,
        # An integer is a count and a float a multiple; see _count_per_class.
        "n_samples": [NonBoolInterval(Real, 0, None, closed="neither")],
        "class_share": [dict, StrOptions({"balanced"}), None],
        "clip_values": [tuple, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        attack="auto",
        eps=0.1,
        norm="inf",
        n_samples=1.0,
        class_share=None,
        clip_values=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.attack = attack
        self.eps = eps
        self.norm = norm
        self.n_samples = n_samples
        self.class_share = class_share
        self.clip_values = clip_values
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit_resample(self, X, y, *, sample_weight=None):
        """Append adversarial rows to the training set.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape \
                (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Labels. A column vector is flattened with a
            :class:`~sklearn.exceptions.DataConversionWarning`.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights. When given, a third output contains the weights of the
            resampled rows: each adversarial row inherits its source row's
            weight.

        Returns
        -------
        X_resampled : {ndarray, DataFrame, sparse matrix} of shape \
                (n_samples + n_adversarial, n_features)
            The training rows followed by the adversarial rows, in the
            container of `X`.
        y_resampled : {ndarray, Series, DataFrame} of shape \
                (n_samples + n_adversarial,)
            Labels: each adversarial row has its source row's label.
        sample_weight_resampled : ndarray of shape \
                (n_samples + n_adversarial,)
            ``sample_weight[sample_indices_]``; returned only when
            `sample_weight` is given.
        """
        # imbalanced-learn validates X into one array, so the column dtypes
        # that the output is cast back to are read here.
        column_dtypes = X.dtypes if isinstance(X, pd.DataFrame) else None
        if sample_weight is None:
            return super().fit_resample(X, y, column_dtypes=column_dtypes)
        return super().fit_resample(
            X, y, sample_weight=sample_weight, column_dtypes=column_dtypes
        )

    def _check_X_y(self, X, y, accept_sparse=None):
        check_sampler_input(
            X,
            y,
            subject="Attacks perturb numeric input only",
            fix="place the sampler after the step that encodes these columns, "
            "as in Pipeline([('encode', encoder), ('attack', AttackSampler()), "
            "('model', model)]).",
        )
        return super()._check_X_y(X, y, accept_sparse=accept_sparse)

    def _fit_resample(self, X, y, sample_weight=None, column_dtypes=None):
        if sample_weight is not None:
            sample_weight = check_sample_weight_shape(sample_weight, X.shape[0])
        rng = check_random_state(self.random_state)
        X_rows = X.toarray() if sparse.issparse(X) else X
        X_rows = X_rows if X_rows.dtype == np.float32 else X_rows.astype(np.float64)
        clip_values = clip_bounds(self.clip_values, X_rows)
        # An attack that fails on a row returns the row itself, so rows
        # outside clip_values would put such values into the attack set.
        check_rows_within(
            X_rows,
            clip_values,
            "clip_values",
            fix="Widen clip_values to the valid range of the features, or leave "
            "it None to use the range of the training rows.",
        )
        self.clip_values_ = clip_values

        self.estimator_ = self._fit_estimator(X, y, rng)
        self.n_adversarial_per_class_ = self._count_per_class(y)
        sources = self._draw_sources(y, rng)

        run = run_attack(
            self.estimator_,
            X_rows[sources],
            y[sources],
            attack=self.attack,
            eps=self.eps,
            norm=self.norm,
            clip_values=self.clip_values_,
            random_state=rng,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
        )
        self.attack_ = run.attack
        self.sample_indices_ = np.concatenate([np.arange(X.shape[0]), sources])

        X_adv = run.X_adv
        if column_dtypes is not None:
            X_adv = _round_whole_number_columns(X_adv, column_dtypes, clip_values)
        X_resampled = _append_rows(X, X_adv)
        y_resampled = y[self.sample_indices_]
        if sample_weight is None:
            return X_resampled, y_resampled
        return X_resampled, y_resampled, sample_weight[self.sample_indices_]

    def _fit_estimator(self, X, y, rng):
        """Clone, seed and fit the estimator on the training rows."""
        if self.estimator is None:
            estimator = DecisionTreeClassifier(max_depth=SURROGATE_MAX_DEPTH)
        else:
            estimator = clone(self.estimator)
        if not is_frozen(estimator):
            fill_random_states(estimator, rng)

        if (
            is_skorch_net(estimator)
            and not is_frozen(estimator)
            and not _encodes_labels(estimator)
        ):
            return _fit_skorch_surrogate(estimator, X, y)

        names = getattr(self, "feature_names_in_", None)
        if names is not None and not sparse.issparse(X):
            X = pd.DataFrame(X, columns=names)
        return estimator.fit(X, y)

    def _count_per_class(self, y):
        """Split the number of adversarial rows between the classes."""
        labels, counts = np.unique(y, return_counts=True)
        if isinstance(self.n_samples, Integral):
            total = int(self.n_samples)
        else:
            total = max(1, int(round(self.n_samples * y.shape[0])))

        shares = self._class_shares(labels, counts)
        return dict(zip(labels.tolist(), _apportion(total, shares), strict=True))

    def _class_shares(self, labels, counts):
        if self.class_share is None:
            return counts / counts.sum()
        if self.class_share == "balanced":
            return np.full(labels.shape[0], 1.0 / labels.shape[0])

        known = labels.tolist()
        unknown = [label for label in self.class_share if label not in known]
        if unknown:
            raise ValueError(
                f"class_share has labels {unknown!r} that are not in y, whose "
                f"classes are {known!r}. Use labels of y as keys."
            )
        weights = np.array([self.class_share.get(label, 0.0) for label in known])
        valid = np.issubdtype(weights.dtype, np.number) and np.all(np.isfinite(weights))
        if not valid or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                "class_share must map labels to non-negative numbers with a "
                f"positive sum, got {self.class_share!r}."
            )
        return weights / weights.sum()

    def _draw_sources(self, y, rng):
        """Draw the source row of every adversarial row, sorted by index."""
        chosen = []
        for label, count in self.n_adversarial_per_class_.items():
            rows = np.flatnonzero(y == label)
            repeats, remainder = divmod(count, rows.shape[0])
            chosen.append(np.tile(rows, repeats))
            chosen.append(rng.choice(rows, remainder, replace=False))
        return np.sort(np.concatenate(chosen)).astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags


def _apportion(total, shares):
    """Split `total` into integers proportional to `shares` (largest remainder)."""
    exact = shares * total
    counts = np.floor(exact).astype(np.int64)
    missing = total - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:missing]] += 1
    return counts.tolist()


def _append_rows(X, X_adv):
    """Stack the adversarial rows under `X`, keeping its format and float dtype.

    Integer rows are converted to float64, which the perturbations need.
    """
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    if sparse.issparse(X):
        stacked = sparse.vstack(
            [X.astype(dtype), sparse.csr_matrix(X_adv.astype(dtype))]
        )
        return stacked.asformat(X.format)
    return np.concatenate([X.astype(dtype, copy=False), X_adv.astype(dtype)], axis=0)


def _round_whole_number_columns(X_adv, column_dtypes, clip_values):
    """Round the adversarial values of integer and bool DataFrame columns.

    imbalanced-learn casts the resampled rows back to the DataFrame's dtypes
    with ``astype``, which truncates floats toward zero and turns every
    nonzero float into True. Rounding first keeps a perturbation below 0.5
    from changing such a column. The rounded values are clipped to the whole
    numbers within `clip_values` and the range of the column's dtype, which
    contain every source value.
    """
    ranges = [_whole_number_range(dtype) for dtype in column_dtypes]
    columns = [index for index, bounds in enumerate(ranges) if bounds is not None]
    if not columns:
        return X_adv

    low, high = clip_values
    dtype_low = np.array([ranges[index][0] for index in columns])
    dtype_high = np.array([ranges[index][1] for index in columns])
    lowest = np.maximum(np.ceil(low[columns]), dtype_low)
    highest = np.minimum(np.floor(high[columns]), dtype_high)

    X_rounded = X_adv.copy()
    X_rounded[:, columns] = np.clip(np.rint(X_adv[:, columns]), lowest, highest)
    return X_rounded


def _whole_number_range(dtype):
    """Return the minimum and maximum of an integer or bool dtype, else None.

    NumPy dtypes and pandas' nullable ``Int64`` and ``boolean`` dtypes are
    recognised by their ``kind``.
    """
    kind = getattr(dtype, "kind", None)
    if kind == "b":
        return 0.0, 1.0
    if kind in ("i", "u"):
        info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        return float(info.min), float(info.max)
    return None


def _encodes_labels(net):
    """Tell whether `net` is one of the package's skorch nets.

    Those nets encode the labels of ``y`` to class positions in ``fit``, and
    their ``classes_`` and ``predict`` return the labels.
    """
    from ..neural._contract import _EstimatorContractMixin

    return isinstance(net, _EstimatorContractMixin)


def _fit_skorch_surrogate(net, X, y):
    """Fit a skorch net in its module's dtype, rejecting labels torch cannot take.

    skorch passes rows and labels to torch unchanged, so float64 rows and
    labels other than the class positions 0..K-1 fail deep inside torch.
    """
    classes = np.unique(y)
    if classes.dtype.kind not in "biu" or not np.array_equal(
        classes, np.arange(classes.shape[0])
    ):
        raise ValueError(
            f"The skorch net {type(net).__name__} is fitted on the labels as "
            f"they are, but torch needs the class positions 0..K-1 and y has "
            f"the labels {classes.tolist()!r}. Encode y first, for example with "
            "sklearn.preprocessing.LabelEncoder, or pass a net fitted already."
        )
    from ..neural._skorch import net_fit_inputs

    return net.fit(*net_fit_inputs(net, X, y))

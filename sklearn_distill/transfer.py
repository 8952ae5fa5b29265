"""Transfer-set generators: samplers that add rows near the training data.

A student distilled on the training rows alone learns nothing about the space
around them. Each sampler here returns the input rows followed by generated
rows, each made from one source row. It records the source of every output row
in ``sample_indices_``, so that a teacher can label the new rows, or the new
rows can inherit the target and weight of their source.
"""

from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._compat import Interval, StrOptions
from ._input_checks import (
    check_bounds_not_nan,
    check_numeric_bounds,
    check_rows_within,
    check_sampler_input,
)

__all__ = [
    "GaussianNoiseSampler",
    "InterpolationSampler",
    "LinfCornerSampler",
    "MungeSampler",
]


class _BaseTransferSampler(BaseSampler):
    """Shared steps of the transfer-set generators.

    Subclasses implement ``_generate``, which returns one new row per entry of
    ``sources``. This class draws the sources, clips the new rows to the
    feature bounds, rounds integer-valued columns, and stacks the input rows
    before the new ones.
    """

    # The generators keep every class in proportion to its size, so the
    # imbalanced-learn sampling strategy is passed through unused.
    _sampling_type = "bypass"

    _parameter_constraints: dict = {
        "size_ratio": [Interval(Real, 0, None, closed="neither")],
        "bounds": [StrOptions({"data"}), tuple, None],
        "integer_features": [StrOptions({"auto"}), "array-like", None],
        "random_state": ["random_state"],
    }

    def fit_resample(self, X, y):
        """Append generated rows to the training set.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape \
                (n_samples, n_features)
            Training rows. Every column must be numeric.
        y : array-like of shape (n_samples,)
            Labels. A column vector is flattened with a
            :class:`~sklearn.exceptions.DataConversionWarning`.

        Returns
        -------
        X_resampled : {ndarray, DataFrame, sparse matrix} of shape \
                (n_samples + n_generated, n_features)
            The training rows followed by the generated rows, in the
            container of `X`.
        y_resampled : {ndarray, Series, DataFrame} of shape \
                (n_samples + n_generated,)
            Labels: each generated row has its source row's label.
        """
        return super().fit_resample(X, y)

    def _check_X_y(self, X, y, accept_sparse=None):
        check_sampler_input(
            X,
            y,
            subject="Transfer samplers perturb numeric input only",
            fix="place the sampler after the step that encodes these columns, as "
            f"in imblearn.pipeline.make_pipeline(encoder, {type(self).__name__}(), "
            "model).",
        )

        # imbalanced-learn's check below stores n_features_in_ and
        # feature_names_in_. Checking bounds and integer_features first leaves
        # the sampler unchanged when they reject the input.
        X_checked = check_array(
            X, accept_sparse=["csr", "csc"], estimator=self, input_name="X"
        )
        X_dense, X_float = _dense_rows(X_checked)
        self._resolve_bounds(X_float)
        self._resolve_integer_features(X_dense)

        # Sparse input is densified to generate rows, then stacked back.
        return super()._check_X_y(X, y, accept_sparse=["csr", "csc"])

    def _fit_resample(self, X, y):
        was_sparse = sparse.issparse(X)
        X_dense, X_float = _dense_rows(X)
        rng = check_random_state(self.random_state)

        self.feature_bounds_ = self._resolve_bounds(X_float)
        self.integer_features_ = self._resolve_integer_features(X_dense)

        sources = _draw_sources(X_float.shape[0], self.size_ratio, rng)
        if sources.shape[0] > 0:
            X_new = self._constrain(self._generate(X_float, y, sources, rng))
        else:
            X_new = np.empty((0, X_float.shape[1]))

        self.sample_indices_ = np.concatenate(
            [np.arange(X_float.shape[0]), sources]
        ).astype(np.intp)
        X_out = _stack_rows(X, X_dense, X_new, was_sparse)
        y_out = np.concatenate([y, y[sources]])
        return X_out, y_out

    def _generate(self, X, y, sources, rng):
        raise NotImplementedError

    def _resolve_bounds(self, X):
        """Return the per-feature bounds as an array of shape (2, n_features)."""
        n_features = X.shape[1]
        if self.bounds is None:
            return np.vstack(
                [np.full(n_features, -np.inf), np.full(n_features, np.inf)]
            )
        if isinstance(self.bounds, str):
            return np.vstack([X.min(axis=0), X.max(axis=0)])

        if len(self.bounds) != 2:
            raise ValueError(
                f"bounds must be 'data', None or a pair (low, high), got a tuple "
                f"of length {len(self.bounds)}. Pass bounds=(low, high) with "
                "scalars or arrays of one value per feature."
            )
        check_numeric_bounds(self.bounds, "bounds")
        low, high = (
            np.broadcast_to(_as_bound(value, n_features, name), (n_features,))
            for value, name in zip(self.bounds, ("low", "high"), strict=True)
        )
        check_bounds_not_nan(low, high, "bounds")
        if np.any(low > high):
            raise ValueError(
                f"bounds has low > high for features {np.flatnonzero(low > high)}. "
                "Pass each lower bound below its upper bound."
            )

        # A row outside the bounds would be clipped far from its source.
        check_rows_within(
            X,
            (low, high),
            "bounds",
            fix="Widen bounds to the valid range of the features, or pass "
            'bounds="data" to use the range of the training rows.',
        )
        return np.vstack([low, high]).astype(np.float64)

    def _resolve_integer_features(self, X):
        """Return a boolean mask of the columns whose values must stay whole."""
        n_features = X.shape[1]
        if X.dtype.kind in "biu":
            return np.ones(n_features, dtype=bool)
        if self.integer_features is None:
            return np.zeros(n_features, dtype=bool)
        if isinstance(self.integer_features, str):
            return np.all(X == np.round(X), axis=0)
        return _as_feature_mask(self.integer_features, n_features)

    def _constrain(self, X_new):
        """Clip `X_new` to the feature bounds and round the integer columns."""
        integer = self.integer_features_
        X_new[:, integer] = np.round(X_new[:, integer])

        low, high = self.feature_bounds_
        # Rounding can step over a bound that is not a whole number, so the
        # integer columns are clipped to the whole numbers inside the bounds.
        low = np.where(integer, np.ceil(low), low)
        high = np.where(integer, np.floor(high), high)
        return np.clip(X_new, low, high)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags


class GaussianNoiseSampler(_BaseTransferSampler):
    """Generate copies of the training rows with Gaussian noise per feature.

    Each new row is a training row plus independent Gaussian noise whose
    standard deviation is `scale` times that feature's standard deviation in
    the training data, so every feature is perturbed in its own units.

    Parameters
    ----------
    scale : float, default=0.1
        Standard deviation of the noise as a fraction of each feature's
        standard deviation. Constant features get no noise.
    size_ratio : float, default=1.0
        Number of generated rows as a multiple of the number of input rows,
        rounded to the nearest integer. Every row is the source of
        ``floor(size_ratio)`` copies, and a random subset of the rows of one
        more copy each.
    bounds : "data", tuple or None, default="data"
        Range that generated values are clipped to. ``"data"`` uses each
        feature's minimum and maximum in the training data. A tuple
        ``(low, high)`` contains scalars or arrays of one value per feature,
        with -np.inf or np.inf for a side without a bound, and must contain
        every training value. None leaves values unclipped.
    integer_features : "auto", array-like or None, default="auto"
        Columns whose generated values are rounded to whole numbers.
        ``"auto"`` selects the columns whose training values are all whole
        numbers. An array-like contains column indices or a boolean mask.
        None rounds nothing. Integer input dtypes are always rounded.
    random_state : int, RandomState instance or None, default=None
        Seed of the source rows and of the noise.

    Attributes
    ----------
    sampling_strategy_ : str
        Always ``"auto"``, kept for the imbalanced-learn sampler API. Every
        class gets generated rows in proportion to its size.
    sample_indices_ : ndarray of shape (n_samples + n_generated,)
        Source row of every output row: ``arange(n_samples)`` for the input
        rows, then the source of each generated row.
    feature_bounds_ : ndarray of shape (2, n_features)
        Lower and upper bound applied to each feature.
    integer_features_ : ndarray of shape (n_features,), dtype=bool
        Mask of the columns rounded to whole numbers.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    InterpolationSampler : New rows between neighbours of the same class.
    MungeSampler : New rows that take feature values from a neighbour.
    LinfCornerSampler : New rows at corners of an L-infinity ball.

    Notes
    -----
    The output is the input rows followed by the generated rows, and the
    label of each generated row is the label of its source row. Sparse input
    is densified to generate rows and returned in the input's sparse format.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.transfer import GaussianNoiseSampler
    >>> X = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> sampler = GaussianNoiseSampler(scale=0.1, size_ratio=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape
    (12, 2)
    >>> sampler.sample_indices_
    array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
    """

    _parameter_constraints: dict = {
        **_BaseTransferSampler._parameter_constraints,
        "scale": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        scale=0.1,
        size_ratio=1.0,
        bounds="data",
        integer_features="auto",
        random_state=None,
    ):
        super().__init__()
        self.scale = scale
        self.size_ratio = size_ratio
        self.bounds = bounds
        self.integer_features = integer_features
        self.random_state = random_state

    def _generate(self, X, y, sources, rng):
        std = X.std(axis=0)
        noise = rng.standard_normal((sources.shape[0], X.shape[1]))
        return X[sources] + noise * (self.scale * std)


class InterpolationSampler(_BaseTransferSampler):
    """Generate rows between each training row and a neighbour of its class.

    Each new row lies on the segment between its source row and one of the
    source's `k_neighbors` nearest rows of the same class, at a uniformly
    drawn position, as SMOTE does. Unlike SMOTE, every class gets new rows in
    proportion to its size: the aim is to cover the data, not to balance it.

    Parameters
    ----------
    k_neighbors : int, default=5
        Number of nearest same-class rows to draw the partner from. A class
        with at most `k_neighbors` rows uses all its other rows, and a class
        with a single row gets unchanged copies of it.
    size_ratio : float, default=1.0
        Number of generated rows as a multiple of the number of input rows,
        rounded to the nearest integer. Every row is the source of
        ``floor(size_ratio)`` copies, and a random subset of the rows of one
        more copy each.
    bounds : "data", tuple or None, default="data"
        Range that generated values are clipped to. ``"data"`` uses each
        feature's minimum and maximum in the training data. A tuple
        ``(low, high)`` contains scalars or arrays of one value per feature,
        with -np.inf or np.inf for a side without a bound, and must contain
        every training value. None leaves values unclipped.
    integer_features : "auto", array-like or None, default="auto"
        Columns whose generated values are rounded to whole numbers.
        ``"auto"`` selects the columns whose training values are all whole
        numbers. An array-like contains column indices or a boolean mask.
        None rounds nothing. Integer input dtypes are always rounded.
    random_state : int, RandomState instance or None, default=None
        Seed of the source rows, partners and positions.

    Attributes
    ----------
    sampling_strategy_ : str
        Always ``"auto"``, kept for the imbalanced-learn sampler API. Every
        class gets generated rows in proportion to its size.
    sample_indices_ : ndarray of shape (n_samples + n_generated,)
        Source row of every output row: ``arange(n_samples)`` for the input
        rows, then the source of each generated row.
    feature_bounds_ : ndarray of shape (2, n_features)
        Lower and upper bound applied to each feature.
    integer_features_ : ndarray of shape (n_features,), dtype=bool
        Mask of the columns rounded to whole numbers.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    imblearn.over_sampling.SMOTE : Interpolation that balances the classes.
    GaussianNoiseSampler : New rows with Gaussian noise.
    MungeSampler : New rows that take feature values from a neighbour.

    Notes
    -----
    The output is the input rows followed by the generated rows, and the
    label of each generated row is the label of its source row. Sparse input
    is densified to generate rows and returned in the input's sparse format.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.transfer import InterpolationSampler
    >>> X = np.array([[0.0, 0.5], [0.5, 1.0], [5.0, 5.5], [6.5, 5.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> sampler = InterpolationSampler(k_neighbors=1, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res[4:].round(2)
    array([[0.3 , 0.8 ],
           [0.23, 0.73],
           [5.64, 5.29],
           [5.53, 5.32]])
    >>> y_res
    array([0, 0, 1, 1, 0, 0, 1, 1])
    """

    _parameter_constraints: dict = {
        **_BaseTransferSampler._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        k_neighbors=5,
        size_ratio=1.0,
        bounds="data",
        integer_features="auto",
        random_state=None,
    ):
        super().__init__()
        self.k_neighbors = k_neighbors
        self.size_ratio = size_ratio
        self.bounds = bounds
        self.integer_features = integer_features
        self.random_state = random_state

    def _generate(self, X, y, sources, rng):
        partners = np.array(sources, copy=True)
        for label in np.unique(y):
            members = np.flatnonzero(y == label)
            generated = np.flatnonzero(y[sources] == label)
            if members.shape[0] < 2 or generated.shape[0] == 0:
                continue
            partners[generated] = _draw_neighbors(
                X, members, sources[generated], self.k_neighbors, rng
            )

        steps = rng.uniform(size=(sources.shape[0], 1))
        return X[sources] + steps * (X[partners] - X[sources])


class MungeSampler(_BaseTransferSampler):
    """Generate rows that take some feature values from a nearest neighbour.

    This is the MUNGE procedure of Bucila, Caruana and Niculescu-Mizil,
    "Model Compression" (KDD 2006), applied to one row of each pair. Each new
    row starts as its source row. Then each feature, with probability
    `swap_probability`, takes the neighbour's value plus Gaussian noise whose
    standard deviation is `local_scale` times the gap between the two values.
    The neighbour is one of the source's `k_neighbors` nearest rows, of any
    class, so new rows can cross the class boundary: label them with a
    teacher.

    Parameters
    ----------
    swap_probability : float, default=0.5
        Probability that a feature takes the neighbour's value.
    local_scale : float, default=1.0
        Standard deviation of the noise around a swapped value, as a multiple
        of the absolute gap between the row's and the neighbour's values. 0
        swaps the values exactly.
    k_neighbors : int, default=1
        Number of nearest rows to draw the neighbour from.
    size_ratio : float, default=1.0
        Number of generated rows as a multiple of the number of input rows,
        rounded to the nearest integer. Every row is the source of
        ``floor(size_ratio)`` copies, and a random subset of the rows of one
        more copy each.
    bounds : "data", tuple or None, default="data"
        Range that generated values are clipped to. ``"data"`` uses each
        feature's minimum and maximum in the training data. A tuple
        ``(low, high)`` contains scalars or arrays of one value per feature,
        with -np.inf or np.inf for a side without a bound, and must contain
        every training value. None leaves values unclipped.
    integer_features : "auto", array-like or None, default="auto"
        Columns whose generated values are rounded to whole numbers.
        ``"auto"`` selects the columns whose training values are all whole
        numbers. An array-like contains column indices or a boolean mask.
        None rounds nothing. Integer input dtypes are always rounded.
    random_state : int, RandomState instance or None, default=None
        Seed of the source rows, neighbours, swaps and noise.

    Attributes
    ----------
    sampling_strategy_ : str
        Always ``"auto"``, kept for the imbalanced-learn sampler API. Every
        class gets generated rows in proportion to its size.
    sample_indices_ : ndarray of shape (n_samples + n_generated,)
        Source row of every output row: ``arange(n_samples)`` for the input
        rows, then the source of each generated row.
    feature_bounds_ : ndarray of shape (2, n_features)
        Lower and upper bound applied to each feature.
    integer_features_ : ndarray of shape (n_features,), dtype=bool
        Mask of the columns rounded to whole numbers.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    InterpolationSampler : New rows between neighbours of the same class.
    GaussianNoiseSampler : New rows with Gaussian noise.

    Notes
    -----
    The output is the input rows followed by the generated rows, and the
    label of each generated row is the label of its source row, which may
    differ from the neighbour's. Sparse input is densified to generate rows
    and returned in the input's sparse format.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.transfer import MungeSampler
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [4.0, 4.0], [5.0, 5.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> sampler = MungeSampler(swap_probability=1.0, local_scale=0.0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res[4:]
    array([[1., 1.],
           [0., 0.],
           [5., 5.],
           [4., 4.]])
    """

    _parameter_constraints: dict = {
        **_BaseTransferSampler._parameter_constraints,
        "swap_probability": [Interval(Real, 0, 1, closed="both")],
        "local_scale": [Interval(Real, 0, None, closed="left")],
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        swap_probability=0.5,
        local_scale=1.0,
        k_neighbors=1,
        size_ratio=1.0,
        bounds="data",
        integer_features="auto",
        random_state=None,
    ):
        super().__init__()
        self.swap_probability = swap_probability
        self.local_scale = local_scale
        self.k_neighbors = k_neighbors
        self.size_ratio = size_ratio
        self.bounds = bounds
        self.integer_features = integer_features
        self.random_state = random_state

    def _generate(self, X, y, sources, rng):
        partners = _draw_neighbors(
            X, np.arange(X.shape[0]), sources, self.k_neighbors, rng
        )
        rows, neighbours = X[sources], X[partners]

        swapped = rng.uniform(size=rows.shape) < self.swap_probability
        spread = self.local_scale * np.abs(rows - neighbours)
        values = neighbours + spread * rng.standard_normal(rows.shape)
        return np.where(swapped, values, rows)


class LinfCornerSampler(_BaseTransferSampler):
    """Generate rows at random corners of each row's L-infinity ball.

    Each new row moves every feature of its source row by `eps` up or down,
    with independent random signs, so it lies at a corner of the box of
    half-width `eps` around the source. Kept with the source row's target,
    these rows teach a student that the whole box shares one label, which is
    what an L-infinity attacker of radius `eps` tests. For a tree, whose
    decision regions are boxes, the corners are where a row's box most often
    crosses a split.

    Parameters
    ----------
    eps : float, default=0.05
        Half-width of the box, in the units of `X`. Scale the features first
        when they have different units.
    size_ratio : float, default=1.0
        Number of generated rows as a multiple of the number of input rows,
        rounded to the nearest integer. Every row is the source of
        ``floor(size_ratio)`` copies, and a random subset of the rows of one
        more copy each.
    bounds : "data", tuple or None, default="data"
        Range that generated values are clipped to, which moves a corner
        outside the range onto the face of the box. ``"data"`` uses each
        feature's minimum and maximum in the training data. A tuple
        ``(low, high)`` contains scalars or arrays of one value per feature,
        with -np.inf or np.inf for a side without a bound, and must contain
        every training value. None leaves values unclipped.
    integer_features : "auto", array-like or None, default="auto"
        Columns that stay whole numbers: they move by ``floor(eps)`` instead
        of `eps`, the largest whole step inside the box. ``"auto"`` selects
        the columns whose training values are all whole numbers. An
        array-like contains column indices or a boolean mask. None selects
        none.
        Integer input dtypes always stay whole.
    random_state : int, RandomState instance or None, default=None
        Seed of the source rows and of the signs.

    Attributes
    ----------
    sampling_strategy_ : str
        Always ``"auto"``, kept for the imbalanced-learn sampler API. Every
        class gets generated rows in proportion to its size.
    sample_indices_ : ndarray of shape (n_samples + n_generated,)
        Source row of every output row: ``arange(n_samples)`` for the input
        rows, then the source of each generated row.
    feature_bounds_ : ndarray of shape (2, n_features)
        Lower and upper bound applied to each feature.
    integer_features_ : ndarray of shape (n_features,), dtype=bool
        Mask of the columns kept whole.
    n_features_in_ : int
        Number of features seen during `fit_resample`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit_resample`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    GaussianNoiseSampler : New rows with Gaussian noise.

    Notes
    -----
    The output is the input rows followed by the generated rows, and the
    label of each generated row is the label of its source row. A
    d-dimensional box has 2**d corners, so each copy draws one at random.
    Sparse input is densified to generate rows and returned in the input's
    sparse format.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.transfer import LinfCornerSampler
    >>> X = np.array([[0.2, 0.5], [0.8, 0.5], [0.4, 0.6], [0.6, 0.4]])
    >>> y = np.array([0, 1, 0, 1])
    >>> sampler = LinfCornerSampler(eps=0.1, bounds=(0.0, 1.0), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.abs(X_res[4:] - X_res[sampler.sample_indices_[4:]])
    array([[0.1, 0.1],
           [0.1, 0.1],
           [0.1, 0.1],
           [0.1, 0.1]])
    """

    _parameter_constraints: dict = {
        **_BaseTransferSampler._parameter_constraints,
        "eps": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        eps=0.05,
        size_ratio=1.0,
        bounds="data",
        integer_features="auto",
        random_state=None,
    ):
        super().__init__()
        self.eps = eps
        self.size_ratio = size_ratio
        self.bounds = bounds
        self.integer_features = integer_features
        self.random_state = random_state

    def _generate(self, X, y, sources, rng):
        signs = rng.choice([-1.0, 1.0], size=(sources.shape[0], X.shape[1]))
        step = np.where(self.integer_features_, np.floor(self.eps), self.eps)
        return X[sources] + signs * step


def _dense_rows(X):
    """Return `X` as a dense array of its own dtype and as float64."""
    X_dense = X.toarray() if sparse.issparse(X) else np.asarray(X)
    return X_dense, X_dense.astype(np.float64)


def _draw_sources(n_samples, size_ratio, rng):
    """Draw the source row of each generated row.

    Every row is a source ``floor(size_ratio)`` times. The remaining sources
    are drawn without replacement, so each row is a source at most once more.
    """
    n_generated = int(round(size_ratio * n_samples))
    n_full, n_rest = divmod(n_generated, n_samples)
    rest = np.sort(rng.choice(n_samples, size=n_rest, replace=False))
    return np.concatenate([np.tile(np.arange(n_samples), n_full), rest])


def _draw_neighbors(X, members, queries, k_neighbors, rng):
    """Draw, for each query row, one of its nearest rows among `members`.

    Returns indices into `X`. The query row itself is never drawn unless it
    is the only member.
    """
    n_neighbors = min(k_neighbors, members.shape[0] - 1)
    if n_neighbors < 1:
        return np.array(queries, copy=True)

    search = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X[members])
    _, positions = search.kneighbors(X[queries])
    # Column 0 is the query itself, except among duplicate rows, where the
    # neighbour found first can be another copy. Both are valid partners.
    choice = rng.randint(1, n_neighbors + 1, size=queries.shape[0])
    return members[positions[np.arange(queries.shape[0]), choice]]


def _stack_rows(X, X_dense, X_new, was_sparse):
    """Stack the input rows and the new rows in the input's format and dtype."""
    if X_dense.dtype.kind in "biu":
        X_new = np.round(X_new)
    X_new = X_new.astype(X_dense.dtype)
    if was_sparse:
        return sparse.vstack([X, sparse.csr_matrix(X_new)], format=X.format)
    return np.vstack([X_dense, X_new])


def _as_bound(value, n_features, name):
    """Validate one side of `bounds` as a scalar or one value per feature."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0 or array.shape == (n_features,):
        return array
    raise ValueError(
        f"The {name} bound has shape {array.shape}, but X has {n_features} "
        f"features. Pass a scalar or an array of shape ({n_features},)."
    )


def _as_feature_mask(features, n_features):
    """Turn column indices or a boolean mask into a boolean mask."""
    features = np.asarray(features)
    if features.dtype == bool:
        if features.shape != (n_features,):
            raise ValueError(
                f"integer_features is a boolean mask of shape {features.shape}, "
                f"but X has {n_features} features. Pass a mask of shape "
                f"({n_features},) or column indices."
            )
        return features.copy()

    if features.dtype.kind not in "iu" or features.ndim != 1:
        raise ValueError(
            f"integer_features must be 'auto', None, column indices or a boolean "
            f"mask, got an array of dtype {features.dtype} and shape "
            f"{features.shape}."
        )
    out_of_range = features[(features < -n_features) | (features >= n_features)]
    if out_of_range.size:
        raise ValueError(
            f"integer_features contains column indices {out_of_range.tolist()} "
            f"outside the {n_features} features of X. Pass indices from 0 to "
            f"{n_features - 1}."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[features] = True
    return mask

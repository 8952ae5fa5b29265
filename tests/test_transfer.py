import re

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sampler_checks,
)
from scipy import sparse
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_distill import DistillationClassifier
from sklearn_distill.transfer import (
    GaussianNoiseSampler,
    InterpolationSampler,
    LinfCornerSampler,
    MungeSampler,
)

COLUMN_VECTOR_WARNING = (
    "A column-vector y was passed when a 1d array was expected. Please change "
    "the shape of y to (n_samples, ), for example using ravel()."
)

SAMPLER_CLASSES = [
    GaussianNoiseSampler,
    InterpolationSampler,
    MungeSampler,
    LinfCornerSampler,
]


def listed_parametrize(mark):
    """Rebuild a parametrize mark with its generated cases in a list.

    imbalanced-learn 0.14.2 hands pytest a generator of cases, which pytest
    deprecates with a warning that the test configuration turns into an error.
    """
    return pytest.mark.parametrize(mark.args[0], list(mark.args[1]), **mark.kwargs)


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture
def data(rng):
    X = rng.rand(30, 3)
    y = np.repeat([0, 1], 15)
    return X, y


@parametrize_with_checks([cls(random_state=0) for cls in SAMPLER_CLASSES])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# check_samplers_2d_target passes y of shape (n, 1) and check_samplers_pandas a
# one-column DataFrame, which the samplers flatten with a DataConversionWarning.
@listed_parametrize(
    parametrize_with_sampler_checks([cls(random_state=0) for cls in SAMPLER_CLASSES])
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_imbalanced_learn_sampler_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "size_ratio, n_generated", [(0.5, 15), (1.0, 30), (2.5, 75), (0.01, 0)]
)
def test_sampler_output_layout(cls, size_ratio, n_generated, data):
    X, y = data
    sampler = cls(size_ratio=size_ratio, random_state=0)

    X_res, y_res = sampler.fit_resample(X, y)

    assert X_res.shape == (30 + n_generated, 3)
    np.testing.assert_array_equal(X_res[:30], X)
    np.testing.assert_array_equal(y_res[:30], y)
    np.testing.assert_array_equal(sampler.sample_indices_[:30], np.arange(30))
    assert sampler.sample_indices_.shape == (30 + n_generated,)
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_sources_spread_evenly(cls, data):
    X, y = data
    sampler = cls(size_ratio=2.5, random_state=0)
    sampler.fit_resample(X, y)

    uses = np.bincount(sampler.sample_indices_[30:], minlength=30)

    assert set(uses.tolist()) == {2, 3}
    assert (uses == 3).sum() == 15


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_random_state_reproducible(cls, data):
    X, y = data

    first, _ = cls(random_state=1).fit_resample(X, y)
    second, _ = cls(random_state=1).fit_resample(X, y)
    other, _ = cls(random_state=2).fit_resample(X, y)

    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_respects_data_bounds(cls, rng):
    X = rng.rand(40, 3) * [1.0, 10.0, 100.0]
    y = np.repeat([0, 1], 20)

    X_res, _ = cls(size_ratio=3, random_state=0).fit_resample(X, y)

    assert np.all(X_res >= X.min(axis=0))
    assert np.all(X_res <= X.max(axis=0))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_respects_given_bounds(cls, rng):
    low, high = [0.2, 0.0], 0.7
    X = rng.uniform(low, high, size=(40, 2))
    y = np.repeat([0, 1], 20)

    X_res, _ = cls(size_ratio=3, bounds=(low, high), random_state=0).fit_resample(X, y)

    assert np.all(X_res[40:] >= low)
    assert np.all(X_res[40:] <= high)


def test_sampler_without_bounds_leaves_range(rng):
    X = rng.rand(40, 2)
    y = np.repeat([0, 1], 20)
    sampler = GaussianNoiseSampler(scale=1.0, size_ratio=3, bounds=None, random_state=0)

    X_res, _ = sampler.fit_resample(X, y)

    assert X_res.min() < 0.0
    assert X_res.max() > 1.0
    np.testing.assert_array_equal(sampler.feature_bounds_[0], [-np.inf, -np.inf])


@pytest.mark.parametrize(
    "bounds, message",
    [
        (
            (0.0, 1.0, 2.0),
            "bounds must be 'data', None or a pair (low, high), got a tuple of "
            "length 3. Pass bounds=(low, high) with scalars or arrays of one value "
            "per feature.",
        ),
        (
            ([0.0, 0.0, 0.0], 1.0),
            "The low bound has shape (3,), but X has 2 features. Pass a scalar or "
            "an array of shape (2,).",
        ),
        (
            (1.0, [2.0, 0.5]),
            "bounds has low > high for features [1]. Pass each lower bound below "
            "its upper bound.",
        ),
    ],
)
def test_sampler_rejects_invalid_bounds(bounds, message, data):
    X, y = data
    sampler = GaussianNoiseSampler(bounds=bounds)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X[:, :2], y)


NAN_BOUNDS_MESSAGE = (
    "bounds contains NaN for features {features}. Pass numbers, with -np.inf "
    "or np.inf for a side without a bound."
)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "bounds, features",
    [((np.nan, 1.0), "[0, 1]"), ((0.0, [1.0, np.nan]), "[1]")],
)
def test_sampler_rejects_nan_bounds(cls, bounds, features, data):
    X, y = data
    sampler = cls(bounds=bounds, random_state=0)
    message = NAN_BOUNDS_MESSAGE.format(features=features)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X[:, :2], y)

    assert not hasattr(sampler, "n_features_in_")
    assert not hasattr(sampler, "feature_bounds_")


def test_distillation_rejects_nan_transfer_bounds(data):
    X, y = data
    model = DistillationClassifier(
        LogisticRegression(),
        DecisionTreeClassifier(random_state=0),
        transfer_set=GaussianNoiseSampler(bounds=(np.nan, 1.0), random_state=0),
    )
    message = (
        "The transfer_set sampler GaussianNoiseSampler failed on 30 training "
        "rows, with class counts {0: 15, 1: 15}. GaussianNoiseSampler raised: "
        + NAN_BOUNDS_MESSAGE.format(features="[0, 1, 2]")
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)

    assert not hasattr(model, "student_")


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "bounds", [("0", "1"), (0.0, ["1", "1"])], ids=["both_text", "high_text"]
)
def test_sampler_rejects_text_bounds(cls, bounds, data):
    X, y = data
    sampler = cls(bounds=bounds, random_state=0)
    message = (
        f"bounds contains values that are not numbers: {bounds!r}. Pass a pair "
        "(low, high) of numbers or of arrays of numbers, one per feature."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X[:, :2], y)

    assert not hasattr(sampler, "n_features_in_")
    assert not hasattr(sampler, "feature_bounds_")


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize("bounds", [(-np.inf, np.inf), (0.0, np.inf)])
def test_sampler_accepts_infinite_bounds(cls, bounds, data):
    X, y = data

    X_res, _ = cls(bounds=bounds, random_state=0).fit_resample(X, y)
    X_free, _ = cls(bounds=None, random_state=0).fit_resample(X, y)

    assert np.all(np.isfinite(X_res))
    np.testing.assert_array_equal(X_res, np.clip(X_free, bounds[0], None))


ROWS_OUTSIDE_FIX = (
    'Widen bounds to the valid range of the features, or pass bounds="data" to '
    "use the range of the training rows."
)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "bounds, detail",
    [
        (
            (0.5, 0.6),
            "features [0], for example 0.2 to 0.9 against [0.5, 0.6] in feature 0",
        ),
        (
            ([0.0, 0.0], [1.0, 0.55]),
            "features [1], for example 0.5 to 0.59 against [0, 0.55] in feature 1",
        ),
        (
            (np.inf, np.inf),
            "features [0, 1], for example 0.2 to 0.9 against [inf, inf] in feature 0",
        ),
    ],
)
def test_sampler_rejects_rows_outside_bounds(cls, bounds, detail):
    X = np.array([[0.55, 0.5], [0.2, 0.58], [0.9, 0.52], [0.56, 0.59]])
    y = np.array([0, 1, 0, 1])
    sampler = cls(bounds=bounds, random_state=0)
    message = f"Training rows lie outside bounds in {detail}. {ROWS_OUTSIDE_FIX}"

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)

    assert not hasattr(sampler, "n_features_in_")


def test_corners_rejected_before_clipping_far(rng):
    X = rng.rand(30, 3)
    y = np.repeat([0, 1], 15)
    sampler = LinfCornerSampler(eps=0.05, bounds=(0.5, 0.6), random_state=0)

    with pytest.raises(ValueError, match="^Training rows lie outside bounds in "):
        sampler.fit_resample(X, y)

    inside = 0.5 + 0.1 * rng.rand(30, 3)
    X_res, _ = sampler.fit_resample(inside, y)
    offsets = np.abs(X_res[30:] - inside[sampler.sample_indices_[30:]])
    assert np.all(offsets <= 0.05 + 1e-12)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_rejected_refit_keeps_fit(cls, data):
    X, y = data
    sampler = cls(bounds=(0.0, 1.0), random_state=0)
    X_res, _ = sampler.fit_resample(X[:, :2], y)
    fitted = {
        "n_features_in_": sampler.n_features_in_,
        "feature_bounds_": sampler.feature_bounds_.copy(),
        "sample_indices_": sampler.sample_indices_.copy(),
    }

    with pytest.raises(ValueError, match="^Training rows lie outside bounds in "):
        sampler.fit_resample(X + 1.0, y)

    assert sampler.n_features_in_ == fitted["n_features_in_"]
    np.testing.assert_array_equal(sampler.feature_bounds_, fitted["feature_bounds_"])
    np.testing.assert_array_equal(sampler.sample_indices_, fitted["sample_indices_"])


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "categories", [[0, 1, 2], ["s", "m", "l"]], ids=["integer", "string"]
)
def test_sampler_rejects_categorical_column(cls, categories):
    X = pd.DataFrame(
        {
            "weight": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "size": pd.Categorical(categories * 2, categories=categories),
        }
    )
    y = np.array([0, 0, 0, 1, 1, 1])
    sampler = cls(random_state=0)
    message = (
        "X has columns that are not numeric: ['size'] (categorical dtype: a "
        "perturbed value would name no category). Transfer samplers perturb "
        "numeric input only, so place the sampler after the step that encodes "
        "these columns, as in imblearn.pipeline.make_pipeline(encoder, "
        f"{cls.__name__}(), model)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)

    assert not hasattr(sampler, "n_features_in_")


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_rejects_text_column(cls, method):
    X = pd.DataFrame(
        {"size": [1.0, 2.0, 3.0, 4.0], "colour": ["red", "blue", "red", "blue"]}
    )
    y = np.array([0, 0, 1, 1])
    sampler = cls(random_state=0)
    message = (
        "X has columns that are not numeric: ['colour'] (could not convert "
        "string to float: 'red'). Transfer samplers perturb numeric input only, "
        "so place the sampler after the step that encodes these columns, as in "
        f"imblearn.pipeline.make_pipeline(encoder, {cls.__name__}(), model)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(sampler, method)(X, y)

    assert not hasattr(sampler, "n_features_in_")


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
@pytest.mark.parametrize(
    "values, dtype",
    [
        (pd.date_range("2020-01-01", periods=4, unit="ns"), "datetime64[ns]"),
        (
            pd.date_range("2020-01-01", periods=4, tz="UTC", unit="ns"),
            "datetime64[ns, UTC]",
        ),
        (pd.timedelta_range("1D", periods=4, unit="ns"), "timedelta64[ns]"),
    ],
    ids=["datetime", "timezone-aware", "timedelta"],
)
def test_sampler_rejects_datetime_column(cls, method, values, dtype):
    X = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0], "day": values})
    y = np.array([0, 0, 1, 1])
    sampler = cls(random_state=0)
    message = (
        f"X has columns that are not numeric: ['day'] ({dtype} dtype: dates and "
        "durations are not numbers). Transfer samplers perturb numeric input "
        "only, so place the sampler after the step that encodes these columns, "
        f"as in imblearn.pipeline.make_pipeline(encoder, {cls.__name__}(), model)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(sampler, method)(X, y)

    assert not hasattr(sampler, "n_features_in_")


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_keeps_integer_columns_integer(cls, rng):
    X = np.column_stack([rng.rand(40), rng.randint(0, 10, 40), rng.rand(40) * 5])
    y = np.repeat([0, 1], 20)
    kwargs = {"eps": 1.5} if cls is LinfCornerSampler else {}
    sampler = cls(size_ratio=3, random_state=0, **kwargs)

    X_res, _ = sampler.fit_resample(X, y)

    np.testing.assert_array_equal(sampler.integer_features_, [False, True, False])
    np.testing.assert_array_equal(X_res[:, 1], np.round(X_res[:, 1]))
    assert not np.array_equal(X_res[40:, 0], np.round(X_res[40:, 0]))


@pytest.mark.parametrize(
    "integer_features, expected",
    [(None, [False, False]), ([1], [False, True]), ([True, False], [True, False])],
)
def test_sampler_integer_features_setting(integer_features, expected, rng):
    X = np.column_stack([rng.randint(0, 5, 30), rng.randint(0, 5, 30)]).astype(float)
    y = np.repeat([0, 1], 15)
    sampler = GaussianNoiseSampler(
        scale=0.5, integer_features=integer_features, random_state=0
    )

    X_res, _ = sampler.fit_resample(X, y)

    np.testing.assert_array_equal(sampler.integer_features_, expected)
    for column, whole in enumerate(expected):
        is_whole = np.array_equal(X_res[:, column], np.round(X_res[:, column]))
        assert is_whole == whole


@pytest.mark.parametrize(
    "integer_features, message",
    [
        (
            [True, False, True],
            "integer_features is a boolean mask of shape (3,), but X has 2 "
            "features. Pass a mask of shape (2,) or column indices.",
        ),
        (
            [0, 5],
            "integer_features contains column indices [5] outside the 2 features of "
            "X. Pass indices from 0 to 1.",
        ),
        (
            [0.5],
            "integer_features must be 'auto', None, column indices or a boolean "
            "mask, got an array of dtype float64 and shape (1,).",
        ),
    ],
)
def test_sampler_rejects_invalid_integer_features(integer_features, message, data):
    X, y = data
    sampler = GaussianNoiseSampler(integer_features=integer_features)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X[:, :2], y)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_keeps_integer_dtype(cls, rng):
    X = rng.randint(0, 20, size=(30, 2))
    y = np.repeat([0, 1], 15)
    kwargs = {"eps": 2.0} if cls is LinfCornerSampler else {}

    X_res, _ = cls(random_state=0, **kwargs).fit_resample(X, y)

    assert X_res.dtype == X.dtype
    assert not np.array_equal(X_res[30:], X)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_dataframe_in_dataframe_out(cls, rng):
    X = pd.DataFrame(
        {"height": rng.rand(30), "count": rng.randint(0, 9, 30), "ratio": rng.rand(30)}
    )
    y = pd.Series(np.repeat(["neg", "pos"], 15), name="target")

    X_res, y_res = cls(random_state=0).fit_resample(X, y)

    assert isinstance(X_res, pd.DataFrame)
    assert X_res.columns.tolist() == ["height", "count", "ratio"]
    assert X_res["count"].dtype == X["count"].dtype
    assert isinstance(y_res, pd.Series)
    assert y_res.name == "target"
    assert set(y_res) == {"neg", "pos"}


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_sparse_matches_dense(cls, data):
    X, y = data

    X_dense, _ = cls(random_state=0).fit_resample(X, y)
    X_sparse, _ = cls(random_state=0).fit_resample(sparse.csc_matrix(X), y)

    assert sparse.issparse(X_sparse)
    assert X_sparse.format == "csc"
    np.testing.assert_allclose(X_sparse.toarray(), X_dense)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_in_imblearn_pipeline(cls, data):
    X, y = data
    pipeline = make_pipeline(
        cls(random_state=0), DecisionTreeClassifier(random_state=0)
    )

    pipeline.fit(X, y)

    assert pipeline.predict(X).shape == (30,)


def test_gaussian_noise_scales_per_feature(rng):
    X = rng.normal(size=(2000, 2)) * [1.0, 100.0]
    y = np.repeat([0, 1], 1000)
    sampler = GaussianNoiseSampler(scale=0.2, bounds=None, random_state=0)

    X_res, _ = sampler.fit_resample(X, y)

    noise = X_res[2000:] - X[sampler.sample_indices_[2000:]]
    np.testing.assert_allclose(noise.std(axis=0), 0.2 * X.std(axis=0), rtol=0.05)


def test_gaussian_noise_skips_constant_features(rng):
    X = np.column_stack([rng.rand(20), np.full(20, 3.5)])
    y = np.repeat([0, 1], 10)

    X_res, _ = GaussianNoiseSampler(random_state=0).fit_resample(X, y)

    np.testing.assert_array_equal(X_res[:, 1], 3.5)


def test_interpolation_stays_between_same_class_rows(rng):
    X = rng.rand(30, 2)
    y = np.repeat([0, 1, 2], 10)
    sampler = InterpolationSampler(k_neighbors=3, size_ratio=2, random_state=0)

    X_res, y_res = sampler.fit_resample(X, y)

    new_rows = zip(X_res[30:], sampler.sample_indices_[30:], y_res[30:], strict=True)
    for row, source, label in new_rows:
        partners = X[y == label]
        offsets = partners - X[source]
        step = row - X[source]
        # The new row lies on a segment from the source to a same-class row.
        cross = offsets[:, 0] * step[1] - offsets[:, 1] * step[0]
        along = (offsets @ step) / np.maximum((offsets**2).sum(axis=1), 1e-12)
        on_segment = (np.abs(cross) < 1e-9) & (along >= -1e-9) & (along <= 1 + 1e-9)
        assert on_segment.any()


def test_interpolation_copies_single_row_class(rng):
    X = rng.rand(11, 2)
    y = np.array([0] * 10 + [1])
    sampler = InterpolationSampler(random_state=0)

    X_res, y_res = sampler.fit_resample(X, y)

    np.testing.assert_array_equal(X_res[21], X[10])
    assert y_res[21] == 1


def test_munge_without_swaps_copies_sources(data):
    X, y = data
    sampler = MungeSampler(swap_probability=0.0, random_state=0)

    X_res, _ = sampler.fit_resample(X, y)

    np.testing.assert_array_equal(X_res[30:], X[sampler.sample_indices_[30:]])


def test_munge_exact_swaps_copy_nearest_neighbours():
    X = np.array([[0.0, 0.0], [0.1, 0.1], [3.0, 3.0], [3.3, 3.3], [9.0, 9.0]])
    y = np.array([0, 0, 1, 1, 1])
    sampler = MungeSampler(swap_probability=1.0, local_scale=0.0, random_state=0)

    X_res, _ = sampler.fit_resample(X, y)

    np.testing.assert_array_equal(X_res[5:], X[[1, 0, 3, 2, 3]])


def test_munge_mixes_values_of_both_rows():
    X = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]] * 5) + np.repeat(
        np.arange(5) * 10.0, 2
    ).reshape(-1, 1)
    y = np.tile([0, 1], 5)
    sampler = MungeSampler(
        swap_probability=0.5,
        local_scale=0.0,
        size_ratio=4,
        bounds=None,
        integer_features=None,
        random_state=0,
    )

    X_res, _ = sampler.fit_resample(X, y)

    sources = X[sampler.sample_indices_[10:]]
    swapped = X_res[10:] != sources
    assert 0.4 < swapped.mean() < 0.6
    assert np.all(np.abs(X_res[10:] - sources) <= 1.0)


def test_corners_sit_at_eps_from_source(rng):
    X = 0.3 + 0.4 * rng.rand(20, 3)
    y = np.repeat([0, 1], 10)
    sampler = LinfCornerSampler(eps=0.1, size_ratio=4, random_state=0)
    sampler.set_params(bounds=(0.0, 1.0))

    X_res, _ = sampler.fit_resample(X, y)

    offsets = X_res[20:] - X[sampler.sample_indices_[20:]]
    np.testing.assert_allclose(np.abs(offsets), 0.1)
    assert 0.4 < (offsets > 0).mean() < 0.6


def test_corners_clipped_onto_bounds():
    X = np.array([[0.0, 1.0], [0.02, 0.98], [0.5, 0.5], [0.6, 0.4]])
    y = np.array([0, 0, 1, 1])
    sampler = LinfCornerSampler(eps=0.1, size_ratio=8, random_state=0)
    sampler.set_params(bounds=(0.0, 1.0))

    X_res, _ = sampler.fit_resample(X, y)

    offsets = np.abs(X_res[4:] - X[sampler.sample_indices_[4:]])
    assert np.all(X_res >= 0.0)
    assert np.all(X_res <= 1.0)
    assert np.all(offsets <= 0.1 + 1e-12)


def test_corners_move_integer_columns_by_whole_steps(rng):
    X = np.column_stack([rng.rand(20), rng.randint(3, 7, 20)])
    y = np.repeat([0, 1], 10)
    sampler = LinfCornerSampler(eps=1.5, bounds=None, random_state=0)

    X_res, _ = sampler.fit_resample(X, y)

    offsets = np.abs(X_res[20:] - X[sampler.sample_indices_[20:]])
    np.testing.assert_allclose(offsets[:, 0], 1.5)
    np.testing.assert_array_equal(offsets[:, 1], 1.0)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_warns_on_column_vector_y(cls, data):
    X, y = data
    expected = cls(random_state=0).fit_resample(X, y)

    with pytest.warns(DataConversionWarning, match=re.escape(COLUMN_VECTOR_WARNING)):
        X_res, y_res = cls(random_state=0).fit_resample(X, y.reshape(-1, 1))

    np.testing.assert_array_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])


@pytest.mark.parametrize("cls", SAMPLER_CLASSES)
def test_sampler_keeps_one_column_dataframe_y(cls, data):
    X, y = data
    labels = pd.DataFrame({"target": y})

    with pytest.warns(DataConversionWarning, match=re.escape(COLUMN_VECTOR_WARNING)):
        _, y_res = cls(random_state=0).fit_resample(X, labels)

    assert isinstance(y_res, pd.DataFrame)
    assert y_res.columns.tolist() == ["target"]
    assert y_res.shape[1] == 1

import re

import numpy as np
import pandas as pd
import pytest
from imblearn.utils.estimator_checks import (
    estimator_checks_generator,
    sample_dataset_generator,
)
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sampler_checks,
)
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier, LocalOutlierFactor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_distill.cleaning import LabelNoiseCleaner, OutlierFilter

COLUMN_VECTOR_WARNING = (
    "A column-vector y was passed when a 1d array was expected. Please change "
    "the shape of y to (n_samples, ), for example using ravel()."
)

CHECKED_SAMPLERS = [
    LabelNoiseCleaner(estimator=LogisticRegression(), threshold=0.8),
    LabelNoiseCleaner(
        estimator=RandomForestClassifier(n_estimators=10, random_state=0),
        threshold=0.7,
        cv=3,
    ),
    OutlierFilter(random_state=0),
    OutlierFilter(per_class=False, random_state=0),
]


def listed_parametrize(mark):
    """Rebuild a parametrize mark with its generated cases in a list.

    imbalanced-learn 0.14.2 hands pytest a generator of cases, which pytest
    deprecates with a warning that the test configuration turns into an error.
    """
    return pytest.mark.parametrize(mark.args[0], list(mark.args[1]), **mark.kwargs)


@pytest.fixture
def noisy_data():
    """Two separable classes of 30 rows with the labels of rows 8 and 40 flipped."""
    rng = np.random.RandomState(0)
    X = rng.rand(60, 2)
    y = (X[:, 0] > 0.5).astype(int)
    y[[8, 40]] = 1 - y[[8, 40]]
    return X, y


@parametrize_with_checks(CHECKED_SAMPLERS)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# check_samplers_2d_target passes y of shape (n, 1) and check_samplers_pandas a
# one-column DataFrame, which the cleaners flatten with a DataConversionWarning.
@listed_parametrize(parametrize_with_sampler_checks(CHECKED_SAMPLERS))
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_imbalanced_learn_sampler_checks(estimator, check):
    check(estimator)


DEFAULT_CLEANER = LabelNoiseCleaner(random_state=0)

# A 4-nearest-neighbour model fitted on four training rows at each of these
# points, with these labels, gives each row at the point these probabilities
# of classes 0, 1 and 2.
NEIGHBOUR_LABELS = {
    0.0: [0, 0, 0, 0],  # (1, 0, 0)
    10.0: [1, 1, 1, 1],  # (0, 1, 0)
    20.0: [1, 1, 1, 2],  # (0, 0.75, 0.25)
    30.0: [0, 0, 1, 1],  # (0.5, 0.5, 0)
    40.0: [0, 0, 0, 2],  # (0.75, 0, 0.25)
}


def _check_name(check):
    while hasattr(check, "func"):
        check = check.func
    return check.__name__


def _default_cleaner_sampler_checks():
    """List imbalanced-learn's checks of the default LabelNoiseCleaner.

    The checks other than check_samplers_fit_resample are marked slow,
    because each fits five forests of 100 trees on the 1000 check rows,
    about 30 s in all on two CPU cores.
    """
    cases = []
    for estimator, check in estimator_checks_generator(DEFAULT_CLEANER):
        name = _check_name(check)
        marks = () if name == "check_samplers_fit_resample" else pytest.mark.slow
        cases.append(
            pytest.param(estimator, check, marks=marks, id=f"{estimator!r}-{name}")
        )
    return cases


def _frozen_neighbours():
    """Return a fitted 4-nearest-neighbour model that cross-validation keeps as is."""
    points = np.repeat(list(NEIGHBOUR_LABELS), 4).reshape(-1, 1)
    labels = np.concatenate(list(NEIGHBOUR_LABELS.values()))
    return FrozenEstimator(KNeighborsClassifier(n_neighbors=4).fit(points, labels))


@parametrize_with_checks([DEFAULT_CLEANER])
def test_default_cleaner_scikit_learn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator, check", _default_cleaner_sampler_checks())
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_default_cleaner_sampler_checks(estimator, check):
    check(estimator)


def test_auto_threshold_removes_by_confident_joint():
    X = np.array([[0.0], [0.0], [30.0], [10.0], [20.0], [0.0], [20.0], [40.0]])
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), sampling_strategy="all", cv=2
    )

    X_res, y_res = cleaner.fit_resample(X, y)

    # Mean probability of each class over its own rows: (1 + 1 + 0.5) / 3,
    # (1 + 0.75 + 0) / 3 and (0.25 + 0.25) / 2.
    np.testing.assert_allclose(cleaner.thresholds_, [5 / 6, 7 / 12, 0.25])
    # Row 5, labelled 1, gets 1 for class 0. Row 6, labelled 2, reaches the
    # thresholds of classes 1 and 2, and class 1 is more probable.
    np.testing.assert_array_equal(cleaner.removed_indices_, [5, 6])
    np.testing.assert_array_equal(cleaner.sample_indices_, [0, 1, 2, 3, 4, 7])
    np.testing.assert_array_equal(X_res, X[[0, 1, 2, 3, 4, 7]])
    np.testing.assert_array_equal(y_res, y[[0, 1, 2, 3, 4, 7]])


def test_auto_threshold_keeps_more_probable_label():
    X = np.array([[0.0], [0.0], [30.0], [10.0], [20.0], [0.0], [20.0], [40.0]])
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), sampling_strategy="all", cv=2
    )

    cleaner.fit_resample(X, y)

    proba = cleaner.out_of_fold_proba_
    # Row 4, labelled 1, has the probabilities of row 6: class 2 reaches its
    # threshold of 0.25, but class 1 reaches its own and is more probable.
    np.testing.assert_array_equal(proba[4], [0.0, 0.75, 0.25])
    assert proba[4, 2] >= cleaner.thresholds_[2]
    assert proba[4, 1] >= cleaner.thresholds_[1]
    assert 4 not in cleaner.removed_indices_
    # Row 2, labelled 0, gets (0.5, 0.5, 0) and reaches no threshold.
    assert np.all(proba[2] < cleaner.thresholds_)
    assert 2 not in cleaner.removed_indices_
    # Row 7, labelled 2, reaches the threshold of its own class only.
    assert 7 not in cleaner.removed_indices_


def test_auto_threshold_keeps_tied_label():
    X = np.array([[30.0], [20.0], [30.0], [40.0], [40.0], [20.0]])
    y = np.array([0, 0, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), sampling_strategy="all", cv=2
    )

    cleaner.fit_resample(X, y)

    np.testing.assert_allclose(cleaner.thresholds_, [0.25, 0.25, 0.25])
    # Rows 0 and 2 get (0.5, 0.5, 0): classes 0 and 1 both reach their
    # thresholds with equal probabilities, so either label stays.
    np.testing.assert_array_equal(cleaner.removed_indices_, [1, 3, 4, 5])


def test_auto_threshold_zero_probability_reaches_nothing():
    # Both rows of class 2 get 0 for it, so its threshold is 0.
    X = np.array([[0.0], [0.0], [30.0], [10.0], [10.0], [0.0], [10.0]])
    y = np.array([0, 0, 0, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), sampling_strategy="all", cv=2
    )

    cleaner.fit_resample(X, y)

    np.testing.assert_allclose(cleaner.thresholds_, [5 / 6, 1.0, 0.0])
    # Row 2 gets (0.5, 0.5, 0) and reaches no threshold: its probability of
    # 0 for class 2 does not reach that class's threshold of 0.
    np.testing.assert_array_equal(cleaner.removed_indices_, [5, 6])


def test_auto_threshold_keeps_label_against_rare_class():
    X = np.array([[0.0], [0.0], [10.0], [10.0], [10.0], [20.0], [20.0]])
    y = np.array([0, 0, 0, 1, 1, 1, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), sampling_strategy="all", cv=2
    )

    # scikit-learn's warning about the class of one row must reach the caller.
    with pytest.warns(
        UserWarning,
        match="^The least populated class in y has only 1 members, which is "
        "less than n_splits=2.$",
    ):
        cleaner.fit_resample(X, y)

    # Means of each class's probability over its own rows: (1 + 1 + 0) / 3,
    # (1 + 1 + 0.75) / 3 and 0.25 for the single row of class 2.
    np.testing.assert_allclose(cleaner.thresholds_, [2 / 3, 11 / 12, 0.25])
    # Row 5, labelled 1, gets (0, 0.75, 0.25): its label misses its threshold
    # and class 2 reaches its own, but class 2 is less probable than the
    # label, so the row stays. Row 2, labelled 0, gets 1 for class 1.
    np.testing.assert_array_equal(cleaner.out_of_fold_proba_[5], [0.0, 0.75, 0.25])
    np.testing.assert_array_equal(cleaner.removed_indices_, [2])


def test_default_cleaner_with_one_row_class():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    y[-1] = 2
    cleaner = LabelNoiseCleaner(random_state=0)

    # Class 2 has one row, so its threshold is 0, and the folds without that
    # row give it no column: scikit-learn warns about both.
    with pytest.warns(RuntimeWarning, match="^Number of classes in training fold"):
        with pytest.warns(
            UserWarning,
            match="^The least populated class in y has only 1 members, which is "
            "less than n_splits=5.$",
        ):
            cleaner.fit_resample(X, y)

    assert cleaner.thresholds_[2] == 0.0
    # Only row 47, which the forest puts in the other large class, is
    # removed: before the label had to be less probable than the chosen
    # class, every row whose label missed its threshold went to class 2.
    np.testing.assert_array_equal(cleaner.removed_indices_, [47])


def test_auto_thresholds_are_mean_self_confidence(noisy_data):
    X, y = noisy_data
    cleaner = LabelNoiseCleaner(random_state=0)

    cleaner.fit_resample(X, y)

    proba = cleaner.out_of_fold_proba_
    expected = [proba[y == 0, 0].mean(), proba[y == 1, 1].mean()]
    np.testing.assert_allclose(cleaner.thresholds_, expected)
    # With two classes, a row is removed when the other class reaches its
    # threshold and is more probable than the label.
    other = 1 - y
    rows = np.arange(y.shape[0])
    other_proba, own_proba = proba[rows, other], proba[rows, y]
    other_reached = other_proba >= cleaner.thresholds_[other]
    expected_removed = other_reached & (other_proba > own_proba)
    np.testing.assert_array_equal(
        cleaner.removed_indices_, np.flatnonzero(expected_removed)
    )


@pytest.mark.parametrize("threshold", [0.5, 0.8, 1.0])
def test_float_threshold_applies_to_every_class(threshold):
    X = np.array([[0.0], [0.0], [30.0], [10.0], [20.0], [0.0], [20.0], [40.0]])
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(),
        threshold=threshold,
        sampling_strategy="all",
        cv=2,
    )

    cleaner.fit_resample(X, y)

    np.testing.assert_array_equal(cleaner.thresholds_, [threshold] * 3)
    proba = cleaner.out_of_fold_proba_.copy()
    proba[np.arange(y.shape[0]), y] = 0.0
    np.testing.assert_array_equal(
        cleaner.removed_indices_, np.flatnonzero(proba.max(axis=1) >= threshold)
    )


def test_float_threshold_removes_tied_label():
    X = np.array([[0.0], [0.0], [30.0], [10.0], [20.0], [0.0], [20.0], [40.0]])
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    cleaner = LabelNoiseCleaner(
        estimator=_frozen_neighbours(), threshold=0.5, sampling_strategy="all", cv=2
    )

    cleaner.fit_resample(X, y)

    # Row 2, labelled 0, gets (0.5, 0.5, 0): class 1 reaches 0.5, so the row
    # is removed although its label is as probable, which "auto" keeps. Row 7
    # gets 0.75 for class 0, under that class's "auto" threshold of 5/6.
    np.testing.assert_array_equal(cleaner.removed_indices_, [2, 5, 6, 7])


def test_default_cleaner_on_check_data():
    # LabelNoiseCleaner's docstring Notes quote these counts. The count was
    # 99 while a row whose label missed its threshold was removed even when
    # its label was more probable than the class chosen against it.
    X, y = sample_dataset_generator()
    auto_cleaner = LabelNoiseCleaner(random_state=0)
    fixed_cleaner = LabelNoiseCleaner(
        threshold=0.9, sampling_strategy="all", random_state=0
    )

    auto_cleaner.fit_resample(X, y)
    fixed_cleaner.fit_resample(X, y)

    removed_labels = y[auto_cleaner.removed_indices_]
    assert auto_cleaner.removed_indices_.size == 98
    assert set(removed_labels.tolist()) == {1, 2}
    assert fixed_cleaner.removed_indices_.size == 0


def test_default_cleaner_removes_flipped_rows(noisy_data):
    X, y = noisy_data
    cleaner = LabelNoiseCleaner(random_state=0)

    cleaner.fit_resample(X, y)

    np.testing.assert_array_equal(cleaner.removed_indices_, [8, 40])


def test_label_noise_cleaner_removes_flipped_rows(noisy_data):
    X, y = noisy_data
    cleaner = LabelNoiseCleaner(
        estimator=LogisticRegression(C=100), threshold=0.8, sampling_strategy="all"
    )

    X_res, y_res = cleaner.fit_resample(X, y)

    np.testing.assert_array_equal(cleaner.removed_indices_, [8, 40])
    np.testing.assert_array_equal(
        cleaner.sample_indices_, np.delete(np.arange(60), [8, 40])
    )
    np.testing.assert_array_equal(X_res, np.delete(X, [8, 40], axis=0))
    np.testing.assert_array_equal(y_res, np.delete(y, [8, 40]))


def test_label_noise_cleaner_threshold_sets_confidence(noisy_data):
    X, y = noisy_data
    removed = []
    for threshold in (0.55, 0.8, 0.999999):
        cleaner = LabelNoiseCleaner(
            estimator=LogisticRegression(C=100),
            threshold=threshold,
            sampling_strategy="all",
        )
        cleaner.fit_resample(X, y)
        removed.append(set(cleaner.removed_indices_.tolist()))

    assert removed[0] > removed[1]
    assert removed[1] > removed[2]
    assert removed[2] == set()


def test_label_noise_cleaner_records_out_of_fold_proba(noisy_data):
    X, y = noisy_data
    cleaner = LabelNoiseCleaner(
        estimator=LogisticRegression(C=100), threshold=0.8, cv=KFold(4)
    )

    cleaner.fit_resample(X, y)

    proba = cleaner.out_of_fold_proba_
    np.testing.assert_array_equal(cleaner.classes_, [0, 1])
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Rows 8 and 40 carry the wrong label, so their own label scores low.
    assert proba[8, y[8]] < 0.2
    assert proba[40, y[40]] < 0.2


def test_label_noise_cleaner_keeps_minority_by_default():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 2)
    y = np.where(X[:, 0] > 0.8, "rare", "common").astype(object)
    y[np.argmax(X[:, 0])] = "common"
    y[np.argmin(X[:, 0])] = "rare"
    minority_flip, majority_flip = np.argmin(X[:, 0]), np.argmax(X[:, 0])
    cleaner = LabelNoiseCleaner(estimator=LogisticRegression(C=100), threshold=0.7)

    _, y_res = cleaner.fit_resample(X, y)

    assert majority_flip in cleaner.removed_indices_
    assert minority_flip not in cleaner.removed_indices_
    assert (y_res == "rare").sum() == (y == "rare").sum()
    assert set(cleaner.sampling_strategy_) == {"common"}


def test_label_noise_cleaner_dataframe_in_dataframe_out(noisy_data):
    X, y = noisy_data
    X = pd.DataFrame(X, columns=["left", "right"])
    y = pd.Series(np.where(y == 1, "pos", "neg"), name="target")
    cleaner = LabelNoiseCleaner(
        estimator=LogisticRegression(C=100), threshold=0.8, sampling_strategy="all"
    )

    X_res, y_res = cleaner.fit_resample(X, y)

    assert isinstance(X_res, pd.DataFrame)
    assert X_res.columns.tolist() == ["left", "right"]
    assert isinstance(y_res, pd.Series)
    assert y_res.name == "target"
    assert len(X_res) == 58


def test_outlier_filter_removes_isolated_row():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    X[5] = [25.0, -25.0]
    y = np.repeat([0, 1], 20)
    outlier_filter = OutlierFilter(sampling_strategy="all", random_state=0)

    X_res, y_res = outlier_filter.fit_resample(X, y)

    assert 5 in outlier_filter.removed_indices_
    assert X_res.shape[0] == 40 - outlier_filter.removed_indices_.shape[0]
    np.testing.assert_array_equal(
        np.sort(
            np.concatenate(
                [outlier_filter.sample_indices_, outlier_filter.removed_indices_]
            )
        ),
        np.arange(40),
    )
    np.testing.assert_array_equal(y_res, y[outlier_filter.sample_indices_])


@pytest.mark.parametrize("per_class, removed", [(True, True), (False, False)])
def test_outlier_filter_per_class_finds_row_in_other_class(per_class, removed):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(10, 1, (30, 2))])
    y = np.repeat([0, 1], 30)
    # A class-1 row inside the class-0 cluster is unusual only for its class.
    X[45] = [0.0, 0.0]
    outlier_filter = OutlierFilter(
        estimator=LocalOutlierFactor(n_neighbors=10),
        per_class=per_class,
        sampling_strategy="all",
    )

    outlier_filter.fit_resample(X, y)

    assert (45 in outlier_filter.removed_indices_) is removed


def test_outlier_filter_keeps_minority_by_default():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 2))
    X[[2, 45]] = [[30.0, 30.0], [-30.0, 30.0]]
    y = np.array([0] * 40 + [1] * 10)
    outlier_filter = OutlierFilter(
        estimator=IsolationForest(contamination=0.05, random_state=0)
    )

    _, y_res = outlier_filter.fit_resample(X, y)

    assert 2 in outlier_filter.removed_indices_
    assert 45 not in outlier_filter.removed_indices_
    assert (y_res == 1).sum() == 10


@pytest.mark.parametrize("sampler", CHECKED_SAMPLERS)
def test_cleaner_warns_on_column_vector_y(sampler, noisy_data):
    X, y = noisy_data
    expected = sampler.fit_resample(X, y)

    with pytest.warns(DataConversionWarning, match=re.escape(COLUMN_VECTOR_WARNING)):
        X_res, y_res = sampler.fit_resample(X, y.reshape(-1, 1))

    np.testing.assert_array_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])


@pytest.mark.parametrize("sampler", CHECKED_SAMPLERS)
def test_cleaner_keeps_one_column_dataframe_y(sampler, noisy_data):
    X, y = noisy_data
    labels = pd.DataFrame({"target": y})

    with pytest.warns(DataConversionWarning, match=re.escape(COLUMN_VECTOR_WARNING)):
        _, y_res = sampler.fit_resample(X, labels)

    assert isinstance(y_res, pd.DataFrame)
    assert y_res.columns.tolist() == ["target"]
    assert y_res.shape[1] == 1


CLEANER_CLASSES = [LabelNoiseCleaner, OutlierFilter]

NOT_NUMERIC_COLUMNS = {
    "text": (["red", "blue"] * 30, "could not convert string to float: 'red'"),
    "categorical text": (
        pd.Categorical(["red", "blue"] * 30),
        "could not convert string to float: 'red'",
    ),
    "string dtype": (
        pd.array(["red", "blue"] * 30, dtype="string"),
        "could not convert string to float: 'red'",
    ),
    "datetime": (
        pd.date_range("2020-01-01", periods=60, unit="ns"),
        "datetime64[ns] dtype: dates and durations are not numbers",
    ),
    "timezone-aware datetime": (
        pd.date_range("2020-01-01", periods=60, tz="UTC", unit="ns"),
        "datetime64[ns, UTC] dtype: dates and durations are not numbers",
    ),
    "timedelta": (
        pd.timedelta_range("1D", periods=60, unit="ns"),
        "timedelta64[ns] dtype: dates and durations are not numbers",
    ),
}


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
@pytest.mark.parametrize("kind", list(NOT_NUMERIC_COLUMNS))
@pytest.mark.parametrize("cls", CLEANER_CLASSES)
def test_cleaner_rejects_column_that_is_not_numeric(noisy_data, cls, kind, method):
    X, y = noisy_data
    values, reason = NOT_NUMERIC_COLUMNS[kind]
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(colour=values)
    cleaner = cls(random_state=0)
    message = (
        f"X has columns that are not numeric: ['colour'] ({reason}). Cleaning "
        "samplers take numeric input only, so place the cleaner after the step "
        "that encodes these columns, as in imblearn.pipeline.make_pipeline("
        f"encoder, {cls.__name__}(), model)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(cleaner, method)(frame, y)

    assert not hasattr(cleaner, "n_features_in_")


@pytest.mark.parametrize("cls", CLEANER_CLASSES)
def test_cleaner_accepts_integer_categorical_column(noisy_data, cls):
    # Cleaners only remove rows, so integer categories, which convert to
    # numbers, pass and keep their dtype.
    X, y = noisy_data
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(size=pd.Categorical([1, 2] * 30))

    X_res, _ = cls(sampling_strategy="all", random_state=0).fit_resample(frame, y)

    assert isinstance(X_res["size"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize(
    "n_rows, cv, message",
    [
        (
            4,
            5,
            "cv=5 splits each class into 5 stratified folds, but the largest "
            "class has only 2 rows. Set cv to 2 or lower.",
        ),
        (
            6,
            StratifiedKFold(4),
            "cv=StratifiedKFold(n_splits=4, random_state=None, shuffle=False) "
            "splits each class into 4 stratified folds, but the largest class "
            "has only 3 rows. Set n_splits of cv to 3 or lower.",
        ),
        (
            4,
            KFold(5),
            "cv=KFold(n_splits=5, random_state=None, shuffle=False) splits the "
            "rows into 5 folds, but X has only 4 rows. Set n_splits of cv to 4 "
            "or lower.",
        ),
        (
            60,
            GroupKFold(3),
            "cv=GroupKFold(n_splits=3, random_state=None, shuffle=False) needs "
            "the groups of the rows, which LabelNoiseCleaner does not take. Pass "
            "the folds themselves, as in cv=list(GroupKFold(3).split(X, y, "
            "groups)).",
        ),
    ],
    ids=["int-above-class-size", "stratified", "kfold-above-rows", "groups"],
)
def test_label_noise_cleaner_rejects_cv(noisy_data, n_rows, cv, message):
    X, _ = noisy_data
    y = np.array([0, 1] * (n_rows // 2))
    cleaner = LabelNoiseCleaner(cv=cv, random_state=0)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        cleaner.fit_resample(X[:n_rows], y)

    assert not hasattr(cleaner, "removed_indices_")


def test_label_noise_cleaner_one_row_per_class_rejected(noisy_data):
    X, _ = noisy_data
    cleaner = LabelNoiseCleaner(cv=2, random_state=0)
    message = (
        "cv=2 splits each class into 2 stratified folds, but the largest class "
        "has only 1 row. Add rows, so that at least one class has 2."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        cleaner.fit_resample(X[:3], np.array([0, 1, 2]))

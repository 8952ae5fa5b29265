"""Bad input to DistillationClassifier: each case raises a clear error or works.

Every failing case checks the whole message, that the estimator has no fitted
attribute afterwards, and that neither the inputs nor the teacher and student
passed in were changed.
"""

import re

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import AttackSampler, generate_adversarial

FEATURE_NAMES = list("abcd")


def _whole(message):
    """Return a pattern that matches `message` and nothing longer."""
    return f"^{re.escape(message)}$"


def _fitted_attributes(estimator):
    return sorted(
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("__")
    )


def _trees(**params):
    return DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        DecisionTreeClassifier(max_depth=2, random_state=0),
        **params,
    )


def _linear(**params):
    return DistillationClassifier(LogisticRegression(), LogisticRegression(), **params)


def _with_value(X, row, column, value):
    X = X.astype(np.float64)
    X[row, column] = value
    return X


def _assert_fit_fails_cleanly(model, X, y, error, message, **fit_params):
    """Fit `model` on bad input and check the error and that nothing changed."""
    inputs_hash = joblib.hash((X, y, fit_params))
    components_hash = joblib.hash((model.teacher, model.student))

    with pytest.raises(error, match=_whole(message)):
        model.fit(X, y, **fit_params)

    assert _fitted_attributes(model) == []
    assert joblib.hash((X, y, fit_params)) == inputs_hash
    assert joblib.hash((model.teacher, model.student)) == components_hash


NAN_MESSAGE_END = (
    " not accept missing values. Impute them first, for example with "
    "sklearn.impute.SimpleImputer in a Pipeline, or choose a teacher and a "
    "student that both accept NaN, such as HistGradientBoostingClassifier and "
    "DecisionTreeClassifier."
)


@pytest.mark.parametrize(
    "teacher, student, rejecting",
    [
        (
            LogisticRegression(),
            LogisticRegression(),
            "the teacher LogisticRegression and the student LogisticRegression do",
        ),
        (
            HistGradientBoostingClassifier(max_iter=5),
            LogisticRegression(),
            "the student LogisticRegression does",
        ),
        (
            LogisticRegression(),
            DecisionTreeClassifier(),
            "the teacher LogisticRegression does",
        ),
    ],
    ids=["both", "student", "teacher"],
)
def test_nan_rejected_naming_component(binary_data, teacher, student, rejecting):
    X, y = binary_data
    X_nan = _with_value(X, 3, 1, np.nan)
    model = DistillationClassifier(teacher, student)
    message = f"Input X contains NaN, but {rejecting}{NAN_MESSAGE_END}"
    _assert_fit_fails_cleanly(model, X_nan, y, ValueError, message)


def test_nan_rejected_at_predict(binary_data):
    X, y = binary_data
    model = _linear().fit(X, y)
    fitted_hash = joblib.hash(model)
    message = (
        "Input X contains NaN, but the teacher LogisticRegression and the student "
        f"LogisticRegression do{NAN_MESSAGE_END}"
    )
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match=_whole(message)):
            getattr(model, method)(_with_value(X, 0, 0, np.nan))
    assert joblib.hash(model) == fitted_hash


@pytest.mark.parametrize(
    "teacher, student",
    [
        (HistGradientBoostingClassifier(max_iter=5), DecisionTreeClassifier()),
        (DecisionTreeClassifier(max_depth=3), DecisionTreeRegressor(max_depth=3)),
        (
            make_pipeline(SimpleImputer(), LogisticRegression()),
            DecisionTreeClassifier(max_depth=3),
        ),
    ],
    ids=["boosting-tree", "tree-regressor", "imputing-pipeline"],
)
def test_nan_accepted_when_both_accept(binary_data, teacher, student):
    X, y = binary_data
    X_nan = _with_value(X, [2, 7, 11], [0, 3, 1], np.nan)
    model = DistillationClassifier(teacher, student, random_state=0).fit(X_nan, y)
    assert np.all(np.isfinite(model.soft_targets_))
    proba = model.predict_proba(X_nan)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X_nan)) <= {0, 1}


@pytest.mark.parametrize("model_factory", [_trees, _linear], ids=["trees", "linear"])
@pytest.mark.parametrize("value", [np.inf, -np.inf], ids=["inf", "-inf"])
def test_infinity_rejected(binary_data, model_factory, value):
    X, y = binary_data
    X_inf = X.copy()
    X_inf[5, 2] = value
    message = "Input X contains infinity or a value too large for dtype('float32')."
    _assert_fit_fails_cleanly(model_factory(), X_inf, y, ValueError, message)


@pytest.mark.parametrize(
    "rows, columns, message",
    [
        (
            slice(0, 0),
            slice(None),
            "Found array with 0 sample(s) (shape=(0, 4)) while a minimum of 1 is "
            "required by DistillationClassifier.",
        ),
        (
            slice(None),
            slice(0, 0),
            "Found array with 0 feature(s) (shape=(60, 0)) while a minimum of 1 is "
            "required by DistillationClassifier.",
        ),
    ],
    ids=["no-rows", "no-columns"],
)
def test_empty_input_rejected(binary_data, rows, columns, message):
    X, y = binary_data
    _assert_fit_fails_cleanly(_trees(), X[rows, columns], y[rows], ValueError, message)


def test_empty_input_rejected_at_predict(binary_data):
    X, y = binary_data
    model = _trees().fit(X, y)
    message = (
        "Found array with 0 sample(s) (shape=(0, 4)) while a minimum of 1 is "
        "required by DistillationClassifier."
    )
    with pytest.raises(ValueError, match=_whole(message)):
        model.predict(X[:0])


def test_one_sample_rejected(binary_data):
    X, y = binary_data
    message = (
        "y contains 1 class ([1]), but at least 2 classes are required to train a "
        "classifier."
    )
    _assert_fit_fails_cleanly(_trees(), X[:1], y[:1], ValueError, message)


def test_one_sample_per_class_fits(binary_data):
    X, y = binary_data
    rows = [np.flatnonzero(y == 0)[0], np.flatnonzero(y == 1)[0]]
    model = _trees().fit(X[rows], y[rows])
    np.testing.assert_array_equal(model.predict(X[rows]), y[rows])


def test_one_row_predicted(binary_data):
    X, y = binary_data
    model = _trees().fit(X, y)
    assert model.predict(X[:1]).shape == (1,)
    assert model.predict_proba(X[:1]).shape == (1, 2)


@pytest.mark.parametrize(
    "labels, shown",
    [
        (np.zeros(60, dtype=int), "[0]"),
        (np.full(60, "spam"), "['spam']"),
        (np.ones(60, dtype=bool), "[True]"),
    ],
    ids=["int", "str", "bool"],
)
def test_one_class_rejected(binary_data, labels, shown):
    X, _ = binary_data
    message = (
        f"y contains 1 class ({shown}), but at least 2 classes are required to "
        "train a classifier."
    )
    _assert_fit_fails_cleanly(_trees(), X, labels, ValueError, message)


@pytest.mark.parametrize("model_factory", [_trees, _linear], ids=["trees", "linear"])
@pytest.mark.parametrize("sparse_format", ["csr", "csc", "coo"])
def test_sparse_matches_dense_when_supported(binary_data, model_factory, sparse_format):
    X, y = binary_data
    X_sparse = sparse.random(
        60, 4, density=0.5, format=sparse_format, random_state=0, dtype=np.float64
    )
    dense = model_factory().fit(X_sparse.toarray(), y)
    model = model_factory().fit(X_sparse, y)
    np.testing.assert_allclose(model.soft_targets_, dense.soft_targets_)
    np.testing.assert_allclose(
        model.predict_proba(X_sparse), dense.predict_proba(X_sparse.toarray())
    )


SPARSE_MESSAGE_END = (
    " not accept sparse input. Convert X with X.toarray(), or choose a teacher "
    "and a student that both accept sparse matrices."
)


@pytest.mark.parametrize(
    "teacher, student, rejecting",
    [
        (
            HistGradientBoostingClassifier(max_iter=5),
            DecisionTreeClassifier(),
            "the teacher HistGradientBoostingClassifier does",
        ),
        (
            LogisticRegression(),
            HistGradientBoostingClassifier(max_iter=5),
            "the student HistGradientBoostingClassifier does",
        ),
    ],
    ids=["teacher", "student"],
)
def test_sparse_rejected_naming_component(binary_data, teacher, student, rejecting):
    X, y = binary_data
    model = DistillationClassifier(teacher, student)
    message = f"X is a sparse matrix, but {rejecting}{SPARSE_MESSAGE_END}"
    _assert_fit_fails_cleanly(model, sparse.csr_matrix(X), y, TypeError, message)


def test_sparse_rejected_at_predict(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        HistGradientBoostingClassifier(max_iter=5), DecisionTreeClassifier()
    ).fit(X, y)
    message = (
        "X is a sparse matrix, but the teacher HistGradientBoostingClassifier "
        f"does{SPARSE_MESSAGE_END}"
    )
    with pytest.raises(TypeError, match=_whole(message)):
        model.predict(sparse.csr_matrix(X))


@pytest.mark.parametrize("model_factory", [_trees, _linear], ids=["trees", "linear"])
def test_numeric_object_columns_accepted(binary_data, model_factory):
    X, y = binary_data
    frame = pd.DataFrame(X.astype(np.float64), columns=FEATURE_NAMES)
    frame["b"] = frame["b"].astype(object)
    numeric = model_factory().fit(X.astype(np.float64), y)
    model = model_factory().fit(frame, y)
    np.testing.assert_allclose(model.predict_proba(frame), numeric.predict_proba(X))
    np.testing.assert_array_equal(
        model_factory().fit(X.astype(object), y).predict(X), numeric.predict(X)
    )


ENCODE_HINT = (
    "Encode categorical and text columns as numbers first, for example with "
    "OneHotEncoder or OrdinalEncoder in a sklearn.compose.ColumnTransformer."
)


@pytest.mark.parametrize("model_factory", [_trees, _linear], ids=["trees", "linear"])
def test_text_columns_rejected_naming_them(binary_data, model_factory):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=FEATURE_NAMES)
    frame["colour"] = np.where(y == 1, "red", "blue")
    frame["size"] = pd.Categorical(np.where(y == 1, "big", "small"))
    message = (
        "X has columns that cannot be converted to numbers: ['colour', 'size'] "
        f"(could not convert string to float: 'red'). {ENCODE_HINT}"
    )
    _assert_fit_fails_cleanly(model_factory(), frame, y, ValueError, message)


def test_object_array_with_dict_rejected(binary_data):
    X, y = binary_data
    X_object = X.astype(object)
    X_object[4, 2] = {"a": 1}
    message = (
        "X has columns that cannot be converted to numbers: [2] (float() argument "
        f"must be a string or a real number, not 'dict'). {ENCODE_HINT}"
    )
    _assert_fit_fails_cleanly(_trees(), X_object, y, TypeError, message)


def test_text_columns_rejected_at_predict(binary_data):
    X, y = binary_data
    model = _trees().fit(pd.DataFrame(X, columns=FEATURE_NAMES), y)
    frame = pd.DataFrame(X, columns=FEATURE_NAMES).astype({"c": object})
    frame.loc[0, "c"] = "n/a"
    message = (
        "X has columns that cannot be converted to numbers: ['c'] (could not "
        f"convert string to float: 'n/a'). {ENCODE_HINT}"
    )
    with pytest.raises(ValueError, match=_whole(message)):
        model.predict(frame)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "compute_soft_targets"])
def test_feature_count_mismatch_at_predict(binary_data, method):
    X, y = binary_data
    model = _trees().fit(X, y)
    fitted_hash = joblib.hash(model)
    message = (
        "X has 3 features, but DistillationClassifier is expecting 4 features as input."
    )
    with pytest.raises(ValueError, match=_whole(message)):
        getattr(model, method)(X[:, :3])
    assert joblib.hash(model) == fitted_hash


@pytest.mark.parametrize("method", ["predict", "predict_proba", "compute_soft_targets"])
def test_feature_names_mismatch_at_predict(binary_data, method):
    X, y = binary_data
    model = _trees().fit(pd.DataFrame(X, columns=FEATURE_NAMES), y)
    fitted_hash = joblib.hash(model)
    renamed = pd.DataFrame(X, columns=["a", "b", "c", "e"])
    message = (
        "The feature names should match those that were passed during fit.\n"
        "Feature names unseen at fit time:\n- e\n"
        "Feature names seen at fit time, yet now missing:\n- d\n"
    )
    with pytest.raises(ValueError, match=_whole(message)):
        getattr(model, method)(renamed)
    assert joblib.hash(model) == fitted_hash


def test_reordered_feature_names_rejected(binary_data):
    X, y = binary_data
    model = _trees().fit(pd.DataFrame(X, columns=FEATURE_NAMES), y)
    reordered = pd.DataFrame(X, columns=FEATURE_NAMES)[["b", "a", "c", "d"]]
    message = (
        "The feature names should match those that were passed during fit.\n"
        "Feature names must be in the same order as they were in fit.\n"
    )
    with pytest.raises(ValueError, match=_whole(message)):
        model.predict(reordered)


def test_array_after_dataframe_fit_warns(binary_data):
    X, y = binary_data
    model = _trees().fit(pd.DataFrame(X, columns=FEATURE_NAMES), y)
    message = (
        "X does not have valid feature names, but DistillationClassifier was "
        "fitted with feature names"
    )
    with pytest.warns(UserWarning, match=_whole(message)):
        model.predict(X)


MIXED_MESSAGE = (
    "y contains labels of mixed types ['int', 'str']. Convert y to a single type, "
    "for example with y.astype(str)."
)


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, "one"] * 30, dtype=object),
        [0, "one"] * 30,
        pd.Series([0, "one"] * 30),
    ],
    ids=["object-array", "list", "series"],
)
def test_mixed_label_types_rejected(binary_data, labels):
    X, _ = binary_data
    _assert_fit_fails_cleanly(_trees(), X, labels, ValueError, MIXED_MESSAGE)


def test_continuous_labels_rejected(binary_data):
    X, _ = binary_data
    message = (
        "Unknown label type: continuous. Maybe you are trying to fit a classifier, "
        "which expects discrete classes on a regression target with continuous "
        "values."
    )
    y = np.linspace(0.0, 1.0, 60)
    _assert_fit_fails_cleanly(_trees(), X, y, ValueError, message)


def test_label_count_mismatch_rejected(binary_data):
    X, y = binary_data
    message = "Found input variables with inconsistent numbers of samples: [60, 50]"
    _assert_fit_fails_cleanly(_trees(), X, y[:50], ValueError, message)


def test_sample_weight_length_mismatch_rejected(binary_data):
    X, y = binary_data
    message = (
        "sample_weight has shape (50,), but X has 60 rows. Pass one weight per "
        "row. If a sampler earlier in an imbalanced-learn Pipeline added rows, "
        "the Pipeline passed the weights on unchanged; pass the sampler to "
        "DistillationClassifier as sampler (rows for the teacher) or transfer_set "
        "(rows for the student) instead, where each new row inherits its source "
        "row's weight."
    )
    _assert_fit_fails_cleanly(
        _trees(), X, y, ValueError, message, sample_weight=np.ones(50)
    )


def test_scalar_sample_weight_weighs_every_row(binary_data):
    X, y = binary_data
    weighted = _trees(random_state=0).fit(X, y, sample_weight=2.0)
    unweighted = _trees(random_state=0).fit(X, y)
    assert weighted.teacher_.tree_.weighted_n_node_samples[0] == 120.0
    np.testing.assert_array_equal(
        weighted.predict_proba(X), unweighted.predict_proba(X)
    )


def test_sample_weight_column_rejected(binary_data):
    X, y = binary_data
    message = (
        "sample_weight must be 1-D, one weight per row, but has shape (60, 1). "
        "Pass a 1-D array, for example sample_weight.ravel() for a column."
    )
    _assert_fit_fails_cleanly(
        _trees(), X, y, ValueError, message, sample_weight=np.ones((60, 1))
    )


def _with_weights(rows, value):
    weight = np.ones(60)
    weight[rows] = value
    return weight


@pytest.mark.parametrize(
    "sample_weight, shown",
    [
        (_with_weights([3], -1.0), "{3: -1.0}"),
        (
            _with_weights(np.arange(10, 17), -0.5),
            "{10: -0.5, 11: -0.5, 12: -0.5, 13: -0.5, 14: -0.5} and 2 more",
        ),
    ],
)
def test_negative_sample_weight_rejected(binary_data, sample_weight, shown):
    X, y = binary_data
    message = (
        f"sample_weight contains negative weights {shown} (row: weight). Pass "
        "weights of 0 or more, with 0 for a row to leave out."
    )
    _assert_fit_fails_cleanly(
        _trees(), X, y, ValueError, message, sample_weight=sample_weight
    )


def test_zero_sample_weight_rejected(binary_data):
    X, y = binary_data
    message = (
        "sample_weight is zero for every row, so no row would be learned. Give at "
        "least one row a positive weight."
    )
    _assert_fit_fails_cleanly(
        _linear(), X, y, ValueError, message, sample_weight=np.zeros(60)
    )


@pytest.mark.parametrize(
    "class_weight, shown",
    [
        ({0: -1.0, 1: 1.0}, "{0: -1.0}"),
        ({1: -0.5}, "{1: -0.5}"),
        ({0: -2, 1: np.float32(-0.25)}, "{0: -2.0, 1: -0.25}"),
    ],
)
def test_negative_class_weight_rejected(binary_data, class_weight, shown):
    X, y = binary_data
    message = (
        f"class_weight contains negative weights {shown} (class: weight). Pass "
        "weights of 0 or more, with 0 for a class to leave out."
    )
    _assert_fit_fails_cleanly(
        _trees(class_weight=class_weight), X, y, ValueError, message
    )


@pytest.mark.parametrize(
    "class_weight, shown",
    [({0: 0.0, 1: 0.0}, "{0: 0.0, 1: 0.0}"), ({0: 0, 1: 0, 5: 0}, None)],
)
def test_zero_class_weights_rejected(binary_data, class_weight, shown):
    X, y = binary_data
    if shown is None:
        # The unknown label 5 is reported before the weights are summed.
        message = (
            "class_weight contains labels that are not in y: [5]. The classes in "
            "y are [0, 1]. Use labels of y as the keys of class_weight."
        )
    else:
        message = (
            f"class_weight gives every class of y a weight of zero: {shown}, so no "
            "row would be learned. Give at least one class a positive weight."
        )
    _assert_fit_fails_cleanly(
        _trees(class_weight=class_weight), X, y, ValueError, message
    )


def test_zero_class_weight_with_frozen_teacher(binary_data):
    X, y = binary_data
    teacher = FrozenEstimator(DecisionTreeClassifier(max_depth=3).fit(X, y))
    model = DistillationClassifier(
        teacher, LogisticRegression(), class_weight={0: 0.0, 1: 0.0}
    )
    message = (
        "class_weight gives every class of y a weight of zero: {0: 0.0, 1: 0.0}, so "
        "no row would be learned. Give at least one class a positive weight."
    )
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


@pytest.mark.parametrize(
    "labels, class_weight, unknown, classes",
    [
        (None, {5: 2.0}, "[5]", "[0, 1]"),
        (None, {0: 1.0, 1: 3.0, 5: 2.0, "1": 1.0}, "[5, '1']", "[0, 1]"),
        (np.array(["cat", "dog"]), {0: 2.0}, "[0]", "['cat', 'dog']"),
    ],
)
def test_unknown_class_weight_label_rejected(
    binary_data, labels, class_weight, unknown, classes
):
    X, y = binary_data
    if labels is not None:
        y = labels[y]
    message = (
        f"class_weight contains labels that are not in y: {unknown}. The classes "
        f"in y are {classes}. Use labels of y as the keys of class_weight."
    )
    _assert_fit_fails_cleanly(
        _trees(class_weight=class_weight), X, y, ValueError, message
    )


@pytest.mark.parametrize(
    "weight, shown", [(np.nan, "nan"), (np.inf, "inf"), ("2", "'2'"), (None, "None")]
)
def test_non_numeric_class_weight_rejected(binary_data, weight, shown):
    X, y = binary_data
    message = (
        f"class_weight contains weights that are not finite numbers: {{1: "
        f"{shown}}}. Pass a number of 0 or more for each class."
    )
    _assert_fit_fails_cleanly(
        _trees(class_weight={0: 1.0, 1: weight}), X, y, ValueError, message
    )


def test_class_and_sample_weights_zero_together(binary_data):
    X, y = binary_data
    sample_weight = np.where(y == 1, 1.0, 0.0)
    message = (
        "class_weight and sample_weight together give every row a weight of zero, "
        "because the rows of positive sample_weight are all in classes [1], "
        "which class_weight weighs 0. Give one of those classes or a row of "
        "another class a positive weight."
    )
    _assert_fit_fails_cleanly(
        _trees(class_weight={1: 0.0}),
        X,
        y,
        ValueError,
        message,
        sample_weight=sample_weight,
    )


def test_class_weight_key_names_float_label(binary_data):
    X, y = binary_data
    # compute_class_weight looks the class 1.0 up under the key 1.
    float_labels = _trees(class_weight={1: 3.0}).fit(X, y.astype(np.float64))
    int_labels = _trees(class_weight={1: 3.0}).fit(X, y)
    unweighted = _trees().fit(X, y)

    assert float_labels.classes_.tolist() == [0.0, 1.0]
    proba = float_labels.predict_proba(X)
    np.testing.assert_array_equal(proba, int_labels.predict_proba(X))
    assert not np.array_equal(proba, unweighted.predict_proba(X))


@pytest.mark.parametrize(
    "cv, n_rare, message",
    [
        (
            10,
            4,
            "cv=10 splits each class into 10 stratified folds, but class 2 "
            "has only 4 rows. Set cv to 4 or lower, or set cv=None "
            "to score the training rows in sample.",
        ),
        (
            5,
            4,
            "cv=5 splits each class into 5 stratified folds, but class 2 "
            "has only 4 rows. Set cv to 4 or lower, or set cv=None "
            "to score the training rows in sample.",
        ),
        (
            StratifiedKFold(6),
            2,
            "cv=StratifiedKFold(n_splits=6, random_state=None, "
            "shuffle=False) splits each class into 6 stratified folds, but class 2 "
            "has only 2 rows. Set n_splits of cv to 2 or lower, or set "
            "cv=None to score the training rows in sample.",
        ),
        (
            3,
            1,
            "cv=3 splits each class into 3 stratified folds, but class 2 "
            "has only 1 row. Add rows of that class, or set cv=None to "
            "score the training rows in sample.",
        ),
    ],
)
def test_cv_above_class_count_rejected(binary_data, cv, n_rare, message):
    X, _ = binary_data
    y = np.array([0] * 30 + [1] * (30 - n_rare) + [2] * n_rare)
    model = _trees(cv=cv)
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


def test_cv_fold_without_class_rejected(binary_data):
    X, _ = binary_data
    # KFold keeps the order, so the last test fold contains every row of class 1.
    y = np.array([0] * 56 + [1] * 4)
    message = (
        "Fold 4 of cv has no rows of class 1 in its training part, so its "
        "teacher could not score that class and the fold's targets would rule it "
        "out. Use a stratified splitter such as StratifiedKFold, or set "
        "cv=None to score the training rows in sample."
    )
    model = _trees(cv=KFold(5))
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


def test_cv_generator_read_once(binary_data):
    X, y = binary_data
    from_generator = _trees(cv=KFold(3).split(X)).fit(X, y)
    from_splitter = _trees(cv=KFold(3)).fit(X, y)
    np.testing.assert_array_equal(
        from_generator.soft_targets_, from_splitter.soft_targets_
    )


def _halves(first, second):
    rows = np.arange(60)
    return [(rows[second], rows[first]), (rows[first], rows[second])]


@pytest.mark.parametrize(
    "folds, message",
    [
        (
            [(np.arange(40, 60), np.arange(40)), (np.arange(20), np.arange(20, 60))],
            "The cv splitter puts 20 rows into several test folds, so those "
            "rows would have no single out-of-fold target. Use a splitter whose "
            "test folds partition the data, such as KFold.",
        ),
        (
            _halves(slice(0, 20), slice(30, 60)),
            "The cv splitter leaves 10 rows out of every test fold, so those "
            "rows would have no single out-of-fold target. Use a splitter whose "
            "test folds partition the data, such as KFold.",
        ),
        (
            [(np.arange(30), np.arange(30, 61)), (np.arange(30, 60), np.arange(30))],
            "The test part of fold 0 of cv contains indices outside the rows 0 to "
            "59: [60]. Pass a splitter, or (train, test) pairs of integer indices "
            "into the rows given to fit.",
        ),
        (
            [
                (np.arange(-2, 30), np.arange(30, 60)),
                (np.arange(30, 60), np.arange(30)),
            ],
            "The training part of fold 0 of cv contains indices outside the rows 0 "
            "to 59: [-2, -1]. Pass a splitter, or (train, test) pairs of integer "
            "indices into the rows given to fit.",
        ),
        (
            [(np.arange(30.0), np.arange(30.0, 60.0))],
            "The training part of fold 0 of cv contains float64 values, not integer "
            "row indices: [0.0, 1.0, 2.0, 3.0, 4.0] and 25 more. Pass a splitter, "
            "or (train, test) pairs of integer indices into the rows given to fit.",
        ),
        (
            [(np.arange(60), np.arange(30)), (np.arange(30), np.arange(30, 60))],
            "Fold 0 of cv has 30 rows in both its training and its test part, "
            "such as rows [0, 1, 2, 3, 4] and 25 more, so their targets would "
            "come from a teacher that saw them. Pass folds whose training and "
            "test parts are disjoint, such as those of KFold.",
        ),
        (
            [0, 1, 2],
            "Fold 0 of cv is 0, not a (train, test) pair. Pass a splitter, or "
            "(train, test) pairs of integer indices into the rows given to fit.",
        ),
        (
            [(np.arange(30), np.arange(30, 60), np.arange(60))],
            "Fold 0 of cv is a tuple of 3 items, not a (train, test) pair. Pass a "
            "splitter, or (train, test) pairs of integer indices into the rows "
            "given to fit.",
        ),
    ],
    ids=[
        "overlapping",
        "uncovered",
        "above_range",
        "negative",
        "float",
        "train_in_test",
        "not_pairs",
        "triples",
    ],
)
def test_cv_invalid_folds_rejected(binary_data, folds, message):
    X, y = binary_data
    model = _trees(cv=folds)
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


def test_cv_group_splitter_rejected(binary_data):
    X, y = binary_data
    message = (
        "cv=GroupKFold(n_splits=3, random_state=None, shuffle=False) needs "
        "the groups of the rows, which DistillationClassifier does not take. Pass "
        "the folds themselves, as in cv=list(GroupKFold(5).split(X, y, "
        "groups))."
    )
    _assert_fit_fails_cleanly(_trees(cv=GroupKFold(3)), X, y, ValueError, message)


def test_cv_suggested_value_works(binary_data):
    X, _ = binary_data
    y = np.array([0] * 30 + [1] * 26 + [2] * 4)
    model = _trees(cv=4).fit(X, y)
    assert model.soft_targets_.shape == (60, 3)


TEMPERATURE_RANGE = "must be a float in the range (0.0, inf)"
ALPHA_RANGE = "must be a float in the range [0.0, 1.0]"


@pytest.mark.parametrize(
    "name, value, shown, allowed",
    [
        ("temperature", -1, "-1", TEMPERATURE_RANGE),
        ("temperature", 0.0, "0.0", TEMPERATURE_RANGE),
        ("temperature", np.inf, "inf", TEMPERATURE_RANGE),
        ("temperature", np.nan, "nan", TEMPERATURE_RANGE),
        ("temperature", "4", "'4'", TEMPERATURE_RANGE),
        ("temperature", None, "None", TEMPERATURE_RANGE),
        ("temperature", [4.0], "[4.0]", TEMPERATURE_RANGE),
        ("alpha", 1.5, "1.5", ALPHA_RANGE),
        ("alpha", -0.1, "-0.1", ALPHA_RANGE),
        ("alpha", np.nan, "nan", ALPHA_RANGE),
        ("alpha", "0.5", "'0.5'", ALPHA_RANGE),
        ("alpha", None, "None", ALPHA_RANGE),
    ],
)
def test_invalid_temperature_and_alpha(binary_data, name, value, shown, allowed):
    X, y = binary_data
    model = _trees(**{name: value})
    assert model.get_params()[name] is value
    message = (
        f"The '{name}' parameter of DistillationClassifier {allowed}. Got {shown} "
        "instead."
    )
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


@pytest.mark.parametrize(
    "teacher, response_method, shown",
    [
        (LinearRegression(), "auto", "predict_proba or decision_function"),
        (DecisionTreeRegressor(), "auto", "predict_proba or decision_function"),
        (SVC(), "predict_proba", "predict_proba"),
        (RandomForestClassifier(5), "decision_function", "decision_function"),
    ],
    ids=["linear-regression", "tree-regressor", "svc-proba", "forest-decision"],
)
def test_teacher_without_scores_rejected(binary_data, teacher, response_method, shown):
    X, y = binary_data
    model = DistillationClassifier(
        teacher, DecisionTreeClassifier(), response_method=response_method
    )
    message = (
        f"The teacher {type(teacher).__name__} has no {shown}, so it cannot "
        "produce soft targets. Use a classifier with predict_proba or "
        "decision_function (for SVC, wrap it as CalibratedClassifierCV(SVC(), "
        "ensemble=False) from sklearn.calibration)."
    )
    _assert_fit_fails_cleanly(model, X, y, ValueError, message)


def test_failed_refit_keeps_previous_model(binary_data):
    X, y = binary_data
    model = _trees().fit(X, y)
    fitted_hash = joblib.hash(model)
    with pytest.raises(ValueError, match="^y contains 1 class"):
        model.fit(X, np.zeros(60, dtype=int))
    assert joblib.hash(model) == fitted_hash
    np.testing.assert_array_equal(model.classes_, [0, 1])


@pytest.mark.parametrize(
    "eps, shown",
    [
        (-0.1, "-0.1"),
        (0, "0"),
        (np.nan, "nan"),
        (np.inf, "inf"),
        ("0.1", "'0.1'"),
        (None, "None"),
        ([0.1], "[0.1]"),
    ],
)
def test_attack_sampler_rejects_invalid_budget(binary_data, eps, shown):
    X, y = binary_data
    sampler = AttackSampler(eps=eps, random_state=0)
    inputs_hash = joblib.hash((X, y))
    message = (
        "The 'eps' parameter of AttackSampler must be a float in the range "
        f"(0.0, inf). Got {shown} instead."
    )

    with pytest.raises(ValueError, match=_whole(message)):
        sampler.fit_resample(X, y)

    assert _fitted_attributes(sampler) == []
    assert joblib.hash((X, y)) == inputs_hash


@pytest.mark.parametrize(
    "eps, shown", [(-0.1, "-0.1"), (np.nan, "nan"), ("0.1", "'0.1'"), (None, "None")]
)
def test_generate_adversarial_rejects_invalid_budget(binary_data, eps, shown):
    X, y = binary_data
    estimator = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    estimator_hash = joblib.hash(estimator)
    inputs_hash = joblib.hash((X, y))
    message = (
        "The 'eps' parameter of generate_adversarial must be a float in the range "
        f"[0.0, inf). Got {shown} instead."
    )

    with pytest.raises(ValueError, match=_whole(message)):
        generate_adversarial(estimator, X, y, eps=eps)

    assert joblib.hash(estimator) == estimator_hash
    assert joblib.hash((X, y)) == inputs_hash


@pytest.mark.parametrize(
    "values, dtype",
    [
        (pd.date_range("2020-01-01", periods=60, unit="ns"), "datetime64[ns]"),
        (
            pd.date_range("2020-01-01", periods=60, tz="UTC", unit="ns"),
            "datetime64[ns, UTC]",
        ),
        (pd.timedelta_range("1D", periods=60, unit="ns"), "timedelta64[ns]"),
    ],
    ids=["datetime", "timezone-aware", "timedelta"],
)
def test_datetime_columns_rejected_naming_them(binary_data, values, dtype):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=FEATURE_NAMES).assign(day=values)
    message = (
        f"X has columns that cannot be converted to numbers: ['day'] ({dtype} "
        "dtype: dates and durations are not numbers). Encode date, time and "
        "duration columns as numbers first, for example as seconds since a fixed "
        "date, and categorical and text columns with OneHotEncoder or "
        "OrdinalEncoder in a sklearn.compose.ColumnTransformer."
    )
    _assert_fit_fails_cleanly(_trees(), frame, y, ValueError, message)

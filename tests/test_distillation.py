import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.validation import check_is_fitted

from sklearn_distill import DistillationClassifier


def _forest_and_tree(**params):
    return DistillationClassifier(
        RandomForestClassifier(20, max_depth=3, random_state=0),
        DecisionTreeClassifier(max_depth=2, random_state=0),
        **params,
    )


def _step_data():
    """One feature on [0, 1]; 4 of the first 20 and 16 of the last 20 rows are 1."""
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    y = np.zeros(40, dtype=int)
    y[[1, 6, 11, 16]] = 1
    y[20:36] = 1
    return X, y


def test_fit_never_needs_fitted_student(binary_data):
    X, y = binary_data
    model = _forest_and_tree().fit(X, y)
    check_is_fitted(model.student_)
    assert model.classes_.tolist() == [0, 1]


def test_temperature_one_targets_equal_teacher_proba(binary_data):
    X, y = binary_data
    model = _forest_and_tree(temperature=1.0).fit(X, y)
    np.testing.assert_allclose(
        model.soft_targets_, model.teacher_.predict_proba(X), atol=1e-6
    )


def test_huge_temperature_targets_are_uniform(binary_data):
    X, y = binary_data
    model = _forest_and_tree(temperature=1e6).fit(X, y)
    np.testing.assert_allclose(model.soft_targets_, 0.5, atol=1e-3)


def test_temperature_four_softens_targets(binary_data):
    X, y = binary_data
    sharp = _forest_and_tree(temperature=1.0).fit(X, y).soft_targets_
    soft = _forest_and_tree(temperature=4.0).fit(X, y).soft_targets_
    assert np.all(soft.max(axis=1) <= sharp.max(axis=1) + 1e-12)
    assert np.any(soft.max(axis=1) < sharp.max(axis=1) - 0.05)


def test_compute_soft_targets_matches_fit(binary_data):
    X, y = binary_data
    model = _forest_and_tree(temperature=3.0).fit(X, y)
    np.testing.assert_allclose(model.compute_soft_targets(X), model.soft_targets_)


def test_tree_student_learns_soft_leaf_probabilities():
    X, y = _step_data()
    teacher = DecisionTreeClassifier(max_depth=1).fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher),
        DecisionTreeClassifier(max_depth=1),
        temperature=1.0,
        alpha=1.0,
    ).fit(X, y)
    np.testing.assert_allclose(
        model.predict_proba(X), teacher.predict_proba(X), atol=1e-6
    )
    assert model.predict_proba(X).max() < 0.9


def test_regressor_student_learns_soft_probabilities():
    X, y = _step_data()
    teacher = DecisionTreeClassifier(max_depth=1).fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeRegressor(max_depth=1)
    ).fit(X, y)
    np.testing.assert_allclose(
        model.predict_proba(X), teacher.predict_proba(X), atol=1e-6
    )
    np.testing.assert_array_equal(model.predict(X), teacher.predict(X))


def test_pure_tree_teacher_targets_finite_and_soft():
    rng = np.random.RandomState(0)
    X = rng.rand(100, 4)
    y = X[:, 0] + X[:, 1] > 1
    model = DistillationClassifier(
        DecisionTreeClassifier(random_state=0),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        temperature=4.0,
    )
    with np.errstate(all="raise"):
        model.fit(X, y)
    targets = model.soft_targets_
    assert np.all(np.isfinite(targets))
    assert np.all(targets > 0)
    assert np.all(targets < 1)
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        model.classes_[targets.argmax(axis=1)], model.teacher_.predict(X)
    )
    assert targets.max() < 0.99


@pytest.mark.parametrize(
    "student",
    [
        DecisionTreeClassifier(max_depth=3, random_state=0),
        RandomForestClassifier(10, max_depth=3, random_state=0),
        LogisticRegression(),
        DecisionTreeRegressor(max_depth=3, random_state=0),
        LinearRegression(),
    ],
    ids=lambda student: type(student).__name__,
)
def test_temperature_and_alpha_change_student(student):
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    teacher = RandomForestClassifier(30, max_depth=4, random_state=0)

    def fitted_proba(**params):
        model = DistillationClassifier(teacher, student, **params).fit(X, y)
        return model.predict_proba(X)

    base = fitted_proba(temperature=1.0, alpha=1.0)
    assert not np.allclose(base, fitted_proba(temperature=5.0, alpha=1.0))
    assert not np.allclose(base, fitted_proba(temperature=1.0, alpha=0.0))


@pytest.mark.parametrize(
    "y",
    [
        np.array(["neg", "pos"] * 30),
        np.array([1, 2] * 30),
        np.array([0.0, 1.0] * 30),
    ],
    ids=["strings", "one-two", "floats"],
)
def test_classes_come_from_labels(binary_data, y):
    X, _ = binary_data
    model = _forest_and_tree().fit(X, y)
    np.testing.assert_array_equal(model.classes_, np.unique(y))
    assert model.predict(X).dtype == y.dtype
    assert set(model.predict(X)) <= set(np.unique(y))


def test_cross_val_predict_rare_class_columns(rare_class_data):
    X, y = rare_class_data
    # The last training fold has no row of class 2; scikit-learn warns about it.
    with pytest.warns(RuntimeWarning, match="Number of classes in training fold"):
        proba = cross_val_predict(
            _forest_and_tree(), X, y, cv=KFold(4), method="predict_proba"
        )
    assert proba.shape == (60, 3)
    np.testing.assert_array_equal(proba[45:, 2], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_teacher_never_predicting_minority():
    rng = np.random.RandomState(0)
    X = rng.rand(200, 2)
    y = np.array([0] * 190 + [1] * 10)
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=1, random_state=0),
        DecisionTreeClassifier(max_depth=1, random_state=0),
    ).fit(X, y)
    assert not np.any(model.teacher_.predict(X) == 1)
    proba = model.predict_proba(X)
    assert proba.shape == (200, 2)
    assert model.classes_.tolist() == [0, 1]


def test_one_class_is_rejected(binary_data):
    X, _ = binary_data
    message = (
        "y contains 1 class (['only']), but at least 2 classes are required to "
        "train a classifier."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        _forest_and_tree().fit(X, np.array(["only"] * 60))


def test_passed_teacher_is_not_fitted(binary_data):
    X, y = binary_data
    teacher = DecisionTreeClassifier(max_depth=3)
    student = DecisionTreeClassifier(max_depth=3)
    DistillationClassifier(teacher, student).fit(X, y)
    assert not hasattr(teacher, "tree_")
    assert not hasattr(student, "tree_")


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"temperature": -1},
            "The 'temperature' parameter of DistillationClassifier must be a "
            "float in the range (0.0, inf). Got -1 instead.",
        ),
        (
            {"alpha": 1.5},
            "The 'alpha' parameter of DistillationClassifier must be a float in "
            "the range [0.0, 1.0]. Got 1.5 instead.",
        ),
        (
            {"temperature": "hot"},
            "The 'temperature' parameter of DistillationClassifier must be a "
            "float in the range (0.0, inf). Got 'hot' instead.",
        ),
    ],
)
def test_invalid_parameters_raise_at_fit(binary_data, params, message):
    X, y = binary_data
    model = _forest_and_tree(**params)
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y)
    assert not hasattr(model, "student_")


def test_invalid_teacher_and_student_in_one_message(binary_data):
    X, y = binary_data
    model = DistillationClassifier(SVC(), KNeighborsClassifier())
    message = (
        "The teacher SVC has no predict_proba, so it cannot produce soft targets. "
        "Use a classifier with predict_proba or decision_function (for SVC, wrap "
        "it as CalibratedClassifierCV(SVC(), ensemble=False) from "
        "sklearn.calibration). The student KNeighborsClassifier cannot learn soft "
        "targets: it must be a classifier whose fit accepts sample_weight (learns "
        "them by weighted replication) or a regressor (learns the probabilities "
        "directly)."
    )
    model.set_params(response_method="predict_proba")
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y)


def test_frozen_teacher_is_not_refitted(binary_data):
    X, y = binary_data
    teacher = RandomForestClassifier(10, random_state=0).fit(X[:30], y[:30])
    before = teacher.predict_proba(X)
    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeClassifier(max_depth=2)
    ).fit(X, y)
    assert model.teacher_.estimator is teacher
    np.testing.assert_array_equal(teacher.predict_proba(X), before)


def test_frozen_teacher_rejects_cv(binary_data):
    X, y = binary_data
    teacher = DecisionTreeClassifier().fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeClassifier(), cv=3
    )
    message = (
        "cv is set but the teacher is a FrozenEstimator, which is never "
        "refitted, so out-of-fold targets are impossible. Set cv=None or "
        "pass an unfitted teacher."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y)


def test_cv_gives_out_of_fold_targets(binary_data):
    X, y = binary_data
    in_sample = _forest_and_tree().fit(X, y)
    out_of_fold = _forest_and_tree(cv=3).fit(X, y)
    # In-sample forest probabilities are more confident than out-of-fold ones.
    assert (
        out_of_fold.soft_targets_.max(axis=1).mean()
        < in_sample.soft_targets_.max(axis=1).mean()
    )
    np.testing.assert_allclose(
        out_of_fold.compute_soft_targets(X), in_sample.soft_targets_
    )


def test_cv_same_for_any_n_jobs(binary_data):
    X, y = binary_data
    serial = _forest_and_tree(cv=3, n_jobs=1).fit(X, y)
    parallel = _forest_and_tree(cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.soft_targets_, parallel.soft_targets_)


def test_random_state_makes_fit_reproducible(binary_data):
    X, y = binary_data

    def fitted_proba():
        model = DistillationClassifier(
            RandomForestClassifier(10), RandomForestClassifier(5), random_state=3
        )
        return model.fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(fitted_proba(), fitted_proba())


def test_random_state_keeps_explicit_seeds(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        RandomForestClassifier(5, random_state=11),
        DecisionTreeClassifier(),
        random_state=0,
    ).fit(X, y)
    assert model.teacher_.random_state == 11
    assert isinstance(model.student_.random_state, int)


@pytest.mark.parametrize(
    "teacher, method",
    [
        (LogisticRegression(), "decision_function"),
        (RandomForestClassifier(5, random_state=0), "predict_proba"),
    ],
)
def test_response_method_auto(binary_data, teacher, method):
    X, y = binary_data
    model = DistillationClassifier(teacher, DecisionTreeClassifier()).fit(X, y)
    expected = model.teacher_.predict_proba(X)
    if method == "decision_function":
        np.testing.assert_allclose(model.soft_targets_, expected, rtol=1e-6)
    else:
        np.testing.assert_allclose(model.soft_targets_, expected, atol=1e-6)


@pytest.mark.parametrize(
    "student, methods",
    [
        (
            DecisionTreeClassifier(),
            {
                "predict_proba": True,
                "predict_log_proba": True,
                "decision_function": False,
            },
        ),
        (
            LogisticRegression(),
            {
                "predict_proba": True,
                "predict_log_proba": True,
                "decision_function": True,
            },
        ),
        (
            DecisionTreeRegressor(),
            {
                "predict_proba": True,
                "predict_log_proba": True,
                "decision_function": False,
            },
        ),
        (
            SVC(),
            {
                "predict_proba": False,
                "predict_log_proba": False,
                "decision_function": True,
            },
        ),
    ],
    ids=lambda value: type(value).__name__ if hasattr(value, "fit") else "",
)
def test_methods_follow_student(binary_data, student, methods):
    X, y = binary_data
    model = DistillationClassifier(LogisticRegression(), student)
    for method, expected in methods.items():
        assert hasattr(model, method) is expected, method
    model.fit(X, y)
    for method, expected in methods.items():
        assert hasattr(model, method) is expected, method
    assert model.predict(X).shape == (60,)
    assert 0.0 <= model.score(X, y) <= 1.0


def test_decision_function_matches_student(binary_data):
    X, y = binary_data
    model = DistillationClassifier(LogisticRegression(), LogisticRegression())
    model.fit(X, y)
    np.testing.assert_allclose(
        model.decision_function(X), model.student_.decision_function(X)
    )


def test_dataframe_input_sets_feature_names(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    model = _forest_and_tree().fit(frame, pd.Series(y, name="target"))
    assert model.feature_names_in_.tolist() == list("abcd")
    assert model.n_features_in_ == 4
    from_arrays = _forest_and_tree().fit(X, y)
    np.testing.assert_array_equal(model.predict(frame), from_arrays.predict(X))


def test_sample_weight_reaches_teacher_and_student():
    rng = np.random.RandomState(0)
    X2 = rng.rand(60, 3)
    y2 = np.array([0] * 54 + [1] * 6)
    weight = np.where(y2 == 1, 5.0, 1.0)
    unweighted = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0),
        DecisionTreeClassifier(max_depth=2, random_state=0),
    ).fit(X2, y2)
    weighted = clone(unweighted).fit(X2, y2, sample_weight=weight)

    reference_teacher = DecisionTreeClassifier(max_depth=2, random_state=0)
    reference_teacher.fit(X2, y2, sample_weight=weight)
    np.testing.assert_allclose(
        weighted.teacher_.predict_proba(X2), reference_teacher.predict_proba(X2)
    )
    assert weighted.predict_proba(X2)[:, 1].mean() > (
        unweighted.predict_proba(X2)[:, 1].mean()
    )


def test_sample_weight_rejected_by_unweighted_teacher(binary_data):
    X, y = binary_data
    model = DistillationClassifier(KNeighborsClassifier(), DecisionTreeClassifier())
    message = (
        "sample_weight was passed, but the teacher KNeighborsClassifier does not "
        "accept sample_weight in fit, so it would be trained unweighted."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y, sample_weight=np.ones(60))


def test_sample_weight_with_metadata_routing(binary_data):
    X, y = binary_data
    weight = np.linspace(0.5, 2.0, 60)
    with sklearn.config_context(enable_metadata_routing=True):
        teacher = DecisionTreeClassifier(max_depth=2, random_state=0)
        teacher.set_fit_request(sample_weight=True)
        model = DistillationClassifier(teacher, DecisionTreeClassifier(max_depth=2))
        model.set_fit_request(sample_weight=True)
        model.fit(X, y, sample_weight=weight)
        reference = clone(teacher).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(
        model.teacher_.predict_proba(X), reference.predict_proba(X)
    )


def test_unexpected_fit_params_without_routing(binary_data):
    X, y = binary_data
    message = (
        "fit got unexpected parameters ['check_input']. Pass them with metadata "
        "routing: sklearn.set_config(enable_metadata_routing=True) and "
        "teacher.set_fit_request(...)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        _forest_and_tree().fit(X, y, check_input=True)


@pytest.mark.parametrize("class_weight", [None, {0: 1.0, 1: 4.0, 2: 0.5}])
def test_regressor_tree_matches_gini_tree_student(class_weight):
    # Squared-error splits on the target matrix have the same gains as Gini
    # splits on the weighted replicas, so both students grow the same tree.
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    teacher = RandomForestClassifier(30, max_depth=4, random_state=0)
    params = {"temperature": 2.0, "alpha": 0.7, "class_weight": class_weight}
    classifier_student = DistillationClassifier(
        teacher, DecisionTreeClassifier(max_depth=4, random_state=0), **params
    ).fit(X, y)
    regressor_student = DistillationClassifier(
        teacher, DecisionTreeRegressor(max_depth=4, random_state=0), **params
    ).fit(X, y)
    assert classifier_student.soft_targets_.min() > 1e-3
    np.testing.assert_allclose(
        classifier_student.predict_proba(X),
        regressor_student.predict_proba(X),
        atol=1e-12,
    )


def test_unweighted_regressor_student_rejects_weights(binary_data):
    from sklearn.neighbors import KNeighborsRegressor

    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0), KNeighborsRegressor()
    )
    message = (
        "Row weights were requested through sample_weight or class_weight, but "
        "the student KNeighborsRegressor does not accept sample_weight in fit, so "
        "it would be trained unweighted. Choose a student that accepts "
        "sample_weight, or drop sample_weight and class_weight."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y, sample_weight=np.ones(60))
    assert not hasattr(model, "student_")
    assert not hasattr(model, "teacher_")


def test_transfer_set_accepts_attack_sampler():
    from sklearn_distill.adversarial import AttackSampler

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.array([0] * 54 + [1] * 6)
    weight = np.where(y == 1, 5.0, 1.0)
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        transfer_set=AttackSampler(n_samples=30, eps=0.05, random_state=0),
        transfer_labels="source",
        random_state=0,
    ).fit(X, y, sample_weight=weight)

    assert model.soft_targets_.shape == (90, 2)
    # Each attack row inherits the weight of its source row, so the student's
    # total weight grows by the weights of the 30 sources.
    sources = model.student_.tree_.weighted_n_node_samples[0] - weight.sum()
    assert 30.0 <= sources <= 30 * 5.0


def test_negative_sample_weight_is_rejected(binary_data):
    X, y = binary_data
    weight = np.ones(60)
    weight[3] = -1.0
    model = _forest_and_tree()
    message = (
        "sample_weight contains negative weights {3: -1.0} (row: weight). Pass "
        "weights of 0 or more, with 0 for a row to leave out."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y, sample_weight=weight)
    assert not hasattr(model, "teacher_")

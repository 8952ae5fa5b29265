import re
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_distill import DistillationClassifier
from sklearn_distill._compat import InvalidParameterError
from sklearn_distill.adversarial import AttackSampler, generate_adversarial

SAMPLERS = [
    AttackSampler(random_state=0),
    AttackSampler(LogisticRegression(), attack="fgsm", random_state=0),
    AttackSampler(n_samples=50, class_share="balanced", norm=2, random_state=0),
]


@pytest.fixture
def imbalanced_data():
    """Three uniform features; 54 rows of class 0, then 6 of class 1."""
    rng = np.random.RandomState(0)
    # The rows are drawn after those of `binary_data` from the same generator.
    rng.rand(60, 4)
    X = rng.rand(60, 3)
    y = np.array([0] * 54 + [1] * 6)
    return X, y


# The 2-D target checks pass a column vector, which the sampler flattens with
# a DataConversionWarning, as scikit-learn estimators do.
@parametrize_with_checks(SAMPLERS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _check_id(check):
    while hasattr(check, "func"):
        check = check.func
    return check.__name__


# imbalanced-learn's parametrize_with_checks hands pytest a generator, which
# pytest 9 rejects, so the same checks are listed here.
IMBLEARN_CHECKS = [
    pytest.param(estimator, check, id=f"{estimator!r}-{_check_id(check)}")
    for sampler in SAMPLERS
    for estimator, check in estimator_checks_generator(sampler)
]


@pytest.mark.parametrize("estimator, check", IMBLEARN_CHECKS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)


def test_param_validation():
    check_param_validation("AttackSampler", AttackSampler())


def test_rows_appended_after_originals(binary_data):
    X, y = binary_data
    sampler = AttackSampler(eps=0.05, n_samples=0.5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    sources = sampler.sample_indices_[60:]

    assert X_res.shape == (90, 4)
    np.testing.assert_array_equal(X_res[:60], X)
    np.testing.assert_array_equal(sampler.sample_indices_[:60], np.arange(60))
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    assert np.all(np.abs(X_res[60:] - X[sources]) <= 0.05)
    assert np.all(sources >= 0)


def test_integer_labels_through_gradient_and_black_box(binary_data):
    X, y = binary_data
    for estimator, attack in [
        (LogisticRegression(), "fgsm"),
        (RandomForestClassifier(5), "hopskipjump"),
    ]:
        sampler = AttackSampler(estimator, attack=attack, n_samples=6, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        np.testing.assert_array_equal(sampler.estimator_.classes_, [0, 1])
        assert set(y_res.tolist()) == {0, 1}
        assert X_res.shape == (66, 4)


def test_column_vector_labels_warn(binary_data):
    X, y = binary_data
    sampler = AttackSampler(n_samples=10, random_state=0)
    with pytest.warns(DataConversionWarning):
        _, y_res = sampler.fit_resample(X, y.reshape(-1, 1))
    assert y_res.shape == (70,)


def test_one_column_dataframe_labels_warn(binary_data):
    X, y = binary_data
    labels = pd.DataFrame({"target": y})
    sampler = AttackSampler(n_samples=10, random_state=0)
    with pytest.warns(DataConversionWarning):
        _, y_res = sampler.fit_resample(X, labels)
    # imbalanced-learn returns the container it was given: one named column.
    assert isinstance(y_res, pd.DataFrame)
    assert y_res.columns.tolist() == ["target"]
    assert y_res.shape == (70, 1)


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_text_column_rejected_with_placement_advice(binary_data, method):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd")).assign(colour="red")
    message = (
        "X has columns that are not numeric: ['colour'] (could not convert "
        "string to float: 'red'). Attacks perturb numeric input only, so place "
        "the sampler after the step that encodes these columns, as in "
        "Pipeline([('encode', encoder), ('attack', AttackSampler()), "
        "('model', model)])."
    )
    sampler = AttackSampler(n_samples=10, random_state=0)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(sampler, method)(frame, y)
    assert not hasattr(sampler, "n_features_in_")


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
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
def test_datetime_column_rejected_with_placement_advice(
    binary_data, values, dtype, method
):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd")).assign(
        day=np.resize(values, X.shape[0])
    )
    message = (
        f"X has columns that are not numeric: ['day'] ({dtype} dtype: dates and "
        "durations are not numbers). Attacks perturb numeric input only, so "
        "place the sampler after the step that encodes these columns, as in "
        "Pipeline([('encode', encoder), ('attack', AttackSampler()), "
        "('model', model)])."
    )
    sampler = AttackSampler(n_samples=10, random_state=0)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(sampler, method)(frame, y)
    assert not hasattr(sampler, "n_features_in_")


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
@pytest.mark.parametrize(
    "categories",
    [[0, 1, 2], ["small", "medium", "large"]],
    ids=["integer", "string"],
)
def test_categorical_column_rejected_with_placement_advice(
    binary_data, categories, method
):
    X, y = binary_data
    size = pd.Categorical(np.resize(categories, X.shape[0]), categories=categories)
    frame = pd.DataFrame(X, columns=list("abcd")).assign(size=size)
    message = (
        "X has columns that are not numeric: ['size'] (categorical dtype: a "
        "perturbed value would name no category). Attacks perturb numeric input "
        "only, so place the sampler after the step that encodes these columns, "
        "as in Pipeline([('encode', encoder), ('attack', AttackSampler()), "
        "('model', model)])."
    )
    sampler = AttackSampler(n_samples=10, random_state=0)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(sampler, method)(frame, y)

    assert not hasattr(sampler, "estimator_")
    assert not hasattr(sampler, "n_features_in_")


def test_bool_n_samples_rejected(binary_data):
    X, y = binary_data
    message = (
        "The 'n_samples' parameter of AttackSampler must be a float in the range "
        "(0.0, inf). Got True instead."
    )
    sampler = AttackSampler(n_samples=True, random_state=0)

    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize(
    "clip_values, features",
    [((np.nan, 1.0), "[0, 1, 2, 3]"), ((0.0, [1.0, 1.0, np.nan, 1.0]), "[2]")],
)
def test_nan_clip_values_rejected(binary_data, clip_values, features):
    X, y = binary_data
    message = (
        f"clip_values contains NaN for features {features}. Pass numbers, with "
        "-np.inf or np.inf for a side without a bound."
    )
    sampler = AttackSampler(clip_values=clip_values, random_state=0)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)

    assert not hasattr(sampler, "clip_values_")
    assert not hasattr(sampler, "estimator_")


def test_text_clip_values_rejected(binary_data):
    X, y = binary_data
    message = (
        "clip_values contains values that are not numbers: ('0', '1'). Pass a "
        "pair (low, high) of numbers or of arrays of numbers, one per feature."
    )
    sampler = AttackSampler(clip_values=("0", "1"), random_state=0)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)

    assert not hasattr(sampler, "clip_values_")
    assert not hasattr(sampler, "sample_indices_")


@pytest.mark.parametrize(
    "relabel",
    [lambda y: y + 1, lambda y: np.where(y == 1, "pos", "neg")],
    ids=["one_two", "strings"],
)
@pytest.mark.parametrize(
    "estimator, attack",
    [(None, "auto"), (LogisticRegression(), "fgsm"), (LogisticRegression(), "pgd")],
)
def test_labels_keep_original_values(binary_data, relabel, estimator, attack):
    X, y = binary_data
    labels = relabel(y)
    sampler = AttackSampler(estimator, attack=attack, n_samples=20, random_state=0)
    _, y_res = sampler.fit_resample(X, labels)
    assert set(y_res.tolist()) == set(labels.tolist())
    np.testing.assert_array_equal(y_res[60:], labels[sampler.sample_indices_[60:]])


def test_gradient_attack_on_forest_in_grid_search(binary_data):
    X, y = binary_data
    pipeline = Pipeline(
        [
            ("smote", SMOTE(random_state=0)),
            ("attack", AttackSampler(RandomForestClassifier(5), attack="fgsm")),
            ("model", DecisionTreeClassifier()),
        ]
    )
    message = (
        "The attack 'fgsm' needs loss gradients, but RandomForestClassifier is not "
        "differentiable: gradient attacks (fgsm, pgd, cw) need a skorch net, a "
        "LogisticRegression, a LinearSVC, or a DistillationClassifier with such a "
        "student. Attacks that apply to RandomForestClassifier: 'hopskipjump', "
        "'zoo'."
    )
    raising = GridSearchCV(
        pipeline, {"model__max_depth": [2, 3]}, cv=2, error_score="raise"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        raising.fit(X, y)

    # With the default error_score, every fit fails and the search reports it.
    search = GridSearchCV(pipeline, {"model__max_depth": [2, 3]}, cv=2)
    with pytest.raises(ValueError, match=re.escape(message)):
        search.fit(X, y)


def test_auto_attack_recorded(binary_data):
    X, y = binary_data
    pipeline = Pipeline(
        [
            ("smote", SMOTE(random_state=0)),
            ("attack", AttackSampler(n_samples=10, random_state=0)),
            ("model", DecisionTreeClassifier(random_state=0)),
        ]
    )
    search = GridSearchCV(pipeline, {"model__max_depth": [2, 3]}, cv=2).fit(X, y)
    assert search.best_estimator_.named_steps["attack"].attack_ == "decision_tree"

    forest_sampler = AttackSampler(RandomForestClassifier(5), n_samples=4)
    forest_sampler.fit_resample(X, y)
    assert forest_sampler.attack_ == "hopskipjump"


def test_dataframe_and_series_kept_in_pipeline(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    target = pd.Series(y, name="target")
    sampler = AttackSampler(LogisticRegression(), attack="fgsm", random_state=0)
    X_res, y_res = sampler.fit_resample(frame, target)
    assert isinstance(X_res, pd.DataFrame)
    assert X_res.columns.tolist() == ["a", "b", "c", "d"]
    assert isinstance(y_res, pd.Series)
    assert y_res.name == "target"

    pipeline = Pipeline(
        [
            ("attack", AttackSampler(LogisticRegression(), attack="fgsm")),
            ("model", LogisticRegression()),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline.fit(frame, target)
        predictions = pipeline.predict(frame)
    assert predictions.shape == (60,)
    assert pipeline.named_steps["model"].feature_names_in_.tolist() == list("abcd")


def test_weights_grow_with_rows(imbalanced_data):
    X, y = imbalanced_data
    weights = np.where(y == 1, 5.0, 1.0)
    sampler = AttackSampler(n_samples=30, random_state=0)
    X_res, y_res, weights_res = sampler.fit_resample(X, y, sample_weight=weights)

    assert X_res.shape == (90, 3)
    assert weights_res.shape == (90,)
    np.testing.assert_array_equal(weights_res[:60], weights)
    np.testing.assert_array_equal(
        weights_res[60:], weights[sampler.sample_indices_[60:]]
    )
    np.testing.assert_array_equal(weights_res, np.where(y_res == 1, 5.0, 1.0))

    model = DecisionTreeClassifier(random_state=0)
    model.fit(X_res, y_res, sample_weight=weights_res)
    assert model.tree_.weighted_n_node_samples[0] == weights_res.sum()


def test_weights_of_wrong_length_rejected(imbalanced_data):
    X, y = imbalanced_data
    message = (
        "sample_weight has shape (59,), but X has 60 rows. Pass one weight per row."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AttackSampler().fit_resample(X, y, sample_weight=np.ones(59))


@pytest.mark.parametrize("routing", [False, True])
def test_weights_routed_in_pipeline_fail_loudly(imbalanced_data, routing):
    X, y = imbalanced_data
    weights = np.where(y == 1, 5.0, 1.0)
    message = "sample_weight.shape == (60,), expected (90,)!"
    with sklearn.config_context(enable_metadata_routing=routing):
        model = DecisionTreeClassifier()
        if routing:
            model.set_fit_request(sample_weight=True)
        pipeline = Pipeline([("attack", AttackSampler(n_samples=30)), ("model", model)])
        params = (
            {"sample_weight": weights} if routing else {"model__sample_weight": weights}
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            pipeline.fit(X, y, **params)


@pytest.mark.parametrize("routing", [False, True])
def test_weights_routed_to_distillation_step_get_fix(imbalanced_data, routing):
    X, y = imbalanced_data
    weights = np.where(y == 1, 5.0, 1.0)
    message = (
        "sample_weight has shape (60,), but X has 90 rows. Pass one weight per "
        "row. If a sampler earlier in an imbalanced-learn Pipeline added rows, "
        "the Pipeline passed the weights on unchanged; pass the sampler to "
        "DistillationClassifier as sampler (rows for the teacher) or transfer_set "
        "(rows for the student) instead, where each new row inherits its source "
        "row's weight."
    )
    with sklearn.config_context(enable_metadata_routing=routing):
        model = DistillationClassifier(
            DecisionTreeClassifier(max_depth=2), DecisionTreeClassifier(max_depth=2)
        )
        if routing:
            model.set_fit_request(sample_weight=True)
        pipeline = Pipeline([("attack", AttackSampler(n_samples=30)), ("model", model)])
        params = (
            {"sample_weight": weights} if routing else {"model__sample_weight": weights}
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            pipeline.fit(X, y, **params)
    assert not hasattr(pipeline.named_steps["model"], "teacher_")


def test_minority_class_gets_larger_share(imbalanced_data):
    X, y = imbalanced_data
    sampler = AttackSampler(n_samples=20, class_share={1: 0.75, 0: 0.25})
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.n_adversarial_per_class_ == {0: 5, 1: 15}
    assert np.sum(y_res[60:] == 1) == 15

    # Class 1 has 6 rows, so each is used at least twice for 15 new rows.
    counts = np.bincount(sampler.sample_indices_[60:][y_res[60:] == 1])
    assert counts[counts > 0].min() >= 2


def test_balanced_and_default_shares(imbalanced_data):
    X, y = imbalanced_data
    balanced = AttackSampler(n_samples=10, class_share="balanced")
    balanced.fit_resample(X, y)
    assert balanced.n_adversarial_per_class_ == {0: 5, 1: 5}

    frequency = AttackSampler(n_samples=0.5)
    frequency.fit_resample(X, y)
    assert frequency.n_adversarial_per_class_ == {0: 27, 1: 3}


def test_class_share_omitting_class(imbalanced_data):
    X, y = imbalanced_data
    sampler = AttackSampler(n_samples=7, class_share={1: 1.0})
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.n_adversarial_per_class_ == {0: 0, 1: 7}
    np.testing.assert_array_equal(y_res[60:], 1)


def test_class_share_unknown_label_rejected(imbalanced_data):
    X, y = imbalanced_data
    message = (
        "class_share has labels [2] that are not in y, whose classes are [0, 1]. "
        "Use labels of y as keys."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AttackSampler(class_share={2: 1.0}).fit_resample(X, y)


@pytest.mark.parametrize("share", [{0: -1.0, 1: 2.0}, {0: 0.0, 1: 0.0}])
def test_class_share_invalid_weights_rejected(imbalanced_data, share):
    X, y = imbalanced_data
    message = (
        "class_share must map labels to non-negative numbers with a positive sum, "
        f"got {share!r}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AttackSampler(class_share=share).fit_resample(X, y)


def test_frozen_estimator_attacked_as_is(binary_data):
    X, y = binary_data
    model = LogisticRegression(C=0.5).fit(X, y)
    sampler = AttackSampler(FrozenEstimator(model), attack="fgsm", n_samples=10)
    sampler.fit_resample(X[:30], y[:30])
    np.testing.assert_array_equal(sampler.estimator_.coef_, model.coef_)


def test_surrogate_seeded_by_random_state(binary_data):
    X, y = binary_data
    settings = {"attack": "hopskipjump", "n_samples": 6, "random_state": 1}
    first = AttackSampler(RandomForestClassifier(3), **settings)
    second = AttackSampler(RandomForestClassifier(3), **settings)
    X_first, _ = first.fit_resample(X, y)
    X_second, _ = second.fit_resample(X, y)
    np.testing.assert_array_equal(X_first, X_second)
    assert not np.array_equal(X_first[60:], X[first.sample_indices_[60:]])
    assert first.estimator_.random_state is not None


def test_sparse_rows_stay_sparse(binary_data):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = binary_data
    X_res, _ = AttackSampler(n_samples=5, random_state=0).fit_resample(
        scipy_sparse.csc_matrix(X), y
    )
    assert scipy_sparse.issparse(X_res)
    assert X_res.format == "csc"
    assert X_res.shape == (65, 4)


def test_distillation_on_attack_set(binary_data):
    X, y = binary_data
    teacher = RandomForestClassifier(10, random_state=0).fit(X, y)
    pipeline = Pipeline(
        [
            (
                "attack",
                AttackSampler(FrozenEstimator(teacher), n_samples=30, random_state=0),
            ),
            (
                "distill",
                DistillationClassifier(
                    FrozenEstimator(teacher),
                    DecisionTreeClassifier(max_depth=3, random_state=0),
                    temperature=2.0,
                ),
            ),
        ]
    )
    pipeline.fit(X, y)
    distilled = pipeline.named_steps["distill"]
    assert pipeline.named_steps["attack"].attack_ == "hopskipjump"
    # The teacher labels every row of the attack set with its soft targets.
    assert distilled.soft_targets_.shape == (90, 2)


def test_sampler_rejects_rows_outside_clip_values(binary_data):
    X, y = binary_data
    message = (
        "Training rows lie outside clip_values in features [0, 1, 2, 3], for example"
    )
    fix = (
        "Widen clip_values to the valid range of the features, or leave it None "
        "to use the range of the training rows."
    )
    sampler = AttackSampler(clip_values=(0.0, 0.5), random_state=0)

    with pytest.raises(ValueError, match=re.escape(message)) as error:
        sampler.fit_resample(X, y)
    assert str(error.value).endswith(fix)
    assert not hasattr(sampler, "clip_values_")
    assert not hasattr(sampler, "estimator_")


def test_sampler_fits_skorch_net_on_float64_rows(binary_data):
    import torch
    from skorch import NeuralNetClassifier

    X, y = binary_data
    X = X.astype(np.float64)
    net = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )

    X_res, y_res = AttackSampler(net, attack="fgsm", random_state=0).fit_resample(X, y)

    assert X_res.shape == (120, 4)
    assert X_res.dtype == np.float64

    message = (
        "The skorch net NeuralNetClassifier is fitted on the labels as they are, "
        "but torch needs the class positions 0..K-1 and y has the labels "
        "['neg', 'pos']. Encode y first, for example with "
        "sklearn.preprocessing.LabelEncoder, or pass a net fitted already."
    )
    labels = np.where(y == 1, "pos", "neg")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AttackSampler(net, attack="fgsm", random_state=0).fit_resample(X, labels)


def whole_number_frame(X):
    """Two float features, a count from 0 to 4 and a bool flag."""
    return pd.DataFrame(
        {
            "a": X[:, 0],
            "b": X[:, 1],
            "count": np.floor(X[:, 2] * 5).astype(np.int64),
            "flag": X[:, 3] > 0.5,
        }
    )


@pytest.mark.parametrize(
    "estimator, attack",
    [(LogisticRegression(), "fgsm"), (LogisticRegression(), "pgd"), (None, "auto")],
)
def test_whole_number_columns_unchanged_below_half(binary_data, estimator, attack):
    X, y = binary_data
    frame = whole_number_frame(X)
    sampler = AttackSampler(
        estimator, attack=attack, eps=0.01, n_samples=30, random_state=0
    )

    X_res, _ = sampler.fit_resample(frame, y)

    adversarial = X_res.iloc[60:].reset_index(drop=True)
    sources = frame.iloc[sampler.sample_indices_[60:]].reset_index(drop=True)
    assert X_res.dtypes.to_dict() == frame.dtypes.to_dict()
    pd.testing.assert_series_equal(adversarial["flag"], sources["flag"])
    pd.testing.assert_series_equal(adversarial["count"], sources["count"])
    assert (adversarial[["a", "b"]] != sources[["a", "b"]]).to_numpy().any()


def test_whole_number_columns_round_attacked_values(binary_data):
    X, y = binary_data
    frame = whole_number_frame(X)
    model = LogisticRegression().fit(frame, y)
    sampler = AttackSampler(
        FrozenEstimator(model), attack="fgsm", eps=0.6, n_samples=30, random_state=0
    )

    X_res, _ = sampler.fit_resample(frame, y)

    sources = sampler.sample_indices_[60:]
    attacked = generate_adversarial(
        model,
        frame.iloc[sources],
        y[sources],
        attack="fgsm",
        eps=0.6,
        clip_values=sampler.clip_values_,
    ).reset_index(drop=True)
    adversarial = X_res.iloc[60:].reset_index(drop=True)
    expected_flag = np.rint(attacked["flag"]).astype(bool)
    expected_count = np.rint(attacked["count"]).astype(np.int64)
    pd.testing.assert_series_equal(adversarial["flag"], expected_flag)
    pd.testing.assert_series_equal(adversarial["count"], expected_count)
    pd.testing.assert_frame_equal(
        adversarial[["a", "b"]], attacked[["a", "b"]].astype(np.float32)
    )
    # At eps 0.6 the rounding moves some whole-number values off their source.
    assert (adversarial["flag"] != frame["flag"].iloc[sources].to_numpy()).any()


@pytest.mark.parametrize(
    "relabel",
    [lambda y: y + 1, lambda y: np.where(y == 1, "pos", "neg")],
    ids=["one_two", "strings"],
)
@pytest.mark.parametrize(
    "net_class",
    [
        "AdversarialNetClassifier",
        "AdversarialNetBinaryClassifier",
        "TemperatureNetClassifier",
    ],
)
def test_package_nets_attacked_on_labels(binary_data, relabel, net_class):
    import torch

    from sklearn_distill import neural

    X, y = binary_data
    labels = relabel(y)
    torch.manual_seed(0)
    net = getattr(neural, net_class)(max_epochs=2, verbose=0)
    sampler = AttackSampler(net, attack="fgsm", eps=0.1, n_samples=10, random_state=0)

    X_res, y_res = sampler.fit_resample(X, labels)

    sources = sampler.sample_indices_[60:]
    np.testing.assert_array_equal(sampler.estimator_.classes_, np.unique(labels))
    assert set(y_res.tolist()) == set(labels.tolist())
    np.testing.assert_array_equal(y_res[60:], labels[sources])
    assert np.all(np.any(X_res[60:] != X[sources], axis=1))

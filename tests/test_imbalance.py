import re

import numpy as np
import pytest
import sklearn
from imblearn import FunctionSampler
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_distill import DistillationClassifier
from sklearn_distill.neural import TemperatureNetClassifier
from sklearn_distill.transfer import GaussianNoiseSampler, LinfCornerSampler

SMOTE_FOLD_MESSAGE = (
    "The sampler SMOTE failed on 40 training rows, in which class 1 has only 4 "
    "rows, but k_neighbors=5 needs at least 6 rows of each class it resamples. "
    "Set k_neighbors=3 or lower in the sampler, or use a sampler without "
    "neighbours, such as RandomOverSampler. SMOTE raised: Expected n_neighbors "
    "<= n_samples_fit, but n_neighbors = 6, n_samples_fit = 4, n_samples = 4"
)


@pytest.fixture
def imbalanced_data():
    """Three uniform features; 54 rows of class 0, then 6 of class 1."""
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.array([0] * 54 + [1] * 6)
    return X, y


def _tree_distiller(**params):
    return DistillationClassifier(
        DecisionTreeClassifier(max_depth=3, random_state=0),
        DecisionTreeClassifier(max_depth=3, random_state=0),
        **params,
    )


def _root_weight(tree):
    """Total sample weight a fitted tree was trained on."""
    return tree.tree_.weighted_n_node_samples[0]


def test_sampler_resamples_teacher_data_only(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(sampler=SMOTE(k_neighbors=3, random_state=0))

    model.fit(X, y)

    X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    expected_teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    expected_teacher.fit(X_res, y_res)
    assert _root_weight(model.teacher_) == 108
    np.testing.assert_array_equal(
        model.teacher_.predict_proba(X), expected_teacher.predict_proba(X)
    )
    assert model.soft_targets_.shape == (60, 2)


def test_sampler_error_in_grid_search_fold(imbalanced_data):
    X, y = imbalanced_data
    search = GridSearchCV(
        _tree_distiller(sampler=SMOTE()),
        {"alpha": [0.5, 1.0]},
        cv=StratifiedKFold(3),
        error_score="raise",
    )

    with pytest.raises(ValueError, match=f"^{re.escape(SMOTE_FOLD_MESSAGE)}$"):
        search.fit(X, y)


# GridSearchCV also warns that the failed fits leave non-finite scores.
@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
def test_sampler_error_reported_by_grid_search(imbalanced_data):
    X, y = imbalanced_data
    search = GridSearchCV(
        _tree_distiller(sampler=SMOTE(random_state=0)),
        {"sampler__k_neighbors": [5, 3]},
        cv=StratifiedKFold(3),
    )

    with pytest.warns(FitFailedWarning, match=re.escape(SMOTE_FOLD_MESSAGE)):
        search.fit(X, y)

    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0])
    assert np.isfinite(scores[1])


def test_sampler_error_inside_cv_fold(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(sampler=SMOTE(), cv=StratifiedKFold(3))

    with pytest.raises(ValueError, match=f"^{re.escape(SMOTE_FOLD_MESSAGE)}$"):
        model.fit(X, y)


@pytest.mark.parametrize("where", ["inside", "pipeline"])
def test_suggested_neighbour_setting_works(where, imbalanced_data):
    X, y = imbalanced_data
    if where == "inside":
        estimator = _tree_distiller(sampler=SMOTE(k_neighbors=3, random_state=0))
        grid = {"alpha": [0.5, 1.0]}
    else:
        estimator = make_pipeline(
            SMOTE(k_neighbors=3, random_state=0), _tree_distiller()
        )
        grid = {"distillationclassifier__alpha": [0.5, 1.0]}
    search = GridSearchCV(
        estimator, grid, cv=StratifiedKFold(3), scoring="balanced_accuracy"
    )

    search.fit(X, y)

    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_sampler_error_without_neighbour_setting(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(sampler=RandomUnderSampler(sampling_strategy={0: 70}))
    message = (
        "The sampler RandomUnderSampler failed on 60 training rows, with class "
        "counts {0: 54, 1: 6}. RandomUnderSampler raised: With under-sampling "
        "methods, the number of samples in a class should be less or equal to "
        "the original number of samples. Originally, there is 54 samples and 70 "
        "samples are asked."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)


def test_sampler_runs_inside_each_cv_fold(imbalanced_data):
    X, y = imbalanced_data
    cv = KFold(3, shuffle=True, random_state=0)
    model = _tree_distiller(sampler=RandomOverSampler(random_state=0), cv=cv)

    model.fit(X, y)

    expected = np.empty((60, 2))
    for train, test in cv.split(X, y):
        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
            X[train], y[train]
        )
        fold_teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
        expected[test] = fold_teacher.fit(X_res, y_res).predict_proba(X[test])
    np.testing.assert_allclose(model.soft_targets_, expected, atol=1e-5)


def test_sampler_carries_sample_weight_by_indices(imbalanced_data):
    X, y = imbalanced_data
    weight = np.linspace(1.0, 2.0, 60)
    model = _tree_distiller(sampler=RandomOverSampler(random_state=0))

    model.fit(X, y, sample_weight=weight)

    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    expected_teacher = DecisionTreeClassifier(max_depth=3, random_state=0)
    expected_teacher.fit(X_res, y_res, sample_weight=weight[sampler.sample_indices_])
    np.testing.assert_allclose(
        _root_weight(model.teacher_), weight[sampler.sample_indices_].sum()
    )
    np.testing.assert_array_equal(
        model.teacher_.predict_proba(X), expected_teacher.predict_proba(X)
    )


def test_sampler_without_indices_weights_by_nearest_row(imbalanced_data):
    X, y = imbalanced_data
    weight = np.where(y == 1, 5.0, 1.0)
    model = _tree_distiller(sampler=SMOTE(k_neighbors=3, random_state=0))

    model.fit(X, y, sample_weight=weight)

    # Every synthetic row is of class 1, whose rows all weigh 5.
    np.testing.assert_allclose(_root_weight(model.teacher_), 54 + 6 * 5 + 48 * 5)


def test_sampler_rejected_with_frozen_teacher(imbalanced_data):
    X, y = imbalanced_data
    teacher = DecisionTreeClassifier(max_depth=2).fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeClassifier(), sampler=SMOTE()
    )
    message = (
        "sampler is set but the teacher is a FrozenEstimator, which is never "
        "refitted, so the resampled data would not be used. Set sampler=None or "
        "pass an unfitted teacher."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)


def test_random_state_seeds_sampler(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(
        sampler=SMOTE(k_neighbors=3),
        transfer_set=GaussianNoiseSampler(),
        random_state=0,
    )

    first = clone(model).fit(X, y).soft_targets_
    second = clone(model).fit(X, y).soft_targets_

    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("class_weight", ["balanced", {1: 9.0}, {0: 0.5, 1: 2.0}])
def test_class_weight_equals_sample_weight(class_weight, imbalanced_data):
    # With alpha=0 the student's targets are one-hot, so weighting each class's
    # replicas equals weighting each row by the weight of its label.
    X, y = imbalanced_data
    weighted = _tree_distiller(class_weight=class_weight, alpha=0.0).fit(X, y)

    expected = _tree_distiller(alpha=0.0).fit(
        X, y, sample_weight=compute_sample_weight(class_weight, y)
    )

    np.testing.assert_array_equal(weighted.soft_targets_, expected.soft_targets_)
    np.testing.assert_allclose(
        _root_weight(weighted.teacher_), _root_weight(expected.teacher_)
    )
    np.testing.assert_allclose(
        _root_weight(weighted.student_), _root_weight(expected.student_)
    )


def test_class_weight_weights_soft_target_classes(imbalanced_data):
    X, y = imbalanced_data
    class_weight = {0: 1.0, 1: 9.0}

    model = _tree_distiller(class_weight=class_weight, temperature=3.0).fit(X, y)

    weights = np.array([1.0, 9.0])
    expected = (model.soft_targets_ * weights).sum(axis=0)
    np.testing.assert_allclose(_root_weight(model.student_), expected.sum())
    np.testing.assert_allclose(
        model.student_.tree_.value[0, 0], expected / expected.sum()
    )


def test_class_weight_multiplies_sample_weight(imbalanced_data):
    X, y = imbalanced_data
    weight = np.linspace(1.0, 2.0, 60)

    model = _tree_distiller(class_weight={1: 3.0}).fit(X, y, sample_weight=weight)

    expected = weight * np.where(y == 1, 3.0, 1.0)
    np.testing.assert_allclose(_root_weight(model.teacher_), expected.sum())


def test_class_weight_balanced_after_sampler(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(
        sampler=RandomOverSampler(random_state=0), class_weight="balanced", alpha=0.0
    )

    model.fit(X, y)

    # The over-sampled teacher data is balanced, so its class weights are 1,
    # while the student's rows get the weights of the imbalanced labels.
    assert _root_weight(model.teacher_) == pytest.approx(108.0)
    np.testing.assert_allclose(model.student_.tree_.value[0, 0], [0.5, 0.5])


def test_class_weight_with_frozen_teacher_weights_student(imbalanced_data):
    X, y = imbalanced_data
    teacher = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher),
        DecisionTreeClassifier(max_depth=2, random_state=0),
        alpha=0.0,
        class_weight="balanced",
    )

    model.fit(X, y)

    assert model.teacher_.estimator is teacher
    assert _root_weight(teacher) == 60
    # Balanced weights give both classes the same total weight.
    np.testing.assert_allclose(model.student_.tree_.value[0, 0], [0.5, 0.5])


def test_class_weight_needs_weighted_teacher(imbalanced_data):
    X, y = imbalanced_data
    model = DistillationClassifier(
        KNeighborsClassifier(), DecisionTreeClassifier(), class_weight="balanced"
    )
    message = (
        "class_weight is set, but the teacher KNeighborsClassifier does not "
        "accept sample_weight in fit, so it would be trained without the class "
        "weights. Choose a teacher that accepts sample_weight, or weight the "
        "classes with the teacher's own parameters and set class_weight=None."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)


def test_transfer_rows_inherit_sample_weight(imbalanced_data):
    X, y = imbalanced_data
    weight = np.where(y == 1, 5.0, 1.0)
    transfer = LinfCornerSampler(eps=0.05, size_ratio=0.5, random_state=0)
    model = _tree_distiller(transfer_set=transfer, transfer_labels="source", alpha=0.0)

    model.fit(X, y, sample_weight=weight)

    transfer.fit_resample(X, y)
    sources = transfer.sample_indices_[60:]
    assert sources.shape == (30,)
    assert model.soft_targets_.shape == (90, 2)
    # With alpha=0 each student row is one replica weighted by its row weight.
    np.testing.assert_allclose(
        _root_weight(model.student_), weight.sum() + weight[sources].sum()
    )


def test_transfer_rows_carry_source_targets(imbalanced_data):
    X, y = imbalanced_data
    transfer = GaussianNoiseSampler(size_ratio=2, random_state=0)
    model = _tree_distiller(transfer_set=transfer, transfer_labels="source")

    model.fit(X, y)

    transfer.fit_resample(X, y)
    sources = transfer.sample_indices_[60:]
    assert model.soft_targets_.shape == (180, 2)
    np.testing.assert_array_equal(
        model.soft_targets_[60:], model.soft_targets_[sources]
    )


def test_transfer_rows_labelled_by_teacher(imbalanced_data):
    X, y = imbalanced_data
    transfer = GaussianNoiseSampler(scale=0.5, random_state=0)
    model = _tree_distiller(transfer_set=transfer, temperature=2.0)

    model.fit(X, y)

    X_transfer, _ = transfer.fit_resample(X, y)
    np.testing.assert_allclose(
        model.soft_targets_[60:], model.compute_soft_targets(X_transfer[60:])
    )
    assert not np.allclose(model.soft_targets_[60:], model.soft_targets_[:60])


def test_transfer_set_list_in_order(imbalanced_data):
    X, y = imbalanced_data
    first = GaussianNoiseSampler(size_ratio=0.5, random_state=0)
    second = LinfCornerSampler(size_ratio=1.0, random_state=0)
    model = _tree_distiller(transfer_set=[first, second])

    model.fit(X, y)

    X_second, _ = second.fit_resample(X, y)
    assert model.soft_targets_.shape == (150, 2)
    np.testing.assert_allclose(
        model.soft_targets_[90:], model.compute_soft_targets(X_second[60:])
    )


def test_transfer_smote_rows_weighted_by_nearest_row(imbalanced_data):
    X, y = imbalanced_data
    weight = np.where(y == 1, 5.0, 1.0)
    model = _tree_distiller(
        transfer_set=SMOTE(k_neighbors=3, random_state=0),
        transfer_labels="source",
        alpha=0.0,
    )

    model.fit(X, y, sample_weight=weight)

    soft_targets = model.soft_targets_
    assert soft_targets.shape == (108, 2)
    # SMOTE adds 48 rows of class 1, whose training rows all weigh 5.
    np.testing.assert_allclose(_root_weight(model.student_), 84.0 + 48 * 5.0)
    minority_targets = {tuple(row) for row in soft_targets[:60][y == 1]}
    assert {tuple(row) for row in soft_targets[60:]} <= minority_targets


def test_transfer_sampler_returning_new_rows_only(imbalanced_data):
    X, y = imbalanced_data

    def shifted_copies(X, y):
        return X[:10] + 0.01, y[:10]

    model = _tree_distiller(
        transfer_set=FunctionSampler(func=shifted_copies),
        transfer_labels="source",
        alpha=0.0,
    )

    model.fit(X, y, sample_weight=np.arange(1.0, 61.0))

    assert model.soft_targets_.shape == (70, 2)
    np.testing.assert_array_equal(model.soft_targets_[60:], model.soft_targets_[:10])
    # Each copy takes the weight of its nearest training row, the row it copies.
    np.testing.assert_allclose(_root_weight(model.student_), 1830.0 + 55.0)


def test_transfer_set_rejects_non_samplers(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(transfer_set=[GaussianNoiseSampler(), LogisticRegression()])
    message = (
        "transfer_set contains ['LogisticRegression'], which have no fit_resample "
        "method. Pass imbalanced-learn samplers, such as those of "
        "sklearn_distill.transfer."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)


def test_transfer_sampler_error_names_class(imbalanced_data):
    X, y = imbalanced_data
    model = _tree_distiller(transfer_set=SMOTE(k_neighbors=8))
    message = (
        "The transfer_set sampler SMOTE failed on 60 training rows, in which "
        "class 1 has only 6 rows, but k_neighbors=8 needs at least 9 rows of "
        "each class it resamples. Set k_neighbors=5 or lower in the "
        "transfer_set sampler, or use a sampler without neighbours, such as "
        "RandomOverSampler. SMOTE raised: Expected n_neighbors <= "
        "n_samples_fit, but n_neighbors = 9, n_samples_fit = 6, n_samples = 6"
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, y)


def test_pipeline_weight_mismatch_explained(imbalanced_data):
    X, y = imbalanced_data
    weight = np.where(y == 1, 5.0, 1.0)
    # The weights are not silently dropped: the classifier rejects them.
    message = (
        "sample_weight has shape (60,), but X has 90 rows. Pass one weight per "
        "row. If a sampler earlier in an imbalanced-learn Pipeline added rows, "
        "the Pipeline passed the weights on unchanged; pass the sampler to "
        "DistillationClassifier as sampler (rows for the teacher) or transfer_set "
        "(rows for the student) instead, where each new row inherits its source "
        "row's weight."
    )

    with sklearn.config_context(enable_metadata_routing=True):
        distiller = _tree_distiller().set_fit_request(sample_weight=True)
        pipeline = make_pipeline(
            LinfCornerSampler(size_ratio=0.5, random_state=0), distiller
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            pipeline.fit(X, y, sample_weight=weight)


@pytest.mark.parametrize(
    "stages",
    [
        {"class_weight": "balanced"},
        {"sampler": RandomOverSampler(random_state=0)},
    ],
    ids=["class_weight", "sampler"],
)
@pytest.mark.parametrize(
    "relabel", [lambda y: np.where(y == 1, "yes", "no"), lambda y: y + 1]
)
def test_net_teacher_stages_out_of_fold(imbalanced_data, stages, relabel):
    X, y = imbalanced_data
    labels = relabel(y)
    teacher = TemperatureNetClassifier(
        max_epochs=2, train_split=None, verbose=0, random_state=0
    )
    model = DistillationClassifier(
        teacher, DecisionTreeClassifier(max_depth=2), cv=3, **stages
    )
    positions = clone(model).fit(X, y)
    model.fit(X, labels)

    # The fold teachers learn class positions, and their logits are mapped
    # back to the labels, so relabelling changes nothing but the labels.
    np.testing.assert_array_equal(model.classes_, np.unique(labels))
    np.testing.assert_allclose(model.soft_targets_, positions.soft_targets_)

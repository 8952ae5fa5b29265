import re

import numpy as np
import pytest
from imblearn.pipeline import Pipeline as ImbalancedPipeline
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import AttackSampler
from sklearn_distill.metrics import fidelity_score, fidelity_scorer


@pytest.fixture
def distilled(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        RandomForestClassifier(20, random_state=0),
        DecisionTreeClassifier(max_depth=1, random_state=0),
    ).fit(X, y)
    return model, X, y


def test_fidelity_is_agreement_share(distilled):
    model, X, _ = distilled
    expected = np.mean(model.predict(X) == model.teacher_.predict(X))
    assert fidelity_score(model, X) == expected
    assert 0.0 < expected < 1.0


def test_fidelity_ignores_true_labels(distilled):
    model, X, y = distilled
    assert fidelity_scorer(model, X, y) == fidelity_scorer(model, X, 1 - y)
    assert fidelity_scorer(model, X) == fidelity_score(model, X)


def test_fidelity_with_string_labels(binary_data):
    X, y = binary_data
    labels = np.where(y == 1, "pos", "neg")
    model = DistillationClassifier(
        RandomForestClassifier(20, random_state=0),
        DecisionTreeClassifier(max_depth=1, random_state=0),
    ).fit(X, labels)
    expected = np.mean(model.predict(X) == model.teacher_.predict(X))
    assert fidelity_score(model, X) == expected


def test_fidelity_sample_weight(distilled):
    model, X, _ = distilled
    agree = model.predict(X) == model.teacher_.predict(X)
    weights = np.where(agree, 1.0, 3.0)
    expected = agree.sum() / weights.sum()
    assert fidelity_score(model, X, sample_weight=weights) == pytest.approx(expected)
    assert fidelity_scorer(model, X, sample_weight=weights) == pytest.approx(expected)


def test_identical_student_has_full_fidelity(binary_data):
    X, y = binary_data
    teacher = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    model = DistillationClassifier(
        FrozenEstimator(teacher), DecisionTreeClassifier(max_depth=2, random_state=0)
    ).fit(X, y)
    assert fidelity_score(model, X) == 1.0


def test_fidelity_in_cross_validation(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        RandomForestClassifier(10, random_state=0),
        DecisionTreeClassifier(max_depth=2, random_state=0),
    )
    scores = cross_validate(
        model, X, y, cv=3, scoring={"fidelity": fidelity_scorer, "accuracy": "accuracy"}
    )
    assert scores["test_fidelity"].shape == (3,)
    assert np.all((scores["test_fidelity"] >= 0) & (scores["test_fidelity"] <= 1))


def test_fidelity_selects_student_depth(binary_data):
    X, y = binary_data
    model = DistillationClassifier(
        RandomForestClassifier(10, random_state=0),
        DecisionTreeClassifier(random_state=0),
    )
    search = GridSearchCV(
        model, {"student__max_depth": [1, 6]}, cv=3, scoring=fidelity_scorer
    ).fit(X, y)
    assert search.best_params_ == {"student__max_depth": 6}


def test_fidelity_of_pipeline(binary_data):
    X, y = binary_data
    pipeline = make_pipeline(
        StandardScaler(),
        DistillationClassifier(
            RandomForestClassifier(10, random_state=0),
            DecisionTreeClassifier(max_depth=1, random_state=0),
        ),
    ).fit(X, y)
    distilled = pipeline[-1]
    X_scaled = pipeline[:-1].transform(X)
    expected = np.mean(pipeline.predict(X) == distilled.teacher_.predict(X_scaled))
    assert fidelity_score(pipeline, X) == expected


def test_fidelity_of_pipeline_with_sampler(binary_data):
    X, y = binary_data
    pipeline = ImbalancedPipeline(
        [
            ("attack", AttackSampler(n_samples=20, random_state=0)),
            (
                "distill",
                DistillationClassifier(
                    RandomForestClassifier(10, random_state=0),
                    DecisionTreeClassifier(max_depth=2, random_state=0),
                ),
            ),
        ]
    ).fit(X, y)
    distilled = pipeline.named_steps["distill"]
    expected = np.mean(pipeline.predict(X) == distilled.teacher_.predict(X))
    assert fidelity_score(pipeline, X) == expected


def test_model_without_teacher_rejected(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    message = (
        "fidelity_score needs a fitted DistillationClassifier, or a pipeline ending "
        "in one, whose teacher_ it compares with; got RandomForestClassifier, which "
        "has no teacher_."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        fidelity_score(forest, X)


def test_fidelity_maps_skorch_teacher_positions():
    # A skorch teacher is fitted on class positions, so its own predict
    # returns 0 and 1; fidelity must compare labels with labels.
    import torch
    from skorch import NeuralNetClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4).astype(np.float32)
    y = np.where(X[:, 0] + X[:, 1] > 1, "pos", "neg")
    teacher = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=20,
        lr=0.5,
        train_split=None,
        verbose=0,
    )
    model = DistillationClassifier(
        teacher, DecisionTreeClassifier(max_depth=3, random_state=0), random_state=0
    ).fit(X, y)

    expected = np.mean(
        model.predict(X) == model.classes_[model.compute_soft_targets(X).argmax(1)]
    )
    assert fidelity_score(model, X) == pytest.approx(expected)
    assert fidelity_score(model, X) > 0.5


def test_fidelity_rejects_weights_of_wrong_length():
    rng = np.random.RandomState(0)
    X = rng.rand(30, 2)
    y = (X[:, 0] > 0.5).astype(int)
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0),
        DecisionTreeClassifier(max_depth=1, random_state=0),
    ).fit(X, y)

    with pytest.raises(ValueError, match=re.escape("sample_weight.shape == (5,)")):
        fidelity_score(model, X, sample_weight=np.ones(5))

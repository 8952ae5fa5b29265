import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch
from art.attacks.evasion import FastGradientMethod
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetClassifier

from sklearn_distill import DistillationClassifier, _art
from sklearn_distill.adversarial import exact_tree_attack
from sklearn_distill.exceptions import GradientMaskingWarning
from sklearn_distill.metrics import (
    RobustnessCurveDisplay,
    make_robustness_scorer,
    robustness_report,
)
from sklearn_distill.metrics._masking import masking_reasons
from sklearn_distill.metrics._robustness import AttackOutcome
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class TemperatureMLP(torch.nn.Module):
    """Small MLP whose logits are divided by `temperature` in forward.

    Training with temperature 20 and deploying with temperature 1 is
    defensive distillation's recipe: the deployed softmax saturates.
    """

    def __init__(self, n_features=64, n_classes=10, temperature=1.0):
        super().__init__()
        self.temperature = temperature
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(n_features, 64),
            torch.nn.ReLU(),
            torch.nn.Linear(64, n_classes),
        )

    def forward(self, x):
        return self.layers(x) / self.temperature


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


@pytest.fixture(scope="module")
def distilled_net(digits):
    """A net trained at temperature 20 on load_digits, deployed at 1."""
    X, y = digits
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        TemperatureMLP,
        module__temperature=20.0,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.1,
        max_epochs=10,
        batch_size=64,
        train_split=None,
        verbose=0,
    ).fit(X, y)
    net.module_.temperature = 1.0
    net.training_temperature_ = 20.0
    return net


@pytest.fixture
def tree_data():
    rng = np.random.RandomState(0)
    X = rng.rand(80, 2)
    y = (X[:, 0] > 0.5).astype(int)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    return tree, X, y


def accuracy_table(report):
    rows = report[report["metric"] == "accuracy"]
    return rows.set_index(["attack", "eps"])["value"]


def test_report_layout(tree_data):
    tree, X, y = tree_data
    report = robustness_report(tree, X, y, eps=[0.05, 0.1])
    assert report.columns.tolist() == ["attack", "eps", "metric", "class", "value"]
    assert set(report["attack"]) == {"clean", "decision_tree", "worst_case"}
    assert sorted(set(report["eps"])) == [0.0, 0.05, 0.1]

    attack_rows = report[report["attack"] == "decision_tree"]
    assert set(attack_rows["metric"]) == {
        "accuracy",
        "balanced_accuracy",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "minority_recall",
        "precision",
        "recall",
        "f1",
        "success_rate",
        "median_perturbation",
    }
    per_class = attack_rows[attack_rows["metric"] == "recall"]
    assert per_class["class"].tolist() == [0, 1, 0, 1]
    assert report.loc[report["metric"] == "accuracy", "class"].isna().all()
    assert report.attrs["gradient_masking"] == []


def test_exact_report_matches_distances(tree_data):
    tree, X, y = tree_data
    report = robustness_report(tree, X, y, eps=[0.05, 0.1])
    _, distance = exact_tree_attack(tree, X, y, clip_values=(X.min(0), X.max(0)))
    table = accuracy_table(report)
    for eps in (0.05, 0.1):
        assert table[("decision_tree", eps)] == np.mean(distance > eps)
        assert table[("worst_case", eps)] == np.mean(distance > eps)

    medians = report[report["metric"] == "median_perturbation"]
    median = medians.set_index(["attack", "eps"])["value"][("decision_tree", 0.1)]
    assert median == np.median(distance[(distance <= 0.1) & (distance > 0)])


def test_success_rate_counts_correct_rows(tree_data):
    tree, X, y = tree_data
    flipped = y.copy()
    flipped[:8] = 1 - flipped[:8]
    report = robustness_report(tree, X, flipped, eps=[0.1])
    table = report.set_index(["attack", "eps", "metric"])["value"]
    clean = table[("clean", 0.0, "accuracy")]
    robust = table[("decision_tree", 0.1, "accuracy")]
    rate = table[("decision_tree", 0.1, "success_rate")]
    assert rate == pytest.approx((clean - robust) / clean)


def test_string_labels_and_dataframe(tree_data):
    _, X, y = tree_data
    frame = pd.DataFrame(X, columns=["left", "right"])
    labels = np.where(y == 1, "pos", "neg")
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(frame, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = robustness_report(tree, frame, labels, eps=0.1)
    per_class = report[(report["metric"] == "f1") & (report["attack"] == "clean")]
    assert per_class["class"].tolist() == ["neg", "pos"]


def test_column_vector_labels_warn(tree_data):
    tree, X, y = tree_data
    with pytest.warns(DataConversionWarning):
        report = robustness_report(tree, X, y.reshape(-1, 1), eps=0.1)
    assert accuracy_table(report)[("clean", 0.0)] == 1.0


def test_integer_labels_through_black_box_and_gradient(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    forest_report = robustness_report(forest, X[:12], y[:12], eps=0.2, random_state=0)
    assert set(forest_report["attack"]) == {"clean", "hopskipjump", "worst_case"}

    linear = LogisticRegression().fit(X, y)
    linear_report = robustness_report(linear, X[:12], y[:12], eps=0.2, random_state=0)
    assert set(linear_report["attack"]) == {
        "clean",
        "pgd",
        "hopskipjump",
        "worst_case",
    }
    per_class = linear_report[linear_report["metric"] == "recall"]
    assert set(per_class["class"]) == {0, 1}


def test_robust_never_above_clean(binary_data):
    X, y = binary_data
    linear = LogisticRegression().fit(X, y)
    report = robustness_report(
        linear, X[:20], y[:20], attacks=["fgsm", "pgd"], eps=[0.1, 0.3]
    )
    table = accuracy_table(report)
    clean = table[("clean", 0.0)]
    for eps in (0.1, 0.3):
        worst = table[("worst_case", eps)]
        assert table[("fgsm", eps)] <= clean
        assert table[("pgd", eps)] <= clean
        assert worst <= min(table[("fgsm", eps)], table[("pgd", eps)])


def test_minority_recall_on_imbalanced_data():
    rng = np.random.RandomState(0)
    rng.rand(60, 4)
    X = rng.rand(60, 3)
    y = np.array([0] * 54 + [1] * 6)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    report = robustness_report(tree, X, y, eps=0.05)
    table = report.set_index(["attack", "eps", "metric", "class"])["value"]
    minority = table[("decision_tree", 0.05, "minority_recall", None)]
    recall_one = table[("decision_tree", 0.05, "recall", 1)]
    balanced = table[("decision_tree", 0.05, "balanced_accuracy", None)]
    recall_zero = table[("decision_tree", 0.05, "recall", 0)]
    assert minority == recall_one
    assert balanced == pytest.approx((recall_zero + recall_one) / 2)


def test_all_attacks_on_tree(tree_data):
    tree, X, y = tree_data
    report = robustness_report(
        tree, X[:10], y[:10], attacks="all", eps=0.1, check_masking=False
    )
    assert set(report["attack"]) == {
        "clean",
        "decision_tree",
        "hopskipjump",
        "zoo",
        "worst_case",
    }


def test_art_instance_in_attack_list(binary_data):
    X, y = binary_data
    linear = LogisticRegression().fit(X, y)
    classifier = _art.art_classifier(
        linear, 4, linear.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
    )
    instance = FastGradientMethod(classifier, eps=0.1)
    stronger = FastGradientMethod(classifier, eps=0.3)
    report = robustness_report(
        linear, X, y, attacks=[instance, "fgsm", stronger], eps=0.1
    )
    table = accuracy_table(report)
    assert table[("FastGradientMethod", 0.1)] == table[("fgsm", 0.1)]
    # The instance keeps its eps of 0.3, but its rows are projected onto 0.1.
    assert table[("FastGradientMethod_2", 0.1)] == table[("fgsm", 0.1)]


def test_same_report_for_same_seed(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    first = robustness_report(forest, X[:10], y[:10], eps=0.2, random_state=3)
    second = robustness_report(forest, X[:10], y[:10], eps=0.2, random_state=3)
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize(
    "eps, message",
    [
        (
            -0.1,
            "The 'eps' parameter of robustness_report must be a float in the range "
            "(0.0, inf) or an array-like. Got -0.1 instead.",
        ),
        (
            [0.1, 0.0],
            "eps must be a positive float or a list of them, got [0.1, 0.0]. The "
            "clean metrics are reported with eps=0 anyway.",
        ),
        (
            [0.1, np.nan],
            "eps must be a positive float or a list of them, got [0.1, nan]. The "
            "clean metrics are reported with eps=0 anyway.",
        ),
    ],
)
def test_invalid_budgets_rejected(tree_data, eps, message):
    tree, X, y = tree_data
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        robustness_report(tree, X, y, eps=eps)


def test_label_count_mismatch_rejected(tree_data):
    tree, X, y = tree_data
    message = "y has 79 labels, but X has 80 rows. Pass one label per row."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        robustness_report(tree, X, y[:79], eps=0.1)


def test_distilled_net_triggers_masking_warning(digits, distilled_net):
    X, y = digits
    rows = slice(0, 60)
    with pytest.warns(GradientMaskingWarning) as caught:
        report = robustness_report(
            distilled_net, X[rows], y[rows], eps=[0.1, 0.2], random_state=0
        )
    messages = [str(warning.message) for warning in caught]
    table = accuracy_table(report)

    # The warnings point at the caller's line, not at the package's internals.
    assert {warning.filename for warning in caught} == {__file__}
    assert any("have a loss gradient of exactly zero" in text for text in messages)
    assert any(
        "dividing the logits by the training temperature 20 lowers" in text
        for text in messages
    )
    assert any("the black-box attack hopskipjump leaves" in text for text in messages)
    assert any("under pgd does not fall from" in text for text in messages)
    assert all(
        text.startswith("Gradient masking suspected in NeuralNetClassifier: ")
        for text in messages
    )
    assert set(report["attack"]) == {
        "clean",
        "pgd",
        "hopskipjump",
        "adaptive_pgd",
        "worst_case",
    }
    for eps in (0.1, 0.2):
        assert table[("adaptive_pgd", eps)] < table[("pgd", eps)]
        assert table[("worst_case", eps)] <= table[("adaptive_pgd", eps)]
    assert report.attrs["gradient_masking"] == [
        text.split(": ", 1)[1].split(" Gradient attacks may")[0] for text in messages
    ]


def test_defensive_distillation_triggers_masking_warning(digits):
    # Defensive distillation: a teacher trained at temperature 20 and a
    # student distilled from it at 20, both deployed at temperature 1.
    neural = pytest.importorskip("sklearn_distill.neural")
    X, y = digits

    def make_module():
        return torch.nn.Sequential(
            torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
        )

    settings = {
        "criterion": torch.nn.CrossEntropyLoss,
        "optimizer": torch.optim.Adam,
        "lr": 0.01,
        "max_epochs": 10,
        "batch_size": 64,
        "train_split": None,
        "verbose": 0,
    }
    torch.manual_seed(0)
    teacher = neural.TemperatureNetClassifier(
        make_module(), temperature=20.0, **settings
    )
    student = NeuralNetClassifier(make_module(), **settings)
    model = DistillationClassifier(teacher, student, temperature=20.0).fit(X, y)

    with pytest.warns(GradientMaskingWarning) as caught:
        report = robustness_report(model, X[:40], y[:40], eps=0.2, random_state=0)
    messages = [str(warning.message) for warning in caught]
    table = accuracy_table(report)
    assert any(
        "dividing the logits by the training temperature 20 lowers robust "
        "accuracy under pgd at eps=0.2" in text
        for text in messages
    )
    assert table[("adaptive_pgd", 0.2)] < table[("pgd", 0.2)]
    assert table[("worst_case", 0.2)] <= min(
        table[("pgd", 0.2)],
        table[("hopskipjump", 0.2)],
        table[("adaptive_pgd", 0.2)],
    )


def test_masking_checks_can_be_turned_off(digits, distilled_net):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientMaskingWarning)
        report = robustness_report(
            distilled_net,
            X[:30],
            y[:30],
            attacks=["fgsm"],
            eps=0.1,
            check_masking=False,
        )
    assert report.attrs["gradient_masking"] == []
    assert "adaptive_fgsm" in set(report["attack"])


def test_zero_gradient_message(digits, distilled_net):
    X, y = digits
    with pytest.warns(GradientMaskingWarning) as caught:
        robustness_report(distilled_net, X[:40], y[:40], attacks=["fgsm"], eps=0.1)
    zero = [str(item.message) for item in caught if "exactly zero" in str(item.message)]
    assert len(zero) == 1
    assert re.fullmatch(
        r"Gradient masking suspected in NeuralNetClassifier: \d+ of 40 rows "
        r"\(\d+%\) have a loss gradient of exactly zero, so sign-gradient attacks "
        r"cannot move them\. Gradient attacks may overstate its robustness; rely "
        r"on the worst_case rows\.",
        zero[0],
    )


def test_no_masking_warning_for_linear_model(binary_data):
    X, y = binary_data
    linear = LogisticRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientMaskingWarning)
        report = robustness_report(linear, X[:20], y[:20], eps=[0.1, 0.2])
    assert report.attrs["gradient_masking"] == []


def test_attack_without_effect_reported(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    with pytest.warns(GradientMaskingWarning) as caught:
        robustness_report(
            forest, X[:10], y[:10], attacks=["zoo"], eps=0.05, random_state=0
        )
    expected = (
        "Gradient masking suspected in RandomForestClassifier: robust accuracy "
        "under zoo stays at the clean accuracy 1.000 up to eps=0.05: the attack "
        "never changed a correct prediction. Gradient attacks may overstate its "
        "robustness; rely on the worst_case rows."
    )
    assert [str(item.message) for item in caught] == [expected]


def outcome_with_accuracy(attack, eps, accuracy, y):
    """Return an outcome whose predictions are right on the first rows only."""
    correct = int(round(accuracy * y.shape[0]))
    y_pred = np.where(np.arange(y.shape[0]) < correct, y, 1 - y)
    return AttackOutcome(
        attack=attack,
        kind="black_box",
        eps=eps,
        y_pred=y_pred,
        success=y_pred != y,
        perturbation=np.full(y.shape[0], eps),
    )


def test_rising_robust_accuracy_reported(tree_data):
    tree, X, y = tree_data
    outcomes = [
        outcome_with_accuracy("hopskipjump", 0.1, 0.75, y),
        outcome_with_accuracy("hopskipjump", 0.2, 0.25, y),
        outcome_with_accuracy("hopskipjump", 0.3, 0.5, y),
    ]
    reasons = masking_reasons(tree, X, y, y, outcomes, clip_values=None)
    assert reasons == [
        "robust accuracy under hopskipjump rises from 0.250 at eps=0.2 to 0.500 "
        "at eps=0.3, although a larger budget can only help the attacker."
    ]


def test_flat_robust_accuracy_reported(tree_data):
    tree, X, y = tree_data
    outcomes = [
        outcome_with_accuracy("hopskipjump", 0.1, 0.5, y),
        outcome_with_accuracy("hopskipjump", 0.3, 0.5, y),
    ]
    reasons = masking_reasons(tree, X, y, y, outcomes, clip_values=None)
    assert reasons == [
        "robust accuracy under hopskipjump does not fall from 0.500 at eps=0.1 as "
        "eps grows to 0.3, although a larger budget can only help the attacker."
    ]


def test_scorer_in_grid_search(tree_data):
    _, X, y = tree_data
    scorer = make_robustness_scorer(eps=0.1)
    search = GridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 8]},
        cv=3,
        scoring=scorer,
    ).fit(X, y)
    assert search.cv_results_["mean_test_score"].shape == (2,)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_scorer_matches_report(tree_data):
    tree, X, y = tree_data
    report = robustness_report(tree, X, y, eps=0.1)
    table = report.set_index(["attack", "eps", "metric"])["value"]
    for metric in ("accuracy", "balanced_accuracy", "f1_macro", "minority_recall"):
        scorer = make_robustness_scorer(eps=0.1, metric=metric)
        assert scorer(tree, X, y) == pytest.approx(table[("worst_case", 0.1, metric)])


def test_scorer_with_callable_metric_and_weights(tree_data):
    tree, X, y = tree_data
    scorer = make_robustness_scorer(eps=0.1, metric=lambda true, pred: 0.25)
    assert scorer(tree, X, y) == 0.25

    accuracy = make_robustness_scorer(eps=0.1)
    weights = np.zeros(80)
    weights[:10] = 1.0
    assert accuracy(tree, X, y, sample_weight=weights) == accuracy(tree, X[:10], y[:10])


def test_scorer_below_clean_accuracy_in_cross_validation(tree_data):
    _, X, y = tree_data
    model = DecisionTreeClassifier(max_depth=3, random_state=0)
    clean = cross_val_score(model, X, y, cv=3)
    robust = cross_val_score(model, X, y, cv=3, scoring=make_robustness_scorer())
    assert np.all(robust <= clean)
    assert np.any(robust < clean)


def test_scorer_takes_worst_of_adaptive(digits, distilled_net):
    X, y = digits
    plain = make_robustness_scorer(attack="fgsm", eps=0.1, random_state=0)
    report = robustness_report(
        distilled_net, X[:40], y[:40], attacks=["fgsm"], eps=0.1, check_masking=False
    )
    table = accuracy_table(report)
    assert plain(distilled_net, X[:40], y[:40]) == table[("worst_case", 0.1)]
    assert table[("worst_case", 0.1)] < table[("fgsm", 0.1)]


def test_scorer_repr():
    scorer = make_robustness_scorer(attack="pgd", eps=0.2, metric="f1_macro")
    assert repr(scorer) == (
        "make_robustness_scorer(attack='pgd', eps=0.2, norm='inf', metric='f1_macro')"
    )


def test_scorer_invalid_metric_rejected():
    # The options are a set, whose order changes between runs.
    message = (
        r"^The 'metric' parameter of make_robustness_scorer must be a str among "
        r"\{.*'minority_recall'.*\} or a callable\. Got 'roc_auc' instead\.$"
    )
    with pytest.raises(ValueError, match=message):
        make_robustness_scorer(metric="roc_auc")


def test_curves_of_two_models_share_axes(tree_data):
    _, X, y = tree_data
    shallow = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    deep = DecisionTreeClassifier(random_state=0).fit(X, y)
    first = RobustnessCurveDisplay.from_estimator(
        shallow, X, y, eps=[0, 0.05, 0.1], name="shallow"
    )
    second = RobustnessCurveDisplay.from_estimator(
        deep, X, y, eps=[0, 0.05, 0.1], ax=first.ax_
    )
    assert second.ax_ is first.ax_
    assert [line.get_label() for line in first.ax_.lines] == [
        "shallow",
        "DecisionTreeClassifier",
    ]
    assert first.ax_.get_xlabel() == "Perturbation budget ε"
    assert first.ax_.get_ylabel() == "Robust accuracy (decision_tree)"
    report = robustness_report(shallow, X, y, eps=[0.05, 0.1])
    table = accuracy_table(report)
    np.testing.assert_allclose(
        first.line_.get_ydata(),
        [
            table[("clean", 0.0)],
            table[("worst_case", 0.05)],
            table[("worst_case", 0.1)],
        ],
    )
    plt.close("all")


def test_curve_from_predictions():
    y = np.array([0, 1, 1, 0])
    display = RobustnessCurveDisplay.from_predictions(
        y, [y, [0, 1, 0, 0], [1, 0, 0, 0]], eps=[0, 0.1, 0.2], name="model"
    )
    np.testing.assert_allclose(display.line_.get_ydata(), [1.0, 0.75, 0.25])
    np.testing.assert_allclose(display.line_.get_xdata(), [0.0, 0.1, 0.2])
    plt.close("all")


def test_curve_from_predictions_length_mismatch():
    message = (
        "y_pred has predictions for 1 budgets, but eps has 2. Pass one array of "
        "predictions per budget."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RobustnessCurveDisplay.from_predictions([0, 1], [[0, 1]], eps=[0, 0.1])


def test_curve_from_report(tree_data):
    tree, X, y = tree_data
    report = robustness_report(tree, X, y, eps=[0.05, 0.1])
    display = RobustnessCurveDisplay.from_report(report, attack="decision_tree")
    table = accuracy_table(report)
    np.testing.assert_allclose(
        display.line_.get_ydata(),
        [1.0, table[("decision_tree", 0.05)], table[("decision_tree", 0.1)]],
    )
    message = (
        "The report has no attack 'pgd'; it has ['decision_tree', 'worst_case']. "
        "Pass one of those."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RobustnessCurveDisplay.from_report(report, attack="pgd")
    plt.close("all")


def test_curve_rejects_negative_budget(tree_data):
    tree, X, y = tree_data
    message = (
        "eps must be a list of non-negative floats, got [-0.1, 0.1]. Include 0 to "
        "plot the clean accuracy."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RobustnessCurveDisplay.from_estimator(tree, X, y, eps=[-0.1, 0.1])


def test_report_on_one_row_lets_features_move():
    # The range of a single evaluated row is a point; using it as the clip
    # range would forbid every perturbation and report perfect robustness.
    rng = np.random.RandomState(0)
    X = rng.rand(80, 2)
    y = (X[:, 0] > 0.5).astype(int)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    row = np.flatnonzero(np.abs(X[:, 0] - 0.5) < 0.05)[:1]

    report = robustness_report(tree, X[row], y[row], eps=0.1, check_masking=False)

    worst = report[(report.attack == "worst_case") & (report.metric == "accuracy")]
    assert worst.value.tolist() == [0.0]


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"attacks": []},
            "attacks is empty, so no robust accuracy can be measured. Pass "
            "'auto', 'all' or a list of attack names or ART attack instances.",
        ),
        (
            {"eps": []},
            "eps must be a positive float or a list of them, got []. The clean "
            "metrics are reported with eps=0 anyway.",
        ),
    ],
)
def test_report_rejects_empty_lists(params, message):
    rng = np.random.RandomState(0)
    X = rng.rand(40, 2)
    y = (X[:, 0] > 0.5).astype(int)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        robustness_report(tree, X, y, **params)


def test_report_on_skorch_net_with_float64_rows():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    net = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        verbose=0,
    ).fit(X.astype(np.float32), y)

    report = robustness_report(
        net, X, y, attacks=["fgsm"], eps=0.1, check_masking=False
    )

    clean = report[(report.attack == "clean") & (report.metric == "accuracy")]
    assert clean.value.tolist() == [np.mean(net.predict(X.astype(np.float32)) == y)]


NON_NUMERIC_MESSAGE = (
    "X has columns that are not numeric: ['colour'] (could not convert string "
    "to float: 'blue'). Attacks perturb numeric input only, so attack the model "
    "that takes the rows after encoding. For a Pipeline pipe whose first steps "
    "encode these columns, attack pipe[-1] on pipe[:-1].transform(X)."
)


def test_report_rejects_string_column(mixed_frame_pipeline):
    pipe, X, y = mixed_frame_pipeline

    with pytest.raises(ValueError, match=f"^{re.escape(NON_NUMERIC_MESSAGE)}$"):
        robustness_report(pipe, X, y, attacks=["hopskipjump"], eps=[0.1])


@pytest.mark.parametrize(
    "categories", [[0, 1, 2], ["s", "m", "l"]], ids=["integer", "string"]
)
def test_report_rejects_categorical_column(tree_data, categories):
    tree, X, y = tree_data
    size = pd.Categorical(np.resize(categories, X.shape[0]), categories=categories)
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(size=size)
    message = (
        "X has columns that are not numeric: ['size'] (categorical dtype: a "
        "perturbed value would name no category). Attacks perturb numeric input "
        "only, so attack the model that takes the rows after encoding. For a "
        "Pipeline pipe whose first steps encode these columns, attack pipe[-1] "
        "on pipe[:-1].transform(X)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        robustness_report(tree, frame, y, eps=[0.1])


@pytest.mark.parametrize(
    "make_model",
    [
        lambda: TemperatureNetClassifier(max_epochs=5, train_split=None, verbose=0),
        lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    ],
    ids=["net", "pipeline"],
)
def test_report_on_model_fitted_on_dataframe(binary_data, make_model):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    torch.manual_seed(0)
    model = make_model().fit(frame, y)

    # Any warning, such as scikit-learn's one about missing feature names,
    # fails the test.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = robustness_report(
            model, frame, y, eps=[0.1], check_masking=False, random_state=0
        )

    table = accuracy_table(report)
    assert table[("clean", 0.0)] == np.mean(model.predict(frame) == y)
    assert table[("worst_case", 0.1)] <= table[("clean", 0.0)]


def test_report_on_encoded_rows_of_pipeline(mixed_frame_pipeline):
    pipe, X, y = mixed_frame_pipeline

    report = robustness_report(
        pipe[-1], pipe[:-1].transform(X), y, attacks=["fgsm"], eps=[0.1]
    )

    assert set(report["attack"]) >= {"clean", "fgsm"}


@pytest.mark.parametrize(
    "net_class",
    [
        AdversarialNetClassifier,
        AdversarialNetBinaryClassifier,
        TemperatureNetClassifier,
    ],
)
def test_report_on_package_net_with_string_labels(binary_data, net_class):
    X, y = binary_data
    # "a" sorts first, so it is class position 0 although it marks y == 1.
    labels = np.where(y == 1, "a", "b")
    positions = 1 - y
    reports = []
    for target in (labels, positions):
        torch.manual_seed(0)
        net = net_class(max_epochs=20, lr=0.5, train_split=None, verbose=0)
        net.fit(X, target)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reports.append(
                robustness_report(
                    net, X, target, attacks=["fgsm"], eps=[0.1], random_state=0
                )
            )
    label_report, position_report = reports

    label_table = accuracy_table(label_report)
    pd.testing.assert_series_equal(label_table, accuracy_table(position_report))
    assert label_table[("fgsm", 0.1)] < label_table[("clean", 0.0)]
    per_class = label_report[
        (label_report["metric"] == "recall") & (label_report["attack"] == "clean")
    ]
    assert per_class["class"].tolist() == ["a", "b"]

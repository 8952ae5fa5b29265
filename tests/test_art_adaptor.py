import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from art.attacks.evasion import FastGradientMethod, HopSkipJump
from art.estimators.classification import BlackBoxClassifier
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, ExtraTreeClassifier
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier

from sklearn_distill import DistillationClassifier, _art
from sklearn_distill._compat import InvalidParameterError
from sklearn_distill.adversarial import applicable_attacks, generate_adversarial
from sklearn_distill.adversarial._generate import run_attack
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)


class SoftmaxLinear(torch.nn.Module):
    """Linear layer followed by a softmax: skorch's default NLLLoss setup."""

    def __init__(self, n_features=4, n_classes=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return torch.softmax(self.linear(x), dim=-1)


class ContraryClassifier(LogisticRegression):
    """Logistic regression whose predict returns the less likely class."""

    def predict(self, X):
        return self.classes_[np.argmin(self.predict_proba(X), axis=1)]


def fit_net(kind, X, y):
    torch.manual_seed(0)
    common = {"max_epochs": 10, "lr": 0.5, "train_split": None, "verbose": 0}
    if kind == "proba":
        return NeuralNetClassifier(SoftmaxLinear, **common).fit(X, y)
    if kind == "logits":
        return NeuralNetClassifier(
            torch.nn.Linear,
            module__in_features=X.shape[1],
            module__out_features=2,
            criterion=torch.nn.CrossEntropyLoss,
            **common,
        ).fit(X, y)
    return NeuralNetBinaryClassifier(
        torch.nn.Linear,
        module__in_features=X.shape[1],
        module__out_features=1,
        **common,
    ).fit(X, y.astype(np.float32))


@pytest.mark.parametrize(
    "make_model, family",
    [
        (lambda: DecisionTreeClassifier(max_depth=3), "tree"),
        (lambda: ExtraTreeClassifier(max_depth=3), "tree"),
        (lambda: RandomForestClassifier(5), "black_box"),
        (lambda: GradientBoostingClassifier(n_estimators=5), "black_box"),
        (lambda: SVC(), "black_box"),
        (lambda: LogisticRegression(), "gradient"),
        (lambda: LinearSVC(), "gradient"),
        (lambda: make_pipeline(StandardScaler(), LogisticRegression()), "black_box"),
        (
            lambda: DistillationClassifier(
                RandomForestClassifier(5), DecisionTreeClassifier(max_depth=2)
            ),
            "tree",
        ),
        (
            lambda: DistillationClassifier(
                RandomForestClassifier(5), LogisticRegression()
            ),
            "gradient",
        ),
    ],
)
def test_model_family_by_type(binary_data, make_model, family):
    X, y = binary_data
    model = make_model().fit(X, y)
    assert _art.model_family(model) == family
    assert _art.model_family(FrozenEstimator(model)) == family


@pytest.mark.parametrize("kind", ["proba", "logits", "binary"])
def test_skorch_nets_are_differentiable(binary_data, kind):
    X, y = binary_data
    net = fit_net(kind, X, y)
    assert _art.model_family(net) == "gradient"
    assert applicable_attacks(net) == ("fgsm", "pgd", "cw", "hopskipjump", "zoo")


def test_applicable_attacks_by_norm(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    assert applicable_attacks(model, norm=1) == ("fgsm", "pgd", "zoo")
    assert applicable_attacks(model, norm=2) == (
        "fgsm",
        "pgd",
        "cw",
        "hopskipjump",
        "zoo",
    )


@pytest.mark.parametrize(
    "model, norm, expected",
    [
        (LogisticRegression(), "inf", "pgd"),
        (DecisionTreeClassifier(max_depth=2), "inf", "decision_tree"),
        (RandomForestClassifier(5), "inf", "hopskipjump"),
        (RandomForestClassifier(5), 1, "zoo"),
    ],
)
def test_auto_attack_by_family(binary_data, model, norm, expected):
    X, y = binary_data
    model.fit(X, y)
    assert _art.resolve_attack(model, "auto", norm).name == expected


def test_gradient_attack_on_forest_is_rejected(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    message = (
        "The attack 'fgsm' needs loss gradients, but RandomForestClassifier is not "
        "differentiable: gradient attacks (fgsm, pgd, cw) need a skorch net, a "
        "LogisticRegression, a LinearSVC, or a DistillationClassifier with such a "
        "student. Attacks that apply to RandomForestClassifier: 'hopskipjump', "
        "'zoo'."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(forest, X, y, attack="fgsm")


def test_gradient_attack_on_tree_lists_exact_attack(binary_data):
    X, y = binary_data
    tree = DecisionTreeClassifier(max_depth=2).fit(X, y)
    message = (
        "Attacks that apply to DecisionTreeClassifier: 'decision_tree', "
        "'hopskipjump', 'zoo'."
    )
    with pytest.raises(ValueError, match=f"{re.escape(message)}$"):
        generate_adversarial(tree, X, y, attack="pgd")


def test_tree_attack_on_forest_is_rejected(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    message = (
        "The attack 'decision_tree' is exact only for a single "
        "DecisionTreeClassifier, but the model is RandomForestClassifier. Attacks "
        "that apply to RandomForestClassifier: 'hopskipjump', 'zoo'."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(forest, X, y, attack="decision_tree")


def test_unsupported_norm_is_rejected(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    message = (
        "The attack 'cw' does not support norm=1; it supports 'inf', 2. Attacks "
        "that apply to LogisticRegression with norm=1: 'fgsm', 'pgd', 'zoo'."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X, y, attack="cw", norm=1)


def test_art_attack_instance_keeps_its_parameters(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    instance = FastGradientMethod(
        _art.art_classifier(
            model, 4, model.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
        ),
        eps=0.05,
    )
    X_adv = generate_adversarial(model, X, y, attack=instance, eps=0.3)
    assert np.abs(X_adv - X).max() == pytest.approx(0.05, abs=1e-6)


def test_art_instance_needing_gradients_is_rejected(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    linear = LogisticRegression().fit(X, y)
    instance = FastGradientMethod(
        _art.art_classifier(
            linear, 4, linear.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
        )
    )
    message = (
        "The ART attack FastGradientMethod needs an estimator with "
        "LossGradientsMixin, but RandomForestClassifier is attacked through "
        "BlackBoxClassifier. Attacks that apply to RandomForestClassifier: "
        "'hopskipjump', 'zoo'."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(forest, X, y, attack=instance)


def test_targeted_art_instance_is_rejected(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    classifier = _art.art_classifier(
        forest, 4, forest.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
    )
    instance = HopSkipJump(classifier, targeted=True, verbose=False)
    message = (
        "The ART attack HopSkipJump is targeted, but attacks here move each row "
        "away from its true label. Pass the attack with targeted=False."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(forest, X, y, attack=instance)


@pytest.mark.parametrize(
    "relabel",
    [lambda y: y + 1, lambda y: np.where(y == 1, "pos", "neg")],
    ids=["one_two", "strings"],
)
def test_labels_become_class_positions(binary_data, relabel):
    X, y = binary_data
    labels = relabel(y)
    model = LogisticRegression().fit(X, labels)
    classes, positions = _art.model_classes(model, labels)
    np.testing.assert_array_equal(classes, model.classes_)
    np.testing.assert_array_equal(positions, y)

    X_adv = generate_adversarial(model, X, labels, attack="fgsm", eps=0.3)
    assert set(model.predict(X_adv)) <= set(model.classes_)


def test_unknown_label_is_rejected(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    message = (
        "y contains labels [7] that LogisticRegression was not fitted on; its "
        "classes are [0, 1]. Attack rows whose labels the model knows."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X, np.where(y == 1, 7, 0), attack="fgsm")


def test_column_vector_labels_warn_and_flatten(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    with pytest.warns(DataConversionWarning):
        classes, positions = _art.model_classes(model, y.reshape(-1, 1))
    assert positions.shape == (60,)


def test_binary_black_box_has_two_columns(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    classifier = _art.art_classifier(
        forest, 4, forest.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
    )
    assert isinstance(classifier, BlackBoxClassifier)
    proba = classifier.predict(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba, forest.predict_proba(X), atol=1e-6)


def test_binary_net_has_two_columns(binary_data):
    X, y = binary_data
    net = fit_net("binary", X, y)
    classifier = _art.art_classifier(
        net, 4, net.classes_, (np.zeros(4), np.ones(4)), dtype=X.dtype
    )
    proba = np.exp(classifier.predict(X))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, net.predict_proba(X), atol=1e-5)


def test_dataframe_in_dataframe_out(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"), index=np.arange(100, 160))
    forest = RandomForestClassifier(5, random_state=0).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_adv = generate_adversarial(
            forest, frame.iloc[:8], y[:8], attack="hopskipjump", random_state=0
        )
    assert isinstance(X_adv, pd.DataFrame)
    assert X_adv.columns.tolist() == ["a", "b", "c", "d"]
    assert X_adv.index.tolist() == list(range(100, 108))


def test_linear_model_fitted_on_dataframe_attacked_silently(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    model = LogisticRegression().fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_adv = generate_adversarial(model, frame, y, attack="pgd", eps=0.2)
    assert model.score(X_adv, y) < model.score(frame, y)
    assert hasattr(model, "feature_names_in_")


def test_clip_values_default_to_data_range(binary_data):
    X, y = binary_data
    X = X.copy()
    X[:, 3] = 0.5
    model = LogisticRegression().fit(X, y)
    X_adv = generate_adversarial(model, X, y, attack="fgsm", eps=0.5)
    assert np.all(X_adv >= X.min(axis=0))
    assert np.all(X_adv <= X.max(axis=0))
    np.testing.assert_array_equal(X_adv[:, 3], 0.5)


def test_given_clip_values_bound_rows(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    X_adv = generate_adversarial(
        model, X, y, attack="fgsm", eps=0.5, clip_values=(0.2, 0.8)
    )
    inside = (X >= 0.2) & (X <= 0.8)
    assert np.all((X_adv[inside] >= 0.2) & (X_adv[inside] <= 0.8))


def test_infinite_clip_values_rejected_for_hopskipjump(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    message = (
        "hopskipjump draws its starting points uniformly between the clip values, "
        "so they must be finite, but some are infinite. Pass finite clip_values or "
        "leave them None to use the range of the data."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(
            forest, X, y, attack="hopskipjump", clip_values=(-np.inf, np.inf)
        )


@pytest.mark.parametrize(
    "clip_values, message",
    [
        (
            (0.0, np.nan),
            "clip_values contains NaN for features [0, 1, 2, 3]. Pass numbers, "
            "with -np.inf or np.inf for a side without a bound.",
        ),
        (
            ("0", 1.0),
            "clip_values contains values that are not numbers: ('0', 1.0). Pass "
            "a pair (low, high) of numbers or of arrays of numbers, one per "
            "feature.",
        ),
    ],
    ids=["nan", "text"],
)
def test_invalid_clip_values_rejected(binary_data, clip_values, message):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X, y, attack="fgsm", clip_values=clip_values)


def test_bool_norm_rejected(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    message = (
        "The 'norm' parameter of generate_adversarial must be a str among "
        "{'inf'} or an int in the range [1, 2]. Got True instead."
    )

    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X, y, attack="fgsm", norm=True)


def test_predict_labels_keeps_feature_names(binary_data):
    X, y = binary_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    torch.manual_seed(0)
    net = TemperatureNetClassifier(max_epochs=2, train_split=None, verbose=0)
    net.fit(frame, y)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = _art.predict_labels(net, frame)
        from_array = _art.predict_labels(net, X.astype(np.float64))

    np.testing.assert_array_equal(from_frame, net.predict(frame))
    np.testing.assert_array_equal(from_array, from_frame)


@pytest.mark.parametrize("norm", ["inf", 1, 2])
@pytest.mark.parametrize("attack", ["fgsm", "pgd", "zoo"])
def test_perturbation_within_eps(binary_data, attack, norm):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    X_adv = generate_adversarial(
        model, X[:20], y[:20], attack=attack, eps=0.15, norm=norm, random_state=0
    )
    order = np.inf if norm == "inf" else norm
    lengths = np.linalg.norm(X_adv.astype(float) - X[:20], ord=order, axis=1)
    assert np.all(lengths <= 0.15)
    assert X_adv.dtype == np.float32


@pytest.mark.parametrize(
    "model",
    [
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        SVC(random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ],
    ids=["boosting", "svc", "pipeline"],
)
def test_black_box_models_attacked(binary_data, model):
    X, y = binary_data
    model.fit(X, y)
    X_adv = generate_adversarial(
        model, X[:16], y[:16], attack="hopskipjump", eps=0.3, random_state=0
    )
    assert np.abs(X_adv.astype(float) - X[:16]).max() <= 0.3
    assert model.score(X_adv, y[:16]) < model.score(X[:16], y[:16])


def test_hopskipjump_respects_eps_on_forest(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(10, random_state=0).fit(X, y)
    X_adv = generate_adversarial(
        forest, X[:10], y[:10], attack="hopskipjump", eps=0.2, random_state=0
    )
    assert np.abs(X_adv.astype(float) - X[:10]).max() <= 0.2
    assert forest.score(X_adv, y[:10]) < forest.score(X[:10], y[:10])


@pytest.mark.parametrize("kind", ["proba", "logits", "binary"])
def test_gradient_attacks_on_skorch_nets(binary_data, kind):
    X, y = binary_data
    net = fit_net(kind, X, y)
    for attack in ("fgsm", "pgd"):
        X_adv = generate_adversarial(net, X, y, attack=attack, eps=0.3)
        assert np.mean(net.predict(X_adv) == y) < np.mean(net.predict(X) == y)


def test_cw_on_skorch_net(binary_data):
    X, y = binary_data
    net = fit_net("logits", X, y)
    X_adv = generate_adversarial(net, X[:4], y[:4], attack="cw", eps=0.3)
    assert np.abs(X_adv - X[:4]).max() <= 0.3


def test_attack_leaves_net_unchanged(binary_data):
    X, y = binary_data
    net = fit_net("logits", X, y)
    parameters = list(net.module_.parameters())
    values = [parameter.detach().clone() for parameter in parameters]
    gradients = [parameter.grad.clone() for parameter in parameters]
    generate_adversarial(net, X, y, attack="pgd", eps=0.3)
    for parameter, value, gradient in zip(parameters, values, gradients, strict=True):
        assert torch.equal(parameter, value)
        assert torch.equal(parameter.grad, gradient)


def test_global_random_state_restored(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    # ART draws from NumPy's legacy global generator, so that is the one to check.
    np.random.seed(3)  # noqa: NPY002
    expected = np.random.rand()  # noqa: NPY002
    np.random.seed(3)  # noqa: NPY002
    generate_adversarial(forest, X[:4], y[:4], attack="hopskipjump", random_state=0)
    assert np.random.rand() == expected  # noqa: NPY002


def test_same_rows_for_any_n_jobs(binary_data):
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    settings = {"attack": "hopskipjump", "random_state": 0, "chunk_size": 10}
    one = run_attack(forest, X[:20], y[:20], n_jobs=1, **settings).X_adv
    two = run_attack(forest, X[:20], y[:20], n_jobs=2, **settings).X_adv
    again = run_attack(forest, X[:20], y[:20], n_jobs=1, **settings).X_adv
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, again)


@pytest.mark.parametrize(
    "processes",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["threads", "processes"],
)
def test_same_rows_on_dask_cluster(binary_data, processes):
    distributed = pytest.importorskip("dask.distributed")
    X, y = binary_data
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    settings = {"attack": "hopskipjump", "random_state": 0, "chunk_size": 10}
    local = run_attack(forest, X[:20], y[:20], n_jobs=1, **settings).X_adv

    cluster = distributed.LocalCluster(
        processes=processes,
        n_workers=2,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster), joblib.parallel_backend("dask"):
        remote = run_attack(forest, X[:20], y[:20], n_jobs=2, **settings).X_adv
    np.testing.assert_array_equal(local, remote)


def test_progress_bar_when_verbose(binary_data, capsys):
    X, y = binary_data
    tree = DecisionTreeClassifier(max_depth=3).fit(X, y)
    generate_adversarial(tree, X, y, verbose=1)
    assert "decision_tree attack" in capsys.readouterr().err
    generate_adversarial(tree, X, y, verbose=0)
    assert capsys.readouterr().err == ""


def test_art_view_disagreeing_with_predict_is_rejected(binary_data):
    X, y = binary_data
    model = ContraryClassifier().fit(X, y)
    message = (
        "The ART wrapper of ContraryClassifier predicts another class than its "
        "predict method on 60 of 60 rows, so attack results would not describe "
        "the model. Check that its output columns follow classes_ and that its "
        "predict takes the argmax of predict_proba."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X, y, attack="hopskipjump")


def test_feature_count_mismatch_is_rejected(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    message = (
        "X has 3 features, but LogisticRegression was fitted on 4. Attack rows "
        "with the training columns."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, X[:, :3], y, attack="fgsm")


def test_loss_gradients_divided_by_temperature(binary_data):
    X, y = binary_data
    net = fit_net("logits", X, y)
    net.training_temperature_ = 4.0
    clip = (np.zeros(4), np.ones(4))
    classes, positions = _art.model_classes(net, y)
    plain = _art.loss_gradients(net, X, positions, classes, clip)
    adaptive = _art.loss_gradients(net, X, positions, classes, clip, adaptive=True)
    assert plain.shape == adaptive.shape == (60, 4)
    assert _art.training_temperature(net) == 4.0
    assert not np.allclose(plain, adaptive)


NON_NUMERIC_MESSAGE = (
    "X has columns that are not numeric: ['colour'] (could not convert string "
    "to float: 'blue'). Attacks perturb numeric input only, so attack the model "
    "that takes the rows after encoding. For a Pipeline pipe whose first steps "
    "encode these columns, attack pipe[-1] on pipe[:-1].transform(X)."
)


@pytest.mark.parametrize(
    "categories", [[0, 1, 2], ["s", "m", "l"]], ids=["integer", "string"]
)
def test_categorical_column_rejected_before_attack(binary_data, categories):
    X, y = binary_data
    size = pd.Categorical(np.resize(categories, X.shape[0]), categories=categories)
    frame = pd.DataFrame(X, columns=list("abcd")).assign(size=size)
    codes = frame.assign(size=size.codes)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(codes, y)
    message = (
        "X has columns that are not numeric: ['size'] (categorical dtype: a "
        "perturbed value would name no category). Attacks perturb numeric input "
        "only, so attack the model that takes the rows after encoding. For a "
        "Pipeline pipe whose first steps encode these columns, attack pipe[-1] "
        "on pipe[:-1].transform(X)."
    )

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generate_adversarial(model, frame, y, eps=0.1)


def test_string_column_rejected_before_attack(mixed_frame_pipeline):
    pipe, X, y = mixed_frame_pipeline
    inputs_hash = joblib.hash((X, y))

    with pytest.raises(ValueError, match=f"^{re.escape(NON_NUMERIC_MESSAGE)}$"):
        generate_adversarial(pipe, X, y, attack="hopskipjump", eps=0.1)

    assert joblib.hash((X, y)) == inputs_hash


def test_encoded_rows_of_pipeline_attacked(mixed_frame_pipeline):
    pipe, X, y = mixed_frame_pipeline
    X_encoded = pipe[:-1].transform(X)

    X_adv = generate_adversarial(
        pipe[-1], X_encoded, y, attack="fgsm", eps=0.1, random_state=0
    )

    assert X_adv.shape == X_encoded.shape
    assert np.abs(X_adv - X_encoded).max() <= 0.1 + 1e-6


def fit_twin_nets(net_class, X, labels, positions):
    """Fit two identically seeded nets, one on `labels`, one on their positions."""
    nets = []
    for target in (labels, positions):
        torch.manual_seed(0)
        net = net_class(max_epochs=20, lr=0.5, train_split=None, verbose=0)
        nets.append(net.fit(X, target))
    return nets


@pytest.mark.parametrize(
    "net_class",
    [
        AdversarialNetClassifier,
        AdversarialNetBinaryClassifier,
        TemperatureNetClassifier,
    ],
)
def test_package_net_on_string_labels(binary_data, net_class):
    X, y = binary_data
    # "a" sorts first, so it is class position 0 although it marks y == 1.
    labels = np.where(y == 1, "a", "b")
    positions = 1 - y
    label_net, position_net = fit_twin_nets(net_class, X, labels, positions)

    X_adv = generate_adversarial(label_net, X, labels, attack="fgsm", eps=0.1)

    expected = generate_adversarial(position_net, X, positions, attack="fgsm", eps=0.1)
    np.testing.assert_array_equal(label_net.classes_, ["a", "b"])
    np.testing.assert_array_equal(X_adv, expected)
    assert np.all(np.any(X_adv != X, axis=1))
    # FGSM steps away from each row's label, so that label's probability drops.
    rows = np.arange(X.shape[0])
    clean_proba = label_net.predict_proba(X)[rows, positions]
    attacked_proba = label_net.predict_proba(X_adv)[rows, positions]
    assert np.all(attacked_proba < clean_proba)

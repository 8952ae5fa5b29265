import re

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier, ExtraTreeClassifier

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import exact_tree_attack, generate_adversarial
from sklearn_distill.adversarial._projection import perturbation_norm


@pytest.fixture
def three_class_tree():
    rng = np.random.RandomState(0)
    X = rng.rand(300, 2)
    y = (X[:, 0] + X[:, 1] > 1).astype(int) + (X[:, 1] > 0.8).astype(int)
    tree = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, y)
    return tree, X


def grid_points(n_points=201):
    axis = np.linspace(0.0, 1.0, n_points)
    first, second = np.meshgrid(axis, axis)
    return np.column_stack([first.ravel(), second.ravel()])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_point_placed_just_inside_box(dtype):
    X = np.array([[0.0], [1.0], [2.0], [3.0]], dtype=dtype)
    tree = DecisionTreeClassifier().fit(X, [0, 0, 1, 1])
    X_adv, distance = exact_tree_attack(tree, X)

    # The tree sends x <= 1.5 left after rounding x to float32.
    above = np.nextafter(np.float32(1.5), np.float32(2.0))
    assert X_adv.dtype == dtype
    np.testing.assert_array_equal(tree.predict(X_adv), [1, 1, 0, 0])
    assert np.float32(X_adv[0, 0]) == above
    assert np.float32(X_adv[2, 0]) == np.float32(1.5)
    np.testing.assert_allclose(distance, [1.5, 0.5, 0.5, 1.5], atol=1e-6)


def test_float32_distance_is_exact():
    X = np.array([[1.0], [2.0]], dtype=np.float32)
    tree = DecisionTreeClassifier().fit(np.array([[0.0], [3.0]]), [0, 1])
    _, distance = exact_tree_attack(tree, X)
    above = float(np.nextafter(np.float32(1.5), np.float32(2.0)))
    assert distance[0] == above - 1.0
    assert distance[1] == 0.5


def test_float64_rows_reach_box_from_half_a_step():
    X = np.array([[1.0]])
    tree = DecisionTreeClassifier().fit(np.array([[0.0], [3.0]]), [0, 1])
    X_adv, _ = exact_tree_attack(tree, X)
    just_below = np.nextafter(X_adv[0, 0], 0.0)
    assert tree.predict(X_adv)[0] == 1
    assert tree.predict([[just_below]])[0] == 0


@pytest.mark.parametrize("norm", ["inf", 1, 2])
def test_no_grid_point_closer_than_distance(three_class_tree, norm):
    tree, X = three_class_tree
    rows = X[:25]
    X_adv, distance = exact_tree_attack(tree, rows, norm=norm)
    grid = grid_points()
    grid_classes = tree.predict(grid)
    predicted = tree.predict(rows)
    spacing = 1.0 / 200

    np.testing.assert_array_equal(tree.predict(X_adv) != predicted, True)
    for row, label, found in zip(rows, predicted, distance, strict=True):
        other = grid[grid_classes != label]
        nearest = perturbation_norm(other - row, norm).min()
        assert nearest >= found
        assert nearest <= found + 2 * spacing


@pytest.mark.parametrize("norm", ["inf", 1, 2])
def test_distance_is_perturbation_norm(three_class_tree, norm):
    tree, X = three_class_tree
    X_adv, distance = exact_tree_attack(tree, X, norm=norm)
    np.testing.assert_array_equal(perturbation_norm(X_adv - X, norm), distance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", ["inf", 1, 2])
def test_robust_exactly_when_distance_exceeds_eps(three_class_tree, dtype, norm):
    tree, X = three_class_tree
    X = X.astype(dtype)
    predicted = tree.predict(X)
    _, distance = exact_tree_attack(tree, X, norm=norm)
    for eps in (0.01, 0.05, 0.1, 0.3):
        X_adv, _ = exact_tree_attack(tree, X, eps=eps, norm=norm)
        lengths = perturbation_norm(X_adv.astype(float) - X.astype(float), norm)
        assert np.all(lengths <= eps)
        robust = tree.predict(X_adv) == predicted
        np.testing.assert_array_equal(robust, distance > eps)


def test_eps_equal_to_distance_is_not_robust():
    X = np.array([[1.0]], dtype=np.float32)
    tree = DecisionTreeClassifier().fit(np.array([[0.0], [3.0]]), [0, 1])
    _, distance = exact_tree_attack(tree, X)
    at_distance, _ = exact_tree_attack(tree, X, eps=float(distance[0]))
    below, _ = exact_tree_attack(tree, X, eps=float(distance[0]) * (1 - 1e-6))
    assert tree.predict(at_distance)[0] == 1
    assert tree.predict(below)[0] == 0


def test_misclassified_rows_have_zero_distance(three_class_tree):
    tree, X = three_class_tree
    wrong = (tree.predict(X[:10]) + 1) % 3
    X_adv, distance = exact_tree_attack(tree, X[:10], wrong)
    np.testing.assert_array_equal(distance, 0.0)
    np.testing.assert_array_equal(X_adv, X[:10])


def test_string_labels():
    rng = np.random.RandomState(0)
    X = rng.rand(100, 2)
    y = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.7).astype(int)
    names = np.array(["cat", "dog", "owl"])
    by_position = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    by_name = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, names[y])

    X_position, distance_position = exact_tree_attack(by_position, X, y)
    X_name, distance_name = exact_tree_attack(by_name, X, names[y])
    np.testing.assert_array_equal(distance_name, distance_position)
    np.testing.assert_array_equal(X_name, X_position)


def test_clip_values_cut_boxes(three_class_tree):
    tree, X = three_class_tree
    X_adv, distance = exact_tree_attack(tree, X, clip_values=(0.2, 0.9))
    _, unbounded = exact_tree_attack(tree, X)
    inside = np.all((X >= 0.2) & (X <= 0.9), axis=1)
    assert np.all((X_adv[inside] >= 0.2) & (X_adv[inside] <= 0.9))
    assert np.all(distance >= unbounded)
    assert np.any(distance > unbounded)


def test_unreachable_class_gives_infinite_distance():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    tree = DecisionTreeClassifier().fit(X, [0, 0, 1, 1])
    X_adv, distance = exact_tree_attack(tree, X[:2], clip_values=(0.0, 1.0))
    np.testing.assert_array_equal(distance, np.inf)
    np.testing.assert_array_equal(X_adv, X[:2])


def test_tree_predicting_one_class():
    X = np.array([[0.0], [1.0]])
    tree = DecisionTreeClassifier().fit(X, [0, 0])
    X_adv, distance = exact_tree_attack(tree, X)
    np.testing.assert_array_equal(distance, np.inf)
    np.testing.assert_array_equal(X_adv, X)


def test_extra_tree_supported(three_class_tree):
    _, X = three_class_tree
    y = (X[:, 0] > 0.5).astype(int)
    tree = ExtraTreeClassifier(random_state=0).fit(X, y)
    X_adv, distance = exact_tree_attack(tree, X)
    np.testing.assert_array_equal(tree.predict(X_adv) != y, True)
    assert np.all(distance > 0)


def test_non_tree_rejected(three_class_tree):
    _, X = three_class_tree
    forest = RandomForestClassifier(3, random_state=0).fit(X, X[:, 0] > 0.5)
    message = (
        "The exact tree attack needs a fitted DecisionTreeClassifier or "
        "ExtraTreeClassifier, got RandomForestClassifier. Use a black-box attack "
        "such as 'hopskipjump' for other models."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        exact_tree_attack(forest, X)


def test_multi_output_tree_rejected(three_class_tree):
    _, X = three_class_tree
    targets = np.column_stack([X[:, 0] > 0.5, X[:, 1] > 0.5])
    tree = DecisionTreeClassifier(max_depth=2).fit(X, targets)
    message = (
        "The exact tree attack needs a single-output tree, but this tree has 2 "
        "outputs. Fit one tree per output."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        exact_tree_attack(tree, X)


def test_unknown_label_rejected(three_class_tree):
    tree, X = three_class_tree
    message = (
        "y contains labels [5] that the tree was not fitted on; its classes are "
        "[0, 1, 2]. Pass labels drawn from tree.classes_."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        exact_tree_attack(tree, X[:2], [5, 0])


def test_invalid_norm_rejected(three_class_tree):
    tree, X = three_class_tree
    message = "norm must be one of ('inf', 1, 2), got 3. Use 'inf' for the "
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        exact_tree_attack(tree, X, norm=3)


def test_inverted_clip_values_rejected(three_class_tree):
    tree, X = three_class_tree
    message = (
        "clip_values must give a minimum at or below the maximum of every "
        "feature, but features [0, 1] have minimum > maximum. Swap or correct "
        "those bounds."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        exact_tree_attack(tree, X, clip_values=(1.0, 0.0))


def test_generate_adversarial_dispatches_exact_attack(three_class_tree):
    tree, X = three_class_tree
    y = tree.predict(X)
    _, distance = exact_tree_attack(tree, X, clip_values=(X.min(0), X.max(0)))
    X_adv = generate_adversarial(tree, X, y, eps=0.05)
    np.testing.assert_array_equal(tree.predict(X_adv) == y, distance > 0.05)


def test_distilled_tree_student_attacked_exactly(binary_data):
    X, y = binary_data
    labels = np.where(y == 1, "pos", "neg")
    model = DistillationClassifier(
        RandomForestClassifier(10, random_state=0),
        DecisionTreeClassifier(max_depth=3, random_state=0),
    ).fit(X, labels)
    student = model.student_
    positions = np.searchsorted(model.classes_, labels)
    _, distance = exact_tree_attack(
        student, X, positions, clip_values=(X.min(0), X.max(0))
    )
    X_adv = generate_adversarial(model, X, labels, eps=0.1)
    np.testing.assert_array_equal(model.predict(X_adv) == labels, distance > 0.1)

"""Exact minimal adversarial perturbations of a single decision tree.

A fitted decision tree splits the input space into axis-aligned boxes, one per
leaf. The smallest perturbation that changes the tree's prediction moves the
row into the nearest box of a leaf that predicts another class, so it is found
exactly by measuring the distance from the row to every such box.

scikit-learn trees cast their input to float32 and send a row left when
``x[feature] <= threshold``. A box is therefore half-open, ``(low, high]`` on
every feature, in float32. The boxes below are converted to closed intervals
of values of the input's own dtype, so that every point they return lands in
the intended leaf.
"""

import numpy as np

from .._labels import encode_labels
from ._projection import NORMS, clip_bounds, project

# Bound on the number of (row, leaf, feature) entries computed at once, which
# caps the memory of the distance computation near 16 MB.
_MAX_BLOCK_ENTRIES = 2_000_000


def exact_tree_attack(tree, X, y=None, *, eps=None, norm="inf", clip_values=None):
    """Find the smallest perturbation of each row that changes a tree's prediction.

    The tree's leaves partition the input space into boxes. For every row,
    the attack measures the distance to every box whose leaf predicts a
    class other than the row's reference label and moves the row to the
    nearest point of the nearest such box. Robust accuracy computed from it
    is exact, not a bound: a row is robust at `eps` if and only if its
    distance is greater than `eps`.

    Parameters
    ----------
    tree : DecisionTreeClassifier
        A fitted single-output :class:`~sklearn.tree.DecisionTreeClassifier`
        or :class:`~sklearn.tree.ExtraTreeClassifier`.
    X : array-like of shape (n_samples, n_features)
        Rows to attack. float32 rows get float32 adversarial rows; other
        numeric input is attacked in float64.
    y : array-like of shape (n_samples,), default=None
        Reference labels, drawn from ``tree.classes_``. A row counts as
        changed once the tree predicts anything else, so a row the tree
        already misclassifies has distance 0. None uses the tree's own
        predictions.
    eps : float, default=None
        Perturbation budget. Rows whose distance exceeds `eps` are moved
        towards their nearest box but only as far as the ball of radius `eps`
        allows, so that they keep their prediction. None returns the nearest
        adversarial point of every row whatever its distance.
    norm : {"inf", 1, 2}, default="inf"
        Norm that measures the perturbation. The nearest point of a box is
        the same for all three norms; only the distances differ.
    clip_values : tuple of (array-like, array-like), default=None
        Per-feature (or scalar) minimum and maximum of valid inputs. Boxes
        are cut to this range, so that the adversarial rows stay in it.
        None leaves the features unbounded.

    Returns
    -------
    X_adv : ndarray of shape (n_samples, n_features)
        Adversarial rows.
    distance : ndarray of shape (n_samples,)
        Norm of the smallest perturbation that changes the prediction;
        ``inf`` when no reachable leaf predicts another class.

    Raises
    ------
    ValueError
        If the tree has several outputs, or `y` contains a label that the tree
        was not fitted on.

    Notes
    -----
    The distance is exact with respect to the tree's float32 comparisons: no
    point of the input's dtype that is closer than `distance` changes the
    prediction, and `X_adv` attains it. The cost is proportional to the
    number of rows times the number of leaves times the number of features.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.adversarial import exact_tree_attack
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> tree = DecisionTreeClassifier().fit(X, [0, 0, 1, 1])
    >>> X_adv, distance = exact_tree_attack(tree, X)
    >>> distance.round(2)
    array([1.5, 0.5, 0.5, 1.5])
    >>> tree.predict(X_adv)
    array([1, 1, 0, 0])
    """
    _check_tree(tree)
    _check_norm(norm)
    X = _as_float_array(X)
    if y is None:
        reference = leaf_class_index(tree, X)
    else:
        reference = _class_index(tree, y)
    if clip_values is None:
        low = np.full(X.shape[1], -np.inf)
        high = np.full(X.shape[1], np.inf)
    else:
        low, high = clip_bounds(clip_values, X)
    return attack_tree(tree, X, reference, eps=eps, norm=norm, low=low, high=high)


def attack_tree(tree, X, reference, *, eps, norm, low, high):
    """Run the exact attack on validated arrays.

    Parameters
    ----------
    tree : DecisionTreeClassifier
        Fitted single-output tree.
    X : ndarray of shape (n_samples, n_features), dtype float32 or float64
        Rows to attack.
    reference : ndarray of shape (n_samples,)
        Index in ``tree.classes_`` of each row's reference label, or -1 for a
        label the tree never predicts.
    eps : float or None
        Perturbation budget; see :func:`exact_tree_attack`.
    norm : {"inf", 1, 2}
        Norm of the perturbation.
    low, high : ndarray of shape (n_features,)
        Closed range of valid values of each feature, as values of the dtype
        of `X`; infinite for none.

    Returns
    -------
    X_adv : ndarray of shape (n_samples, n_features)
        Adversarial rows, in the dtype of `X`.
    distance : ndarray of shape (n_samples,)
        Distance of each row to its nearest box of another class.
    """
    box_low, box_high, leaf_class = leaf_boxes(tree, X.dtype, low, high)
    X_adv = np.empty_like(X)
    distance = np.empty(X.shape[0])

    n_leaves, n_features = box_low.shape
    block = max(1, _MAX_BLOCK_ENTRIES // max(1, n_leaves * n_features))
    for start in range(0, X.shape[0], block):
        rows = slice(start, start + block)
        X_adv[rows], distance[rows] = _nearest_boxes(
            X[rows], reference[rows], box_low, box_high, leaf_class, norm
        )

    if eps is not None:
        X_adv = project(X_adv, X, eps, norm, low, high)
    return X_adv, distance


def leaf_boxes(tree, dtype, low, high):
    """Return the closed box of every leaf, in values of `dtype`.

    Parameters
    ----------
    tree : DecisionTreeClassifier
        Fitted single-output tree.
    dtype : numpy dtype
        float32 or float64, the dtype of the rows that will be attacked.
    low, high : ndarray of shape (n_features,)
        Range of valid values; every box is intersected with it.

    Returns
    -------
    box_low, box_high : ndarray of shape (n_leaves, n_features)
        Bounds of the non-empty boxes: a row of `dtype` reaches the leaf if
        and only if ``box_low <= x <= box_high`` on every feature.
    leaf_class : ndarray of shape (n_leaves,)
        Index in ``tree.classes_`` of each leaf's predicted class.
    """
    structure = tree.tree_
    n_features = tree.n_features_in_
    lower = np.full((structure.node_count, n_features), -np.inf)
    upper = np.full((structure.node_count, n_features), np.inf)

    # Nodes are numbered in depth-first order, so a parent always comes
    # before its children and one pass propagates every bound.
    for node in range(structure.node_count):
        left = structure.children_left[node]
        if left == -1:
            continue
        right = structure.children_right[node]
        feature = structure.feature[node]
        threshold = structure.threshold[node]
        lower[left], upper[left] = lower[node], upper[node]
        lower[right], upper[right] = lower[node], upper[node]
        upper[left, feature] = min(upper[node, feature], threshold)
        lower[right, feature] = max(lower[node, feature], threshold)

    leaves = np.flatnonzero(structure.children_left == -1)
    box_low = _input_lower_bound(_float32_above(lower[leaves]), dtype)
    box_high = _input_upper_bound(_float32_at_or_below(upper[leaves]), dtype)
    box_low = np.maximum(box_low, low)
    box_high = np.minimum(box_high, high)

    leaf_class = np.argmax(structure.value[leaves, 0, :], axis=1)
    non_empty = np.all(box_low <= box_high, axis=1)
    return box_low[non_empty], box_high[non_empty], leaf_class[non_empty]


def leaf_class_index(tree, X):
    """Return the index in ``tree.classes_`` of the class predicted for `X`."""
    leaves = tree.tree_.apply(np.ascontiguousarray(X, dtype=np.float32))
    return np.argmax(tree.tree_.value[leaves, 0, :], axis=1)


def _nearest_boxes(X, reference, box_low, box_high, leaf_class, norm):
    """Return the nearest point of another class's box and its distance."""
    # The comparisons are exact: the bounds are values of X's dtype.
    Xw = X.astype(np.float64)[:, np.newaxis, :]
    below = Xw < box_low
    above = Xw > box_high
    gap = np.where(below, box_low - Xw, np.where(above, Xw - box_high, 0.0))
    distance = _reduce_norm(gap, norm)

    same_class = leaf_class[np.newaxis, :] == reference[:, np.newaxis]
    distance[same_class] = np.inf
    nearest = np.argmin(distance, axis=1) if distance.shape[1] else None

    X_adv = X.copy()
    if nearest is None:
        return X_adv, np.full(X.shape[0], np.inf)

    rows = np.arange(X.shape[0])
    best = distance[rows, nearest]
    reachable = np.isfinite(best)
    target = np.clip(Xw[:, 0, :], box_low[nearest], box_high[nearest])
    moved = below[rows, nearest] | above[rows, nearest]
    X_adv[reachable] = np.where(moved, target, X)[reachable].astype(X.dtype)
    return X_adv, best


def _reduce_norm(gap, norm):
    if norm == "inf":
        return gap.max(axis=2, initial=0.0)
    if norm == 1:
        return gap.sum(axis=2)
    return np.sqrt(np.square(gap).sum(axis=2))


def _float32_above(values):
    """Return the smallest float32 strictly above each value, as float64."""
    rounded = values.astype(np.float32)
    rounded = np.where(
        rounded <= values, np.nextafter(rounded, np.float32(np.inf)), rounded
    )
    return np.where(np.isneginf(values), -np.inf, rounded.astype(np.float64))


def _float32_at_or_below(values):
    """Return the largest float32 at or below each value, as float64."""
    rounded = values.astype(np.float32)
    rounded = np.where(
        rounded > values, np.nextafter(rounded, np.float32(-np.inf)), rounded
    )
    return np.where(np.isposinf(values), np.inf, rounded.astype(np.float64))


def _input_lower_bound(bound32, dtype):
    """Return the smallest value of `dtype` that float32 rounds to >= `bound32`.

    A float64 input reaches a float32 bound from half a float32 step away,
    because the tree rounds it to the nearest float32 first.
    """
    if np.dtype(dtype) == np.float32:
        return bound32
    previous = np.nextafter(bound32.astype(np.float32), np.float32(-np.inf))
    midpoint = (previous.astype(np.float64) + bound32) / 2.0
    with np.errstate(over="ignore"):
        rounds_up = midpoint.astype(np.float32) >= bound32
    result = np.where(rounds_up, midpoint, np.nextafter(midpoint, np.inf))
    return np.where(np.isfinite(bound32), result, bound32)


def _input_upper_bound(bound32, dtype):
    """Return the largest value of `dtype` that float32 rounds to <= `bound32`."""
    if np.dtype(dtype) == np.float32:
        return bound32
    following = np.nextafter(bound32.astype(np.float32), np.float32(np.inf))
    midpoint = (following.astype(np.float64) + bound32) / 2.0
    with np.errstate(over="ignore"):
        rounds_down = midpoint.astype(np.float32) <= bound32
    result = np.where(rounds_down, midpoint, np.nextafter(midpoint, -np.inf))
    return np.where(np.isfinite(bound32), result, bound32)


def _as_float_array(X):
    X = np.asarray(X)
    if X.dtype == np.float32:
        return X
    return X.astype(np.float64)


def _check_tree(tree):
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(tree, DecisionTreeClassifier):
        raise ValueError(
            "The exact tree attack needs a fitted DecisionTreeClassifier or "
            f"ExtraTreeClassifier, got {type(tree).__name__}. Use a black-box "
            "attack such as 'hopskipjump' for other models."
        )
    check_is_fitted(tree)
    if tree.n_outputs_ != 1:
        raise ValueError(
            f"The exact tree attack needs a single-output tree, but this tree "
            f"has {tree.n_outputs_} outputs. Fit one tree per output."
        )


def _check_norm(norm):
    if norm not in NORMS:
        raise ValueError(
            f"norm must be one of {NORMS}, got {norm!r}. Use 'inf' for the "
            "L-infinity norm."
        )


def _class_index(tree, y):
    labels, y_encoded = encode_labels(y, min_classes=1)
    classes = tree.classes_.tolist()
    unknown = [label for label in labels.tolist() if label not in classes]
    if unknown:
        raise ValueError(
            f"y contains labels {unknown!r} that the tree was not fitted on; its "
            f"classes are {classes!r}. Pass labels drawn from tree.classes_."
        )
    positions = np.array([classes.index(label) for label in labels.tolist()])
    return positions[y_encoded]

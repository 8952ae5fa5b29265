"""Measure attack throughput and the speed-up of parallel chunks.

For every attack that applies to each of three models fitted on
load_breast_cancer scaled to [0, 1] (a depth-6 decision tree, a 100-tree
random forest and a 30-64-64-2 MLP trained with skorch), the script times
:func:`sklearn_distill.adversarial.generate_adversarial` at eps=0.05 under the
L-infinity norm with ``n_jobs=1`` and ``n_jobs=2``, checks that both runs
return the same rows, and prints one table: attacked rows per second for each
setting and the speed-up of ``n_jobs=2`` over ``n_jobs=1`` (target at least
1.7 on two cores). Fast attacks run on the data repeated several times so that
each timing lasts seconds. The load average before and after the runs is
printed, because other processes on the machine slow both settings down.

Run with ``python benchmarks/bench_attacks.py``; it takes a few minutes on
two cores. ``--scale 0.25`` runs a quarter of the rows.
"""

import argparse
import os
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import minmax_scale
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetClassifier

from sklearn_distill.adversarial import applicable_attacks, generate_adversarial

EPS = 0.05

#: Rows attacked per (model, attack), chosen so that one run with n_jobs=1
#: lasts roughly 5 to 45 seconds on the development machine. Counts above
#: 569 repeat the data set.
ROWS = {
    ("tree", "decision_tree"): 569 * 100,
    ("tree", "hopskipjump"): 569,
    ("tree", "zoo"): 569,
    ("forest", "hopskipjump"): 64,
    ("forest", "zoo"): 64,
    ("mlp", "fgsm"): 569 * 40,
    ("mlp", "pgd"): 569 * 20,
    ("mlp", "cw"): 64,
    ("mlp", "hopskipjump"): 569,
    ("mlp", "zoo"): 569,
}


def fit_models(X, y):
    """Fit the three benchmarked models."""
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    forest = RandomForestClassifier(100, random_state=0, n_jobs=1).fit(X, y)
    torch.manual_seed(0)
    mlp = NeuralNetClassifier(
        torch.nn.Sequential(
            torch.nn.Linear(30, 64),
            torch.nn.ReLU(),
            torch.nn.Linear(64, 64),
            torch.nn.ReLU(),
            torch.nn.Linear(64, 2),
        ),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=30,
        train_split=None,
        verbose=0,
    ).fit(X, y)
    return {"tree": tree, "forest": forest, "mlp": mlp}


def rows_for(X, y, count):
    """Return the first `count` rows, repeating the data set if needed."""
    repeats = -(-count // X.shape[0])
    return np.tile(X, (repeats, 1))[:count], np.tile(y, repeats)[:count]


def timed_attack(model, X, y, attack, n_jobs):
    """Return the adversarial rows and the wall-clock seconds they took."""
    start = time.perf_counter()
    X_adv = generate_adversarial(
        model, X, y, attack=attack, eps=EPS, random_state=0, n_jobs=n_jobs
    )
    return X_adv, time.perf_counter() - start


def warm_up_workers(model, X, y):
    """Start the two joblib workers, which import torch and ART once.

    The first task of a loky worker must be an attack. loky measures a
    worker's memory after its first task and restarts the worker once it has
    grown by 300 MB, so importing torch and ART after a light first task
    would restart it.
    """
    generate_adversarial(model, X[:64], y[:64], attack="hopskipjump", eps=EPS, n_jobs=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply every row count by this factor (default: 1.0)",
    )
    args = parser.parse_args()

    X, y = load_breast_cancer(return_X_y=True)
    X = minmax_scale(X).astype(np.float32)
    models = fit_models(X, y)
    warm_up_workers(models["tree"], X, y)

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    header = (
        f"| {'model':<6} | {'attack':<13} | {'rows':>6} | {'rows/s n_jobs=1':>15} "
        f"| {'rows/s n_jobs=2':>15} | {'speed-up':>8} | same rows |"
    )
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")

    total_one = total_two = 0.0
    for name, model in models.items():
        for attack in applicable_attacks(model):
            count = max(16, int(ROWS[(name, attack)] * args.scale))
            X_rows, y_rows = rows_for(X, y, count)
            X_one, seconds_one = timed_attack(model, X_rows, y_rows, attack, 1)
            X_two, seconds_two = timed_attack(model, X_rows, y_rows, attack, 2)
            total_one += seconds_one
            total_two += seconds_two
            same = "yes" if np.array_equal(X_one, X_two) else "NO"
            print(
                f"| {name:<6} | {attack:<13} | {count:>6} "
                f"| {count / seconds_one:>15.1f} | {count / seconds_two:>15.1f} "
                f"| {seconds_one / seconds_two:>8.2f} | {same:<9} |",
                flush=True,
            )

    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        f"all attacks: {total_one:.1f} s with n_jobs=1, {total_two:.1f} s with "
        f"n_jobs=2, speed-up {total_one / total_two:.2f} (target >= 1.7)"
    )


if __name__ == "__main__":
    main()

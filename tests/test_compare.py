import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine

from sklearn_distill import _compare
from sklearn_distill._compare import CompareInputError


@pytest.fixture
def wine_frame():
    """The wine data set as a DataFrame with a string target column."""
    bunch = load_wine(as_frame=True)
    frame = bunch.frame.copy()
    frame["cultivar"] = np.asarray(bunch.target_names)[bunch.target]
    return frame.drop(columns=["target"])


@pytest.fixture
def results():
    """A results table of two methods with robust accuracy at two budgets."""
    return pd.DataFrame(
        {
            "method": ["plain", "distilled"],
            "accuracy": [0.95, 0.96],
            "robust@0.05": [0.7, 0.8],
            "robust@0.1": [0.4, 0.5],
            "size_kb": [2.5, 3.0],
            "fit_s": [0.01, 0.4],
        }
    )


@pytest.mark.parametrize(
    "name, shape, n_classes",
    [
        ("breast_cancer", (569, 30), 2),
        ("digits", (1797, 64), 10),
        ("wine", (178, 13), 3),
    ],
)
def test_load_named_dataset_shapes(name, shape, n_classes):
    dataset = _compare.load_named_dataset(name)

    assert dataset.X.shape == shape
    assert dataset.y.shape == (shape[0],)
    assert dataset.classes.tolist() == list(range(n_classes))
    assert len(dataset.feature_names) == shape[1]


def test_load_named_dataset_unknown_name():
    msg = (
        "Unknown data set 'iris'. Choose one of breast_cancer, digits, wine, or "
        "pass a CSV file with --csv."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_named_dataset("iris")


def test_load_csv_one_hot_encodes_categories(tmp_path, wine_frame):
    # Turn a numeric feature into a three-level category, as users' files have.
    wine_frame["colour"] = pd.cut(
        wine_frame["color_intensity"], 3, labels=["pale", "medium", "deep"]
    ).astype(str)
    wine_frame = wine_frame.drop(columns=["color_intensity"])
    path = tmp_path / "wine.csv"
    wine_frame.to_csv(path, index=False)

    dataset = _compare.load_csv_dataset(path, "cultivar")

    assert dataset.name == "wine.csv"
    assert dataset.X.shape == (178, 12 + 3)
    assert dataset.classes.tolist() == ["class_0", "class_1", "class_2"]
    assert np.bincount(dataset.y).tolist() == [59, 71, 48]
    colour = [name for name in dataset.feature_names if name.startswith("colour=")]
    assert sorted(colour) == ["colour=deep", "colour=medium", "colour=pale"]
    columns = [dataset.feature_names.index(name) for name in colour]
    assert np.all(dataset.X[:, columns].sum(axis=1) == 1)


def test_load_csv_keeps_boolean_columns(tmp_path, wine_frame):
    wine_frame["strong"] = wine_frame["alcohol"] > 13
    path = tmp_path / "wine.csv"
    wine_frame.to_csv(path, index=False)

    dataset = _compare.load_csv_dataset(path, "cultivar")

    column = dataset.feature_names.index("strong")
    expected = (wine_frame["alcohol"] > 13).to_numpy(dtype=float)
    np.testing.assert_array_equal(dataset.X[:, column], expected)


def _write(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_load_csv_missing_target_column(tmp_path):
    path = _write(tmp_path, pd.DataFrame({"a": [1, 2], "b": [0, 1]}))
    msg = (
        f"The target column 'label' is not in {str(path)!r}. Its columns are "
        "'a', 'b'. Pass one of them to --target."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "label")


def test_load_csv_unencodable_feature(tmp_path, wine_frame):
    # A free-text column: every row has its own value.
    wine_frame["sample_id"] = [f"bottle-{index}" for index in range(178)]
    path = _write(tmp_path, wine_frame)
    msg = (
        "The feature column 'sample_id' is not numeric and has 178 distinct "
        "values ('bottle-0', 'bottle-1', 'bottle-2', ...), more than the 20 that "
        "can be one-hot encoded. Convert it to numbers, drop it, or raise "
        "--max-categories."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_max_categories_allows_more(tmp_path, wine_frame):
    wine_frame["batch"] = [f"batch-{index % 30}" for index in range(178)]
    path = _write(tmp_path, wine_frame)

    dataset = _compare.load_csv_dataset(path, "cultivar", max_categories=30)

    assert dataset.X.shape == (178, 13 + 30)


def test_load_csv_single_class_target(tmp_path, wine_frame):
    wine_frame["cultivar"] = "class_0"
    path = _write(tmp_path, wine_frame)
    msg = (
        "The target column 'cultivar' contains a single class, 'class_0', so "
        "there is nothing to classify. Choose a column with at least two classes."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_continuous_target(tmp_path, wine_frame):
    path = _write(tmp_path, wine_frame)
    msg = (
        "The target column 'alcohol' does not hold class labels: Unknown label "
        "type: continuous. Maybe you are trying to fit a classifier, which "
        "expects discrete classes on a regression target with continuous "
        "values. Choose a column of class labels, such as integers or strings."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "alcohol")


def test_load_csv_missing_target_values(tmp_path, wine_frame):
    wine_frame.loc[[3, 7], "cultivar"] = None
    path = _write(tmp_path, wine_frame)
    msg = (
        "The target column 'cultivar' has 2 missing values. Drop the rows "
        "without a label or give them one."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_missing_feature_values(tmp_path, wine_frame):
    wine_frame.loc[[1, 2, 5], "magnesium"] = np.nan
    path = _write(tmp_path, wine_frame)
    msg = (
        "The feature column 'magnesium' has 3 missing values. Fill in the "
        "missing values or drop their rows."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_class_with_one_row(tmp_path, wine_frame):
    wine_frame.loc[0, "cultivar"] = "class_9"
    path = _write(tmp_path, wine_frame)
    msg = (
        "The classes ['class_9'] of the target column 'cultivar' have a single "
        "row, but the stratified train/test split needs at least 2 rows per "
        "class. Drop those rows or merge those classes with others."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_without_feature_columns(tmp_path, wine_frame):
    path = _write(tmp_path, wine_frame[["cultivar"]])
    msg = (
        f"{str(path)!r} has no feature column besides the target column "
        "'cultivar'. Add at least one feature column."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")


def test_load_csv_file_not_found(tmp_path):
    path = tmp_path / "absent.csv"
    msg = f"The CSV file {str(path)!r} does not exist. Check the path given to --csv."
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "label")


@pytest.mark.parametrize(
    "content, msg",
    [
        ("", "The CSV file {path!r} is empty. It needs a header row and data rows."),
        ("a,b\n", "The CSV file {path!r} has a header but no data rows."),
    ],
)
def test_load_csv_empty_file(tmp_path, content, msg):
    path = tmp_path / "data.csv"
    path.write_text(content)
    msg = msg.format(path=str(path))
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "b")


def test_load_csv_repeated_column_rejected(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,label,label\n0.1,0,0\n0.9,1,1\n0.2,0,0\n0.8,1,1\n")
    msg = (
        f"The CSV file {str(path)!r} has more than one column named 'label'. "
        "Rename or drop the repeated columns, so that no copy of the target is "
        "read as a feature."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "label")


def test_split_dataset_scales_to_unit_range():
    dataset = _compare.load_named_dataset("wine")

    split = _compare.split_dataset(dataset, test_size=0.3, random_state=0)

    assert split.X_train.shape == (124, 13)
    assert split.X_test.shape == (54, 13)
    assert split.X_train.dtype == np.float32
    np.testing.assert_allclose(split.X_train.min(axis=0), 0.0)
    np.testing.assert_allclose(split.X_train.max(axis=0), 1.0)
    assert split.X_test.min() >= 0.0
    assert split.X_test.max() <= 1.0
    assert np.bincount(split.y_test).tolist() == [18, 21, 15]


def test_split_dataset_max_rows_subsamples():
    dataset = _compare.load_named_dataset("digits")

    split = _compare.split_dataset(dataset, test_size=0.5, random_state=0, max_rows=100)

    assert split.X_train.shape[0] + split.X_test.shape[0] == 100
    assert set(split.y_train) == set(range(10))


def test_split_dataset_max_rows_too_small():
    dataset = _compare.load_named_dataset("wine")
    msg = (
        "--max-rows is 10, too few for 3 classes: a stratified train/test split "
        "needs at least 2 rows per class on each side. Pass at least 12."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.split_dataset(dataset, test_size=0.3, random_state=0, max_rows=10)


def test_robust_columns_sorted_by_eps(results):
    assert _compare.robust_columns(results) == [
        (0.05, "robust@0.05"),
        (0.1, "robust@0.1"),
    ]


def test_format_table_rounds(results):
    table = _compare.format_table(results)

    lines = table.splitlines()
    assert lines[0].split() == [
        "method",
        "accuracy",
        "robust@0.05",
        "robust@0.1",
        "size_kb",
        "fit_s",
    ]
    assert lines[1].split() == ["plain", "0.950", "0.700", "0.400", "2.5", "0.010"]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_write_results_round_trip(tmp_path, results, suffix):
    path = tmp_path / f"results{suffix}"

    _compare.write_results(results, path)

    if suffix == ".csv":
        read = pd.read_csv(path)
    else:
        read = pd.DataFrame(json.loads(path.read_text()))
    pd.testing.assert_frame_equal(read, results)


def test_write_results_unknown_extension(tmp_path, results):
    path = tmp_path / "results.xlsx"
    msg = (
        f"Cannot tell the format of the output file {str(path)!r} from its "
        "extension '.xlsx'. Use a name ending in .csv or .json."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.write_results(results, path)


def test_plot_robustness_curves_one_line_per_method(results):
    from matplotlib.figure import Figure

    ax = _compare.plot_robustness_curves(results, ax=Figure().subplots())

    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["plain", "distilled"]
    np.testing.assert_allclose(lines[0].get_xdata(), [0.0, 0.05, 0.1])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.96, 0.8, 0.5])


def test_save_plot_writes_png(tmp_path, results):
    from PIL import Image

    path = tmp_path / "curves.png"

    _compare.save_plot(results, path, title="wine")

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.text["Description"] == "Robustness curves: plain; distilled"


def test_load_csv_infinite_feature(tmp_path, wine_frame):
    wine_frame.loc[3, "alcohol"] = np.inf
    path = _write(tmp_path, wine_frame)
    msg = (
        "The feature column 'alcohol' has 1 infinite value. Replace infinite "
        "values with finite numbers or drop their rows."
    )
    with pytest.raises(CompareInputError, match=f"^{re.escape(msg)}$"):
        _compare.load_csv_dataset(path, "cultivar")

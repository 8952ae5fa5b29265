"""Input checks that name the component rejecting the input and the fix."""

from numbers import Real

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import check_array, column_or_1d


def accepts_input(estimator, input_tag):
    """Tell whether `estimator` accepts the input that `input_tag` names.

    scikit-learn 1.9 never sets ``allow_nan`` on a Pipeline. NaN passes
    through transformers such as StandardScaler until an imputer of
    :mod:`sklearn.impute` replaces it, so every step up to the first imputer,
    or every step if there is none, must accept NaN.
    """
    if input_tag == "allow_nan" and isinstance(estimator, Pipeline):
        for _, step in estimator.steps:
            if step is None or step == "passthrough":
                continue
            if not get_tags(step).input_tags.allow_nan:
                return False
            if type(step).__module__.startswith("sklearn.impute"):
                return True
        return True
    return getattr(get_tags(estimator).input_tags, input_tag)


def components_phrase(components):
    """Join component names into the subject of "does not" or "do not"."""
    return " and ".join(components) + (" does" if len(components) == 1 else " do")


def contains_nan(X):
    values = X.data if sparse.issparse(X) else np.asarray(X)
    if values.dtype.kind in "fc":
        return bool(np.isnan(values).any())
    if values.dtype.kind == "O":
        # NaN is the only value not equal to itself.
        return bool(np.any(values != values))
    return False


def check_numeric_columns(X):
    """Raise naming the columns of a DataFrame or object array that are not numbers.

    The error keeps the type that NumPy raises: TypeError for objects such as
    dicts, ValueError for strings that are not numbers. Date, time and
    duration columns, which scikit-learn cannot convert, raise a ValueError.
    """
    failures = _unconvertible_columns(X)
    if not failures:
        return
    fix = ENCODE_TEXT_FIX
    if any(_is_datetime(dtype) for _, dtype, _ in failures):
        fix = ENCODE_DATETIME_FIX
    error = _first_error(failures)
    raise (ValueError if error is None else type(error))(
        f"X has columns that cannot be converted to numbers: "
        f"{_failure_names(failures)} ({_failure_reason(failures[0])}). {fix}"
    ) from error


ENCODE_TEXT_FIX = (
    "Encode categorical and text columns as numbers first, for example with "
    "OneHotEncoder or OrdinalEncoder in a sklearn.compose.ColumnTransformer."
)

ENCODE_DATETIME_FIX = (
    "Encode date, time and duration columns as numbers first, for example as "
    "seconds since a fixed date, and categorical and text columns with "
    "OneHotEncoder or OrdinalEncoder in a sklearn.compose.ColumnTransformer."
)


#: Reason, in the messages of ``check_attack_columns``, that a pandas
#: categorical column cannot be perturbed.
CATEGORICAL_REASON = "categorical dtype: a perturbed value would name no category"

ATTACK_AFTER_ENCODING = (
    "attack the model that takes the rows after encoding. For a Pipeline pipe "
    "whose first steps encode these columns, attack pipe[-1] on "
    "pipe[:-1].transform(X)."
)


def check_attack_columns(
    X,
    fix=ATTACK_AFTER_ENCODING,
    subject="Attacks perturb numeric input only",
    reject_categorical=True,
):
    """Raise a ValueError naming the columns of `X` that cannot be perturbed.

    Attacks and transfer samplers add real-valued perturbations to every
    feature, so each column must convert to numbers, even where the model
    encodes text itself. Date, time and duration columns are rejected, and
    with `reject_categorical` so are categorical columns, whatever their
    categories, integers included. Cleaning samplers, which perturb nothing,
    pass ``reject_categorical=False``. `subject` names the component that
    rejects the input, and `fix` completes the message with what the caller
    should do.
    """
    failures = _unconvertible_columns(X, reject_categorical=reject_categorical)
    if failures:
        names, reason = _failure_names(failures), _failure_reason(failures[0])
        raise ValueError(
            f"X has columns that are not numeric: {names} ({reason}). {subject}, "
            f"so {fix}"
        ) from _first_error(failures)


def check_rows_within(X, bounds, name, fix):
    """Raise a ValueError if rows of `X` lie outside `bounds`.

    `X` is a dense array of shape (n_samples, n_features), and `bounds` a
    pair of arrays (low, high) of shape (n_features,). `name` is the
    parameter that set the bounds, and `fix` ends the message with what the
    caller should do.
    """
    low, high = bounds
    outside = np.flatnonzero(np.any((X < low) | (X > high), axis=0))
    if outside.size:
        first = outside[0]
        raise ValueError(
            f"Training rows lie outside {name} in features {outside.tolist()}, "
            f"for example {X[:, first].min():.6g} to {X[:, first].max():.6g} "
            f"against [{low[first]:.6g}, {high[first]:.6g}] in feature {first}. "
            f"{fix}"
        )


def check_numeric_bounds(bounds, name):
    """Raise a ValueError unless both sides of the pair `bounds` are numbers.

    NumPy converts strings such as ``"0"`` to floats silently, so the dtype
    is checked before any conversion. `name` is the parameter that set the
    bounds.
    """
    for side in bounds:
        if np.asarray(side).dtype.kind not in "iuf":
            raise ValueError(
                f"{name} contains values that are not numbers: {bounds!r}. Pass a "
                "pair (low, high) of numbers or of arrays of numbers, one per "
                "feature."
            )


def check_bounds_not_nan(low, high, name):
    """Raise a ValueError if the per-feature bounds `low` or `high` contain NaN.

    A NaN bound makes every value clipped to it NaN. `name` is the parameter
    that set the bounds.
    """
    nan_features = np.flatnonzero(np.isnan(low) | np.isnan(high))
    if nan_features.size:
        raise ValueError(
            f"{name} contains NaN for features {nan_features.tolist()}. Pass "
            "numbers, with -np.inf or np.inf for a side without a bound."
        )


def _unconvertible_columns(X, reject_categorical=False):
    """Return (name, dtype, error) for each column of `X` that float64 cannot hold.

    Only DataFrames and object, string, datetime64 or timedelta64 arrays are
    inspected. Date, time and duration columns always fail, because NumPy
    finds no common dtype for them and numbers, and with
    `reject_categorical` every categorical column of a DataFrame fails too.
    Such columns have None in place of the error.
    """
    if hasattr(X, "dtypes") and hasattr(X, "iloc"):
        columns = [
            (name, X.iloc[:, index])
            for index, (name, dtype) in enumerate(X.dtypes.items())
            if dtype.kind not in "biufc"
        ]
    elif isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "OUSmM":
        columns = [(index, X[:, index]) for index in range(X.shape[1])]
    else:
        return []

    failures = []
    for name, values in columns:
        dtype = values.dtype
        if _is_datetime(dtype) or (
            reject_categorical and isinstance(dtype, pd.CategoricalDtype)
        ):
            failures.append((name, dtype, None))
            continue
        try:
            np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as error:
            failures.append((name, dtype, error))
    return failures


def _is_datetime(dtype):
    """Tell whether `dtype` stores dates or durations, timezone-aware ones included."""
    return dtype.kind in "mM"


def _failure_names(failures):
    return [name if isinstance(name, int) else str(name) for name, _, _ in failures]


def _failure_reason(failure):
    """Say why the column of one (name, dtype, error) failure is not numeric."""
    _, dtype, error = failure
    if error is not None:
        return str(error)
    if _is_datetime(dtype):
        return f"{dtype} dtype: dates and durations are not numbers"
    return CATEGORICAL_REASON


def _first_error(failures):
    """Return the first conversion error of `failures`, or None if none has one."""
    return next((error for _, _, error in failures if error is not None), None)


def check_sample_weight_shape(sample_weight, n_rows, fix="Pass one weight per row."):
    """Return `sample_weight` as a float64 array, or raise if its length is wrong.

    A single number weighs every row by it, as in scikit-learn. `fix` ends the
    message with what the caller should do.
    """
    if isinstance(sample_weight, Real) and not isinstance(sample_weight, bool):
        return np.full(n_rows, float(sample_weight))
    weights = check_array(
        sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight"
    )
    if weights.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-D, one weight per row, but has shape "
            f"{weights.shape}. Pass a 1-D array, for example sample_weight.ravel() "
            "for a column."
        )
    if weights.shape != (n_rows,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}, but X has {n_rows} rows. {fix}"
        )
    return weights


def check_sample_weight_values(sample_weight):
    """Raise if `sample_weight` contains negative values or is 0 for every row.

    `sample_weight` is a validated 1-D array of finite floats.
    """
    negative = np.flatnonzero(sample_weight < 0)
    if negative.size:
        listed = _first_items(negative.tolist(), sample_weight[negative].tolist())
        raise ValueError(
            f"sample_weight contains negative weights {listed} (row: weight). Pass "
            "weights of 0 or more, with 0 for a row to leave out."
        )
    if not np.any(sample_weight > 0):
        raise ValueError(
            "sample_weight is zero for every row, so no row would be learned. Give "
            "at least one row a positive weight."
        )


def check_class_weight(class_weight, classes):
    """Raise unless a dict `class_weight` gives valid weights to `classes`.

    Its keys must be labels in `classes` and its values finite numbers of 0
    or more, and at least one class must keep a positive weight. Classes it
    omits weigh 1. Other values of `class_weight` pass unchecked.
    """
    if not isinstance(class_weight, dict):
        return

    labels = classes.tolist()
    unknown = [label for label in class_weight if _class_of(label, labels) is None]
    if unknown:
        raise ValueError(
            f"class_weight contains labels that are not in y: {unknown!r}. The "
            f"classes in y are {labels!r}. Use labels of y as the keys of "
            "class_weight."
        )

    invalid = {
        label: weight
        for label, weight in class_weight.items()
        if not _is_finite_number(weight)
    }
    if invalid:
        raise ValueError(
            f"class_weight contains weights that are not finite numbers: "
            f"{invalid!r}. Pass a number of 0 or more for each class."
        )

    negative = {
        label: float(weight) for label, weight in class_weight.items() if weight < 0
    }
    if negative:
        raise ValueError(
            f"class_weight contains negative weights {negative!r} (class: "
            "weight). Pass weights of 0 or more, with 0 for a class to leave out."
        )

    weights = class_weight_vector(class_weight, classes)
    if not np.any(weights > 0):
        listed = dict(zip(labels, weights.tolist(), strict=True))
        raise ValueError(
            f"class_weight gives every class of y a weight of zero: {listed!r}, so "
            "no row would be learned. Give at least one class a positive weight."
        )


def check_weighted_rows(class_weight, classes, y_encoded, sample_weight):
    """Raise if `class_weight` and `sample_weight` together weigh every row 0.

    Call it after `check_class_weight` and `check_sample_weight_values`. It
    then fails only when every row of positive `sample_weight` is in a class
    that a dict `class_weight` weighs 0.
    """
    if not isinstance(class_weight, dict) or sample_weight is None:
        return

    weights = class_weight_vector(class_weight, classes)
    if np.any(weights[y_encoded] * sample_weight > 0):
        return
    weighted_classes = np.unique(classes[y_encoded[sample_weight > 0]]).tolist()
    raise ValueError(
        "class_weight and sample_weight together give every row a weight of zero, "
        f"because the rows of positive sample_weight are all in classes "
        f"{weighted_classes!r}, which class_weight weighs 0. Give one of those "
        "classes or a row of another class a positive weight."
    )


def class_weight_vector(class_weight, classes):
    """Return the weight of each class in `classes` under a dict `class_weight`."""
    weights = np.ones(len(classes))
    labels = classes.tolist()
    for label, weight in class_weight.items():
        position = _class_of(label, labels)
        if position is not None:
            weights[position] = weight
    return weights


def _class_of(label, labels):
    """Return the position in `labels` of the class that `label` names, or None.

    scikit-learn's ``compute_class_weight`` looks each class up as ``int(c)``
    when that conversion works, and as ``str(c)`` otherwise, so a key of
    ``1`` names the class ``1.0`` as well.
    """
    for position, candidate in enumerate(labels):
        if label == candidate or label == _class_weight_key(candidate):
            return position
    return None


def _class_weight_key(label):
    try:
        return int(label)
    except (TypeError, ValueError):
        return str(label)


def _is_finite_number(value):
    return (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and bool(np.isfinite(value))
    )


def _first_items(keys, values, limit=5):
    """Format the first `limit` pairs as a dict, with a count of the rest."""
    first = dict(zip(keys[:limit], values[:limit], strict=True))
    rest = len(keys) - limit
    if rest <= 0:
        return repr(first)
    return f"{first!r} and {rest} more"


def warn_column_vector(y):
    """Warn with a DataConversionWarning if `y` has shape (n_samples, 1).

    scikit-learn's estimators warn so, while imbalanced-learn's samplers
    flatten such a `y` silently. The caller keeps `y` unchanged.
    """
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        column_or_1d(np.asarray(y), warn=True)


def check_sampler_input(X, y, *, subject, fix, reject_categorical=True):
    """Warn about a column-vector `y` and reject unusable DataFrame columns.

    Samplers call this from ``_check_X_y``, which both ``fit`` and
    ``fit_resample`` call, so that text, categorical and date columns are
    rejected with a message naming where the sampler belongs in a pipeline.
    Other arrays are left to ``check_array``, whose errors scikit-learn's
    ``check_dtype_object`` expects. See :func:`check_attack_columns` for
    `subject`, `fix` and `reject_categorical`.
    """
    warn_column_vector(y)
    if hasattr(X, "columns"):
        check_attack_columns(
            X, fix=fix, subject=subject, reject_categorical=reject_categorical
        )

"""Input checks that name the component rejecting the input and the fix."""

import numpy as np
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags


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
    dicts, ValueError for strings that are not numbers.
    """
    if hasattr(X, "dtypes") and hasattr(X, "iloc"):
        columns = [
            (name, X.iloc[:, index])
            for index, (name, dtype) in enumerate(X.dtypes.items())
            if dtype.kind not in "biufc"
        ]
    elif isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "OUS":
        columns = [(index, X[:, index]) for index in range(X.shape[1])]
    else:
        return

    failures = []
    for name, values in columns:
        try:
            np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as error:
            failures.append((name, error))

    if failures:
        names = [name if isinstance(name, int) else str(name) for name, _ in failures]
        error = failures[0][1]
        raise type(error)(
            f"X has columns that cannot be converted to numbers: {names} "
            f"({error}). Encode categorical and text columns as numbers first, "
            "for example with OneHotEncoder or OrdinalEncoder in a "
            "sklearn.compose.ColumnTransformer."
        ) from error

"""Label encoding shared by every estimator, sampler and the ART adaptor."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d


def encode_labels(y, *, min_classes=2):
    """Validate classification labels and map them to class positions.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        Labels of any type that :func:`numpy.unique` can sort: integers,
        floats, strings or booleans. A column vector is flattened with a
        :class:`~sklearn.exceptions.DataConversionWarning`.
    min_classes : int, default=2
        Minimum number of distinct labels.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Sorted distinct labels, with the dtype of `y`.
    y_encoded : ndarray of shape (n_samples,), dtype=int64
        Position of each label in `classes`.

    Raises
    ------
    ValueError
        If `y` contains continuous values, labels of mixed types, or fewer than
        `min_classes` distinct labels.
    """
    check_label_types(y)
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)

    classes, y_encoded = np.unique(y, return_inverse=True)

    if classes.shape[0] < min_classes:
        raise ValueError(
            f"y contains {classes.shape[0]} class ({classes.tolist()!r}), but "
            f"at least {min_classes} classes are required to train a classifier."
        )
    return classes, y_encoded.astype(np.int64, copy=False)


def check_label_types(y):
    """Raise if the labels `y` mix strings with labels of other types.

    Call it before NumPy converts `y`: ``np.asarray([1, "a"])`` turns every
    label into a string, so a list is checked element by element.

    Parameters
    ----------
    y : array-like
        Labels as given by the caller.

    Raises
    ------
    ValueError
        If `y` contains both strings and labels of other types.
    """
    if isinstance(y, (list, tuple)):
        values = np.asarray(y, dtype=object)
    else:
        values = np.asarray(y)
    _check_single_label_type(values.reshape(-1))


def align_columns(values, source_classes, classes, *, fill_value=0.0):
    """Reorder per-class columns from `source_classes` to `classes` by label.

    Parameters
    ----------
    values : ndarray of shape (n_samples, len(source_classes))
        Per-class values, such as probabilities, one column per entry of
        `source_classes`.
    source_classes : array-like of shape (n_source_classes,)
        Labels of the columns of `values`.
    classes : array-like of shape (n_classes,)
        Labels of the output columns.
    fill_value : float, default=0.0
        Value of the columns of classes absent from `source_classes`.

    Returns
    -------
    aligned : ndarray of shape (n_samples, n_classes)
        `values` with each column moved under its label in `classes`.

    Raises
    ------
    ValueError
        If `source_classes` contains a label that is not in `classes`.
    """
    classes = np.asarray(classes)
    columns, unknown = label_positions(source_classes, classes)
    if unknown:
        raise ValueError(
            f"The model predicts classes {unknown!r} that are not in the training "
            f"labels {classes.tolist()!r}. Fit it on labels drawn from the same set."
        )

    aligned = np.full((values.shape[0], classes.shape[0]), fill_value, dtype=float)
    aligned[:, columns] = values
    return aligned


def label_positions(labels, classes):
    """Find the position of each label in `classes`.

    Parameters
    ----------
    labels : array-like of shape (n_labels,)
        Labels to look up.
    classes : array-like of shape (n_classes,)
        Distinct labels, in the order that defines the positions.

    Returns
    -------
    positions : ndarray of shape (n_labels,), dtype=int64
        Position of each label in `classes`; -1 for a label not in it.
    unknown : list
        The labels not in `classes`, in the order of `labels`.
    """
    classes = np.asarray(classes).tolist()
    index = {label: position for position, label in enumerate(classes)}
    labels = np.asarray(labels).tolist()
    positions = np.array([index.get(label, -1) for label in labels], dtype=np.int64)
    unknown = [label for label in labels if label not in index]
    return positions, unknown


def _check_single_label_type(y):
    """Raise if `y` mixes strings with other labels, which cannot be ordered."""
    if y.dtype != object:
        return
    is_string = [isinstance(label, str) for label in y]
    if any(is_string) and not all(is_string):
        kinds = sorted({type(label).__name__ for label in y})
        raise ValueError(
            f"y contains labels of mixed types {kinds}. Convert y to a single "
            "type, for example with y.astype(str)."
        )

import re

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning

from sklearn_distill._labels import align_columns, encode_labels, label_positions


@pytest.mark.parametrize(
    "y, classes",
    [
        (np.array([2, 1, 2, 1]), [1, 2]),
        (np.array(["pos", "neg", "pos", "neg"]), ["neg", "pos"]),
        (np.array([0.0, 1.0, 1.0, 0.0]), [0.0, 1.0]),
        (np.array([True, False, True, False]), [False, True]),
    ],
)
def test_encode_labels_keeps_type(y, classes):
    found, encoded = encode_labels(y)
    assert found.tolist() == classes
    assert found.dtype == y.dtype
    np.testing.assert_array_equal(found[encoded], y)
    assert encoded.dtype == np.int64


def test_encode_labels_flattens_column_with_warning():
    with pytest.warns(DataConversionWarning):
        classes, encoded = encode_labels(np.array([[1], [0], [1]]))
    assert classes.tolist() == [0, 1]
    assert encoded.shape == (3,)


def test_encode_labels_rejects_one_class():
    message = (
        "y contains 1 class ([7]), but at least 2 classes are required to "
        "train a classifier."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        encode_labels(np.array([7, 7, 7]))


def test_encode_labels_rejects_mixed_types():
    message = (
        "y contains labels of mixed types ['int', 'str']. Convert y to a "
        "single type, for example with y.astype(str)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        encode_labels(np.array([1, "a", 2], dtype=object))


def test_encode_labels_rejects_continuous():
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        encode_labels(np.array([0.1, 0.7, 0.3]))


def test_align_columns_by_label():
    values = np.array([[0.25, 0.75]])
    aligned = align_columns(values, ["b", "c"], np.array(["a", "b", "c"]))
    np.testing.assert_array_equal(aligned, [[0.0, 0.25, 0.75]])


def test_align_columns_rejects_unknown_label():
    message = (
        "The model predicts classes ['z'] that are not in the training labels "
        "['a', 'b']. Fit it on labels drawn from the same set."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        align_columns(np.ones((1, 2)), ["a", "z"], np.array(["a", "b"]))


def test_label_positions_marks_unknown():
    positions, unknown = label_positions(["b", "z", "a"], np.array(["a", "b"]))
    np.testing.assert_array_equal(positions, [1, -1, 0])
    assert unknown == ["z"]

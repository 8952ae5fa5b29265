import numpy as np
import pytest


@pytest.fixture
def binary_data():
    """Four uniform features; the label is whether the first two sum above 1."""
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4).astype("float32")
    y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    return X, y


@pytest.fixture
def rare_class_data(binary_data):
    """Three classes ordered by row, the last one with 4 rows only."""
    X, _ = binary_data
    y = np.array([0] * 28 + [1] * 28 + [2] * 4)
    return X, y

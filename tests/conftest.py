import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder


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


@pytest.fixture
def mixed_frame_pipeline():
    """A pipeline fitted on a DataFrame whose string column it one-hot encodes."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "a": rng.rand(30),
            "b": rng.rand(30),
            "colour": rng.choice(["red", "blue"], 30),
        }
    )
    y = (X["a"] > 0.5).to_numpy().astype(np.int64)
    encode = ColumnTransformer(
        [("colour", OneHotEncoder(), ["colour"])], remainder="passthrough"
    )
    pipe = make_pipeline(encode, LogisticRegression()).fit(X, y)
    return pipe, X, y

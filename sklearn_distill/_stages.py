"""The stages around the teacher: resampling, class weights and transfer rows.

A `sampler` reshapes the teacher's training rows, class weights reweight them,
and transfer samplers add rows for the student. Every added row keeps track of
the training row it comes from, so that it can inherit that row's weight and,
when asked, its target.
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import _safe_indexing
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples

from ._teacher import is_per_row


class StudentRows(NamedTuple):
    """The rows a student trains on, with their targets and weights."""

    X: object
    soft_targets: np.ndarray
    targets: np.ndarray
    y_encoded: np.ndarray
    sample_weight: np.ndarray | None


def concatenate_rows(blocks):
    """Stack `StudentRows` blocks in order."""
    weights = [block.sample_weight for block in blocks]
    return StudentRows(
        X=_stack_rows([block.X for block in blocks]),
        soft_targets=np.vstack([block.soft_targets for block in blocks]),
        targets=np.vstack([block.targets for block in blocks]),
        y_encoded=np.concatenate([block.y_encoded for block in blocks]),
        sample_weight=None if weights[0] is None else np.concatenate(weights),
    )


def as_list(transfer_set):
    if transfer_set is None:
        return []
    if isinstance(transfer_set, list):
        return list(transfer_set)
    return [transfer_set]


def _teacher_has(method):
    """Build an ``available_if`` check on the fitted or unfitted inner teacher."""

    def check(self):
        return hasattr(getattr(self, "teacher_", self.teacher), method)

    return check


class StagedTeacher(BaseEstimator):
    """A teacher fitted after a sampler and class weights, as one estimator.

    `cv` clones it for each fold, so the sampler and the class
    weights see the training rows of that fold only.
    """

    def __init__(self, teacher, *, sampler=None, class_weight=None):
        self.teacher = teacher
        self.sampler = sampler
        self.class_weight = class_weight

    def fit(self, X, y, **fit_params):
        if self.sampler is not None:
            X, y, fit_params = _resample(clone(self.sampler), X, y, fit_params)

        if self.class_weight is not None:
            sample_weight = fit_params.get("sample_weight")
            classes, positions = np.unique(y, return_inverse=True)
            # "balanced" counts each row by its sample weight, as for the student.
            weights = class_weights(self.class_weight, classes, y, sample_weight)
            weights = weights[positions]
            if sample_weight is not None:
                weights = weights * np.asarray(sample_weight)
            fit_params = {**fit_params, "sample_weight": weights}

        self.teacher_ = clone(self.teacher).fit(X, y, **fit_params)
        self.classes_ = self.teacher_.classes_
        return self

    @available_if(_teacher_has("predict_proba"))
    def predict_proba(self, X):
        return self.teacher_.predict_proba(X)

    @available_if(_teacher_has("decision_function"))
    def decision_function(self, X):
        return self.teacher_.decision_function(X)


def _resample(sampler, X, y, fit_params):
    """Apply `sampler` to the teacher's rows and carry the per-row parameters."""
    X_res, y_res = _run_sampler(sampler, X, y, "sampler")

    per_row = [name for name, value in fit_params.items() if is_per_row(value, y)]
    if per_row:
        start = _kept_prefix(X, y, X_res, y_res)
        sources = _source_rows(sampler, X, y, X_res, y_res, start)
        fit_params = {
            **fit_params,
            **{name: _safe_indexing(fit_params[name], sources) for name in per_row},
        }
    return X_res, y_res, fit_params


def generated_rows(sampler, X, y, need_sources):
    """Run a transfer sampler and return its new rows and their source rows.

    The sources are None unless `need_sources` is true.
    """
    X_res, y_res = _run_sampler(sampler, X, y, "transfer_set sampler")
    start = _kept_prefix(X, y, X_res, y_res)
    X_new = _safe_indexing(X_res, np.arange(start, _num_samples(X_res)))

    sources = None
    if need_sources:
        sources = _source_rows(sampler, X, y, X_res, y_res, start)[start:]
    return X_new, sources


def _run_sampler(sampler, X, y, role):
    """Call ``fit_resample``, re-raising a ValueError with the class counts."""
    try:
        output = sampler.fit_resample(X, y)
    except ValueError as exc:
        raise ValueError(_sampler_failure_message(sampler, y, role, exc)) from exc
    return output[0], output[1]


def _sampler_failure_message(sampler, y, role, exc):
    """Explain a sampler failure by the class counts and neighbour setting."""
    labels, counts = np.unique(y, return_counts=True)
    name = type(sampler).__name__
    where = f"The {role} {name} failed on {_num_samples(y)} training rows"
    cause = f"{name} raised: {exc}"

    setting = _neighbor_setting(sampler)
    smallest = int(np.argmin(counts))
    label, count = labels.tolist()[smallest], int(counts[smallest])
    if setting is None or count > setting[1]:
        class_counts = dict(zip(labels.tolist(), counts.tolist(), strict=True))
        return f"{where}, with class counts {class_counts}. {cause}"

    param, value = setting
    fix = "Use a sampler without neighbours, such as RandomOverSampler."
    if count > 1:
        fix = (
            f"Set {param}={count - 1} or lower in the {role}, or use a sampler "
            "without neighbours, such as RandomOverSampler."
        )
    return (
        f"{where}, in which class {label!r} has only {count} rows, but "
        f"{param}={value} needs at least {value + 1} rows of each class it "
        f"resamples. {fix} {cause}"
    )


def _neighbor_setting(sampler):
    """Return the name and value of the sampler's neighbour count, or None."""
    params = sampler.get_params(deep=True) if hasattr(sampler, "get_params") else {}
    for suffix in ("k_neighbors", "n_neighbors"):
        for name, value in sorted(params.items()):
            is_count = isinstance(value, Integral) and not isinstance(value, bool)
            if name.split("__")[-1] == suffix and is_count:
                return name, int(value)
    return None


def _kept_prefix(X, y, X_res, y_res):
    """Return ``n_samples`` if the output starts with the input rows, else 0."""
    n_samples = _num_samples(X)
    if _num_samples(X_res) < n_samples:
        return 0

    head = _safe_indexing(X_res, np.arange(n_samples))
    if sparse.issparse(head) or sparse.issparse(X):
        same_rows = (sparse.csr_matrix(head) != sparse.csr_matrix(X)).nnz == 0
    else:
        head, X = np.asarray(head), np.asarray(X)
        same_rows = np.array_equal(head, X, equal_nan=X.dtype.kind == "f")
    same_labels = np.array_equal(np.asarray(y_res)[:n_samples], np.asarray(y))
    return n_samples if same_rows and same_labels else 0


def _source_rows(sampler, X, y, X_res, y_res, start):
    """Return the training row that each output row of `sampler` comes from.

    The sampler's ``sample_indices_`` is used when it has one entry per output
    row. Otherwise the first `start` output rows are the training rows
    themselves, and each later row comes from the nearest training row of its
    class.
    """
    n_out = _num_samples(X_res)
    indices = getattr(sampler, "sample_indices_", None)
    if indices is not None and len(indices) == n_out:
        return np.asarray(indices, dtype=np.intp)

    X_added = _safe_indexing(X_res, np.arange(start, n_out))
    added = _nearest_same_label(X, y, X_added, np.asarray(y_res)[start:])
    return np.concatenate([np.arange(start, dtype=np.intp), added])


def _nearest_same_label(X, y, X_query, y_query):
    """Return, for each query row, the index of the nearest row of its label."""
    nearest = np.empty(_num_samples(X_query), dtype=np.intp)
    for label in np.unique(y_query):
        members = np.flatnonzero(y == label)
        queries = np.flatnonzero(y_query == label)
        if members.shape[0] == 0:
            raise ValueError(
                f"A sampler returned rows of class {label!r}, which is not in y, "
                "so they have no source row to take a weight or target from. "
                "Use a sampler that keeps the training labels."
            )
        search = NearestNeighbors(n_neighbors=1).fit(_safe_indexing(X, members))
        _, positions = search.kneighbors(_safe_indexing(X_query, queries))
        nearest[queries] = members[positions[:, 0]]
    return nearest


def _stack_rows(blocks):
    """Stack row blocks, as a CSR matrix if any block is sparse."""
    if any(sparse.issparse(block) for block in blocks):
        return sparse.vstack([sparse.csr_matrix(block) for block in blocks], "csr")
    return np.vstack(blocks)


def class_weights(class_weight, classes, y, sample_weight):
    """Compute the weight of each class, counting rows by `sample_weight`.

    A class whose rows all weigh 0 gets weight 0 in place of the infinity of
    "balanced": its rows contribute nothing either way.
    """
    with np.errstate(divide="ignore"):
        weights = compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
    return np.where(np.isfinite(weights), weights, 0.0)

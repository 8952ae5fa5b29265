"""scikit-learn's estimator contract for skorch nets: parameter and data checks.

skorch nets take their parameters through ``**kwargs`` and pass ``X`` to
torch as it comes. The mixin here validates the parameters against
scikit-learn constraints and converts ``X`` to a float32 array with
scikit-learn's own checks before skorch receives it.
"""

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNetBinaryClassifier

from .._compat import (
    Interval,
    InvalidParameterError,
    Options,
    validate_parameter_constraints,
)
from ._loss import DistillationLoss

#: Constraints of the skorch parameters whose valid values are plain.
SKORCH_CONSTRAINTS = {
    "lr": [Interval(Real, 0, None, closed="left")],
    "max_epochs": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
}


def is_value_range(value):
    """Return whether `value` is a pair ``(min, max)`` of reals with ``min < max``."""
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(_is_real(bound) for bound in value)
        and value[0] < value[1]
    )


def _is_real(value):
    return isinstance(value, Real) and not isinstance(value, bool)


def _passes_through(X):
    """Return whether `X` goes to skorch unchanged: a dict, a dataset or a tensor."""
    # A sparse DOK matrix is also a dict, so it is tested first and rejected
    # later as sparse input.
    if sp.issparse(X):
        return False
    return isinstance(X, Mapping | torch.utils.data.Dataset | torch.Tensor)


def _writeable(X):
    """Copy a read-only array, such as a pandas view, which torch warns about."""
    return X if X.flags.writeable else X.copy()


class _EstimatorContractMixin:
    """Validate parameters and array inputs of a skorch classifier.

    The host class, or a mixin after this one, lists the constraints of its
    own parameters in the class attribute ``_own_parameter_constraints``.
    It may also map a parameter to a predicate and its description in
    ``_parameter_value_checks``, for values that scikit-learn's constraints
    cannot describe, such as a pair with ``min < max``. Every
    other parameter that ``get_params(deep=False)`` returns, including
    skorch's ``module__*`` keys, gets the constraint in `SKORCH_CONSTRAINTS`
    or none.

    ``X`` given as a dict, a ``torch.utils.data.Dataset`` or a tensor goes
    to skorch unchanged, together with ``y``; any other ``X`` is checked
    and converted to float32 by ``validate_data``.
    """

    @property
    def _parameter_constraints(self):
        params = self.get_params(deep=False)
        constraints = dict.fromkeys(params, "no_validation")
        for name, constraint in SKORCH_CONSTRAINTS.items():
            if name in constraints:
                constraints[name] = constraint
        constraints.update(self._own_parameter_constraints)
        return constraints

    def __sklearn_is_fitted__(self):
        return getattr(self, "initialized_", False)

    def _check_parameter_constraints(self):
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )

        checks = getattr(self, "_parameter_value_checks", {})
        for name, (is_valid, description) in checks.items():
            value = getattr(self, name)
            if not is_valid(value):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be "
                    f"{description}. Got {value!r} instead."
                )

    def fit(self, X, y=None, **fit_params):
        """Initialise and train the module on validated data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Training rows. An array-like is checked and converted to
            float32; NaN, infinite, complex, sparse and empty input is
            rejected. A dict, a ``torch.utils.data.Dataset`` or a tensor goes
            to skorch unchanged.
        y : array-like of shape (n_samples,), default=None
            Class labels, at least two distinct ones, cast to float32 for a
            binary net and to int64 otherwise; with a
            :class:`DistillationLoss` criterion, the packed targets of
            :func:`distillation_targets`. None only when `X` is a dict, a
            dataset or a tensor.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The fitted net.
        """
        self._check_parameter_constraints()
        X, y = self._validate_training_data(X, y, reset=True)

        if not self.warm_start or not self.initialized_:
            self.initialize()
        return super().partial_fit(X, y, _routing_method="fit", **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train the module further, initialising it on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Training rows, checked as in ``fit``. After the first call, an
            array-like must have the number of features seen then.
        y : array-like of shape (n_samples,), default=None
            Class labels, as in ``fit``.
        classes : array-like of shape (n_classes,), default=None
            Unused; accepted for scikit-learn compatibility, as in skorch.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The trained net.
        """
        self._check_parameter_constraints()
        first_call = not hasattr(self, "n_features_in_")
        X, y = self._validate_training_data(X, y, reset=first_call)
        return super().partial_fit(X, y, classes=classes, **fit_params)

    def predict_proba(self, X):
        """Return the class probabilities of the rows of `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Rows to predict. An array-like is checked and converted to
            float32, and must have the features seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, in the order of ``classes_``.
        """
        return super().predict_proba(self._validate_predict_data(X))

    def predict(self, X):
        """Return the predicted class of the rows of `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Rows to predict, checked as in ``predict_proba``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        return super().predict(self._validate_predict_data(X))

    def _validate_training_data(self, X, y, *, reset):
        if _passes_through(X):
            return X, y

        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=np.float32,
            allow_nd=True,
            multi_output=self._takes_packed_targets(),
        )
        X = _writeable(X)
        if self._takes_packed_targets():
            return X, y
        try:
            self._check_class_labels(y)
        except ValueError:
            # validate_data recorded the features of data that fit rejects.
            if reset:
                vars(self).pop("n_features_in_", None)
                vars(self).pop("feature_names_in_", None)
            raise
        return X, self._convert_labels(y)

    def _validate_predict_data(self, X):
        check_is_fitted(self)
        if _passes_through(X):
            return X
        return self._validate_features(X, reset=False)

    def _validate_features(self, X, *, reset):
        X = validate_data(self, X, reset=reset, dtype=np.float32, allow_nd=True)
        return _writeable(X)

    def _takes_packed_targets(self):
        """Return whether the criterion is a DistillationLoss, whose y is 2-D."""
        criterion = self.criterion
        if isinstance(criterion, type):
            return issubclass(criterion, DistillationLoss)
        return isinstance(criterion, DistillationLoss)

    def _convert_labels(self, y):
        """Cast numeric labels to the dtype the criterion takes.

        ``BCEWithLogitsLoss`` of a binary net takes float targets, and
        ``CrossEntropyLoss`` and ``NLLLoss`` take int64 class positions.
        Other labels, such as strings, go to skorch unchanged.
        """
        if y.dtype.kind not in "biuf":
            return y
        if isinstance(self, NeuralNetBinaryClassifier):
            return y.astype(np.float32)
        return y.astype(np.int64)

    def _check_class_labels(self, y):
        check_classification_targets(y)
        classes = np.unique(y)
        name = type(self).__name__
        if classes.size < 2:
            raise ValueError(
                f"{name} needs samples of at least 2 classes in y, but y has one "
                f"class, {classes.tolist()[0]!r}. Pass rows of every class to fit."
            )
        if isinstance(self, NeuralNetBinaryClassifier):
            _check_binary_labels(name, y, classes)


def _check_binary_labels(name, y, classes):
    """Raise unless `y` contains only the labels 0 and 1 that a one-logit loss takes.

    ``BCEWithLogitsLoss`` accepts any float target, so other labels would
    train the net on meaningless targets without an error.
    """
    y_type = type_of_target(y, input_name="y")
    if y_type != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is "
            f"{y_type}. {name} has one output; use AdversarialNetClassifier for "
            "more than two classes."
        )
    if not set(classes.tolist()) <= {0, 1}:
        raise ValueError(
            f"{name} needs the labels 0 and 1, but y has the labels "
            f"{classes.tolist()!r}. Encode them first, for example with "
            "sklearn.preprocessing.LabelEncoder, or distill into the net with "
            "DistillationClassifier, which encodes labels itself."
        )

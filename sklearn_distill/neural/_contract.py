"""scikit-learn's estimator contract for skorch nets: parameter and data checks.

skorch nets take their parameters through ``**kwargs`` and pass ``X`` and
``y`` to torch as they come. The mixin here validates the parameters against
scikit-learn constraints, converts ``X`` to a float32 array with
scikit-learn's own checks, and encodes the labels of ``y`` to class
positions before skorch receives them.
"""

import math
from collections.abc import Mapping
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNetBinaryClassifier
from skorch.callbacks import BatchScoring, EpochScoring
from skorch.utils import to_numpy

from .._compat import (
    Interval,
    InvalidParameterError,
    Options,
    validate_parameter_constraints,
)
from .._labels import check_label_types, encode_labels, label_positions
from ._loss import DistillationLoss
from ._modules import MLPModule, builds_mlp_module, missing_mlp_dimensions

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


def _privately_stored(name, doc):
    """Return a property that keeps the attribute `name` under ``"_" + name``.

    skorch's ``NeuralNet.__init__`` sets ``history_``, ``initialized_`` and
    ``virtual_params_``, and scikit-learn's estimator checks allow only
    parameters and private attributes after ``__init__``. An unset attribute
    raises AttributeError, so ``hasattr`` behaves as for a plain attribute,
    which skorch's ``__setattr__`` relies on while ``__init__`` runs.
    """
    key = f"_{name}"

    def get(self):
        try:
            return vars(self)[key]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}"
            ) from None

    def set(self, value):
        vars(self)[key] = value

    def delete(self):
        del vars(self)[key]

    return property(get, set, delete, doc)


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
    to skorch unchanged, together with ``y``. Any other ``X`` is checked
    and converted to float32 by ``validate_data``, and its labels ``y`` are
    encoded to the positions of ``classes_``: the module's output column
    ``j`` is the class ``classes_[j]``, and ``predict`` decodes the
    positions back to labels.

    A ``module`` that is :class:`MLPModule` or a subclass gets the number
    of features and of classes of array input when ``fit`` builds it.
    """

    history_ = _privately_stored("history_", "Training history of skorch.")
    initialized_ = _privately_stored(
        "initialized_", "Whether skorch has built the module and its parts."
    )
    virtual_params_ = _privately_stored(
        "virtual_params_", "Parameter patterns that skorch sets through callables."
    )

    @property
    def classes_(self):
        """Labels of the module's output columns, in column order."""
        # Set by fit on array input; None after input that skorch received
        # unchanged, whose labels skorch's own classes_ describes.
        label_classes = getattr(self, "_label_classes_", None)
        if label_classes is None:
            return super().classes_
        return label_classes

    def _get_param_names(self):
        # skorch lists every attribute without a trailing underscore, so
        # its private set _params_to_validate would become a parameter.
        return [name for name in super()._get_param_names() if name[0] != "_"]

    def set_params(self, **params):
        """Set the parameters of the net.

        The ``callbacks`` list of a net that is not initialised is only
        stored, and ``fit`` builds the callbacks from it. skorch 1.4's own
        ``set_params`` builds them from the previously set list, so there a
        valid list set after an invalid one raises.

        Parameters
        ----------
        **params : dict
            Parameters, as returned by ``get_params``.

        Returns
        -------
        self : object
            The net.
        """
        if "callbacks" in params and not self.initialized_:
            self.callbacks = params.pop("callbacks")
        return super().set_params(**params)

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

        With ``warm_start=True``, the trained module is kept, unless the
        module is built from :class:`MLPModule` and the number of features
        or classes changed: then a new module is built and trained.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Training rows. An array-like is checked and converted to
            float32; NaN, infinite, complex, sparse and empty input is
            rejected. A dict, a ``torch.utils.data.Dataset`` or a tensor goes
            to skorch unchanged.
        y : array-like of shape (n_samples,), default=None
            Class labels of one type that :func:`numpy.unique` can sort,
            such as integers or strings, at least two distinct ones and
            exactly two for a binary net. With an array-like `X`, they are
            encoded to their positions in ``classes_``, as float32 for a
            binary net and int64 otherwise. With a :class:`DistillationLoss`
            criterion, `y` is the packed targets of
            :func:`distillation_targets`. With a dict, a dataset or a tensor
            `X`, `y` goes to skorch unchanged, and may be None.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The fitted net.
        """
        self._check_parameter_constraints()
        X, y = self._validate_training_data(X, y, reset=True)
        self._record_data_dimensions(X, y)

        if (
            not self.warm_start
            or not self.initialized_
            or self._module_dimensions_changed()
        ):
            self.initialize()
        self._score_on_labels()
        super().partial_fit(X, y, _routing_method="fit", **fit_params)

        self.n_iter_ = len(self.history)
        return self

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
            Every label that the net will be trained on, read on the first
            call only, because later calls encode ``y`` against the classes
            of the first. None means the labels of the first ``y``, or the
            ``classes`` parameter of a net that sets it.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The trained net.
        """
        self._check_parameter_constraints()
        first_call = not hasattr(self, "n_features_in_")
        X, y = self._validate_training_data(X, y, reset=first_call, classes=classes)
        if first_call:
            self._record_data_dimensions(X, y)

        if not self.initialized_:
            self.initialize()
        self._score_on_labels()
        super().partial_fit(X, y, **fit_params)

        self.n_iter_ = len(self.history)
        return self

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
            Predicted classes, labels of ``classes_`` with their dtype.
        """
        positions = super().predict(self._validate_predict_data(X))
        label_classes = getattr(self, "_label_classes_", None)
        if label_classes is None:
            return positions
        return label_classes.take(np.asarray(positions, dtype=np.intp))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Compute the criterion after checking the module's output count.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (n_samples, n_classes)
            Output of the module.
        y_true : torch.Tensor
            Targets of the batch.
        X : object, default=None
            Inputs of the batch, passed on to skorch.
        training : bool, default=False
            Whether the net is training.

        Returns
        -------
        loss : torch.Tensor
            The criterion's value.

        Raises
        ------
        ValueError
            If the module returns a number of columns other than the number
            of classes that fit encoded.
        """
        self._check_output_count(y_pred)
        return super().get_loss(y_pred, y_true, X=X, training=training)

    def initialize_module(self):
        """Build the module, giving an MLPModule the dimensions of the data.

        Returns
        -------
        self : object
            The net, with the built module in ``module_``.
        """
        dimensions = self._missing_module_dimensions()
        if not dimensions:
            return super().initialize_module()

        kwargs = {**self.get_params_for("module"), **dimensions}
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def _record_data_dimensions(self, X, y):
        """Keep the number of features and classes that the module is built for.

        Input that skorch receives unchanged leaves both unknown. Targets
        packed for DistillationLoss leave the number of classes unknown,
        because their width depends on whether they contain row weights.
        """
        if _passes_through(X):
            self._data_dimensions = None
            return

        label_classes = getattr(self, "_label_classes_", None)
        n_classes = None if label_classes is None else label_classes.size
        self._data_dimensions = (math.prod(X.shape[1:]), n_classes)

    def _missing_module_dimensions(self):
        data_dimensions = getattr(self, "_data_dimensions", None)
        if data_dimensions is None:
            return {}
        return missing_mlp_dimensions(self, *data_dimensions)

    def _module_dimensions_changed(self):
        """Return whether the data needs another MLPModule than ``module_``."""
        module = getattr(self, "module_", None)
        if not builds_mlp_module(self) or not isinstance(module, MLPModule):
            return False
        dimensions = self._missing_module_dimensions()
        return any(getattr(module, name) != value for name, value in dimensions.items())

    def _validate_training_data(self, X, y, *, reset, classes=None):
        if _passes_through(X) or self._takes_packed_targets():
            if reset:
                vars(self).pop("_label_classes_", None)
        if _passes_through(X):
            return X, y

        if y is not None and not self._takes_packed_targets():
            # Before validate_data, which turns [1, "a"] into ["1", "a"].
            check_label_types(y)
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
            y_encoded = self._encode_labels(y, reset=reset, classes=classes)
        except ValueError:
            # validate_data recorded the features of data that fit rejects.
            if reset:
                vars(self).pop("n_features_in_", None)
                vars(self).pop("feature_names_in_", None)
            raise
        return X, self._convert_labels(y_encoded)

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

    def _convert_labels(self, y_encoded):
        """Cast class positions to the dtype the criterion takes.

        ``BCEWithLogitsLoss`` of a binary net takes float targets, and
        ``CrossEntropyLoss`` and ``NLLLoss`` take int64 class positions.
        """
        if isinstance(self, NeuralNetBinaryClassifier):
            return y_encoded.astype(np.float32)
        return y_encoded.astype(np.int64)

    def _encode_labels(self, y, *, reset, classes):
        """Map labels to positions in ``classes_``, fixing the classes if `reset`."""
        if reset:
            self._label_classes_ = self._training_classes(y, classes)
        label_classes = self._label_classes_

        positions, unknown = label_positions(y, label_classes)
        if unknown:
            raise ValueError(
                f"y contains the labels {sorted(set(unknown))!r}, which are not "
                f"among the classes {label_classes.tolist()!r} of "
                f"{type(self).__name__}. {self._unknown_label_advice(reset)}"
            )
        return positions

    def _training_classes(self, y, classes):
        """Return the classes of a new fit: given by the caller, or those of `y`."""
        name = type(self).__name__
        parameter = getattr(self, "classes", None)
        if parameter is not None:
            label_classes = _given_classes(
                parameter, "classes parameter", keep_order=True
            )
        elif classes is not None:
            label_classes = _given_classes(
                classes, "classes argument", keep_order=False
            )
        else:
            label_classes, _ = encode_labels(y, min_classes=1)
            if label_classes.size < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes in y, but y has "
                    f"one class, {label_classes.tolist()[0]!r}. Pass rows of every "
                    "class to fit."
                )

        if isinstance(self, NeuralNetBinaryClassifier) and label_classes.size > 2:
            raise ValueError(
                f"Only binary classification is supported. {name} has one "
                f"output, so it separates two classes, but y has "
                f"{label_classes.size} classes: {label_classes.tolist()!r}. Use "
                "AdversarialNetClassifier with one module output per class."
            )
        return label_classes

    def _unknown_label_advice(self, reset):
        if getattr(self, "classes", None) is not None:
            return "Add them to the classes parameter."
        if reset:
            return "Add them to the classes argument of partial_fit."
        return (
            "Pass every label to the first call of partial_fit through its "
            "classes argument, or train again with fit."
        )

    def _score_on_labels(self):
        """Make scoring callbacks compare predicted labels with labels.

        skorch's scoring callbacks, such as the default ``valid_acc``, pass
        the batch targets, which are class positions, to scikit-learn
        scorers together with this net, whose ``predict`` returns labels.
        Their targets are decoded to labels unless the labels are the
        positions themselves.
        """
        label_classes = getattr(self, "_label_classes_", None)
        extractor = to_numpy
        if label_classes is not None and not _are_positions(label_classes):
            extractor = partial(_positions_to_labels, label_classes)

        for _, callback in self.callbacks_:
            if not isinstance(callback, EpochScoring | BatchScoring):
                continue
            current = callback.target_extractor
            is_decoder = getattr(current, "func", None) is _positions_to_labels
            if current is to_numpy or is_decoder:
                callback.target_extractor = extractor

    def _check_output_count(self, y_pred):
        label_classes = getattr(self, "_label_classes_", None)
        is_matrix = isinstance(y_pred, torch.Tensor) and y_pred.dim() == 2
        if label_classes is None or not is_matrix:
            return

        n_classes, n_outputs = label_classes.size, y_pred.shape[1]
        if n_outputs != n_classes:
            raise ValueError(
                f"{type(self).__name__} is trained on {n_classes} classes "
                f"{label_classes.tolist()!r}, but its module returns {n_outputs} "
                f"outputs per row. Give the module one output per class, for "
                f"example with the module__ parameter of its output size, such "
                f"as module__out_features={n_classes} for torch.nn.Linear, or "
                "use the default module, MLPModule, whose output size fit sets."
            )


def _are_positions(classes):
    """Return whether the labels `classes` equal their positions 0, 1, ..."""
    is_numeric = classes.dtype.kind in "biuf"
    return is_numeric and np.array_equal(classes, np.arange(classes.size))


def _positions_to_labels(classes, y):
    """Return the labels in `classes` at the class positions `y`."""
    return classes.take(to_numpy(y).astype(np.intp))


def _given_classes(classes, source, *, keep_order):
    """Return the classes that the caller listed, as an array.

    The ``classes`` parameter of skorch's ``NeuralNetClassifier`` keeps its
    order, as skorch's ``classes_`` does; the ``classes`` argument of
    ``partial_fit`` is sorted, as in scikit-learn.
    """
    check_label_types(classes)
    label_classes = np.asarray(classes)
    distinct = np.unique(label_classes)
    if label_classes.ndim != 1 or distinct.size < 2:
        raise ValueError(
            f"The {source} must list at least 2 distinct classes, but it is "
            f"{label_classes.tolist()!r}."
        )
    if not keep_order:
        return distinct
    if distinct.size != label_classes.size:
        raise ValueError(
            f"The {source} contains repeated labels: {label_classes.tolist()!r}. "
            "List each class once."
        )
    return label_classes

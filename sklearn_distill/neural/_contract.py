"""scikit-learn's estimator contract for skorch nets: parameter and data checks.

skorch nets take their parameters through ``**kwargs`` and pass ``X`` and
``y`` to torch as they come. The mixin here validates the parameters against
scikit-learn constraints, converts ``X`` to an array in the dtype of the
module's parameters (float32 unless the module is float64) with
scikit-learn's own checks, and encodes the labels of ``y`` to class
positions before skorch receives them. It also adds ``sample_weight`` to
``fit`` and ``partial_fit``, which skorch nets lack.
"""

import math
from collections.abc import Mapping
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from skorch import NeuralNetBinaryClassifier
from skorch.callbacks import BatchScoring, EpochScoring
from skorch.utils import to_numpy

from .._compat import (
    Interval,
    InvalidParameterError,
    Options,
    validate_parameter_constraints,
)
from .._input_checks import check_sample_weight_shape, check_sample_weight_values
from .._labels import check_label_types, encode_labels, label_positions
from ._loss import DistillationLoss
from ._modules import MLPModule, builds_mlp_module, check_dtype, missing_mlp_dimensions
from ._skorch import (
    as_module_dtype,
    restored_torch_generators,
    row_dtype,
    scale_to_unit_mean,
    seeded_torch,
)

#: Keys of the dict in which ``fit`` carries the rows of ``X`` and their
#: weights through skorch's dataset, validation split and data loader.
#: ``infer`` gives the module the rows alone.
WEIGHTED_ROWS_KEY = "__weighted_rows__"
ROW_WEIGHTS_KEY = "__row_weights__"

#: Reductions of a criterion that per-row weights can replace.
WEIGHTED_REDUCTIONS = ("mean", "sum")

#: Constraints of the skorch parameters whose valid values are plain.
SKORCH_CONSTRAINTS = {
    "lr": [Interval(Real, 0, None, closed="left")],
    "max_epochs": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
}


class _IntegerInterval(Interval):
    """An Interval of integers that rejects bool, which is an Integral too."""

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


#: Constraints of the parameters that the mixin adds to skorch's.
CONTRACT_CONSTRAINTS = {
    "random_state": [_IntegerInterval(Integral, 0, 2**63 - 1, closed="both"), None],
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


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool)


def _passes_through(X):
    """Return whether `X` goes to skorch unchanged: a dict, a dataset or a tensor."""
    # A sparse DOK matrix is also a dict, so it is tested first and rejected
    # later as sparse input.
    if sp.issparse(X):
        return False
    return isinstance(X, Mapping | torch.utils.data.Dataset | torch.Tensor)


def attach_weights(X, sample_weight):
    """Return `X` with the row weights `sample_weight` attached, if any."""
    if sample_weight is None:
        return X
    return {WEIGHTED_ROWS_KEY: X, ROW_WEIGHTS_KEY: sample_weight}


def detach_weights(X):
    """Split `X` into its rows and their weights, None if it carries none."""
    if isinstance(X, Mapping) and ROW_WEIGHTS_KEY in X:
        return X[WEIGHTED_ROWS_KEY], X[ROW_WEIGHTS_KEY]
    return X, None


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
    to skorch unchanged, together with ``y``, except that ``infer`` converts
    a floating tensor batch to the module's dtype. Any other ``X`` is checked
    and converted by ``validate_data`` to the dtype of the module's
    parameters, float32 unless the module is float64. Its labels ``y`` are
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
        for name, constraint in {**SKORCH_CONSTRAINTS, **CONTRACT_CONSTRAINTS}.items():
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

        self._check_binary_module_outputs()
        self._check_module_dtype()

    def _check_module_dtype(self):
        """Raise if an MLPModule is given a dtype that it does not support.

        MLPModule checks its dtype when ``initialize`` builds it, but the rows
        are converted to that dtype before, when ``fit`` validates them.
        """
        module_params = self.get_params_for("module")
        if not builds_mlp_module(self) or "dtype" not in module_params:
            return
        check_dtype(
            module_params["dtype"],
            f"The module__dtype parameter of {type(self).__name__}",
        )

    def _check_binary_module_outputs(self):
        """Raise if a binary net's MLPModule is given more than one output."""
        if not isinstance(self, NeuralNetBinaryClassifier):
            return
        # MLPModule itself rejects a value that is not an int.
        n_outputs = self.get_params_for("module").get("n_outputs")
        if not builds_mlp_module(self) or not _is_int(n_outputs) or n_outputs == 1:
            return

        name = type(self).__name__
        raise ValueError(
            f"The module of {name} returns one logit per row, the score of "
            f"classes_[1], but module__n_outputs is {n_outputs!r}. Remove "
            "module__n_outputs, or use AdversarialNetClassifier, whose module "
            "returns one logit per class."
        )

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Initialise and train the module on validated data.

        With ``warm_start=True``, the trained module is kept, unless the
        module is built from :class:`MLPModule` and the number of features
        or classes changed: then a new module is built and trained.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Training rows. An array-like is checked and converted to the
            dtype of the module's parameters, float32 unless the module is
            float64; NaN, infinite, complex, sparse and empty input is
            rejected. A dict, a ``torch.utils.data.Dataset`` or a tensor goes
            to skorch unchanged.
        y : array-like of shape (n_samples,), default=None
            Class labels of one type that :func:`numpy.unique` can sort,
            such as integers or strings, at least two distinct ones and
            exactly two for a binary net. With an array-like `X`, they are
            encoded to their positions in ``classes_``, in the dtype of the
            rows for a binary net and as int64 otherwise. With a
            :class:`DistillationLoss` criterion, `y` is the packed targets of
            :func:`distillation_targets`. With a dict, a dataset or a tensor
            `X`, `y` goes to skorch unchanged, and may be None.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row's loss, 0 or more, with at least one positive
            weight; only with an array-like `X`. The weights are divided by
            their mean and multiply the per-row losses, which the criterion
            returns with ``reduction="none"``. A ``"mean"`` reduction then
            divides the weighted sum by the number of rows in the batch, so
            one full batch gives the mean loss over the rows repeated as
            many times as their integer weights. It does so also for a
            criterion with class weights, such as ``CrossEntropyLoss(weight=
            ...)``, whose unweighted mean divides by the batch's total class
            weight instead. A ``"sum"`` reduction
            returns the weighted sum. The rows of skorch's validation split
            keep their weights in the validation loss. None weights every
            row 1.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The fitted net.

        Raises
        ------
        ValueError
            If `sample_weight` is given with a dict, a dataset or a tensor
            `X`, has another length than `X`, contains a negative weight or
            only zeros, or if the criterion has no ``reduction`` of
            ``"mean"`` or ``"sum"``.
        """
        self._check_parameter_constraints()
        X, y, sample_weight = self._validate_training_data(
            X, y, reset=True, sample_weight=sample_weight
        )
        self._record_data_dimensions(X, y)

        with self._seeded_generators():
            if (
                not self.warm_start
                or not self.initialized_
                or self._module_dimensions_changed()
            ):
                self.initialize()
            self._score_on_labels()
            self._train(
                X, y, sample_weight, routing_method="fit", fit_params=fit_params
            )

        self.n_iter_ = len(self.history)
        return self

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
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
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row's loss, as in ``fit``. Each call divides its
            own weights by their mean.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        self : object
            The trained net.

        Raises
        ------
        ValueError
            If `sample_weight` is invalid, as in ``fit``.
        """
        self._check_parameter_constraints()
        first_call = not hasattr(self, "n_features_in_")
        X, y, sample_weight = self._validate_training_data(
            X, y, reset=first_call, classes=classes, sample_weight=sample_weight
        )
        if first_call:
            self._record_data_dimensions(X, y)

        with self._seeded_generators():
            if not self.initialized_:
                self.initialize()
            self._score_on_labels()
            self._train(
                X,
                y,
                sample_weight,
                routing_method="partial_fit",
                fit_params=fit_params,
            )

        self.n_iter_ = len(self.history)
        return self

    def _seeded_generators(self):
        """Seed torch's generators with ``random_state`` inside the block.

        The global CPU generator, and that of the CUDA device that the net
        trains on, are seeded on entry and restored on exit, so the caller's
        random numbers are the same as without the fit. These generators draw
        the module's initial weights, the order of shuffled training rows,
        dropout masks and the random starts of PGD.
        """
        return seeded_torch(self.random_state, device=self.device)

    def _train(self, X, y, sample_weight, *, routing_method, fit_params):
        """Run skorch's training loop, with `sample_weight` in the batches only."""
        if sample_weight is None:
            super().partial_fit(X, y, _routing_method=routing_method, **fit_params)
            return

        self._check_weighted_criterion()
        # The steps of skorch 1.4's NeuralNet.partial_fit, whose callbacks
        # receive X in on_train_begin and on_train_end. They get the rows
        # here, so that callbacks which read their shape keep working, and
        # the dict with the weights goes to the dataset only.
        self.notify("on_train_begin", X=X, y=y)
        try:
            self.fit_loop(
                attach_weights(X, sample_weight),
                y,
                _routing_method=routing_method,
                **fit_params,
            )
        except KeyboardInterrupt:
            pass
        self.notify("on_train_end", X=X, y=y)

    def _check_weighted_criterion(self):
        criterion = self.criterion_
        reduction = getattr(criterion, "reduction", None)
        if reduction not in WEIGHTED_REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__} weights rows by computing per-row losses "
                "with the criterion's reduction set to 'none', so sample_weight "
                "requires a criterion whose reduction is 'mean' or 'sum', but "
                f"{type(criterion).__name__} has reduction={reduction!r}. Use a "
                "torch loss with reduction='mean', such as "
                "torch.nn.CrossEntropyLoss, or fit without sample_weight."
            )

    def predict_proba(self, X):
        """Return the class probabilities of the rows of `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), dict, Dataset or \
                torch.Tensor
            Rows to predict. An array-like is checked and converted to the
            dtype of the module's parameters, and must have the features
            seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, in the order of ``classes_``, in the dtype of
            the module's output: float32 by default, float64 for a float64
            module.

        Notes
        -----
        torch's global generators are restored afterwards, so a prediction
        leaves the caller's random numbers unchanged. A module that draws
        random numbers at inference gets the same ones on every call that
        starts from the same generator state.
        """
        X = self._validate_predict_data(X)
        with restored_torch_generators(device=self.device):
            return super().predict_proba(X)

    def forward(self, X, training=False, device="cpu"):
        """Return the module's output on all rows of `X`, as a tensor.

        With ``training=False``, torch's global generators are restored
        afterwards, as in ``predict_proba``.

        Parameters
        ----------
        X : array-like, dict, Dataset or torch.Tensor
            Rows, passed to skorch unchanged.
        training : bool, default=False
            Whether to run the module in training mode, with gradients.
        device : str or torch.device or None, default="cpu"
            Device of the returned tensor; None keeps the module's device.

        Returns
        -------
        y_infer : torch.Tensor or tuple of torch.Tensor
            The output of the module.
        """
        if training:
            return super().forward(X, training=training, device=device)
        with restored_torch_generators(device=self.device):
            return super().forward(X, training=training, device=device)

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
        # skorch's predict calls predict_proba, which validates X. Validating
        # here as well would check the feature names of a DataFrame against
        # the array that the first check returns, and warn.
        positions = super().predict(X)
        label_classes = getattr(self, "_label_classes_", None)
        if label_classes is None:
            return positions
        return label_classes.take(np.asarray(positions, dtype=np.intp))

    def infer(self, x, **fit_params):
        """Run the module on a batch, without the row weights that fit attached.

        A floating tensor is converted to the dtype of the module's
        parameters first, as the rows of ``fit`` and ``predict_proba`` are.

        Parameters
        ----------
        x : torch.Tensor, dict or array
            Inputs of the batch.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        y_pred : torch.Tensor
            Output of the module.
        """
        rows, _ = detach_weights(x)
        if isinstance(rows, torch.Tensor):
            rows = as_module_dtype(self, rows)
        return super().infer(rows, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Compute the criterion after checking the module's output count.

        A batch whose inputs `X` carry row weights, attached by ``fit``
        from its ``sample_weight``, gets the per-row losses multiplied by
        them, then averaged over the rows, or summed for a criterion with
        ``reduction="sum"``.

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
            of classes that fit encoded, or if the criterion returns no
            per-row losses for weighted rows.
        """
        self._check_output_count(y_pred)
        rows, sample_weight = detach_weights(X)
        if sample_weight is None:
            return super().get_loss(y_pred, y_true, X=rows, training=training)

        criterion = self.criterion_
        reduction = criterion.reduction
        criterion.reduction = "none"
        try:
            losses = super().get_loss(y_pred, y_true, X=rows, training=training)
        finally:
            criterion.reduction = reduction

        weighted = _weight_losses(losses, sample_weight, criterion)
        if reduction == "sum":
            return weighted.sum()
        return weighted.mean()

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

    def _validate_training_data(self, X, y, *, reset, classes=None, sample_weight=None):
        """Return `X`, `y` and `sample_weight` as skorch receives them."""
        if _passes_through(X) or self._takes_packed_targets():
            if reset:
                vars(self).pop("_label_classes_", None)
        if _passes_through(X):
            _check_no_weights_for(X, sample_weight)
            return X, y, None

        if y is not None and not self._takes_packed_targets():
            # Before validate_data, which turns [1, "a"] into ["1", "a"].
            check_label_types(y)
        previous_features = {
            name: value
            for name, value in vars(self).items()
            if name in ("n_features_in_", "feature_names_in_")
        }
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=row_dtype(self),
            allow_nd=True,
            multi_output=self._takes_packed_targets(),
        )
        X = _writeable(X)
        try:
            sample_weight = _validate_sample_weight(sample_weight, X)
            if not self._takes_packed_targets():
                y_encoded = self._encode_labels(y, reset=reset, classes=classes)
                y = self._convert_labels(y_encoded)
            self._check_module_sizes(X)
            if reset:
                self._check_kept_module_features(X)
        except ValueError:
            # validate_data recorded the features of data that fit rejects,
            # so the features of the previous fit are put back.
            if reset:
                vars(self).pop("n_features_in_", None)
                vars(self).pop("feature_names_in_", None)
                vars(self).update(previous_features)
            raise
        return X, y, sample_weight

    def _check_kept_module_features(self, X):
        """Raise if ``warm_start`` keeps a module built for another number of features.

        ``fit`` rebuilds a module built from :class:`MLPModule` when the
        number of features changes, and keeps any other module.
        """
        data_dimensions = getattr(self, "_data_dimensions", None)
        if not self.warm_start or not self.initialized_ or data_dimensions is None:
            return
        if builds_mlp_module(self) and isinstance(self.module_, MLPModule):
            return

        n_fitted_features = data_dimensions[0]
        n_features = math.prod(X.shape[1:])
        if n_features == n_fitted_features:
            return
        raise ValueError(
            f"{type(self).__name__} was fitted on rows of {n_fitted_features} "
            f"features, and warm_start=True keeps its module, but the rows of X "
            f"have {n_features} features. Set warm_start=False to build a new "
            f"module, or pass X with the {n_fitted_features} features of the "
            "previous fit."
        )

    def _check_module_sizes(self, X):
        """Raise if MLPModule sizes set through ``module__*`` differ from the data."""
        if not builds_mlp_module(self):
            return
        module_params = self.get_params_for("module")
        name = type(self).__name__

        n_features = module_params.get("n_features")
        n_data_features = math.prod(X.shape[1:])
        if _is_int(n_features) and n_features != n_data_features:
            raise ValueError(
                f"The module__n_features parameter of {name} is {n_features!r}, "
                f"but the rows of X have {n_data_features} features. Remove "
                "module__n_features, so that fit takes the number of features "
                f"from X, or pass X with {n_features} features."
            )

        n_outputs = module_params.get("n_outputs")
        label_classes = getattr(self, "_label_classes_", None)
        if (
            not _is_int(n_outputs)
            or label_classes is None
            or isinstance(self, NeuralNetBinaryClassifier)
            or n_outputs == label_classes.size
        ):
            return
        raise ValueError(
            f"The module__n_outputs parameter of {name} is {n_outputs!r}, but "
            f"it is trained on {label_classes.size} classes "
            f"{label_classes.tolist()!r}, and its module needs one output per "
            "class. Remove module__n_outputs, so that fit takes the number of "
            f"classes from y, or pass y with {n_outputs} classes."
        )

    def _validate_predict_data(self, X):
        check_is_fitted(self)
        if _passes_through(X):
            return X
        return self._validate_features(X, reset=False)

    def _validate_features(self, X, *, reset):
        X = validate_data(self, X, reset=reset, dtype=row_dtype(self), allow_nd=True)
        return _writeable(X)

    def _takes_packed_targets(self):
        """Return whether the criterion is a DistillationLoss, whose y is 2-D."""
        criterion = self.criterion
        if isinstance(criterion, type):
            return issubclass(criterion, DistillationLoss)
        return isinstance(criterion, DistillationLoss)

    def _convert_labels(self, y_encoded):
        """Cast class positions to the dtype the criterion takes.

        ``BCEWithLogitsLoss`` of a binary net takes float targets, in the
        dtype of the logits because torch returns a float32 loss for float32
        targets, and ``CrossEntropyLoss`` and ``NLLLoss`` take int64 class
        positions.
        """
        if isinstance(self, NeuralNetBinaryClassifier):
            return y_encoded.astype(row_dtype(self))
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


def _check_no_weights_for(X, sample_weight):
    """Raise if `sample_weight` comes with `X` that skorch receives unchanged."""
    if sample_weight is None:
        return
    raise ValueError(
        "sample_weight is supported only with X as an array-like, but X is a "
        f"{type(X).__name__}, which goes to skorch unchanged. Pass X as an "
        "array or a DataFrame to weight its rows."
    )


def _validate_sample_weight(sample_weight, X):
    """Check `sample_weight` as DistillationClassifier does; scale it to mean 1.

    Returns weights in the dtype of `X`, or None. Scaling to mean 1 keeps
    the loss on the scale of the unweighted loss and brings weights beyond
    the float32 range into it.
    """
    if sample_weight is None:
        return None
    sample_weight = check_sample_weight_shape(sample_weight, X.shape[0])
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, allow_all_zero_weights=True
    )
    check_sample_weight_values(sample_weight)
    return scale_to_unit_mean(sample_weight).astype(X.dtype)


def _weight_losses(losses, sample_weight, criterion):
    """Multiply the per-row `losses` of a batch by the rows' weights."""
    n_rows = len(sample_weight)
    if losses.dim() == 0 or losses.shape[0] != n_rows:
        raise ValueError(
            f"{type(criterion).__name__} returned a loss of shape "
            f"{tuple(losses.shape)} with reduction='none', but weighting "
            f"{n_rows} rows needs one loss per row. Use a criterion that "
            "returns per-row losses with reduction='none', or fit without "
            "sample_weight."
        )
    weights = torch.as_tensor(sample_weight, device=losses.device)
    # Losses of shape (n_rows, ...), such as those of a per-pixel loss,
    # get their row's weight on every element.
    weights = weights.to(losses.dtype).reshape(-1, *[1] * (losses.dim() - 1))
    return weights * losses


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

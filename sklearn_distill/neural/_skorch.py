"""skorch nets as students and teachers of DistillationClassifier.

A skorch student is trained with :class:`DistillationLoss`. The teacher's
log-scores, the row weights and the true labels are packed into the targets
of a skorch ``Dataset``, and the labels alone go to ``fit`` as ``y``, so that
skorch's stratified validation split and ``classes_`` use the hard labels. A
skorch teacher is scored from its module's logits.
"""

from contextlib import contextmanager
from functools import partial

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.utils import _safe_indexing
from skorch import NeuralNetBinaryClassifier
from skorch.callbacks import BatchScoring, EpochScoring
from skorch.dataset import Dataset
from skorch.utils import _identity, _sigmoid_then_2d, to_numpy

from .._soft_targets import log_softmax, proba_to_log_scores
from ._loss import DistillationLoss, distillation_targets, hard_labels
from ._modules import missing_mlp_dimensions

#: Criterion parameters that the distillation replaces with its own values.
_DISTILLATION_PARAMS = ("alpha", "temperature", "input_type")


def fit_skorch_student(
    student, X, soft_targets, y_encoded, *, alpha, temperature, sample_weight=None
):
    """Fit a skorch net in place on soft targets and labels with DistillationLoss.

    A student with a ``random_state`` parameter, such as the package's nets,
    is initialised, probed and trained with torch's generators seeded by it,
    and the generators are restored afterwards. Any other student draws from
    torch's global generators.

    Parameters
    ----------
    student : skorch.NeuralNetClassifier or skorch.NeuralNetBinaryClassifier
        Unfitted clone of the student. Its criterion is replaced by
        :class:`DistillationLoss`, whose `input_type` follows the original
        criterion, and its ``predict_proba`` is set to return probabilities.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training rows, converted to the dtype of the student's module
        parameters, float32 unless the module is float64.
    soft_targets : ndarray of shape (n_samples, n_classes)
        Teacher's probabilities at `temperature`.
    y_encoded : ndarray of shape (n_samples,)
        Class positions of the true labels.
    alpha : float
        Weight of the soft term.
    temperature : float
        Distillation temperature.
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative row weights, at least one of them positive, which
        multiply each row's loss. They are divided by their mean, so that
        the loss of a full batch is ``sum(w_i * loss_i) / sum(w_i)``. None
        weighs every row 1.

    Returns
    -------
    student : skorch net
        The fitted student. Its ``training_temperature_`` is `temperature`,
        the divisor of its logits in the soft term.
    """
    _check_no_student_temperature(student, temperature)
    input_type = module_output_type(student)
    _check_binary_classes(student, soft_targets.shape[1])
    # initialize() below builds the module before any data reaches it, so an
    # MLPModule gets its sizes here. The number of classes is the
    # distillation's, not the width of the packed targets.
    dimensions = missing_mlp_dimensions(student, X.shape[1], soft_targets.shape[1])
    if dimensions:
        student.set_params(**{f"module__{name}": n for name, n in dimensions.items()})

    # softmax(T * log(p) / T) = p, so these log-scores reproduce the soft
    # targets inside the criterion; a probability of 0 becomes -inf, which
    # the criterion treats as 0 * log 0 = 0.
    with np.errstate(divide="ignore"):
        teacher_log_scores = temperature * np.log(soft_targets)
    if sample_weight is not None:
        sample_weight = scale_to_unit_mean(sample_weight)

    _configure_criterion(student, alpha, temperature, input_type)
    with seeded_torch(_own_seed(student), device=student.device):
        student.initialize()
        _score_on_hard_labels(student)
        # A module whose criterion expects probabilities but that returns other
        # values would train on clipped outputs, so it is rejected before
        # training. So is a module of the wrong width: DistillationLoss reads
        # the layout of the targets from the number of module outputs.
        probe_rows = _safe_indexing(X, np.arange(min(64, X.shape[0])))
        _check_output_width(skorch_logits(student, probe_rows), soft_targets.shape[1])

        # Packed after initialize, which sets the module's dtype, so that the
        # targets and weights are not rounded to float32 for a float64 module.
        targets = distillation_targets(
            teacher_log_scores, y_encoded, sample_weight, dtype=row_dtype(student)
        )
        student.partial_fit(
            Dataset(as_module_dtype(student, X), targets),
            _split_labels(student, y_encoded),
        )
    student.training_temperature_ = float(temperature)
    return student


def _own_seed(student):
    """Return the validated ``random_state`` of `student`, or None if it has none.

    The package's nets check their parameters here, before the seed reaches
    torch, because their own check runs only in ``partial_fit``.
    """
    if "random_state" not in student.get_params(deep=False):
        return None
    check_parameters = getattr(student, "_check_parameter_constraints", None)
    if check_parameters is not None:
        check_parameters()
    return student.random_state


@contextmanager
def seeded_torch(seed, *, device=None):
    """Seed torch's generators with `seed` inside the block and restore them after.

    The global CPU generator, and that of `device` if it is a CUDA device,
    are seeded on entry and restored on exit, so the caller's random numbers
    are the same as without the block. A `seed` of None leaves the
    generators untouched, so the block draws from them as usual.

    Parameters
    ----------
    seed : int or None
        Seed, 0 or more; a NumPy integer is converted with ``int``.
    device : str, torch.device or None, default=None
        Device whose generator is seeded besides the CPU's.
    """
    if seed is None:
        yield
        return

    seed = int(seed)
    with restored_torch_generators(device=device) as cuda_index:
        torch.random.default_generator.manual_seed(seed)
        if cuda_index is not None:
            # NOTE: this CUDA branch has not yet run on a GPU.
            torch.cuda.default_generators[cuda_index].manual_seed(seed)
        yield


@contextmanager
def restored_torch_generators(*, device=None):
    """Restore torch's CPU generator, and that of a CUDA `device`, after the block.

    Inference runs inside this block, because skorch's data loader draws a
    seed from the global generator on every pass. A module that draws random
    numbers at inference gets the same ones on every call that starts from
    the same generator state.

    Yields
    ------
    cuda_index : int or None
        Index of the CUDA device whose generator is restored, None for any
        other device.
    """
    # NOTE: torch's global generators are shared by all threads, so a thread
    # that draws from them inside the block changes the block's random
    # numbers, and the restore on exit undoes its draws.
    cuda_index = _cuda_device_index(device)
    cuda_devices = [] if cuda_index is None else [cuda_index]
    with torch.random.fork_rng(devices=cuda_devices, device_type="cuda"):
        yield cuda_index


def _cuda_device_index(device):
    """Return the index of the CUDA device `device`, or None for another device."""
    if device is None:
        return None
    device = torch.device(device)
    if device.type != "cuda":
        return None
    if device.index is None:
        return torch.cuda.current_device()
    return device.index


def scale_to_unit_mean(sample_weight):
    """Divide row weights by their mean, or return them unchanged if all are 0.

    DistillationLoss averages the weighted losses of a batch over its rows.
    Weights of mean 1 keep the loss on the scale of the unweighted loss, and
    a full batch then gives the mean loss over the rows repeated as many
    times as their integer weights. The division also brings weights beyond
    the float32 range, in which the targets of a float32 module are packed,
    back into it.
    """
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    largest = sample_weight.max()
    if largest == 0:
        return sample_weight
    # Dividing by the largest weight first keeps the mean from overflowing.
    relative = sample_weight / largest
    return relative / relative.mean()


def skorch_student_predict_proba(student, X, n_classes):
    """Return a fitted skorch student's probabilities over class positions.

    Parameters
    ----------
    student : skorch net
        Student fitted by :func:`fit_skorch_student`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows to predict, converted to the dtype of the module parameters.
    n_classes : int
        Number of classes of the distillation problem.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Probabilities in [0, 1] whose rows sum to 1, computed in float64.

    Raises
    ------
    ValueError
        If the module does not return one column per class.
    """
    logits = skorch_logits(student, X)
    _check_output_width(logits, n_classes)
    return np.exp(log_softmax(logits))


def _check_output_width(logits, n_classes):
    if logits.shape[1] != n_classes:
        raise ValueError(
            f"The skorch student's module returns {logits.shape[1]} columns, but "
            f"y has {n_classes} classes. Give the module one output per class, "
            "or one output for a NeuralNetBinaryClassifier."
        )


def skorch_logits(net, X):
    """Compute a fitted skorch classifier's per-class logits as float64.

    torch's global generators are restored afterwards, so scoring leaves the
    caller's random numbers as they were.

    Parameters
    ----------
    net : skorch net or FrozenEstimator of one
        Fitted ``NeuralNetClassifier`` or ``NeuralNetBinaryClassifier``
        whose criterion is supported by :func:`module_output_type`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows, converted to the dtype of the module parameters.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_classes)
        The module's logits; for probabilities, their logs floored as in
        :func:`~sklearn_distill._soft_targets.proba_to_log_scores`; for one
        binary logit ``d``, the columns ``[-d / 2, d / 2]``.
    """
    net = unwrap_frozen(net)
    input_type = module_output_type(net)
    with restored_torch_generators(device=net.device):
        output = net.forward(as_module_dtype(net, X), training=False, device="cpu")
    if isinstance(output, tuple):
        output = output[0]
    output = to_numpy(output).astype(np.float64)

    if input_type == "binary_logit":
        half = output.reshape(-1) / 2.0
        return np.column_stack([-half, half])
    if input_type == "binary_proba":
        positive = output.reshape(-1)
        _check_probabilities(net, np.column_stack([1.0 - positive, positive]))
        return proba_to_log_scores(np.column_stack([1.0 - positive, positive]))
    if input_type == "proba":
        _check_probabilities(net, output)
        return proba_to_log_scores(output)
    return output


def _check_probabilities(net, output):
    """Raise unless a module whose criterion takes probabilities returns them."""
    in_range = np.all((output >= 0) & (output <= 1))
    normalised = np.allclose(output.sum(axis=1), 1.0, atol=1e-3)
    if in_range and normalised:
        return
    raise ValueError(
        f"The module of {type(net).__name__} returns values that are not "
        f"probabilities (from {output.min():.3g} to {output.max():.3g}, rows "
        f"summing to {output.sum(axis=1).min():.3g} to "
        f"{output.sum(axis=1).max():.3g}), but its criterion, such as skorch's "
        "default NLLLoss, takes probabilities. End the module with a softmax "
        "(a sigmoid for one output), or set criterion=torch.nn.CrossEntropyLoss "
        "(BCEWithLogitsLoss for one output) for a module that returns logits."
    )


def module_output_type(net):
    """Name what a skorch classifier's module returns, from its criterion.

    Parameters
    ----------
    net : skorch net
        Fitted or unfitted ``NeuralNetClassifier`` or
        ``NeuralNetBinaryClassifier``.

    Returns
    -------
    input_type : {"logits", "proba", "binary_logit", "binary_proba"}
        ``"logits"`` for ``CrossEntropyLoss``; ``"proba"`` for ``NLLLoss``,
        whose module returns probabilities in skorch; ``"binary_logit"`` for
        ``BCEWithLogitsLoss``; ``"binary_proba"`` for ``BCELoss``; and the
        ``input_type`` of a :class:`DistillationLoss`.

    Raises
    ------
    ValueError
        If the criterion is none of these.
    """
    criterion = getattr(net, "criterion_", net.criterion)
    criterion_type = criterion if isinstance(criterion, type) else type(criterion)
    binary = isinstance(net, NeuralNetBinaryClassifier)

    if issubclass(criterion_type, DistillationLoss):
        if isinstance(criterion, DistillationLoss):
            return criterion.input_type
        return net.get_params().get("criterion__input_type", "logits")
    if binary and issubclass(criterion_type, torch.nn.BCEWithLogitsLoss):
        return "binary_logit"
    if binary and issubclass(criterion_type, torch.nn.BCELoss):
        return "binary_proba"
    if not binary and issubclass(criterion_type, torch.nn.CrossEntropyLoss):
        return "logits"
    if not binary and issubclass(criterion_type, torch.nn.NLLLoss):
        return "proba"

    expected = (
        "BCEWithLogitsLoss, BCELoss or DistillationLoss"
        if binary
        else "CrossEntropyLoss (module returns logits), NLLLoss (module returns "
        "probabilities) or DistillationLoss"
    )
    raise ValueError(
        f"The skorch net {type(net).__name__} uses the criterion "
        f"{criterion_type.__name__}, which does not tell what its module returns, "
        f"so it cannot be distilled. Use {expected}."
    )


def unwrap_frozen(estimator):
    """Return the estimator inside a FrozenEstimator, or `estimator` itself."""
    if isinstance(estimator, FrozenEstimator):
        return estimator.estimator
    return estimator


def module_dtype(net):
    """Return the floating dtype of a skorch net's module parameters.

    Rows go to the module in this dtype, as torch's own layers require.

    Parameters
    ----------
    net : skorch net
        Fitted or unfitted net.

    Returns
    -------
    dtype : torch.dtype
        The dtype of the first floating parameter of ``module_`` once the
        net is initialised. Before that, the ``module__dtype`` parameter if
        it is a floating torch dtype, or the dtype of a ``module`` passed as
        an instance. float32 for a module without floating parameters and
        in every other case.
    """
    module = getattr(net, "module_", None)
    if isinstance(module, torch.nn.Module):
        return _parameter_dtype(module)

    dtype = net.get_params_for("module").get("dtype")
    if isinstance(dtype, torch.dtype) and dtype.is_floating_point:
        return dtype
    if isinstance(net.module, torch.nn.Module):
        return _parameter_dtype(net.module)
    return torch.float32


def _parameter_dtype(module):
    dtype = _first_floating_dtype(module)
    return torch.float32 if dtype is None else dtype


def _first_floating_dtype(module):
    """Return the dtype of the first floating parameter of `module`, or None."""
    for parameter in module.parameters():
        if parameter.is_floating_point():
            return parameter.dtype
    return None


def row_dtype(net):
    """Return the NumPy dtype of the rows, targets and weights of `net`'s module.

    float64 for a float64 module, float32 for any other. Rows reach a
    module of another floating dtype, such as float16, as float32, and
    ``infer`` of the package's nets converts each batch to it.
    """
    if module_dtype(net) == torch.float64:
        return np.dtype(np.float64)
    return np.dtype(np.float32)


def as_module_dtype(net, X):
    """Convert rows to the dtype in which `net`'s module takes them.

    Parameters
    ----------
    net : skorch net
        Net whose :func:`module_dtype` decides the dtype.
    X : {array-like, sparse matrix, torch.Tensor} of shape (n_samples, ...)
        Rows, DataFrames included.

    Returns
    -------
    X_net : ndarray, CSR matrix or torch.Tensor
        A contiguous, writeable array or a CSR matrix of dtype
        :func:`row_dtype`, or, for a floating tensor, the tensor in
        :func:`module_dtype`. Other tensors are returned unchanged.
    """
    if isinstance(X, torch.Tensor):
        dtype = module_dtype(net)
        if not X.is_floating_point() or X.dtype == dtype:
            return X
        return X.to(dtype)
    dtype = row_dtype(net)
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=dtype)
    X = np.ascontiguousarray(np.asarray(X, dtype=dtype))
    # Rows already in the module's dtype are not copied, and torch warns
    # about read-only arrays, such as memory maps.
    return X if X.flags.writeable else X.copy()


def _check_no_student_temperature(student, temperature):
    student_temperature = getattr(student, "temperature", 1.0)
    if student_temperature != 1.0:
        raise ValueError(
            f"The student {type(student).__name__} has temperature="
            f"{student_temperature!r}, but DistillationClassifier already divides "
            f"the student's logits by its own temperature ({temperature!r}) in "
            "the soft term, so they would be divided twice. Set the student's "
            "temperature to 1 and DistillationClassifier's temperature to the "
            "training temperature."
        )


def _check_binary_classes(student, n_classes):
    if isinstance(student, NeuralNetBinaryClassifier) and n_classes != 2:
        raise ValueError(
            f"The student {type(student).__name__} predicts two classes, but y "
            f"has {n_classes} classes. Use a NeuralNetClassifier with one output "
            "per class."
        )


def _configure_criterion(student, alpha, temperature, input_type):
    """Replace the student's criterion by DistillationLoss on its output type."""
    params = student.get_params(deep=False)
    foreign = sorted(
        name
        for name in params
        if name.startswith("criterion__")
        and name.removeprefix("criterion__") not in _DISTILLATION_PARAMS
    )
    if foreign:
        raise ValueError(
            f"The skorch student sets {foreign}, but its criterion is replaced by "
            "DistillationLoss, which does not take these parameters. Remove them "
            "from the student."
        )

    if input_type == "binary_proba":
        raise ValueError(
            f"The skorch student {type(student).__name__} uses BCELoss, so its "
            "module returns probabilities, which DistillationLoss cannot take for "
            "a single output. Return the logit and use BCEWithLogitsLoss."
        )

    student.set_params(
        criterion=DistillationLoss,
        criterion__alpha=alpha,
        criterion__temperature=temperature,
        criterion__input_type=input_type,
        predict_nonlinearity=_PREDICT_NONLINEARITIES[input_type],
    )


# The same callables as skorch's "auto" choice, so that code which inspects a
# net's nonlinearity, such as the ART adaptor, recognises them.
_PREDICT_NONLINEARITIES = {
    "logits": partial(torch.softmax, dim=-1),
    "proba": _identity,
    "binary_logit": _sigmoid_then_2d,
}


def _score_on_hard_labels(student):
    """Make scoring callbacks compare predictions with the labels alone.

    Batches carry packed targets, so scoring callbacks that read them, such
    as skorch's default ``valid_acc``, get the label column instead.
    """
    for _, callback in student.callbacks_:
        is_scoring = isinstance(callback, EpochScoring | BatchScoring)
        if is_scoring and callback.target_extractor is to_numpy:
            callback.target_extractor = hard_labels


def net_fit_inputs(net, X, y_encoded):
    """Return the rows and labels a skorch net is fitted on.

    Parameters
    ----------
    net : skorch net
        Unfitted ``NeuralNetClassifier`` or ``NeuralNetBinaryClassifier``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows, DataFrames included.
    y_encoded : ndarray of shape (n_samples,)
        Class positions.

    Returns
    -------
    X_net : ndarray or CSR matrix
        The rows in the :func:`row_dtype` of the net's module, float32
        unless the module is float64.
    y_net : ndarray of shape (n_samples,)
        The class positions, int64 for ``NeuralNetClassifier`` and in the
        rows' dtype for ``NeuralNetBinaryClassifier``, as their losses
        expect them.
    """
    return as_module_dtype(net, X), _split_labels(net, y_encoded)


def _split_labels(student, y_encoded):
    """Cast the labels to the dtype the student's class expects for ``y``."""
    if isinstance(student, NeuralNetBinaryClassifier):
        return y_encoded.astype(row_dtype(student))
    return y_encoded.astype(np.int64)


def module_classes(net, n_columns, classes):
    """Return the label of each module output column of a fitted skorch net.

    Parameters
    ----------
    net : skorch net or FrozenEstimator of one
        Fitted classifier.
    n_columns : int
        Number of logit columns, as returned by :func:`skorch_logits`.
    classes : ndarray of shape (n_classes,)
        Labels of the distillation problem.

    Returns
    -------
    net_classes : ndarray of shape (n_columns,)
        `classes` itself when the net was fitted on the class positions
        ``0..n_columns - 1`` (skorch's losses need positions, and a
        ``NeuralNetBinaryClassifier`` always has classes ``[0, 1]``), so
        column ``j`` is ``classes[j]``. Otherwise the net's ``classes_``.
    """
    net = unwrap_frozen(net)
    if isinstance(net, NeuralNetBinaryClassifier):
        net_classes = np.arange(2)
    else:
        net_classes = np.asarray(net.classes_)

    is_positions = np.array_equal(net_classes, np.arange(n_columns))
    if is_positions and n_columns == len(classes):
        return np.asarray(classes)
    if net_classes.shape[0] != n_columns:
        raise ValueError(
            f"The skorch teacher's module returns {n_columns} columns, but the "
            f"teacher knows {net_classes.shape[0]} classes. Give the module one "
            "output per class."
        )
    return net_classes

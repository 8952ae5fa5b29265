"""Knowledge-distillation criterion for PyTorch and skorch."""

import numbers

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

INPUT_TYPES = ("logits", "proba", "binary_logit")
REDUCTIONS = ("mean", "sum", "none")


def distillation_loss(
    student_logits,
    teacher_log_scores,
    y,
    *,
    alpha=0.5,
    temperature=1.0,
    reduction="mean",
    sample_weight=None,
):
    """Compute the knowledge-distillation loss from logits.

    The loss is ``alpha * T**2 * KL(teacher_T || student_T) + (1 - alpha) *
    cross_entropy(student, y)``, where ``teacher_T`` and ``student_T`` are
    the softmax of the log-scores divided by the temperature ``T``. Both terms
    are computed from log-softmax values, and a teacher probability of exactly
    0 contributes 0 to the divergence (``0 * log 0 = 0``), so the loss is
    finite for one-hot teachers and for temperatures from 0.01 to 10,000.
    The soft term is computed in float64 and cast back to the dtype of
    `student_logits`, because at a high temperature the divergence is the
    small difference of two log-softmax values near ``-log(n_classes)``.
    float32 cannot resolve that difference, and ``T**2`` magnifies its
    rounding error.

    Parameters
    ----------
    student_logits : torch.Tensor of shape (n_samples, n_classes)
        Unnormalised log-scores of the student.
    teacher_log_scores : torch.Tensor of shape (n_samples, n_classes) or None
        Logits or log-probabilities of the teacher. ``-inf`` entries, the log
        of a probability of exactly 0, are allowed as long as every row has a
        finite entry. May be None when `alpha` is 0.
    y : torch.Tensor of shape (n_samples,) or None
        Class positions of the true labels. Converted to int64. May be None
        when `alpha` is 1.
    alpha : float, default=0.5
        Weight of the soft term, in [0, 1]. ``1 - alpha`` goes to the
        cross-entropy on `y`.
    temperature : float, default=1.0
        Softmax temperature ``T`` of the soft term, greater than 0. The soft
        term is multiplied by ``T**2`` so that its gradients keep the same
        scale as those of the hard term when ``T`` changes.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-sample losses are reduced. ``"mean"`` divides their sum
        by ``n_samples``, with or without `sample_weight`.
    sample_weight : torch.Tensor of shape (n_samples,), default=None
        Non-negative weight of each row's loss, which multiplies both terms,
        so that a row of weight 0 contributes 0. None weighs every row 1.

    Returns
    -------
    loss : torch.Tensor
        A scalar, or the per-sample losses of shape (n_samples,) when
        `reduction` is ``"none"``.

    Notes
    -----
    With `sample_weight`, ``"mean"`` returns ``sum(w_i * loss_i) /
    n_samples``, not ``sum(w_i * loss_i) / sum(w_i)``. In mini-batch
    training, dividing by the batch's total weight would give a batch of
    light rows the influence of a full batch. Dividing by the batch size
    keeps each row's share proportional to its weight in every batch, so the
    gradient of a random batch is an unbiased estimate of the gradient of the
    weighted loss of the whole training set. Scale the weights to a mean of
    1 over the training set to keep the loss on the scale of the unweighted
    one. A full batch then gives ``sum(w_i * loss_i) / sum(w_i)``, the mean
    loss over the rows repeated as many times as their integer weights.
    :class:`~sklearn_distill.DistillationClassifier` scales the weights so.

    References
    ----------
    G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a Neural
    Network", NIPS Deep Learning Workshop, 2015.

    Examples
    --------
    >>> import torch
    >>> from sklearn_distill.neural import distillation_loss
    >>> student = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> teacher = torch.log(torch.tensor([[1.0, 0.0], [0.3, 0.7]]))
    >>> y = torch.tensor([0, 1])
    >>> loss = distillation_loss(student, teacher, y, alpha=0.5, temperature=4.0)
    >>> bool(torch.isfinite(loss))
    True
    """
    if alpha > 0 and teacher_log_scores is None:
        raise ValueError(
            f"teacher_log_scores is None but alpha={alpha} gives the soft term a "
            "weight. Pass the teacher's log-scores, or set alpha=0."
        )
    if alpha < 1 and y is None:
        raise ValueError(
            f"y is None but alpha={alpha} gives the cross-entropy a weight. Pass "
            "the label positions, or set alpha=1."
        )

    per_sample = student_logits.new_zeros(student_logits.shape[0])

    if alpha > 0:
        soft = _soft_term(student_logits, teacher_log_scores, temperature)
        soft = alpha * temperature**2 * soft
        per_sample = per_sample + soft.to(student_logits.dtype)

    if alpha < 1:
        hard = F.cross_entropy(student_logits, y.long(), reduction="none")
        per_sample = per_sample + (1.0 - alpha) * hard

    if sample_weight is not None:
        per_sample = _weigh_rows(per_sample, sample_weight)

    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    return per_sample.mean()


def _weigh_rows(per_sample, sample_weight):
    """Multiply each row's loss by its weight."""
    if tuple(sample_weight.shape) != tuple(per_sample.shape):
        raise ValueError(
            f"sample_weight must have shape ({per_sample.shape[0]},), one weight "
            f"per row of student_logits; got shape {tuple(sample_weight.shape)}."
        )
    return sample_weight.to(per_sample.dtype) * per_sample


def _soft_term(student_logits, teacher_log_scores, temperature):
    """Return ``KL(teacher_T || student_T)`` for each sample, in float64.

    On MPS devices the dtype is float32. The gradient flows back to
    `student_logits` in their own dtype.
    """
    dtype = _accumulation_dtype(student_logits.device)
    student_logits = student_logits.to(dtype)
    teacher_log_scores = teacher_log_scores.to(dtype).detach()
    student_log_proba = F.log_softmax(student_logits / temperature, dim=1)
    teacher_log_proba = F.log_softmax(teacher_log_scores / temperature, dim=1)
    teacher_proba = teacher_log_proba.exp()

    # Zero probabilities get a log of 0 in place of -inf, so that their terms
    # are exactly 0 instead of 0 * inf = NaN.
    teacher_log_proba = torch.where(
        teacher_proba > 0, teacher_log_proba, torch.zeros_like(teacher_log_proba)
    )
    return (teacher_proba * (teacher_log_proba - student_log_proba)).sum(dim=1)


def _accumulation_dtype(device):
    """Return float64, or float32 on Apple's MPS devices, which lack float64."""
    # NOTE: the MPS branch is untested, and there the soft term keeps the
    # float32 rounding error that high temperatures magnify.
    if device.type == "mps":
        return torch.float32
    return torch.float64


#: dtypes in which distillation_targets packs its array.
TARGET_DTYPES = (np.float32, np.float64)


def distillation_targets(
    teacher_log_scores, y, sample_weight=None, *, dtype=np.float32
):
    """Pack a teacher's log-scores, the true labels and row weights into one array.

    :class:`DistillationLoss` reads this layout, so the array can be the
    target of a skorch net or of a :class:`torch.utils.data.Dataset`.

    Parameters
    ----------
    teacher_log_scores : array-like of shape (n_samples, n_classes)
        Logits or log-probabilities of the teacher, one column per class.
        ``-inf`` marks a probability of exactly 0.
    y : array-like of shape (n_samples,)
        Class positions of the true labels, integers in ``[0, n_classes)``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each row's loss: finite, 0 or more, and at most the
        largest value of `dtype`. See :func:`distillation_loss` for how the
        weights are reduced. None packs no weights, and every row weighs 1.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        dtype of the packed array. Pass ``numpy.float64`` for a float64
        student module, so that the log-scores and weights are not rounded
        to float32.

    Returns
    -------
    targets : ndarray of shape (n_samples, n_classes + 1) or \
            (n_samples, n_classes + 2)
        The log-scores, then the weight when `sample_weight` is given, and
        the label position in the last column, of dtype `dtype`.

    Raises
    ------
    ValueError
        If the shapes do not match, a label position is outside
        ``[0, n_classes)``, a weight is invalid or `dtype` is neither
        float32 nor float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.neural import distillation_targets
    >>> distillation_targets(np.log([[0.9, 0.1], [0.2, 0.8]]), [0, 1]).shape
    (2, 3)
    >>> distillation_targets(np.zeros((2, 2)), [0, 1], sample_weight=[2.0, 0.0])
    array([[0., 0., 2., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    """
    dtype = _check_target_dtype(dtype)
    teacher_log_scores = np.asarray(teacher_log_scores, dtype=dtype)
    y = np.asarray(y)

    if teacher_log_scores.ndim != 2 or y.shape != (teacher_log_scores.shape[0],):
        raise ValueError(
            "teacher_log_scores must have shape (n_samples, n_classes) and y "
            f"shape (n_samples,); got {teacher_log_scores.shape} and {y.shape}."
        )

    n_classes = teacher_log_scores.shape[1]
    if y.size and (y.min() < 0 or y.max() >= n_classes or np.any(y != np.round(y))):
        raise ValueError(
            f"y must contain class positions, integers in [0, {n_classes}), but "
            f"it contains values from {y.min()} to {y.max()}. Encode the labels "
            "with sklearn.preprocessing.LabelEncoder first."
        )

    columns = [teacher_log_scores]
    if sample_weight is not None:
        columns.append(_checked_weights(sample_weight, y.shape[0], dtype))
    columns.append(y.astype(dtype))
    return np.column_stack(columns)


def _check_target_dtype(dtype):
    """Return `dtype` as a NumPy dtype if it is float32 or float64."""
    # np.dtype(None) is float64, so None is rejected before the conversion.
    try:
        checked = None if dtype is None else np.dtype(dtype)
    except TypeError:
        checked = None
    if checked not in TARGET_DTYPES:
        raise ValueError(
            "The 'dtype' parameter of distillation_targets must be numpy.float32 "
            f"or numpy.float64. Got {dtype!r} instead. Pass numpy.float64 for a "
            "float64 student module, or leave it unset for float32."
        )
    return checked


def _checked_weights(sample_weight, n_samples, dtype):
    """Return `sample_weight` as `dtype` after checking its shape and values."""
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per row "
            f"of teacher_log_scores; got shape {sample_weight.shape}."
        )

    largest = float(np.finfo(dtype).max)
    invalid = ~np.isfinite(sample_weight) | (sample_weight < 0)
    invalid |= sample_weight > largest
    if np.any(invalid):
        row = np.flatnonzero(invalid)[0]
        raise ValueError(
            f"sample_weight must contain finite weights from 0 to {largest:.4g}, "
            f"the largest {dtype.name}, but row {row} weighs "
            f"{sample_weight[row].item()!r}. Pass weights of 0 or more, with 0 "
            "for a row to leave out, and divide them all by a common factor if "
            f"they exceed the {dtype.name} range."
        )
    return sample_weight.astype(dtype)


def hard_labels(targets):
    """Extract the label positions from targets built by `distillation_targets`.

    Pass it as ``target_extractor`` to skorch's scoring callbacks, such as
    ``EpochScoring``, so that accuracy is computed on the true labels.

    Parameters
    ----------
    targets : array-like or torch.Tensor of shape (n_samples, n_columns) \
            or (n_samples,)
        Packed targets, with or without weights, whose last column is the
        label position, or labels, which are returned as an array.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        Label positions, int64 when `targets` is packed.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_distill.neural import distillation_targets, hard_labels
    >>> hard_labels(distillation_targets(np.zeros((2, 3)), [2, 0]))
    array([2, 0])
    """
    if isinstance(targets, torch.Tensor):
        targets = targets.detach().cpu().numpy()
    targets = np.asarray(targets)
    if targets.ndim == 2:
        return targets[:, -1].astype(np.int64)
    return targets


class DistillationLoss(nn.Module):
    """Knowledge-distillation criterion usable as a skorch ``criterion``.

    Computes ``alpha * T**2 * KL(teacher_T || student_T) + (1 - alpha) *
    cross_entropy(student, y)`` in log space; see :func:`distillation_loss`.
    The student's output is converted to logits according to `input_type`,
    so the criterion works with the module conventions of skorch's
    ``NeuralNetClassifier`` and ``NeuralNetBinaryClassifier``.

    Parameters
    ----------
    alpha : float, default=0.5
        Weight of the soft term, in [0, 1].
    temperature : float, default=1.0
        Softmax temperature of the soft term, greater than 0.
    input_type : {"logits", "proba", "binary_logit"}, default="logits"
        What the student module returns: one logit per class; one
        probability per class, as with skorch's default ``NLLLoss``, whose
        logs are used as logits; or a single logit of the positive class,
        shape (n_samples,) or (n_samples, 1), as with skorch's
        ``NeuralNetBinaryClassifier``.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-sample losses are reduced.

    See Also
    --------
    distillation_targets : Build the targets this criterion reads.
    sklearn_distill.DistillationClassifier : Distil any teacher into a
        skorch student with this criterion.

    Notes
    -----
    The target passed to :meth:`forward` is either an array built by
    :func:`distillation_targets`, which gives both terms, or 1-D label
    positions, which give the plain cross-entropy (``alpha`` is then
    ignored). The second form lets validation data without a teacher be
    scored. Packed targets of shape (n_samples, n_classes + 2) carry a
    weight per row, which multiplies the row's loss, as `sample_weight` of
    :func:`distillation_loss` does. Targets of shape (n_samples, n_classes +
    1) weigh every row 1. The layout is read from the number of module
    outputs, so unweighted targets of a teacher with one class more than the
    module has outputs would be read as weighted targets: give the module
    one output per class of the teacher.

    skorch's ``predict_proba`` applies no softmax for criteria it does not
    know, so a net using this criterion on logits needs
    ``predict_nonlinearity=partial(torch.softmax, dim=-1)``.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from skorch.dataset import Dataset
    >>> from sklearn_distill.neural import DistillationLoss, distillation_targets
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(40, 3).astype("float32")
    >>> y = (X[:, 0] > 0.5).astype("int64")
    >>> teacher_logits = np.column_stack([-4 * X[:, 0], 4 * X[:, 0]])
    >>> targets = distillation_targets(teacher_logits, y)
    >>> net = NeuralNetClassifier(
    ...     torch.nn.Linear(3, 2), criterion=DistillationLoss,
    ...     criterion__alpha=0.7, criterion__temperature=2.0,
    ...     train_split=None, max_epochs=2, verbose=0,
    ... )
    >>> net = net.fit(Dataset(X, targets), y)
    >>> net.classes_
    array([0, 1])
    """

    def __init__(
        self, alpha=0.5, temperature=1.0, input_type="logits", reduction="mean"
    ):
        super().__init__()
        self.alpha = alpha
        self.temperature = temperature
        self.input_type = input_type
        self.reduction = reduction
        self._check_params()

    def _check_params(self):
        # A criterion is built by skorch's initialize, which runs at the start
        # of fit, so checking here reports bad values when fit starts.
        if not _is_real(self.alpha) or not 0 <= self.alpha <= 1:
            raise ValueError(
                "The 'alpha' parameter of DistillationLoss must be a float in the "
                f"range [0.0, 1.0]. Got {self.alpha!r} instead."
            )
        if not _is_real(self.temperature) or not self.temperature > 0:
            raise ValueError(
                "The 'temperature' parameter of DistillationLoss must be a float "
                f"in the range (0.0, inf). Got {self.temperature!r} instead."
            )
        if self.input_type not in INPUT_TYPES:
            options = _format_options(INPUT_TYPES)
            raise ValueError(
                "The 'input_type' parameter of DistillationLoss must be a str "
                f"among {options}. Got {self.input_type!r} instead."
            )
        if self.reduction not in REDUCTIONS:
            raise ValueError(
                "The 'reduction' parameter of DistillationLoss must be a str "
                f"among {_format_options(REDUCTIONS)}. Got {self.reduction!r} instead."
            )

    def student_logits(self, output):
        """Convert the student module's output to per-class logits.

        Parameters
        ----------
        output : torch.Tensor
            Output of the student module, as described by `input_type`.

        Returns
        -------
        logits : torch.Tensor of shape (n_samples, n_classes)
            Logits whose softmax is the student's probabilities.
        """
        if self.input_type == "proba":
            tiny = torch.finfo(output.dtype).tiny
            return torch.log(output.clamp_min(tiny))
        if self.input_type == "binary_logit":
            # softmax([-d / 2, d / 2]) is [1 - sigmoid(d), sigmoid(d)].
            half = output.reshape(-1, 1) / 2.0
            return torch.cat([-half, half], dim=1)
        return output

    def forward(self, input, target):
        """Compute the loss of a batch.

        Parameters
        ----------
        input : torch.Tensor
            Output of the student module, as described by `input_type`.
        target : torch.Tensor of shape (n_samples, n_classes + 1), \
                (n_samples, n_classes + 2) or (n_samples,)
            Targets built by :func:`distillation_targets`, without or with
            row weights, or label positions alone for the cross-entropy.

        Returns
        -------
        loss : torch.Tensor
            The reduced loss, or per-sample losses when `reduction` is
            ``"none"``.
        """
        logits = self.student_logits(input)
        n_classes = logits.shape[1]

        if target.ndim == 1:
            return distillation_loss(
                logits, None, target, alpha=0.0, reduction=self.reduction
            )

        if target.ndim != 2 or target.shape[1] not in (n_classes + 1, n_classes + 2):
            raise ValueError(
                f"DistillationLoss expects targets of shape (n_samples, "
                f"{n_classes + 1}) or, with row weights, (n_samples, "
                f"{n_classes + 2}) built by distillation_targets, or label "
                f"positions of shape (n_samples,), for a student with {n_classes} "
                f"classes; got shape {tuple(target.shape)}."
            )

        sample_weight = None
        if target.shape[1] == n_classes + 2:
            sample_weight = target[:, n_classes]
        return distillation_loss(
            logits,
            target[:, :n_classes],
            target[:, -1],
            alpha=self.alpha,
            temperature=self.temperature,
            reduction=self.reduction,
            sample_weight=sample_weight,
        )


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _format_options(options):
    """Format options as a set literal in sorted, reproducible order."""
    return "{" + ", ".join(repr(option) for option in sorted(options)) + "}"

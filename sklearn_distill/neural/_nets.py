"""skorch nets trained on adversarial batches or at a softmax temperature."""

from collections.abc import Mapping
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from .._compat import Interval, StrOptions
from ._attacks import fgsm_attack, pgd_attack
from ._contract import (
    _EstimatorContractMixin,
    attach_weights,
    detach_weights,
    is_value_range,
)
from ._loss import DistillationLoss
from ._modules import MLPModule
from ._skorch import as_module_dtype

ATTACKS = ("pgd", "fgsm")


class _AdversarialTrainingMixin:
    """Replace or mix every training batch with adversarial examples.

    The host class must be a skorch ``NeuralNet`` whose ``__init__`` stores
    the parameters ``attack``, ``eps``, ``step_size``, ``max_iter``,
    ``random_start``, ``clip_values`` and ``adversarial_weight``.
    """

    _own_parameter_constraints = {
        "attack": [StrOptions(set(ATTACKS))],
        "eps": [Interval(Real, 0, np.inf, closed="left")],
        "step_size": [Interval(Real, 0, np.inf, closed="neither"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_start": ["boolean"],
        "clip_values": [None, tuple, list],
        "adversarial_weight": [Interval(Real, 0, 1, closed="both")],
    }
    _parameter_value_checks = {
        "clip_values": (
            lambda value: value is None or is_value_range(value),
            "None or a pair (min, max) of floats with min < max",
        ),
    }

    def train_step_single(self, batch, **fit_params):
        """Compute the loss on adversarial inputs and update the gradients.

        The loss is ``adversarial_weight * L(X_adv) + (1 - adversarial_weight)
        * L(X)``, where ``X_adv`` maximises the training loss ``L`` within the
        ``eps`` ball around the batch ``X``, against the current weights.
        Row weights from the ``sample_weight`` of ``fit`` multiply the
        per-row losses of both terms, but the attack maximises the
        unweighted loss, so a row's weight changes how much it counts and
        not its adversarial example.

        Parameters
        ----------
        batch : tuple of (X, y)
            A batch returned by the data loader. ``X`` must be a tensor or an
            array, not a dict.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        step : dict
            ``{"loss": loss, "y_pred": y_pred}``; ``y_pred`` is the output on
            the clean inputs, or on the adversarial ones when
            ``adversarial_weight`` is 1.
        """
        if self.adversarial_weight == 0:
            return super().train_step_single(batch, **fit_params)

        Xi, yi = unpack_data(batch)
        Xi, sample_weight = detach_weights(Xi)
        if isinstance(Xi, Mapping):
            raise TypeError(
                f"{type(self).__name__} perturbs tensor inputs, but the batch "
                f"input is a dict with keys {sorted(Xi)}. Pass X as one array."
            )
        # The attack perturbs the rows in the dtype of the module's parameters.
        Xi = as_module_dtype(self, to_tensor(Xi, device=self.device))
        X_adv = self.generate_adversarial(Xi, yi, **fit_params)

        self._set_training(True)
        y_pred = self.infer(X_adv, **fit_params)
        loss = self.get_loss(
            y_pred, yi, X=attach_weights(X_adv, sample_weight), training=True
        )

        if self.adversarial_weight < 1:
            y_pred = self.infer(Xi, **fit_params)
            clean_loss = self.get_loss(
                y_pred, yi, X=attach_weights(Xi, sample_weight), training=True
            )
            loss = (
                self.adversarial_weight * loss
                + (1.0 - self.adversarial_weight) * clean_loss
            )

        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def generate_adversarial(self, X, y, **fit_params):
        """Perturb a batch to maximise the training loss of the current weights.

        The module is put in evaluation mode while the attack runs, so that
        dropout is off and batch-norm statistics are not updated.

        Parameters
        ----------
        X : torch.Tensor of shape (batch_size, ...)
            Clean inputs, on the net's device.
        y : torch.Tensor
            Batch targets, as the criterion takes them.
        **fit_params : dict
            Further parameters passed to the module's ``forward``.

        Returns
        -------
        X_adv : torch.Tensor
            Adversarial inputs of the shape of `X`.
        """
        self._set_training(False)

        def model(inputs):
            return self.infer(inputs, **fit_params)

        def loss_fn(output, target):
            return self.get_loss(output, target, training=False)

        if self.attack == "fgsm":
            return fgsm_attack(
                model,
                X,
                y,
                eps=self.eps,
                clip_values=self.clip_values,
                loss_fn=loss_fn,
            )
        return pgd_attack(
            model,
            X,
            y,
            eps=self.eps,
            step_size=self.step_size,
            max_iter=self.max_iter,
            random_start=self.random_start,
            clip_values=self.clip_values,
            loss_fn=loss_fn,
        )


class AdversarialNetClassifier(
    _EstimatorContractMixin, _AdversarialTrainingMixin, NeuralNetClassifier
):
    """Neural net classifier (skorch) trained on adversarial batches.

    Every training batch is attacked against the current weights before the
    optimiser step, and the loss is taken on the adversarial inputs, mixed
    with the clean ones by `adversarial_weight`. The attack maximises the
    net's own criterion, so with :class:`DistillationLoss` and targets from
    :func:`distillation_targets` the net learns to match the teacher's soft
    labels of the clean inputs on adversarial inputs (adversarially robust
    distillation). Validation and prediction use the clean inputs.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLPModule
        The network, returning one logit per class. :class:`MLPModule`, or
        a subclass, gets the number of features and of classes from the
        training data; set its other parameters with ``module__*``, such as
        ``module__hidden_layer_sizes=(64, 64)``.
    criterion : torch criterion class or instance, \
            default=torch.nn.CrossEntropyLoss
        Training loss. The default expects a module that returns logits.
    attack : {"pgd", "fgsm"}, default="pgd"
        Attack that generates the adversarial batch: projected gradient
        descent (Madry et al., 2018) or the fast gradient sign method
        (Goodfellow et al., 2015), both in the L-infinity norm.
    eps : float, default=0.1
        Maximum change of any input value, in the units of ``X``.
    step_size : float, default=None
        PGD step size. None means ``2.5 * eps / max_iter``.
    max_iter : int, default=10
        Number of PGD steps. Ignored by FGSM.
    random_start : bool, default=True
        Whether PGD starts from a random point of the ``eps`` ball.
    clip_values : tuple of (float, float), default=None
        Minimum and maximum of valid input values, such as ``(0.0, 1.0)``
        for images scaled to [0, 1]. None means unbounded.
    adversarial_weight : float, default=1.0
        Weight of the loss on adversarial inputs, in [0, 1]; the loss on the
        clean batch gets ``1 - adversarial_weight``. 1 replaces every batch
        by its adversarial version, as Madry et al. do; 0.5 mixes them
        equally, as Goodfellow et al. do; 0 trains normally.
    random_state : int, default=None
        Seed of the random numbers that ``fit`` and ``partial_fit`` draw
        from torch: the module's initial weights, the order of the training
        rows with ``iterator_train__shuffle=True``, dropout masks and the
        random starts of PGD. Every call starts from the same seed, so two
        fits on the same data give the same net, and torch's global
        generators are restored afterwards. None draws from torch's global
        generators. Only the generators of the CPU and of a CUDA ``device``
        are seeded.
    **kwargs : dict
        Other parameters of skorch's ``NeuralNetClassifier``, such as
        ``max_epochs``, ``lr``, ``optimizer``, ``device`` or ``module__*``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``y`` during ``fit``, sorted, or the ``classes``
        parameter if set. Output column ``j`` of the module is the score
        of ``classes_[j]``.
    history_ : skorch.History
        Training history, as for every skorch net.
    n_iter_ : int
        Number of epochs trained since the module was initialised, that is
        ``len(history_)``.

    See Also
    --------
    pgd_attack : The attack run on every batch.
    sklearn_distill.DistillationClassifier : Use this net as a student to
        distil a teacher on adversarial inputs.

    Notes
    -----
    The attack runs in plain torch on the batch where it lies. ART's attacks
    take NumPy arrays and a loss of their own, so on every batch of a skorch
    fit they would copy the batch off the device, and they cannot maximise a
    distillation loss. PGD with ``max_iter`` steps costs about ``max_iter``
    extra forward and backward passes per batch.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn_distill.neural import AdversarialNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 4).astype("float32")
    >>> y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    >>> net = AdversarialNetClassifier(
    ...     torch.nn.Linear(4, 2), eps=0.05, max_iter=3, clip_values=(0.0, 1.0),
    ...     max_epochs=2, train_split=None, verbose=0,
    ... ).fit(X, y)
    >>> net.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        module=MLPModule,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        attack="pgd",
        eps=0.1,
        step_size=None,
        max_iter=10,
        random_start=True,
        clip_values=None,
        adversarial_weight=1.0,
        random_state=None,
        **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.attack = attack
        self.eps = eps
        self.step_size = step_size
        self.max_iter = max_iter
        self.random_start = random_start
        self.clip_values = clip_values
        self.adversarial_weight = adversarial_weight
        self.random_state = random_state

    def _get_predict_nonlinearity(self):
        return _logit_nonlinearity(self, super()._get_predict_nonlinearity())


class AdversarialNetBinaryClassifier(
    _EstimatorContractMixin, _AdversarialTrainingMixin, NeuralNetBinaryClassifier
):
    """Binary neural net classifier (skorch) trained on adversarial batches.

    The binary counterpart of :class:`AdversarialNetClassifier`: the module
    returns one logit per row, and every training batch is attacked against
    the current weights before the optimiser step.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLPModule
        The network, returning one logit per row. :class:`MLPModule`, or a
        subclass, gets the number of features from the training data and
        one output; set its other parameters with ``module__*``, such as
        ``module__hidden_layer_sizes=(64, 64)``.
    criterion : torch criterion class or instance, \
            default=torch.nn.BCEWithLogitsLoss
        Training loss on float targets: 0.0 for ``classes_[0]`` and 1.0
        for ``classes_[1]``.
    attack : {"pgd", "fgsm"}, default="pgd"
        Attack that generates the adversarial batch: projected gradient
        descent (Madry et al., 2018) or the fast gradient sign method
        (Goodfellow et al., 2015), both in the L-infinity norm.
    eps : float, default=0.1
        Maximum change of any input value, in the units of ``X``.
    step_size : float, default=None
        PGD step size. None means ``2.5 * eps / max_iter``.
    max_iter : int, default=10
        Number of PGD steps. Ignored by FGSM.
    random_start : bool, default=True
        Whether PGD starts from a random point of the ``eps`` ball.
    clip_values : tuple of (float, float), default=None
        Minimum and maximum of valid input values, such as ``(0.0, 1.0)``
        for images scaled to [0, 1]. None means unbounded.
    adversarial_weight : float, default=1.0
        Weight of the loss on adversarial inputs, in [0, 1]; the loss on the
        clean batch gets ``1 - adversarial_weight``. 1 replaces every batch
        by its adversarial version, as Madry et al. do; 0.5 mixes them
        equally, as Goodfellow et al. do; 0 trains normally.
    random_state : int, default=None
        Seed of the random numbers that ``fit`` and ``partial_fit`` draw
        from torch: the module's initial weights, the order of the training
        rows with ``iterator_train__shuffle=True``, dropout masks and the
        random starts of PGD. Every call starts from the same seed, so two
        fits on the same data give the same net, and torch's global
        generators are restored afterwards. None draws from torch's global
        generators. Only the generators of the CPU and of a CUDA ``device``
        are seeded.
    **kwargs : dict
        Other parameters of skorch's ``NeuralNetBinaryClassifier``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray of shape (2,)
        The two labels seen in ``y`` during ``fit``, sorted. The module's
        logit is the score of ``classes_[1]``, as in
        :class:`~sklearn.linear_model.LogisticRegression`.
    history_ : skorch.History
        Training history, as for every skorch net.
    n_iter_ : int
        Number of epochs trained since the module was initialised, that is
        ``len(history_)``.

    See Also
    --------
    AdversarialNetClassifier : The multi-class version.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn_distill.neural import AdversarialNetBinaryClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 4).astype("float32")
    >>> y = np.where(X[:, 0] + X[:, 1] > 1, "above", "below")
    >>> net = AdversarialNetBinaryClassifier(
    ...     torch.nn.Linear(4, 1), attack="fgsm", eps=0.05,
    ...     max_epochs=2, train_split=None, verbose=0,
    ... ).fit(X, y)
    >>> net.classes_.tolist()
    ['above', 'below']
    >>> net.predict_proba(X[:2]).shape
    (2, 2)
    >>> net.n_iter_
    2
    """

    def __init__(
        self,
        module=MLPModule,
        *,
        criterion=torch.nn.BCEWithLogitsLoss,
        attack="pgd",
        eps=0.1,
        step_size=None,
        max_iter=10,
        random_start=True,
        clip_values=None,
        adversarial_weight=1.0,
        random_state=None,
        **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.attack = attack
        self.eps = eps
        self.step_size = step_size
        self.max_iter = max_iter
        self.random_start = random_start
        self.clip_values = clip_values
        self.adversarial_weight = adversarial_weight
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # One logit separates two classes only; fit raises for more.
        tags.classifier_tags.multi_class = False
        return tags


class TemperatureNetClassifier(_EstimatorContractMixin, NeuralNetClassifier):
    """Neural net classifier (skorch) trained at a softmax temperature.

    During training, and for the validation loss, the module's logits are
    divided by `temperature` before the criterion. Prediction uses the
    logits as they are, that is temperature 1. This is how defensive
    distillation (Papernot et al., 2016) trains its teacher.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLPModule
        The network. It must return logits, one per class.
        :class:`MLPModule`, or a subclass, gets the number of features and
        of classes from the training data; set its other parameters with
        ``module__*``, such as ``module__hidden_layer_sizes=(64, 64)``.
    criterion : torch criterion class or instance, \
            default=torch.nn.CrossEntropyLoss
        Training loss on logits: ``CrossEntropyLoss`` or
        :class:`DistillationLoss` with ``input_type="logits"``.
    temperature : float, default=1.0
        Divisor of the logits during training, greater than 0.
    random_state : int, default=None
        Seed of the random numbers that ``fit`` and ``partial_fit`` draw
        from torch: the module's initial weights, the order of the training
        rows with ``iterator_train__shuffle=True`` and dropout masks. Every
        call starts from the same seed, so two fits on the same data give
        the same net, and torch's global generators are restored afterwards.
        None draws from torch's global generators. Only the generators of
        the CPU and of a CUDA ``device`` are seeded.
    **kwargs : dict
        Other parameters of skorch's ``NeuralNetClassifier``.

    Attributes
    ----------
    training_temperature_ : float
        The temperature the net was trained at. An attack on the deployed
        net should also be run on the logits divided by it, because the
        softmax at temperature 1 saturates and hides the gradients.
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``y`` during ``fit``, sorted, or the ``classes``
        parameter if set. Output column ``j`` of the module is the score
        of ``classes_[j]``.
    history_ : skorch.History
        Training history, as for every skorch net.
    n_iter_ : int
        Number of epochs trained since the module was initialised, that is
        ``len(history_)``.

    See Also
    --------
    sklearn_distill.DistillationClassifier : Defensive distillation takes
        this net as the teacher, a student returning logits, the same
        ``temperature`` and ``alpha=1``.
    TemperatureScaledModule : Divide the logits of the deployed net by
        ``training_temperature_`` for an adaptive attack.

    Notes
    -----
    Defensive distillation and standard knowledge distillation differ only
    in the teacher. In defensive distillation the teacher is this net at
    temperature ``T``, and ``DistillationClassifier(teacher, student,
    temperature=T, alpha=1.0)`` trains the student on the teacher's soft
    labels at ``T`` with its own logits divided by ``T`` (the criterion does
    that division), then predicts at temperature 1. In standard knowledge
    distillation the teacher is trained normally (temperature 1).

    The robustness that defensive distillation shows under attacks on the
    deployed net comes from saturated softmax outputs, whose gradients
    vanish, not from fewer adversarial examples (Carlini and Wagner, 2016).
    Attacks on the logits divided by ``training_temperature_`` remove that
    effect.

    References
    ----------
    N. Papernot, P. McDaniel, X. Wu, S. Jha and A. Swami, "Distillation as a
    Defense to Adversarial Perturbations against Deep Neural Networks", IEEE
    Symposium on Security and Privacy, 2016.

    N. Carlini and D. Wagner, "Defensive Distillation is Not Robust to
    Adversarial Examples", arXiv:1607.04311, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn_distill.neural import TemperatureNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 4).astype("float32")
    >>> y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    >>> net = TemperatureNetClassifier(
    ...     torch.nn.Linear(4, 2), temperature=20.0, max_epochs=2,
    ...     train_split=None, verbose=0,
    ... ).fit(X, y)
    >>> net.training_temperature_
    20.0
    """

    _own_parameter_constraints = {
        "temperature": [Interval(Real, 0, np.inf, closed="neither")],
    }

    def __init__(
        self,
        module=MLPModule,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        temperature=1.0,
        random_state=None,
        **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.temperature = temperature
        self.random_state = random_state

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Check the criterion and record the temperature when training starts.

        Parameters
        ----------
        net : skorch net
            The net being trained, that is ``self``.
        X : array-like, default=None
            Training rows passed to ``fit`` or ``partial_fit``.
        y : array-like, default=None
            Training labels passed to ``fit`` or ``partial_fit``.
        **kwargs : dict
            Further keyword arguments of skorch's callback hook.

        Returns
        -------
        result : object
            What skorch's own ``on_train_begin`` returns.

        Raises
        ------
        ValueError
            If the criterion does not take logits.
        """
        self._check_logit_criterion()

        self.training_temperature_ = float(self.temperature)
        return super().on_train_begin(net, X=X, y=y, **kwargs)

    def _check_logit_criterion(self):
        criterion = self.criterion_
        takes_logits = isinstance(criterion, torch.nn.CrossEntropyLoss) or (
            isinstance(criterion, DistillationLoss) and criterion.input_type == "logits"
        )
        if not takes_logits:
            raise ValueError(
                "TemperatureNetClassifier divides the module's logits by the "
                "temperature, so its criterion must take logits, but it is "
                f"{type(criterion).__name__}. Use torch.nn.CrossEntropyLoss or "
                "DistillationLoss(input_type='logits')."
            )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Compute the criterion on the logits divided by `temperature`.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (n_samples, n_classes)
            Logits returned by the module.
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
        """
        scaled = y_pred / self.training_temperature_
        return super().get_loss(scaled, y_true, X=X, training=training)

    def _get_predict_nonlinearity(self):
        return _logit_nonlinearity(self, super()._get_predict_nonlinearity())


def _logit_nonlinearity(net, nonlinearity):
    """Use a softmax for a DistillationLoss on logits, which skorch cannot infer."""
    criterion = getattr(net, "criterion_", None)
    if (
        net.predict_nonlinearity == "auto"
        and isinstance(criterion, DistillationLoss)
        and criterion.input_type == "logits"
    ):
        return partial(torch.softmax, dim=-1)
    return nonlinearity

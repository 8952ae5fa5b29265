"""Torch modules: the nets' default network, and a temperature wrapper for attacks."""

import itertools
import math
import numbers

import torch
from skorch import NeuralNetBinaryClassifier
from torch import nn


class TemperatureScaledModule(nn.Module):
    """Wrap a module so that its logits are divided by a temperature.

    Attacking a net trained at temperature ``T`` through this wrapper, with
    ``temperature=T``, is the adaptive attack on defensive distillation: the
    softmax of the logits divided by ``T`` does not saturate, so its loss
    gradients do not vanish as they do at temperature 1.

    Parameters
    ----------
    module : torch.nn.Module
        Network that returns logits. Its parameters are shared, not copied.
    temperature : float
        Divisor of the logits, greater than 0.

    See Also
    --------
    TemperatureNetClassifier : Net trained at a temperature, whose
        ``training_temperature_`` gives the value to use here.

    Examples
    --------
    >>> import torch
    >>> from sklearn_distill.neural import TemperatureScaledModule
    >>> linear = torch.nn.Linear(2, 3)
    >>> scaled = TemperatureScaledModule(linear, temperature=20.0)
    >>> X = torch.ones(1, 2)
    >>> bool(torch.allclose(scaled(X), linear(X) / 20.0))
    True
    """

    def __init__(self, module, temperature):
        super().__init__()
        is_real = isinstance(temperature, numbers.Real) and not isinstance(
            temperature, bool
        )
        if not is_real or not 0 < temperature < float("inf"):
            raise ValueError(
                "The 'temperature' parameter of TemperatureScaledModule must be a "
                f"float in the range (0.0, inf). Got {temperature!r} instead."
            )
        self.module = module
        self.temperature = float(temperature)

    def forward(self, *args, **kwargs):
        """Compute the wrapped module's output divided by `temperature`.

        Parameters
        ----------
        *args : tuple
            Positional inputs of the wrapped module.
        **kwargs : dict
            Keyword inputs of the wrapped module.

        Returns
        -------
        logits : torch.Tensor
            The wrapped module's logits divided by `temperature`.
        """
        return self.module(*args, **kwargs) / self.temperature


#: Activation functions of the hidden layers, by the names that
#: :class:`sklearn.neural_network.MLPClassifier` uses.
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


class MLPModule(nn.Module):
    """Multi-layer perceptron that returns one logit per output.

    The default module of :class:`AdversarialNetClassifier`,
    :class:`AdversarialNetBinaryClassifier` and
    :class:`TemperatureNetClassifier`, as
    :class:`~sklearn.neural_network.MLPClassifier` has a default network:
    fully connected hidden layers with the same activation, then a linear
    output layer without one. Rows with more than one dimension, such as
    images, are flattened first.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Number of units of each hidden layer, each greater than 0. An empty
        sequence gives a linear model.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers: no change, the sigmoid, the
        hyperbolic tangent or the rectified linear unit.
    n_features : int, default=None
        Number of input features, that is the product of a row's
        dimensions. The nets of this package set it from the training
        data, so only another skorch net, or input that skorch receives
        unchanged (a dict, a ``torch.utils.data.Dataset`` or a tensor),
        needs it through ``module__n_features``.
    n_outputs : int, default=None
        Number of logits per row: the number of classes, or 1 for a binary
        net. The nets of this package set it from the classes, so only
        another skorch net, input that skorch receives unchanged, or targets
        packed for :class:`DistillationLoss` need it through
        ``module__n_outputs``.
    random_state : int, default=None
        Seed of the initial weights, which leaves the state of the global
        torch generator unchanged. None draws the weights from the global
        torch generator, as :class:`torch.nn.Linear` does.
    dtype : {torch.float32, torch.float64}, default=torch.float32
        Floating dtype of the weights, passed to :class:`torch.nn.Linear`
        as its factory keyword. The nets of this package convert rows to
        the dtype of their module's parameters, so
        ``module__dtype=torch.float64`` trains and predicts in float64.
        Strings such as ``"float64"`` are rejected, as torch rejects them.

    Attributes
    ----------
    layers : torch.nn.Sequential
        The linear layers and their activations.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The scikit-learn network whose
        parameter names this module takes.

    Notes
    -----
    A net whose ``module`` is this class, or a subclass, passes
    `n_features` and `n_outputs` to it when it builds the module at the
    start of ``fit``, unless they are set through ``module__n_features`` and
    ``module__n_outputs``. The values are not stored as parameters of the
    net, so ``get_params`` and :func:`~sklearn.base.clone` are the same
    before and after ``fit``. A net that ``initialize`` builds before any
    data is seen, for example to call ``load_params``, needs both
    parameters.

    Unlike ``skorch.toy.MLPModule``, this module has no dropout and always
    returns a matrix of shape ``(n_samples, n_outputs)``.

    float64 doubles the memory of the weights and rows and runs slower than
    float32, much slower on most GPUs. It removes the float32 rounding, of
    about 1e-7 relative, by which a fit on weighted rows differs from a fit
    on the rows repeated as many times as their integer weights.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn_distill.neural import MLPModule, TemperatureNetClassifier
    >>> module = MLPModule(
    ...     hidden_layer_sizes=(8, 8), n_features=4, n_outputs=3, random_state=0
    ... )
    >>> module(torch.ones(5, 4)).shape
    torch.Size([5, 3])

    The nets of this package build the module themselves:

    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 4).astype("float32")
    >>> y = rng.randint(3, size=60)
    >>> net = TemperatureNetClassifier(
    ...     module__hidden_layer_sizes=(16,), max_epochs=2, train_split=None,
    ...     verbose=0,
    ... ).fit(X, y)
    >>> net.module_.n_features, net.module_.n_outputs
    (4, 3)
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        n_features=None,
        n_outputs=None,
        random_state=None,
        dtype=torch.float32,
    ):
        super().__init__()
        self.hidden_layer_sizes = _check_layer_sizes(hidden_layer_sizes)
        self.activation = _check_activation(activation)
        self.n_features = _check_size(n_features, "n_features", _MISSING_FEATURES)
        self.n_outputs = _check_size(n_outputs, "n_outputs", _MISSING_OUTPUTS)
        self.random_state = _check_seed(random_state)
        self.dtype = check_dtype(dtype, "The 'dtype' parameter of MLPModule")

        if self.random_state is None:
            self.layers = self._build_layers()
            return
        # torch.nn.Linear draws its weights from the global generator, whose
        # state is restored before the seeded weights replace them.
        with torch.random.fork_rng(devices=[]):
            self.layers = self._build_layers()
        self._seed_parameters(self.random_state)

    def _build_layers(self):
        sizes = [self.n_features, *self.hidden_layer_sizes, self.n_outputs]
        layers = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            layers.append(nn.Linear(fan_in, fan_out, dtype=self.dtype))
            layers.append(ACTIVATIONS[self.activation]())
        # The output layer returns logits, without an activation.
        return nn.Sequential(*layers[:-1])

    def forward(self, X):
        """Compute the logits of a batch of rows.

        Parameters
        ----------
        X : torch.Tensor of shape (batch_size, ...)
            Rows whose dimensions after the first have ``n_features``
            values in all.

        Returns
        -------
        logits : torch.Tensor of shape (batch_size, n_outputs)
            One logit per output.
        """
        return self.layers(X.flatten(start_dim=1))

    def _seed_parameters(self, seed):
        """Draw the initial weights as torch.nn.Linear does, from a seeded generator."""
        generator = torch.Generator().manual_seed(seed)
        for layer in self.layers:
            if not isinstance(layer, nn.Linear):
                continue
            bound = 1.0 / math.sqrt(layer.in_features)
            with torch.no_grad():
                nn.init.kaiming_uniform_(
                    layer.weight, a=math.sqrt(5), generator=generator
                )
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


_MISSING_FEATURES = (
    "MLPModule needs n_features, the number of input features, but it is None. "
    "The nets of sklearn_distill.neural set it when fit receives an array; "
    "otherwise pass module__n_features to the skorch net."
)
_MISSING_OUTPUTS = (
    "MLPModule needs n_outputs, the number of classes or 1 for a binary net, "
    "but it is None. The nets of sklearn_distill.neural set it when fit "
    "receives an array and class labels; otherwise pass module__n_outputs to "
    "the skorch net."
)


def _is_positive_int(value):
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return is_int and value > 0


def _check_layer_sizes(hidden_layer_sizes):
    sizes = hidden_layer_sizes
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    is_sequence = isinstance(sizes, tuple | list)
    if not is_sequence or not all(_is_positive_int(size) for size in sizes):
        raise ValueError(
            "The 'hidden_layer_sizes' parameter of MLPModule must be an int or a "
            "sequence of ints, each greater than 0. Got "
            f"{hidden_layer_sizes!r} instead."
        )
    return tuple(int(size) for size in sizes)


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(
            "The 'activation' parameter of MLPModule must be one of "
            f"{sorted(ACTIVATIONS)}. Got {activation!r} instead."
        )
    return activation


def _check_size(value, name, missing_message):
    if value is None:
        raise ValueError(missing_message)
    if not _is_positive_int(value):
        raise ValueError(
            f"The {name!r} parameter of MLPModule must be an int greater than 0. "
            f"Got {value!r} instead."
        )
    return int(value)


#: Floating dtypes that MLPModule builds its weights in.
MLP_DTYPES = (torch.float32, torch.float64)


def check_dtype(dtype, subject):
    """Return `dtype` if MLPModule supports it, or raise a ValueError.

    The message starts with `subject`, which names the parameter and its owner.
    """
    if any(dtype is supported for supported in MLP_DTYPES):
        return dtype
    raise ValueError(
        f"{subject} must be torch.float32 or torch.float64. Got {dtype!r} "
        "instead. Pass torch.float64 to train in float64, or leave it unset "
        "for float32."
    )


def _check_seed(random_state):
    if random_state is None:
        return None
    is_int = isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    )
    if not is_int or not 0 <= random_state < 2**63:
        raise ValueError(
            "The 'random_state' parameter of MLPModule must be None or an int in "
            f"the range [0, 2**63). Got {random_state!r} instead."
        )
    return int(random_state)


def builds_mlp_module(net):
    """Return whether `net` builds an MLPModule from its ``module`` class."""
    module = net.module
    return isinstance(module, type) and issubclass(module, MLPModule)


def missing_mlp_dimensions(net, n_features, n_classes):
    """Return the MLPModule dimensions that the ``module__*`` parameters leave unset.

    Parameters
    ----------
    net : skorch net
        Net whose module is built from its ``module`` parameter.
    n_features : int
        Number of features of the training rows, the product of a row's
        dimensions.
    n_classes : int or None
        Number of classes of the training labels. None when they are not
        known, as for targets packed for :class:`DistillationLoss`.

    Returns
    -------
    dimensions : dict
        ``n_features`` and ``n_outputs``, which is 1 for a
        ``NeuralNetBinaryClassifier`` and `n_classes` otherwise, where the
        net builds an :class:`MLPModule` and its ``module__n_features`` or
        ``module__n_outputs`` parameter is None or not set. Empty for any
        other module.
    """
    if not builds_mlp_module(net):
        return {}
    n_outputs = 1 if isinstance(net, NeuralNetBinaryClassifier) else n_classes
    inferred = {
        "n_features": n_features,
        "n_outputs": n_outputs,
    }
    module_params = net.get_params_for("module")
    return {
        name: value
        for name, value in inferred.items()
        if module_params.get(name) is None and value is not None
    }

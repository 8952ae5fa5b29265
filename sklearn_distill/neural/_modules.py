"""Torch modules that adapt a trained network for attacks and deployment."""

import numbers

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

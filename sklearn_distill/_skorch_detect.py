"""Recognising skorch nets without importing skorch or torch.

A skorch net can only exist once skorch has been imported, so the checks
look skorch up in :data:`sys.modules` and keep the package importable
without the ``torch`` extra.
"""

import sys

from sklearn.frozen import FrozenEstimator


def is_skorch_net(estimator):
    """Tell whether `estimator`, or the estimator it freezes, is a skorch net."""
    skorch = sys.modules.get("skorch")
    if skorch is None:
        return False
    if isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return isinstance(estimator, skorch.NeuralNet)


def contains_skorch_net(estimator):
    """Tell whether `estimator` is a skorch net or has one among its parameters."""
    if is_skorch_net(estimator):
        return True
    if not hasattr(estimator, "get_params"):
        return False
    return any(is_skorch_net(value) for value in estimator.get_params().values())

"""Warning classes raised by sklearn-distill.

Each class names one kind of degraded result, so that callers can filter or
escalate it with :mod:`warnings` without matching message text.
"""

__all__ = ["GradientMaskingWarning"]


class GradientMaskingWarning(UserWarning):
    """Warning that gradient attacks overstate a model's robustness.

    A model masks its gradients when they are zero or misleading, so that
    white-box attacks fail although adversarial examples exist nearby: a
    softmax deployed at a lower temperature than it was trained at saturates,
    for example. :func:`sklearn_distill.metrics.robustness_report` raises it
    with the evidence, such as a black-box attack beating a white-box one.

    See Also
    --------
    sklearn_distill.metrics.robustness_report : Runs the checks that raise it.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_distill.exceptions import GradientMaskingWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", GradientMaskingWarning)
    ...     warnings.warn("zero gradients", GradientMaskingWarning)
    >>> caught[0].category.__name__
    'GradientMaskingWarning'
    """

"""Warning classes raised by sklearn-distill.

Each class names one kind of degraded result, so that callers can filter or
escalate it with :mod:`warnings` without matching message text.
"""

__all__ = ["SoftTargetWarning"]


class SoftTargetWarning(UserWarning):
    """Warning that a student cannot represent the soft targets exactly.

    Raised, for example, when a regressor student predicts values outside
    [0, 1] that have to be clipped before they are used as probabilities.
    """

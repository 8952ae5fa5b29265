"""The one place that imports private scikit-learn helpers.

scikit-learn keeps its parameter-validation machinery, and the mixin that marks
splitters needing groups, in private modules. Every use goes through this
module, so a change in scikit-learn is fixed here alone.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)

__all__ = [
    "GroupsConsumerMixin",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_fit_context",
    "validate_parameter_constraints",
    "validate_params",
]

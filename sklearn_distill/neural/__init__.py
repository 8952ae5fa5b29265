"""PyTorch and skorch tools: distillation criterion, adversarial training.

Importing this package requires the ``torch`` extra (PyTorch and skorch).
"""

from ._loss import (
    DistillationLoss,
    distillation_loss,
    distillation_targets,
    hard_labels,
)

__all__ = [
    "DistillationLoss",
    "distillation_loss",
    "distillation_targets",
    "hard_labels",
]

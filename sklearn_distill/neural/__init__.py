"""PyTorch and skorch tools: distillation criterion, adversarial training.

Importing this package requires the ``torch`` extra (PyTorch and skorch).
"""

from ._attacks import fgsm_attack, pgd_attack
from ._loss import (
    DistillationLoss,
    distillation_loss,
    distillation_targets,
    hard_labels,
)
from ._modules import MLPModule, TemperatureScaledModule
from ._nets import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    TemperatureNetClassifier,
)

__all__ = [
    "AdversarialNetBinaryClassifier",
    "AdversarialNetClassifier",
    "DistillationLoss",
    "MLPModule",
    "TemperatureNetClassifier",
    "TemperatureScaledModule",
    "distillation_loss",
    "distillation_targets",
    "fgsm_attack",
    "hard_labels",
    "pgd_attack",
]

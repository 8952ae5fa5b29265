"""Knowledge distillation, attack sets and robustness evaluation for scikit-learn."""

from ._distillation import DistillationClassifier

__version__ = "0.1.0.dev0"

__all__ = ["DistillationClassifier"]

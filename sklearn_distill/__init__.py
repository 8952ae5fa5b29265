"""Knowledge distillation, attack sets and robustness evaluation for scikit-learn."""

__version__ = "0.1.0.dev0"

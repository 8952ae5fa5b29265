"""Robustness and fidelity metrics for distilled and other classifiers."""

from ._display import RobustnessCurveDisplay
from ._robustness import robustness_report
from ._scorer import RobustnessScorer, make_robustness_scorer

__all__ = [
    "RobustnessCurveDisplay",
    "RobustnessScorer",
    "make_robustness_scorer",
    "robustness_report",
]

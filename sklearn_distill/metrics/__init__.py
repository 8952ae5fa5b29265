"""Robustness and fidelity metrics for distilled and other classifiers."""

from ._display import RobustnessCurveDisplay
from ._fidelity import fidelity_score, fidelity_scorer
from ._robustness import robustness_report
from ._scorer import RobustnessScorer, make_robustness_scorer

__all__ = [
    "RobustnessCurveDisplay",
    "RobustnessScorer",
    "fidelity_score",
    "fidelity_scorer",
    "make_robustness_scorer",
    "robustness_report",
]

"""scikit-learn's estimator checks over every public estimator."""

from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_distill import DistillationClassifier

# Bootstrap resampling and random feature subsets make sample weights differ
# from repeated rows, which scikit-learn marks as an expected failure of
# RandomForestClassifier itself; the forest teacher below turns both off so
# that its output depends on the weights alone.
DISTILLATION_CONFIGURATIONS = [
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3), DecisionTreeClassifier(max_depth=3)
    ),
    DistillationClassifier(
        RandomForestClassifier(5, max_depth=3, bootstrap=False, max_features=None),
        ExtraTreesClassifier(5, max_depth=3),
    ),
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3), DecisionTreeRegressor(max_depth=3)
    ),
    DistillationClassifier(
        DecisionTreeClassifier(max_depth=3),
        DecisionTreeClassifier(max_depth=3),
        temperature=3.0,
        alpha=0.5,
    ),
]


@parametrize_with_checks(DISTILLATION_CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_distillation_param_validation():
    estimator = DistillationClassifier(LogisticRegression(), LogisticRegression())
    check_param_validation("DistillationClassifier", estimator)

"""
==============================================
Tuning temperature and alpha with GridSearchCV
==============================================

:class:`~sklearn_distill.DistillationClassifier` is an ordinary scikit-learn
classifier, so its `temperature` and `alpha` are tuned like any other
hyper-parameters. This example puts it at the end of an imbalanced-learn
:class:`~imblearn.pipeline.Pipeline` that scales the features and
oversamples the minority class with SMOTE, and searches both parameters
with :class:`~sklearn.model_selection.GridSearchCV` on the breast cancer data
set (212 malignant and 357 benign tumours).

SMOTE runs inside each cross-validation fold, on that fold's training rows
only, because imbalanced-learn's pipeline applies samplers during ``fit``
and skips them at ``predict``. The validation rows are never oversampled.
"""

# %%
# Build the pipeline and the grid
# -------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.preprocessing import MinMaxScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_distill import DistillationClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

pipeline = Pipeline(
    [
        ("scale", MinMaxScaler()),
        ("smote", SMOTE(random_state=0)),
        (
            "distill",
            DistillationClassifier(
                RandomForestClassifier(n_estimators=50, random_state=0),
                DecisionTreeClassifier(max_depth=3, random_state=0),
                random_state=0,
            ),
        ),
    ]
)

# alpha=0 ignores the teacher (the tree learns the labels alone); alpha=1
# learns the teacher's soft targets alone.
param_grid = {
    "distill__temperature": [0.5, 1.0, 2.0, 5.0],
    "distill__alpha": [0.0, 0.5, 1.0],
}
search = GridSearchCV(
    pipeline,
    param_grid,
    scoring="balanced_accuracy",
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
search.fit(X_train, y_train)

# %%
# Look at the scores
# ------------------
# Each cell is the mean balanced accuracy over the five validation folds.
scores = (
    pd.DataFrame(search.cv_results_["params"])
    .assign(score=search.cv_results_["mean_test_score"])
    .pivot(index="distill__alpha", columns="distill__temperature", values="score")
)
print(scores.round(3).to_string())

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
image = ax.imshow(scores.to_numpy(), cmap="viridis", aspect="auto")
ax.set_xticks(np.arange(scores.shape[1]), [f"{t:g}" for t in scores.columns])
ax.set_yticks(np.arange(scores.shape[0]), [f"{a:g}" for a in scores.index])
ax.set_xlabel("temperature")
ax.set_ylabel("alpha (weight of the soft targets)")
for (row, column), value in np.ndenumerate(scores.to_numpy()):
    ax.text(column, row, f"{value:.3f}", ha="center", va="center", color="white")
fig.colorbar(image, ax=ax, label="balanced accuracy")
ax.set_title("Cross-validated balanced accuracy of the distilled tree")

# %%
# Evaluate the best pipeline on held-out rows
# -------------------------------------------
# The temperature changes nothing when alpha is 0, so the first row of the
# grid is flat. GridSearchCV refits the best pipeline on all training rows.
print("best parameters:", search.best_params_)
print(f"held-out balanced accuracy: {search.score(X_test, y_test):.3f}")

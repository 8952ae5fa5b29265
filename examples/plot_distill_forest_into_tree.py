"""
=====================================
Distilling a forest into a small tree
=====================================

A random forest of 200 trees is accurate but large and hard to read. This
example distills it into a decision tree of depth 4 and compares, on held-out
rows of the breast cancer data set, three models: the forest (the teacher), a
depth-4 tree trained on the labels (the plain student) and a depth-4 tree
trained on the forest's soft targets (the distilled student).

The figures are averaged over five random train/test splits:

- accuracy on the held-out rows;
- fidelity, the share of held-out rows on which a model predicts what the
  forest predicts;
- size, the number of tree nodes and the pickled size in kilobytes.
"""

# %%
# Fit the three models on five splits
# ------------------------------------
import pickle

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_distill import DistillationClassifier

X, y = load_breast_cancer(return_X_y=True)


def node_count(model):
    """Count the nodes of a tree or of every tree of a forest."""
    if hasattr(model, "estimators_"):
        return sum(tree.tree_.node_count for tree in model.estimators_)
    return model.tree_.node_count


def evaluate(name, model, teacher_pred, X_test, y_test):
    """Return one row of figures for a fitted model."""
    pred = model.predict(X_test)
    # A distilled model is deployed as its student alone.
    deployed = getattr(model, "student_", model)
    return {
        "model": name,
        "accuracy": np.mean(pred == y_test),
        "fidelity": np.mean(pred == teacher_pred),
        "nodes": node_count(deployed),
        "size_kb": len(pickle.dumps(deployed)) / 1024,
    }


rows = []
for seed in range(5):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    teacher = RandomForestClassifier(n_estimators=200, random_state=seed)
    teacher.fit(X_train, y_train)
    teacher_pred = teacher.predict(X_test)

    plain = DecisionTreeClassifier(max_depth=4, random_state=seed)
    plain.fit(X_train, y_train)

    # The forest is already trained, so it is passed frozen and not refitted.
    distilled = DistillationClassifier(
        FrozenEstimator(teacher),
        DecisionTreeClassifier(max_depth=4, random_state=seed),
        temperature=1.0,
        alpha=1.0,
    ).fit(X_train, y_train)

    for name, model in [
        ("teacher: forest(200)", teacher),
        ("plain tree(depth 4)", plain),
        ("distilled tree(depth 4)", distilled),
    ]:
        rows.append(evaluate(name, model, teacher_pred, X_test, y_test))

# %%
# Compare them
# ------------
# The distilled tree is as small as the plain tree, and learning the forest's
# probabilities instead of the labels makes it at least as accurate and closer
# to the forest.
results = pd.DataFrame(rows).groupby("model", sort=False).mean()
print(results.round(3).to_string())

"""
=============================================
Adversarially robust distillation of a net
=============================================

A small net trained on clean digits is brittle: moving every pixel by a
tenth of its range flips most of its predictions. Adversarial training
(Madry et al., 2018) fixes that for a large net, and adversarially robust
distillation (Goldblum et al., 2020) passes the robustness on to a small
one: the student is attacked on every training batch, like in adversarial
training, but learns to match the robust teacher's soft labels of the clean
rows on the attacked rows.

This example trains, on ``load_digits`` with pixels scaled to [0, 1]:

- a plain small net (32 hidden units);
- a large net (256 hidden units) trained adversarially with PGD, the teacher;
- a small net trained adversarially on its own;
- a small net distilled from the robust teacher with adversarial training on
  the fly, through :class:`~sklearn_distill.DistillationClassifier` with an
  :class:`~sklearn_distill.neural.AdversarialNetClassifier` student.

Each is attacked on the test rows with PGD (20 steps) at several budgets.
"""

# %%
# Train the four nets
# -------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier
from skorch.toy import MLPModule

from sklearn_distill import DistillationClassifier
from sklearn_distill.adversarial import generate_adversarial
from sklearn_distill.neural import AdversarialNetClassifier

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

TRAIN_EPS = 0.1
# PGD with 7 steps on every batch, each perturbation within TRAIN_EPS of the
# clean pixel and inside the valid range [0, 1].
ADVERSARIAL = {"eps": TRAIN_EPS, "max_iter": 7, "clip_values": (0.0, 1.0)}


def net(net_class, hidden, **params):
    """Return an unfitted one-hidden-layer MLP for the 64 pixels and 10 digits."""
    return net_class(
        MLPModule,
        module__input_units=64,
        module__output_units=10,
        module__hidden_units=hidden,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.003,
        max_epochs=25,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
        **params,
    )


torch.manual_seed(0)
plain = net(NeuralNetClassifier, 32).fit(X_train, y_train)

torch.manual_seed(0)
teacher = net(AdversarialNetClassifier, 256, **ADVERSARIAL).fit(X_train, y_train)

torch.manual_seed(0)
robust_alone = net(AdversarialNetClassifier, 32, **ADVERSARIAL).fit(X_train, y_train)

# The teacher is already trained, so it is frozen. alpha=1 trains the student
# on the teacher's soft labels alone.
distilled = DistillationClassifier(
    FrozenEstimator(teacher),
    net(AdversarialNetClassifier, 32, **ADVERSARIAL),
    temperature=1.0,
    alpha=1.0,
    random_state=0,
).fit(X_train, y_train)

# %%
# Attack them
# -----------
# Robust accuracy is the share of test rows still classified correctly after
# PGD moves every pixel by at most eps.
EPS = (0.05, 0.1, 0.15)
models = {
    "plain, 32 units": plain,
    "adversarial teacher, 256 units": teacher,
    "adversarial, 32 units": robust_alone,
    "robust distillation, 32 units": distilled.student_,
}

rows = []
for name, model in models.items():
    row = {"model": name, "clean": np.mean(model.predict(X_test) == y_test)}
    for eps in EPS:
        X_adv = generate_adversarial(
            model,
            X_test,
            y_test,
            attack="pgd",
            eps=eps,
            clip_values=(0.0, 1.0),
            random_state=0,
        )
        row[f"eps={eps:g}"] = np.mean(model.predict(X_adv) == y_test)
    rows.append(row)

results = pd.DataFrame(rows).set_index("model")
print(results.round(3).to_string())

# %%
# Compare the curves
# ------------------
# The distilled student has the plain student's size and keeps much of the
# teacher's robustness, which the plain small net lacks.
fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
for name, row in results.iterrows():
    ax.plot([0.0, *EPS], row.to_numpy(), marker="o", label=name)
ax.set_xlabel("eps (largest change of any pixel, pixels in [0, 1])")
ax.set_ylabel("accuracy under PGD")
ax.set_ylim(-0.02, 1.02)
ax.legend(fontsize="small")
ax.grid(alpha=0.3)

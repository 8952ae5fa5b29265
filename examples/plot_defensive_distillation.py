"""
=========================================================
Defensive distillation: robustness that is an illusion
=========================================================

Defensive distillation (Papernot et al., 2016) trains a net with its logits
divided by a temperature ``T`` (here 20), distils a second net on its soft
labels at the same temperature, and deploys the second net at temperature
1. Gradient attacks on the deployed net then fail often, and the net looks
robust.

It is not (Carlini and Wagner, 2016). At temperature 1 the deployed net's
logits are about ``T`` times too large, so its softmax saturates and the
loss gradients that FGSM and PGD follow vanish. The adversarial examples are
still there: attacking the logits divided by ``T`` (the *adaptive* attack)
finds them. :func:`~sklearn_distill.metrics.robustness_report` runs that
adaptive attack by itself for any net trained at a temperature, and warns
with :class:`~sklearn_distill.exceptions.GradientMaskingWarning` when the
naive figure overstates robustness.
"""

# %%
# Train a plain net and a defensively distilled one
# -------------------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier
from skorch.toy import MLPModule

from sklearn_distill import DistillationClassifier
from sklearn_distill.exceptions import GradientMaskingWarning
from sklearn_distill.metrics import RobustnessCurveDisplay, robustness_report
from sklearn_distill.neural import TemperatureNetClassifier

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

TEMPERATURE = 20.0


def net(net_class=NeuralNetClassifier, **params):
    """Return an unfitted MLP with one hidden layer of 128 units."""
    return net_class(
        MLPModule,
        module__input_units=64,
        module__output_units=10,
        module__hidden_units=128,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.003,
        max_epochs=30,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
        **params,
    )


torch.manual_seed(0)
plain = net().fit(X_train, y_train)

# The teacher trains with its logits divided by T; the student learns its soft
# labels at T (alpha=1: no hard labels) and is deployed at temperature 1.
defensive = DistillationClassifier(
    net(TemperatureNetClassifier, temperature=TEMPERATURE),
    net(),
    temperature=TEMPERATURE,
    alpha=1.0,
    random_state=0,
).fit(X_train, y_train)
student = defensive.student_
print(f"student trained at temperature {student.training_temperature_:g}")

# %%
# Attack both nets
# ----------------
# PGD runs on the deployed net. For the student, the report also runs PGD on
# its logits divided by its training temperature (``adaptive_pgd``), and the
# gradient-masking checks compare the two.
EPS = [0.05, 0.1, 0.15]


def accuracy_table(report):
    """Return robust accuracy by attack (rows) and budget (columns)."""
    accuracy = report[(report["metric"] == "accuracy") & (report["attack"] != "clean")]
    return accuracy.pivot(index="attack", columns="eps", values="value")


settings = {
    "attacks": ["pgd"],
    "eps": EPS,
    "clip_values": (0.0, 1.0),
    "random_state": 0,
}
plain_report = robustness_report(plain, X_test, y_test, **settings)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", GradientMaskingWarning)
    student_report = robustness_report(student, X_test, y_test, **settings)

print("plain net\n", accuracy_table(plain_report).round(3).to_string(), sep="")
print(
    "defensive student\n", accuracy_table(student_report).round(3).to_string(), sep=""
)

# %%
# Read the warnings
# -----------------
# Each warning names one piece of evidence: rows whose loss gradient is
# exactly zero, and budgets at which the adaptive attack beats the naive one.
for warning in caught:
    print("-", warning.message)

# %%
# Plot the illusion
# -----------------
# At the larger budgets the student's naive curve lies well above the plain
# net's, and its adaptive curve falls back towards it. Only the worst case,
# which counts a row as robust when every attack failed on it, is an honest
# figure.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
RobustnessCurveDisplay.from_report(plain_report, attack="pgd", name="plain net", ax=ax)
RobustnessCurveDisplay.from_report(
    student_report, attack="pgd", name="defensive, naive PGD", ax=ax, linestyle="--"
)
RobustnessCurveDisplay.from_report(
    student_report, attack="adaptive_pgd", name="defensive, adaptive PGD", ax=ax
)
ax.set_ylabel("accuracy under attack")
ax.set_xlabel("eps (largest change of any pixel, pixels in [0, 1])")
ax.set_title("Defensive distillation at T = 20 on load_digits")

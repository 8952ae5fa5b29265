"""Fitting every method on one split and measuring clean and robust figures."""

import pickle
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

from .._distillation import DistillationClassifier
from ._data import split_dataset
from ._methods import DEFAULT_EPOCHS, DEFAULT_EPS, Settings, select_methods
from ._output import ROBUST_PREFIX
from ._pretraining import PretrainedNetClassifier


@dataclass(frozen=True)
class Comparison:
    """Results of a comparison run.

    Attributes
    ----------
    title : str
        One line naming the data set, the family and the split sizes.
    results : DataFrame
        One row per method: the figures described in :func:`run_comparison`.
    notes : list of str
        Sentences printed under the table: attacks used and the reasons
        behind each gradient-masking verdict.
    """

    title: str
    results: pd.DataFrame
    notes: list


def run_comparison(
    dataset,
    *,
    model="tree",
    methods=None,
    eps=DEFAULT_EPS,
    train_eps=None,
    test_size=0.3,
    max_rows=None,
    epochs=DEFAULT_EPOCHS,
    attack_rows=None,
    random_state=0,
    n_jobs=None,
    progress=True,
):
    """Fit and evaluate every selected method on one split of `dataset`.

    Parameters
    ----------
    dataset : Dataset
        Data to split.
    model : {"tree", "forest", "mlp"}, default="tree"
        Model family to deploy.
    methods : sequence of str, default=None
        Methods to run; None runs every method of the family.
    eps : sequence of float, default=DEFAULT_EPS
        L-infinity budgets, as shares of each feature's train range.
    train_eps : float, default=None
        Budget of adversarial training and attack sets. None uses the
        largest of `eps`.
    test_size : float, default=0.3
        Share of the rows held out.
    max_rows : int, default=None
        Subsample size; None uses every row.
    epochs : int, default=DEFAULT_EPOCHS
        Training epochs of every net.
    attack_rows : int, default=None
        Maximum number of test rows attacked; None attacks all of them.
    random_state : int, default=0
        Seed of the split, the models and the attacks.
    n_jobs : int, default=None
        Parallel jobs of forests and attacks.
    progress : bool, default=True
        Whether to draw a progress bar on standard error.

    Returns
    -------
    comparison : Comparison
        The results table has the columns ``method``, ``accuracy``,
        ``precision``, ``recall``, ``f1`` (macro averages over the classes),
        ``balanced_accuracy``, one ``robust@<eps>`` column per budget (the
        share of attacked test rows still classified correctly under the
        worst of the attacks run), ``masking`` (the gradient-masking
        verdict), ``size_kb`` (pickled size of the deployed model) and
        ``fit_s`` (wall-clock fit time, teacher included).
    """
    eps = tuple(sorted(eps))
    split = split_dataset(
        dataset, test_size=test_size, random_state=random_state, max_rows=max_rows
    )
    settings = Settings(
        family=model,
        n_features=split.X_train.shape[1],
        n_classes=dataset.classes.shape[0],
        train_eps=max(eps) if train_eps is None else train_eps,
        epochs=epochs,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    selected = select_methods(model, methods)
    X_attack, y_attack = _attack_rows(split, attack_rows, random_state)

    rows, notes = [], []
    with tqdm(
        total=2 * len(selected), disable=not progress, unit="step", leave=False
    ) as bar:
        for method in selected:
            bar.set_description(f"{method.name}: fit")
            fitted, fit_seconds = _fit_timed(method.build(settings), split, settings)
            deployed = deployed_model(fitted)
            bar.update()

            bar.set_description(f"{method.name}: attack")
            row = {"method": method.name}
            row.update(clean_scores(deployed, split.X_test, split.y_test))
            robust, verdict, method_notes = evaluate_robustness(
                deployed, X_attack, y_attack, eps, settings
            )
            row.update(robust)
            row["masking"] = verdict
            row["size_kb"] = model_size_kb(deployed)
            row["fit_s"] = fit_seconds
            rows.append(row)
            notes.extend(f"{method.name}: {note}" for note in method_notes)
            bar.update()

    title = (
        f"{dataset.name}: {model} family, {split.X_train.shape[0]} train rows, "
        f"{split.X_test.shape[0]} test rows ({X_attack.shape[0]} attacked), "
        f"{split.X_train.shape[1]} features, {settings.n_classes} classes, "
        f"seed {random_state}"
    )
    return Comparison(title=title, results=pd.DataFrame(rows), notes=notes)


def _attack_rows(split, attack_rows, random_state):
    """Draw the test rows to attack, stratified, when they are capped."""
    n_test = split.X_test.shape[0]
    if attack_rows is None or attack_rows >= n_test:
        return split.X_test, split.y_test
    n_classes = np.unique(split.y_test).shape[0]
    stratify = split.y_test if attack_rows >= n_classes else None
    X_attack, _, y_attack, _ = train_test_split(
        split.X_test,
        split.y_test,
        train_size=attack_rows,
        stratify=stratify,
        random_state=random_state,
    )
    return X_attack, y_attack


def _fit_timed(estimator, split, settings):
    """Fit `estimator` on the train rows and return it with the seconds taken."""
    if settings.family == "mlp":
        import torch

        # skorch has no random_state: every net starts from the same seed.
        torch.manual_seed(settings.random_state)

    start = time.perf_counter()
    estimator.fit(split.X_train, split.y_train)
    return estimator, time.perf_counter() - start


def deployed_model(fitted):
    """Return the model that would be deployed after fitting `fitted`.

    A distillation model deploys its student, transfer learning its
    fine-tuned net, and a pipeline whose first
    step is a sampler deploys its final estimator, because samplers act at
    fit time only. The labels are already class positions, so the student's
    predictions are the labels.
    """
    if isinstance(fitted, DistillationClassifier):
        return fitted.student_
    if isinstance(fitted, PretrainedNetClassifier):
        return fitted.net_
    if hasattr(fitted, "steps"):
        return fitted.steps[-1][1]
    return fitted


def clean_scores(model, X, y):
    """Compute the clean figures of a fitted model on the test rows.

    Returns
    -------
    scores : dict
        ``accuracy``, macro ``precision``, ``recall`` and ``f1``, and
        ``balanced_accuracy``.
    """
    y_pred = model.predict(X)
    return {
        "accuracy": accuracy_score(y, y_pred),
        "precision": precision_score(y, y_pred, average="macro", zero_division=0),
        "recall": recall_score(y, y_pred, average="macro", zero_division=0),
        "f1": f1_score(y, y_pred, average="macro", zero_division=0),
        "balanced_accuracy": balanced_accuracy_score(y, y_pred),
    }


def model_size_kb(model):
    """Return the pickled size of a model in kilobytes.

    A skorch net is measured by its torch module alone, without the
    optimiser state and training history that skorch also pickles.
    """
    module = getattr(model, "module_", None)
    target = module if module is not None else model
    return len(pickle.dumps(target)) / 1024


def evaluate_robustness(model, X, y, eps, settings):
    """Compute robust accuracy at each budget under the applicable attacks.

    Returns
    -------
    robust : dict
        ``robust@<eps>`` to the share of rows classified correctly under
        every attack run.
    verdict : str
        Gradient-masking verdict.
    notes : list of str
        Attacks run and reasons behind the verdict.
    """
    from ..adversarial import applicable_attacks, generate_adversarial

    attacks = [applicable_attacks(model)[0]]
    robust = {}
    for value in eps:
        correct = model.predict(X) == y
        for attack in attacks:
            X_adv = generate_adversarial(
                model,
                X,
                y,
                attack=attack,
                eps=value,
                clip_values=(0.0, 1.0),
                random_state=settings.random_state,
                n_jobs=settings.n_jobs,
            )
            correct &= model.predict(X_adv) == y
        robust[f"{ROBUST_PREFIX}{value:g}"] = float(correct.mean())
    return robust, "n/a", [f"attacks: {', '.join(attacks)}"]

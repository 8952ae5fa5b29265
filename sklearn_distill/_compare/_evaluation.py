"""Fitting every method on one split and measuring clean and robust figures."""

import pickle
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

from .._distillation import DistillationClassifier
from ..exceptions import GradientMaskingWarning
from ..metrics import robustness_report
from ._data import split_dataset
from ._methods import DEFAULT_EPOCHS, DEFAULT_EPS, Settings, select_methods
from ._output import ROBUST_PREFIX
from ._pretraining import PretrainedNetClassifier

#: Attacks run on each family by default: the exact attack on single trees,
#: the black-box HopSkipJump on forests, and PGD and FGSM on nets. A model
#: trained at a softmax temperature is also attacked adaptively, on its
#: logits divided by that temperature.
DEFAULT_ATTACKS = {
    "tree": ("decision_tree",),
    "forest": ("hopskipjump",),
    "mlp": ("pgd", "fgsm"),
}

#: Attack names that ``--attacks`` takes, as
#: :func:`~sklearn_distill.adversarial.generate_adversarial` names them.
ATTACK_NAMES = ("pgd", "fgsm", "cw", "hopskipjump", "zoo", "decision_tree")

#: Test rows evaluated and attacked by default; None means all of them.
#: HopSkipJump took about 0.6 s per row and budget on the 25-tree forest of
#: breast_cancer (one core), so forests are evaluated on a sample.
DEFAULT_ATTACK_ROWS = {"tree": None, "forest": 30, "mlp": None}

#: Result columns of the clean figures, by metric name in the report.
CLEAN_METRICS = {
    "accuracy": "accuracy",
    "precision": "precision_macro",
    "recall": "recall_macro",
    "f1": "f1_macro",
    "balanced_accuracy": "balanced_accuracy",
}


@dataclass(frozen=True)
class Comparison:
    """Results of a comparison run.

    Attributes
    ----------
    title : str
        One line naming the data set, the family and the split sizes.
    short_title : str
        The data set, the family and the seed, for a figure.
    results : DataFrame
        One row per method: the figures described in :func:`run_comparison`.
    notes : list of str
        Sentences printed under the table: attacks used and the reasons
        behind each gradient-masking verdict.
    """

    title: str
    short_title: str
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
    attacks=None,
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
        Maximum number of test rows evaluated and attacked, drawn at random
        with stratification. None uses `DEFAULT_ATTACK_ROWS` of the family.
    attacks : sequence of str, default=None
        Attacks to run on every model they apply to. None uses
        `DEFAULT_ATTACKS` of the family.
    random_state : int, default=0
        Seed of the split, the models and the attacks.
    n_jobs : int, default=None
        Parallel jobs of forests and attacks.
    progress : bool, default=True
        Whether to draw a progress bar on standard error.

    Returns
    -------
    comparison : Comparison
        The results table has one row per method. Its columns are
        ``method``, the clean ``accuracy``, ``precision``, ``recall`` and
        ``f1`` (macro averages over the classes) and ``balanced_accuracy``,
        and one ``robust@<eps>`` column per budget. A robust accuracy is the
        share of evaluated test rows still classified correctly under the
        worst of the attacks run, per row. Then come ``masking`` (the
        gradient-masking verdict), ``size_kb`` (pickled size of the deployed
        model) and ``fit_s`` (wall-clock fit time, teacher included).
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
    if attack_rows is None:
        attack_rows = DEFAULT_ATTACK_ROWS[model]
    X_attack, y_attack = _attack_rows(split, attack_rows, random_state)

    rows, notes, attacks_ran = [], [], {}
    with tqdm(
        total=2 * len(selected),
        disable=None if progress else True,
        unit="step",
        leave=False,
    ) as bar:
        for method in selected:
            bar.set_description(f"{method.name}: fit")
            fitted, fit_seconds = _fit_timed(method.build(settings), split, settings)
            deployed = deployed_model(fitted)
            bar.update()

            bar.set_description(f"{method.name}: attack")
            row = {"method": method.name}
            scores, verdict, ran, method_notes = evaluate_model(
                deployed, X_attack, y_attack, eps, settings, attacks
            )
            attacks_ran[method.name] = ", ".join(ran)
            row.update(scores)
            row["masking"] = verdict
            row["size_kb"] = model_size_kb(deployed)
            row["fit_s"] = fit_seconds
            rows.append(row)
            notes.extend(f"{method.name}: {note}" for note in method_notes)
            bar.update()

    notes = _attack_notes(attacks_ran) + notes
    title = (
        f"{dataset.name}: {model} family, {split.X_train.shape[0]} train rows, "
        f"{split.X_test.shape[0]} test rows ({X_attack.shape[0]} attacked), "
        f"{split.X_train.shape[1]} features, {settings.n_classes} classes, "
        f"seed {random_state}"
    )
    short_title = f"{dataset.name}, {model} family, seed {random_state}"
    return Comparison(
        title=title,
        short_title=short_title,
        results=pd.DataFrame(rows),
        notes=notes,
    )


def _attack_notes(attacks_ran):
    """Name the attacks run, in one line when every method ran the same."""
    if len(set(attacks_ran.values())) == 1:
        return [f"attacks (worst case per row): {next(iter(attacks_ran.values()))}"]
    return [
        f"{method}: attacks (worst case per row): {ran}"
        for method, ran in attacks_ran.items()
    ]


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


def model_size_kb(model):
    """Return the pickled size of a model in kilobytes.

    A skorch net is measured by its torch module alone, without the
    optimiser state and training history that skorch also pickles.
    """
    module = getattr(model, "module_", None)
    target = module if module is not None else model
    return len(pickle.dumps(target)) / 1024


def evaluate_model(model, X, y, eps, settings, attacks=None):
    """Measure clean and robust figures of a fitted model on the attacked rows.

    Parameters
    ----------
    model : fitted classifier
        The deployed model.
    X : ndarray of shape (n_samples, n_features)
        Rows to evaluate and attack, scaled to [0, 1].
    y : ndarray of shape (n_samples,)
        Class positions.
    eps : tuple of float
        Budgets.
    settings : Settings
        The run's settings.
    attacks : sequence of str, default=None
        Attacks to run where they apply; None uses `DEFAULT_ATTACKS`.

    Returns
    -------
    scores : dict
        The clean figures and one ``robust@<eps>`` entry per budget: the
        accuracy under the per-row worst case of the attacks.
    verdict : str
        ``"no"``, or ``"yes"`` when a gradient-masking check fired.
    ran : list of str
        Names of the attacks run, as in the report; ``adaptive_`` names
        attacks on the logits divided by the training temperature.
    notes : list of str
        The attacks skipped, and each gradient-masking finding.
    """
    attacks, notes = _applicable(model, attacks, settings.family)

    # The verdict and its reasons go into the table and the notes, so the
    # warnings that repeat them are not shown.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GradientMaskingWarning)
        report = robustness_report(
            model,
            X,
            y,
            attacks=list(attacks),
            eps=list(eps),
            clip_values=(0.0, 1.0),
            random_state=settings.random_state,
            n_jobs=settings.n_jobs,
        )

    aggregates = report[report["class"].isna()]
    clean = aggregates[aggregates["attack"] == "clean"].set_index("metric")["value"]
    scores = {column: float(clean[metric]) for column, metric in CLEAN_METRICS.items()}

    worst = aggregates[
        (aggregates["attack"] == "worst_case") & (aggregates["metric"] == "accuracy")
    ]
    for budget, value in zip(worst["eps"], worst["value"], strict=True):
        scores[f"{ROBUST_PREFIX}{budget:g}"] = float(value)

    ran = [
        name
        for name in pd.unique(report["attack"])
        if name not in ("clean", "worst_case")
    ]
    reasons = report.attrs["gradient_masking"]
    notes.extend(f"gradient masking: {reason}" for reason in reasons)
    return scores, "yes" if reasons else "no", ran, notes


def _applicable(model, attacks, family):
    """Keep the requested attacks that apply to `model`, with a note for the rest."""
    from ..adversarial import applicable_attacks

    requested = DEFAULT_ATTACKS[family] if attacks is None else tuple(attacks)
    available = applicable_attacks(model)
    kept = [attack for attack in requested if attack in available]
    skipped = [attack for attack in requested if attack not in available]

    notes = []
    if skipped:
        notes.append(
            f"skipped {', '.join(skipped)}: "
            f"{'it does' if len(skipped) == 1 else 'they do'} not apply to "
            f"{type(model).__name__}"
        )
    if not kept:
        kept = [available[0]]
        notes.append(f"ran {available[0]} instead, the strongest attack that applies")
    return kept, notes

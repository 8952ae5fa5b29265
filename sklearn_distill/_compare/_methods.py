"""The training methods of a comparison, each a builder of an unfitted estimator."""

from dataclasses import dataclass

from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from .._distillation import DistillationClassifier
from ._data import CompareInputError

#: Model families the command can deploy.
FAMILIES = ("tree", "forest", "mlp")

#: Default perturbation budgets, as shares of each feature's train range.
DEFAULT_EPS = (0.02, 0.05, 0.1)

#: Default number of training epochs of every net.
DEFAULT_EPOCHS = 40

#: Depth of the deployed tree of the ``tree`` family.
TREE_DEPTH = 4

#: Size of the deployed forest of the ``forest`` family.
FOREST_TREES = 25
FOREST_DEPTH = 8

#: Size of the random forest that teaches the tree and forest families.
TEACHER_TREES = 200

#: Hidden units of the deployed net and of the net that teaches it.
NET_HIDDEN = 64
TEACHER_NET_HIDDEN = 256

#: Distillation settings shared by the distillation methods.
DISTILLATION_TEMPERATURE = 2.0
DISTILLATION_ALPHA = 0.5

#: Training temperature of defensive distillation (Papernot et al., 2016).
DEFENSIVE_TEMPERATURE = 20.0

#: PGD steps per training batch of adversarial training.
ADVERSARIAL_PGD_STEPS = 7

#: Generated rows for the pre-training of transfer learning, as a multiple of
#: the training rows.
PRETRAINING_SIZE_RATIO = 3.0


@dataclass(frozen=True)
class Settings:
    """Settings of one comparison run, shared by every method builder."""

    family: str
    n_features: int
    n_classes: int
    train_eps: float
    epochs: int
    random_state: int
    n_jobs: int | None


@dataclass(frozen=True)
class Method:
    """One training method of the comparison.

    Attributes
    ----------
    name : str
        Identifier taken by ``--methods``.
    description : str
        One sentence for ``--help``.
    families : tuple of str
        Model families the method applies to.
    build : callable
        ``build(settings)`` returns the unfitted estimator.
    """

    name: str
    description: str
    families: tuple
    build: object


def _deployed_estimator(settings, *, hidden=NET_HIDDEN):
    """Return the unfitted model of the family, trained on labels."""
    if settings.family == "tree":
        return DecisionTreeClassifier(
            max_depth=TREE_DEPTH, random_state=settings.random_state
        )
    if settings.family == "forest":
        # The deployed forest predicts on one core: black-box attacks query it
        # with a few rows at a time, and parallel prediction of so few rows
        # made HopSkipJump about 5 times slower on two cores.
        return RandomForestClassifier(
            n_estimators=FOREST_TREES,
            max_depth=FOREST_DEPTH,
            random_state=settings.random_state,
        )
    return _net(settings, hidden=hidden)


def _net(settings, *, net_class=None, hidden=NET_HIDDEN, **params):
    """Return an unfitted skorch MLP with one hidden layer of `hidden` units."""
    import torch
    from skorch import NeuralNetClassifier
    from skorch.toy import MLPModule

    net_class = NeuralNetClassifier if net_class is None else net_class
    return net_class(
        MLPModule,
        module__input_units=settings.n_features,
        module__output_units=settings.n_classes,
        module__hidden_units=hidden,
        module__num_hidden=1,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        batch_size=64,
        max_epochs=settings.epochs,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
        **params,
    )


def _teacher(settings):
    """Return the unfitted teacher of the distillation methods."""
    if settings.family == "mlp":
        return _net(settings, hidden=TEACHER_NET_HIDDEN)
    return RandomForestClassifier(
        n_estimators=TEACHER_TREES,
        n_jobs=settings.n_jobs,
        random_state=settings.random_state,
    )


def build_plain(settings):
    """Build the family's model trained on the labels."""
    return _deployed_estimator(settings)


def build_distilled(settings):
    """Build the family's model distilled from a larger teacher."""
    return DistillationClassifier(
        _teacher(settings),
        _deployed_estimator(settings),
        temperature=DISTILLATION_TEMPERATURE,
        alpha=DISTILLATION_ALPHA,
        random_state=settings.random_state,
    )


def build_adversarial(settings):
    """Build the family's model trained adversarially.

    Nets are attacked by PGD on every training batch. Trees and forests are
    trained on the training rows plus an attack set of adversarial rows
    that keep their source row's label.
    """
    if settings.family == "mlp":
        from ..neural import AdversarialNetClassifier

        return _net(
            settings,
            net_class=AdversarialNetClassifier,
            attack="pgd",
            eps=settings.train_eps,
            max_iter=ADVERSARIAL_PGD_STEPS,
            clip_values=(0.0, 1.0),
            adversarial_weight=0.5,
        )

    from imblearn.pipeline import Pipeline

    from ..adversarial import AttackSampler

    attack_set = AttackSampler(
        _attacked_estimator(settings),
        eps=settings.train_eps,
        n_samples=1.0,
        clip_values=(0.0, 1.0),
        random_state=settings.random_state,
        n_jobs=settings.n_jobs,
    )
    return Pipeline(
        [("attack_set", attack_set), ("model", _deployed_estimator(settings))]
    )


def build_defensive(settings):
    """Build defensive distillation: teacher and student trained at T=20."""
    from ..neural import TemperatureNetClassifier

    teacher = _net(
        settings,
        net_class=TemperatureNetClassifier,
        temperature=DEFENSIVE_TEMPERATURE,
    )
    return DistillationClassifier(
        teacher,
        _net(settings),
        temperature=DEFENSIVE_TEMPERATURE,
        alpha=1.0,
        random_state=settings.random_state,
    )


def build_distilled_transfer(settings):
    """Build distillation whose student also learns a transfer and attack set.

    The transfer set contains copies of the training rows at random corners of
    their L-infinity ball of radius `train_eps`; the attack set holds
    adversarial rows at the same budget. Both keep the label of their source
    row, so the student learns that a row's neighbourhood shares its label.
    """
    from ..adversarial import AttackSampler
    from ..transfer import LinfCornerSampler

    corners = LinfCornerSampler(
        eps=settings.train_eps,
        bounds=(0.0, 1.0),
        integer_features=None,
        random_state=settings.random_state,
    )
    attack_set = AttackSampler(
        _attacked_estimator(settings),
        eps=settings.train_eps,
        clip_values=(0.0, 1.0),
        random_state=settings.random_state,
        n_jobs=settings.n_jobs,
    )
    return DistillationClassifier(
        _teacher(settings),
        _deployed_estimator(settings),
        temperature=DISTILLATION_TEMPERATURE,
        alpha=DISTILLATION_ALPHA,
        transfer_set=[corners, attack_set],
        transfer_labels="source",
        random_state=settings.random_state,
    )


def build_pretrained(settings):
    """Build transfer learning: pre-train on soft labels, fine-tune on labels."""
    from ..transfer import InterpolationSampler
    from ._pretraining import PretrainedNetClassifier

    return PretrainedNetClassifier(
        _teacher(settings),
        _net(settings),
        InterpolationSampler(
            size_ratio=PRETRAINING_SIZE_RATIO,
            integer_features=None,
            random_state=settings.random_state,
        ),
        temperature=DISTILLATION_TEMPERATURE,
        fine_tune_epochs=max(1, settings.epochs // 4),
    )


def _attacked_estimator(settings):
    """Return the model an attack set is found on.

    A tree is attacked exactly: the deployed tree itself for the tree
    family, and the attack sampler's depth-8 surrogate tree (None) for
    forests. Nets are attacked with PGD.
    """
    if settings.family == "forest":
        return None
    return _deployed_estimator(settings)


#: Every method, in the order of the results table.
METHODS = {
    method.name: method
    for method in [
        Method(
            "plain",
            "the model trained on the labels",
            FAMILIES,
            build_plain,
        ),
        Method(
            "adversarial",
            "adversarial training: PGD on every batch for nets, an attack set "
            "of adversarial rows found exactly on a tree for trees and forests",
            FAMILIES,
            build_adversarial,
        ),
        Method(
            "distilled",
            f"distilled from a larger teacher (a {TEACHER_TREES}-tree forest, or "
            f"a net of {TEACHER_NET_HIDDEN} hidden units) at temperature "
            f"{DISTILLATION_TEMPERATURE:g} with alpha {DISTILLATION_ALPHA:g}",
            FAMILIES,
            build_distilled,
        ),
        Method(
            "defensive",
            "defensive distillation: teacher and student nets trained at "
            f"temperature {DEFENSIVE_TEMPERATURE:g}, student deployed at 1",
            ("mlp",),
            build_defensive,
        ),
        Method(
            "distilled_transfer",
            "distilled with a transfer set (copies of each training row at "
            "corners of its eps-ball) and an attack set (adversarial rows), "
            "both labelled like their source rows",
            FAMILIES,
            build_distilled_transfer,
        ),
        Method(
            "pretrained",
            "transfer learning: a net pre-trained on the teacher's soft labels "
            "over rows interpolated between same-class neighbours, then "
            "fine-tuned on the training rows",
            ("mlp",),
            build_pretrained,
        ),
    ]
}


def select_methods(family, names=None):
    """Return the methods to run for a model family.

    Parameters
    ----------
    family : {"tree", "forest", "mlp"}
        Model family.
    names : sequence of str, default=None
        Method names. None selects every method that applies to `family`.

    Returns
    -------
    methods : list of Method
        In the order of `METHODS`.
    """
    if names is None:
        return [method for method in METHODS.values() if family in method.families]

    foreign = [name for name in names if family not in METHODS[name].families]
    if foreign:
        raise CompareInputError(
            f"The methods {foreign!r} do not apply to the {family} family. Choose "
            "among "
            f"{[name for name, m in METHODS.items() if family in m.families]!r}."
        )
    return [method for name, method in METHODS.items() if name in names]

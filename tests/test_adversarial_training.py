import re

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from torch.nn import functional as F

from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    DistillationLoss,
    distillation_targets,
    fgsm_attack,
    pgd_attack,
)

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture
def seed():
    torch.manual_seed(0)
    return np.random.RandomState(0)


@pytest.fixture
def binary_data(seed):
    X = seed.rand(60, 4).astype("float32")
    y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    return X, y


class RecordingModule(torch.nn.Module):
    """Linear layer that stores every input it receives in training mode."""

    def __init__(self, n_features=4, n_outputs=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        self.training_inputs = []

    def forward(self, X):
        if self.training:
            self.training_inputs.append(X.detach().clone())
        return self.linear(X)


def _trained_inputs(net):
    return torch.cat(net.module_.training_inputs).numpy()


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.3])
def test_pgd_stays_in_ball_and_clip(seed, eps):
    model = torch.nn.Linear(4, 3)
    X = torch.tensor(seed.rand(20, 4), dtype=torch.float32)
    y = torch.tensor(seed.randint(0, 3, 20))

    X_adv = pgd_attack(model, X, y, eps=eps, max_iter=5, clip_values=(0.0, 1.0))

    assert X_adv.shape == X.shape
    assert X_adv.dtype == X.dtype
    assert (X_adv - X).abs().max().item() <= eps + 1e-6
    assert X_adv.min().item() >= 0.0
    assert X_adv.max().item() <= 1.0


def test_pgd_increases_loss(seed):
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)
    )
    X = torch.tensor(seed.rand(50, 4), dtype=torch.float32)
    y = torch.tensor(seed.randint(0, 3, 50))

    X_adv = pgd_attack(model, X, y, eps=0.1, max_iter=10)

    with torch.no_grad():
        assert F.cross_entropy(model(X_adv), y) > F.cross_entropy(model(X), y)


def test_fgsm_moves_by_gradient_sign():
    # For a linear model the cross-entropy gradient with respect to X is
    # (softmax(W x) - onehot(y)) @ W, so its sign is known in closed form.
    model = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0], [-1.0, 2.0]]))
    X = torch.zeros(1, 2)
    y = torch.tensor([0])

    X_adv = fgsm_attack(model, X, y, eps=0.25)

    np.testing.assert_allclose(X_adv.numpy(), [[-0.25, 0.25]])


def test_attack_leaves_model_untouched(seed):
    model = torch.nn.Linear(4, 2)
    model.train()
    X = torch.tensor(seed.rand(10, 4), dtype=torch.float32)

    pgd_attack(model, X, torch.zeros(10, dtype=torch.int64), eps=0.1)

    assert model.weight.grad is None
    assert model.training


def test_attack_custom_loss(seed):
    model = torch.nn.Linear(4, 1)
    X = torch.tensor(seed.rand(10, 4), dtype=torch.float32)

    X_adv = pgd_attack(
        model, X, None, eps=0.2, max_iter=3, loss_fn=lambda out, _: out.sum()
    )

    with torch.no_grad():
        assert model(X_adv).sum() > model(X).sum()


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"eps": -0.1},
            "The 'eps' parameter of pgd_attack must be a finite float in the "
            "range [0.0, inf). Got -0.1 instead.",
        ),
        (
            {"eps": float("nan")},
            "The 'eps' parameter of pgd_attack must be a finite float in the "
            "range [0.0, inf). Got nan instead.",
        ),
        (
            {"eps": 0.1, "step_size": 0},
            "The 'step_size' parameter of pgd_attack must be None or a finite "
            "float in the range (0.0, inf). Got 0 instead.",
        ),
        (
            {"eps": 0.1, "max_iter": 0},
            "The 'max_iter' parameter of pgd_attack must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            {"eps": 0.1, "clip_values": (1.0, 0.0)},
            "The 'clip_values' parameter of pgd_attack must be None or a pair "
            "(min, max) with min < max. Got (1.0, 0.0) instead.",
        ),
    ],
)
def test_pgd_rejects_parameter(params, msg):
    model = torch.nn.Linear(2, 2)

    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        pgd_attack(model, torch.zeros(1, 2), torch.tensor([0]), **params)


def test_fgsm_rejects_negative_eps():
    msg = (
        "The 'eps' parameter of fgsm_attack must be a finite float in the range "
        "[0.0, inf). Got -1 instead."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        fgsm_attack(torch.nn.Linear(2, 2), torch.zeros(1, 2), torch.tensor([0]), eps=-1)


@pytest.mark.parametrize("attack", ["pgd", "fgsm"])
def test_net_trains_on_perturbed_batches(binary_data, attack):
    X, y = binary_data
    net = AdversarialNetClassifier(
        RecordingModule,
        attack=attack,
        eps=0.2,
        max_iter=3,
        clip_values=(0.0, 1.0),
        max_epochs=2,
        batch_size=60,
        train_split=None,
        verbose=0,
    )

    net.fit(X, y)

    seen = _trained_inputs(net)
    clean = np.concatenate([X, X])
    # With one batch per epoch and no shuffling, the module receives the rows in
    # order, each moved by at most eps and kept inside [0, 1].
    assert seen.shape == clean.shape
    assert np.abs(seen - clean).max() <= 0.2 + 1e-6
    assert np.abs(seen - clean).max() > 0.1
    assert seen.min() >= 0.0
    assert seen.max() <= 1.0


def test_net_mixes_clean_and_adversarial(binary_data):
    X, y = binary_data
    net = AdversarialNetClassifier(
        RecordingModule,
        eps=0.2,
        max_iter=2,
        adversarial_weight=0.5,
        max_epochs=1,
        batch_size=60,
        train_split=None,
        verbose=0,
    )

    net.fit(X, y)

    adversarial, clean = net.module_.training_inputs
    np.testing.assert_array_equal(clean.numpy(), X)
    assert np.abs(adversarial.numpy() - X).max() > 0.1


def test_net_zero_weight_trains_normally(binary_data):
    X, y = binary_data
    params = {
        "module": torch.nn.Linear,
        "module__in_features": 4,
        "module__out_features": 2,
        "criterion": torch.nn.CrossEntropyLoss,
        "max_epochs": 3,
        "train_split": None,
        "verbose": 0,
    }

    torch.manual_seed(1)
    plain = NeuralNetClassifier(**params).fit(X, y)
    torch.manual_seed(1)
    adversarial = AdversarialNetClassifier(adversarial_weight=0.0, **params).fit(X, y)

    np.testing.assert_array_equal(
        adversarial.module_.weight.detach().numpy(),
        plain.module_.weight.detach().numpy(),
    )


def test_net_eps_changes_training(binary_data):
    X, y = binary_data
    weights = []
    for eps in (0.0, 0.3):
        torch.manual_seed(1)
        net = AdversarialNetClassifier(
            torch.nn.Linear(4, 2),
            eps=eps,
            max_iter=3,
            max_epochs=3,
            train_split=None,
            verbose=0,
        ).fit(X, y)
        weights.append(net.module_.weight.detach().numpy().copy())

    assert not np.allclose(weights[0], weights[1])


def _pgd_start_net(random_state):
    # The module's weights and the batch order are fixed, so the random
    # starts of PGD are the only random numbers of the fit.
    return AdversarialNetClassifier(
        module__random_state=0,
        eps=0.3,
        max_iter=1,
        max_epochs=2,
        batch_size=20,
        train_split=None,
        random_state=random_state,
        verbose=0,
    )


def test_random_state_seeds_pgd_starts(binary_data):
    X, y = binary_data

    first = _pgd_start_net(0).fit(X, y).predict_proba(X)
    torch.manual_seed(1)
    second = _pgd_start_net(0).fit(X, y).predict_proba(X)
    other = _pgd_start_net(1).fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_net_predicts_on_clean_inputs(binary_data):
    X, y = binary_data
    net = AdversarialNetClassifier(
        RecordingModule, eps=0.3, max_iter=2, max_epochs=1, verbose=0
    ).fit(X, y)
    before = len(net.module_.training_inputs)

    proba = net.predict_proba(X)

    assert len(net.module_.training_inputs) == before
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(net.classes_, [0, 1])
    assert np.all(np.isfinite(net.history[:, "valid_loss"]))


@pytest.mark.parametrize("device", DEVICES)
def test_net_device_passthrough(binary_data, device):
    X, y = binary_data
    net = AdversarialNetClassifier(
        torch.nn.Linear(4, 2),
        eps=0.1,
        max_iter=2,
        max_epochs=1,
        train_split=None,
        device=device,
        verbose=0,
    ).fit(X, y)

    assert net.module_.weight.device.type == device
    assert net.predict(X).shape == (60,)


@pytest.mark.parametrize("device", DEVICES)
def test_random_state_seeds_device_fit(binary_data, device):
    X, y = binary_data
    params = {
        "eps": 0.3,
        "max_iter": 2,
        "max_epochs": 2,
        "batch_size": 20,
        "iterator_train__shuffle": True,
        "train_split": None,
        "device": device,
        "random_state": 0,
        "verbose": 0,
    }
    first = AdversarialNetClassifier(**params)
    second = AdversarialNetClassifier(**params)

    states = _generator_states(device)
    first.fit(X, y)
    assert _generator_states(device) == states
    torch.manual_seed(1)
    second.fit(X, y)

    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def _generator_states(device):
    states = [torch.get_rng_state().tolist()]
    if device == "cuda":
        states.append(torch.cuda.get_rng_state().tolist())
    return states


def test_binary_net_trains_adversarially(binary_data):
    X, y = binary_data
    net = AdversarialNetBinaryClassifier(
        RecordingModule,
        module__n_outputs=1,
        eps=0.2,
        max_iter=2,
        max_epochs=1,
        batch_size=60,
        train_split=None,
        verbose=0,
    )

    net.fit(X, y.astype("float32"))

    assert np.abs(_trained_inputs(net) - X).max() > 0.1
    proba = net.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    "net_class, n_outputs",
    [(AdversarialNetClassifier, 2), (AdversarialNetBinaryClassifier, 1)],
)
def test_net_attacks_batches_with_string_labels(binary_data, net_class, n_outputs):
    X, y = binary_data
    labels = np.array(["cat", "dog"])[y]
    net = net_class(
        RecordingModule,
        module__n_outputs=n_outputs,
        eps=0.2,
        max_iter=2,
        max_epochs=1,
        batch_size=60,
        train_split=None,
        verbose=0,
    )

    net.fit(X, labels)

    assert np.abs(_trained_inputs(net) - X).max() > 0.1
    assert set(net.predict(X).tolist()) <= {"cat", "dog"}


def test_student_net_matches_clean_soft_labels(binary_data):
    # The targets carry the teacher's logits of the clean rows, so the
    # student is trained to reproduce them on the perturbed rows.
    X, y = binary_data
    teacher_logits = np.column_stack([np.zeros(60), 8 * (X[:, 0] + X[:, 1] - 1)])
    targets = distillation_targets(teacher_logits, y)
    net = AdversarialNetClassifier(
        RecordingModule,
        criterion=DistillationLoss,
        criterion__alpha=1.0,
        criterion__temperature=2.0,
        eps=0.2,
        max_iter=3,
        max_epochs=2,
        batch_size=60,
        train_split=None,
        verbose=0,
    )

    net.fit(Dataset(X, targets), y)

    assert np.abs(_trained_inputs(net) - np.concatenate([X, X])).max() > 0.1
    assert np.all(np.isfinite(net.history[:, "train_loss"]))
    batch = torch.tensor(X)
    batch_targets = torch.tensor(targets)
    X_adv = net.generate_adversarial(batch, batch_targets)
    with torch.no_grad():
        clean_loss = net.criterion_(net.module_(batch), batch_targets)
        adversarial_loss = net.criterion_(net.module_(X_adv), batch_targets)
    assert adversarial_loss > clean_loss
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0, rtol=1e-6)


def test_net_clone_keeps_attack_params():
    net = AdversarialNetClassifier(
        torch.nn.Linear, module__in_features=4, eps=0.3, attack="fgsm"
    )

    cloned = clone(net)

    assert cloned.eps == 0.3
    assert cloned.attack == "fgsm"
    assert cloned.module__in_features == 4


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"eps": -0.5},
            "The 'eps' parameter of AdversarialNetClassifier must be a float in "
            "the range [0.0, inf). Got -0.5 instead.",
        ),
        (
            {"eps": float("inf")},
            "The 'eps' parameter of AdversarialNetClassifier must be a float in "
            "the range [0.0, inf). Got inf instead.",
        ),
        (
            {"step_size": -1.0},
            "The 'step_size' parameter of AdversarialNetClassifier must be a "
            "float in the range (0.0, inf) or None. Got -1.0 instead.",
        ),
        (
            {"max_iter": 2.5},
            "The 'max_iter' parameter of AdversarialNetClassifier must be an int "
            "in the range [1, inf). Got 2.5 instead.",
        ),
        (
            {"clip_values": (0.0,)},
            "The 'clip_values' parameter of AdversarialNetClassifier must be "
            "None or a pair (min, max) of floats with min < max. Got (0.0,) "
            "instead.",
        ),
        (
            {"clip_values": (1.0, 0.0)},
            "The 'clip_values' parameter of AdversarialNetClassifier must be "
            "None or a pair (min, max) of floats with min < max. Got (1.0, 0.0) "
            "instead.",
        ),
        (
            {"adversarial_weight": 1.5},
            "The 'adversarial_weight' parameter of AdversarialNetClassifier must "
            "be a float in the range [0.0, 1.0]. Got 1.5 instead.",
        ),
        (
            {"lr": -0.1},
            "The 'lr' parameter of AdversarialNetClassifier must be a float in "
            "the range [0.0, inf). Got -0.1 instead.",
        ),
        (
            {"random_state": -1},
            "The 'random_state' parameter of AdversarialNetClassifier must be an "
            "int in the range [0, 9223372036854775807] or None. Got -1 instead.",
        ),
        (
            {"random_state": 1.5},
            "The 'random_state' parameter of AdversarialNetClassifier must be an "
            "int in the range [0, 9223372036854775807] or None. Got 1.5 instead.",
        ),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_net_rejects_parameter_at_fit(binary_data, params, msg, method):
    X, y = binary_data
    net = AdversarialNetClassifier(
        torch.nn.Linear(4, 2), max_epochs=1, verbose=0, **params
    )

    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        getattr(net, method)(X, y)


def test_net_rejects_unknown_attack(binary_data):
    X, y = binary_data
    net = AdversarialNetClassifier(torch.nn.Linear(4, 2), attack="cw", verbose=0)

    # The options are a set, so their order in the message varies.
    options = r"\{('fgsm', 'pgd'|'pgd', 'fgsm')\}"
    msg = (
        "^The 'attack' parameter of AdversarialNetClassifier must be a str among "
        f"{options}. Got 'cw' instead.$"
    )
    with pytest.raises(ValueError, match=msg):
        net.fit(X, y)


def test_net_rejects_dict_input(binary_data):
    X, y = binary_data

    class DictModule(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(4, 2)

        def forward(self, features):
            return self.linear(features)

    net = AdversarialNetClassifier(
        DictModule, max_epochs=1, train_split=None, verbose=0
    )

    msg = (
        "AdversarialNetClassifier perturbs tensor inputs, but the batch input is "
        "a dict with keys ['features']. Pass X as one array."
    )
    with pytest.raises(TypeError, match=f"^{re.escape(msg)}$"):
        net.fit({"features": X}, y)

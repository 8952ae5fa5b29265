import re
from functools import partial

import numpy as np
import pytest
import torch
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from torch.nn import functional as F

from sklearn_distill.neural import (
    DistillationLoss,
    distillation_loss,
    distillation_targets,
    hard_labels,
)

TEMPERATURES = [0.01, 0.05, 1.0, 4.0, 20.0, 1000.0, 10_000.0]


@pytest.fixture
def rng():
    torch.manual_seed(0)
    return np.random.RandomState(0)


def _reference_loss(student, teacher, y, alpha, temperature):
    """Compute the loss in float64 NumPy, straight from the formula."""

    def softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    p = softmax(teacher / temperature)
    q = softmax(student / temperature)
    kl = np.sum(p * (np.log(p) - np.log(q)), axis=1)
    ce = -np.log(softmax(student)[np.arange(len(y)), y])
    return np.mean(alpha * temperature**2 * kl + (1 - alpha) * ce)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_loss_matches_formula(rng, alpha, temperature):
    student = rng.randn(8, 3)
    teacher = rng.randn(8, 3)
    y = rng.randint(0, 3, size=8)

    loss = distillation_loss(
        torch.tensor(student),
        torch.tensor(teacher),
        torch.tensor(y),
        alpha=alpha,
        temperature=temperature,
    )

    expected = _reference_loss(student, teacher, y, alpha, temperature)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-10)


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_loss_finite_for_one_hot_teacher(rng, temperature):
    student = torch.tensor(rng.randn(6, 2) * 5, dtype=torch.float32, requires_grad=True)
    teacher_proba = torch.tensor([[0.0, 1.0], [1.0, 0.0]] * 3)
    y = torch.tensor([1, 0] * 3)

    loss = distillation_loss(
        student, torch.log(teacher_proba), y, alpha=0.5, temperature=temperature
    )
    loss.backward()

    assert torch.isfinite(loss)
    assert torch.all(torch.isfinite(student.grad))


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_loss_zero_when_student_equals_teacher(rng, temperature):
    logits = torch.tensor(rng.randn(5, 4))

    loss = distillation_loss(
        logits, logits.clone(), None, alpha=1.0, temperature=temperature
    )

    assert loss.item() == pytest.approx(0.0, abs=1e-9 * max(1.0, temperature**2))


@pytest.mark.parametrize("temperature", [0.1, 1.0, 20.0, 1000.0])
def test_soft_gradient_scaled_by_temperature(rng, temperature):
    # d/dz of T**2 * KL(p_T || softmax(z / T)) is T * (softmax(z / T) - p_T),
    # so the T**2 factor keeps the gradient from vanishing as T grows.
    student = torch.tensor(rng.randn(3, 3), requires_grad=True)
    teacher = torch.tensor(rng.randn(3, 3))

    distillation_loss(
        student, teacher, None, alpha=1.0, temperature=temperature, reduction="sum"
    ).backward()

    q = torch.softmax(student.detach() / temperature, dim=1)
    p = torch.softmax(teacher / temperature, dim=1)
    expected = temperature * (q - p)
    np.testing.assert_allclose(student.grad.numpy(), expected.numpy(), atol=1e-12)


@pytest.mark.parametrize("temperature", [1000.0, 10_000.0])
def test_float32_loss_precise_at_high_temperature(rng, temperature):
    # The float32 values, widened exactly, are the float64 reference's input.
    student = torch.tensor(rng.randn(8, 3) * 3, dtype=torch.float32)
    teacher = torch.tensor(rng.randn(8, 3) * 3, dtype=torch.float32)
    y = rng.randint(0, 3, size=8)

    loss = distillation_loss(
        student, teacher, torch.tensor(y), alpha=0.7, temperature=temperature
    )

    expected = _reference_loss(
        student.double().numpy(), teacher.double().numpy(), y, 0.7, temperature
    )
    assert loss.dtype == torch.float32
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-4)


@pytest.mark.parametrize("temperature", [0.01, 1.0, 4.0, 10_000.0])
def test_loss_passes_gradcheck(rng, temperature):
    student = torch.tensor(rng.randn(4, 3), requires_grad=True)
    teacher = torch.tensor(rng.randn(4, 3))
    y = torch.tensor(rng.randint(0, 3, size=4))

    def loss(logits):
        return distillation_loss(logits, teacher, y, alpha=0.6, temperature=temperature)

    # At T = 10,000 the loss carries a float64 rounding error of about 1e-8,
    # because T**2 magnifies it, so the finite-difference step grows with T.
    step = 1e-6 * max(1.0, temperature)
    assert torch.autograd.gradcheck(loss, (student,), eps=step)


@pytest.mark.parametrize("temperature", [0.01, 1.0, 1000.0, 10_000.0])
def test_float32_gradient_matches_float64(rng, temperature):
    logits = rng.randn(6, 3) * 3
    teacher = torch.tensor(rng.randn(6, 3) * 3)
    y = torch.tensor(rng.randint(0, 3, size=6))
    gradients = {}
    for dtype in (torch.float32, torch.float64):
        # Both runs start from the same float32 values.
        student = torch.tensor(logits, dtype=torch.float32).to(dtype)
        student.requires_grad_(True)
        distillation_loss(
            student, teacher.to(dtype), y, alpha=0.8, temperature=temperature
        ).backward()
        gradients[dtype] = student.grad

    assert gradients[torch.float32].dtype == torch.float32
    np.testing.assert_allclose(
        gradients[torch.float32].numpy(),
        gradients[torch.float64].numpy(),
        rtol=1e-4,
        atol=1e-7,
    )


def test_zero_teacher_probability_contributes_nothing():
    # With p = [0, 1] the divergence is -log q_1, because 0 * log 0 = 0.
    student = torch.tensor([[0.5, 1.5]], dtype=torch.float64)
    teacher = torch.log(torch.tensor([[0.0, 1.0]], dtype=torch.float64))

    loss = distillation_loss(student, teacher, None, alpha=1.0, temperature=1.0)

    expected = -F.log_softmax(student, dim=1)[0, 1]
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize(
    "reduction, expected_shape", [("none", (4,)), ("sum", ()), ("mean", ())]
)
def test_loss_reduction(rng, reduction, expected_shape):
    student = torch.tensor(rng.randn(4, 2))
    teacher = torch.tensor(rng.randn(4, 2))
    y = torch.tensor([0, 1, 1, 0])

    loss = distillation_loss(student, teacher, y, reduction=reduction)
    per_sample = distillation_loss(student, teacher, y, reduction="none")

    assert tuple(loss.shape) == expected_shape
    if reduction == "sum":
        assert loss.item() == pytest.approx(per_sample.sum().item())
    if reduction == "mean":
        assert loss.item() == pytest.approx(per_sample.mean().item())


def _weighted_reference(student, teacher, y, weight, alpha, temperature):
    """Compute sum(w_i * loss_i) / n_samples in float64 NumPy, row by row."""
    per_sample = [
        _reference_loss(
            student[[i]], teacher[[i]], y[[i]], alpha=alpha, temperature=temperature
        )
        for i in range(len(y))
    ]
    return np.sum(weight * np.array(per_sample)) / len(y)


@pytest.mark.parametrize("alpha", [0.0, 0.4, 1.0])
def test_weighted_loss_matches_formula(rng, alpha):
    student = rng.randn(6, 3)
    teacher = rng.randn(6, 3)
    y = rng.randint(0, 3, size=6)
    weight = np.array([0.5, 2.0, 0.0, 1.0, 3.0, 0.25])

    loss = distillation_loss(
        torch.tensor(student),
        torch.tensor(teacher),
        torch.tensor(y),
        alpha=alpha,
        temperature=2.0,
        sample_weight=torch.tensor(weight),
    )

    expected = _weighted_reference(student, teacher, y, weight, alpha, 2.0)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-10)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_weighted_loss_reduction(rng, reduction):
    student = torch.tensor(rng.randn(4, 2))
    teacher = torch.tensor(rng.randn(4, 2))
    y = torch.tensor([0, 1, 1, 0])
    weight = torch.tensor([1.0, 0.0, 2.5, 4.0], dtype=torch.float64)
    per_sample = distillation_loss(student, teacher, y, reduction="none")

    loss = distillation_loss(
        student, teacher, y, reduction=reduction, sample_weight=weight
    )

    expected = {
        "none": weight * per_sample,
        "sum": (weight * per_sample).sum(),
        "mean": (weight * per_sample).sum() / 4,
    }[reduction]
    torch.testing.assert_close(loss, expected, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_integer_weights_equal_repeated_rows(rng, reduction):
    # The weights average 1, so the weighted batch and the batch of repeated
    # rows have the same number of rows and "mean" divides both by 8.
    weight = np.array([2, 0, 1, 3, 0, 1, 0, 1])
    student = rng.randn(8, 3)
    teacher = rng.randn(8, 3)
    y = rng.randint(0, 3, size=8)

    weighted = DistillationLoss(alpha=0.3, temperature=2.0, reduction=reduction)(
        torch.tensor(student),
        torch.tensor(distillation_targets(teacher, y, sample_weight=weight)),
    )
    repeated = DistillationLoss(alpha=0.3, temperature=2.0, reduction=reduction)(
        torch.tensor(np.repeat(student, weight, axis=0)),
        torch.tensor(
            distillation_targets(np.repeat(teacher, weight, axis=0), y.repeat(weight))
        ),
    )

    assert weighted.item() == pytest.approx(repeated.item(), rel=1e-12)


def test_zero_weight_rows_contribute_nothing(rng):
    student = torch.tensor(rng.randn(4, 3), requires_grad=True)
    teacher = torch.tensor(rng.randn(4, 3))
    y = torch.tensor([0, 1, 2, 1])
    weight = torch.tensor([1.0, 0.0, 2.0, 0.0], dtype=torch.float64)

    loss = distillation_loss(student, teacher, y, alpha=0.5, sample_weight=weight)
    loss.backward()
    positive_rows_sum = distillation_loss(
        student[[0, 2]].detach(),
        teacher[[0, 2]],
        y[[0, 2]],
        alpha=0.5,
        reduction="sum",
        sample_weight=weight[[0, 2]],
    )

    assert loss.item() == pytest.approx(positive_rows_sum.item() / 4, rel=1e-12)
    assert torch.all(student.grad[[1, 3]] == 0)
    assert torch.all(student.grad[[0, 2]] != 0)


@pytest.mark.parametrize("input_type", ["logits", "proba"])
def test_all_zero_weights_give_zero_loss(rng, input_type):
    # A mini-batch may contain only rows of weight 0.
    output = torch.softmax(torch.tensor(rng.randn(3, 2)), dim=1)
    if input_type == "logits":
        output = output.log()
    output.requires_grad_(True)
    targets = distillation_targets(rng.randn(3, 2), [0, 1, 1], np.zeros(3))

    loss = DistillationLoss(input_type=input_type)(output, torch.tensor(targets))
    loss.backward()

    assert loss.item() == 0.0
    assert torch.all(output.grad == 0)


def test_criterion_reads_weight_column(rng):
    student = torch.tensor(rng.randn(5, 3))
    teacher = rng.randn(5, 3).astype(np.float32)
    y = np.array([0, 1, 2, 2, 1])
    weight = np.array([0.5, 1.5, 0.0, 2.0, 1.0])
    criterion = DistillationLoss(alpha=0.6, temperature=3.0)

    loss = criterion(student, torch.tensor(distillation_targets(teacher, y, weight)))

    expected = distillation_loss(
        student,
        torch.tensor(teacher),
        torch.tensor(y),
        alpha=0.6,
        temperature=3.0,
        sample_weight=torch.tensor(weight),
    )
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_weighted_loss_rejects_weight_shape():
    msg = (
        "sample_weight must have shape (2,), one weight per row of "
        "student_logits; got shape (3,)."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        distillation_loss(
            torch.zeros(2, 2),
            torch.zeros(2, 2),
            torch.tensor([0, 1]),
            sample_weight=torch.ones(3),
        )


def test_loss_missing_teacher_or_labels():
    student = torch.zeros(2, 2)

    msg = (
        "teacher_log_scores is None but alpha=0.5 gives the soft term a weight. "
        "Pass the teacher's log-scores, or set alpha=0."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        distillation_loss(student, None, torch.tensor([0, 1]), alpha=0.5)

    msg = (
        "y is None but alpha=0.5 gives the cross-entropy a weight. Pass the "
        "label positions, or set alpha=1."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        distillation_loss(student, torch.zeros(2, 2), None, alpha=0.5)


def test_criterion_reads_packed_targets(rng):
    student = torch.tensor(rng.randn(6, 3))
    teacher = rng.randn(6, 3)
    y = np.array([0, 1, 2, 2, 1, 0])
    targets = torch.tensor(distillation_targets(teacher, y), dtype=torch.float64)
    criterion = DistillationLoss(alpha=0.25, temperature=3.0)

    loss = criterion(student, targets)

    expected = _reference_loss(
        student.numpy(), teacher.astype(np.float32).astype(float), y, 0.25, 3.0
    )
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-6)


def test_criterion_labels_alone_give_cross_entropy(rng):
    student = torch.tensor(rng.randn(5, 3))
    y = torch.tensor([0, 2, 1, 1, 0])

    loss = DistillationLoss(alpha=0.9, temperature=5.0)(student, y)

    assert loss.item() == pytest.approx(F.cross_entropy(student, y).item())


def test_criterion_probability_input_uses_log(rng):
    logits = torch.tensor(rng.randn(5, 3))
    targets = torch.tensor(distillation_targets(rng.randn(5, 3), [0, 1, 2, 0, 1]))
    proba = torch.softmax(logits, dim=1)

    from_proba = DistillationLoss(input_type="proba", temperature=2.0)(proba, targets)
    from_logits = DistillationLoss(temperature=2.0)(logits, targets)

    assert from_proba.item() == pytest.approx(from_logits.item(), rel=1e-6)


def test_criterion_probability_input_finite_at_zero():
    proba = torch.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    targets = torch.tensor(distillation_targets(np.zeros((2, 2)), [0, 1]))

    loss = DistillationLoss(input_type="proba")(proba, targets)
    loss.backward()

    assert torch.isfinite(loss)
    assert torch.all(torch.isfinite(proba.grad))


@pytest.mark.parametrize("shape", [(4,), (4, 1)])
def test_criterion_binary_logit_input(rng, shape):
    decision = torch.tensor(rng.randn(4))
    targets = torch.tensor(distillation_targets(rng.randn(4, 2), [0, 1, 1, 0]))
    two_column = torch.column_stack([torch.zeros(4), decision]).double()

    binary = DistillationLoss(input_type="binary_logit", alpha=0.5, temperature=3.0)
    multiclass = DistillationLoss(alpha=0.5, temperature=3.0)

    # Shifting both logits by the same amount leaves the softmax unchanged.
    assert binary(decision.reshape(shape), targets).item() == pytest.approx(
        multiclass(two_column, targets).item(), rel=1e-9
    )
    proba = torch.softmax(binary.student_logits(decision), dim=1)[:, 1]
    np.testing.assert_allclose(proba.numpy(), torch.sigmoid(decision).numpy())


@pytest.mark.parametrize("shape", [(2, 3), (2, 6)])
def test_criterion_rejects_target_shape(shape):
    criterion = DistillationLoss()

    msg = (
        "DistillationLoss expects targets of shape (n_samples, 4) or, with row "
        "weights, (n_samples, 5) built by distillation_targets, or label "
        "positions of shape (n_samples,), for a student with 3 classes; got "
        f"shape {shape}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        criterion(torch.zeros(2, 3), torch.zeros(shape))


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"alpha": 1.5},
            "The 'alpha' parameter of DistillationLoss must be a float in the "
            "range [0.0, 1.0]. Got 1.5 instead.",
        ),
        (
            {"alpha": True},
            "The 'alpha' parameter of DistillationLoss must be a float in the "
            "range [0.0, 1.0]. Got True instead.",
        ),
        (
            {"temperature": 0},
            "The 'temperature' parameter of DistillationLoss must be a float in "
            "the range (0.0, inf). Got 0 instead.",
        ),
        (
            {"temperature": -1.0},
            "The 'temperature' parameter of DistillationLoss must be a float in "
            "the range (0.0, inf). Got -1.0 instead.",
        ),
        (
            {"input_type": "probability"},
            "The 'input_type' parameter of DistillationLoss must be a str among "
            "{'binary_logit', 'logits', 'proba'}. Got 'probability' instead.",
        ),
        (
            {"reduction": "avg"},
            "The 'reduction' parameter of DistillationLoss must be a str among "
            "{'mean', 'none', 'sum'}. Got 'avg' instead.",
        ),
    ],
)
def test_criterion_rejects_parameter(params, msg):
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        DistillationLoss(**params)


def test_targets_layout():
    targets = distillation_targets([[np.log(0.5), np.log(0.5), -np.inf]], [2])

    assert targets.dtype == np.float32
    assert targets[0, 2] == -np.inf
    assert targets[0, 3] == 2.0
    np.testing.assert_array_equal(hard_labels(targets), [2])
    np.testing.assert_array_equal(hard_labels(torch.tensor(targets)), [2])
    np.testing.assert_array_equal(hard_labels(np.array([1, 0])), [1, 0])


@pytest.mark.parametrize(
    "scores, y, msg",
    [
        (
            np.zeros((3, 2)),
            [0, 1],
            "teacher_log_scores must have shape (n_samples, n_classes) and y "
            "shape (n_samples,); got (3, 2) and (2,).",
        ),
        (
            np.zeros((2, 2)),
            [0, 2],
            "y must contain class positions, integers in [0, 2), but it contains "
            "values from 0 to 2. Encode the labels with "
            "sklearn.preprocessing.LabelEncoder first.",
        ),
        (
            np.zeros((2, 2)),
            [0.5, 1],
            "y must contain class positions, integers in [0, 2), but it contains "
            "values from 0.5 to 1.0. Encode the labels with "
            "sklearn.preprocessing.LabelEncoder first.",
        ),
    ],
)
def test_targets_reject_bad_input(scores, y, msg):
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        distillation_targets(scores, y)


def test_weighted_targets_layout():
    targets = distillation_targets(
        [[np.log(0.5), np.log(0.5), -np.inf]], [2], sample_weight=[2.5]
    )

    assert targets.dtype == np.float32
    assert targets.shape == (1, 5)
    assert targets[0, 3] == 2.5
    assert targets[0, 4] == 2.0
    np.testing.assert_array_equal(hard_labels(targets), [2])


@pytest.mark.parametrize(
    "weight, msg",
    [
        (
            [1.0, 2.0, 3.0],
            "sample_weight must have shape (2,), one weight per row of "
            "teacher_log_scores; got shape (3,).",
        ),
        (
            [1.0, -0.5],
            "sample_weight must contain finite weights from 0 to 3.403e+38, the "
            "largest float32, but row 1 weighs -0.5. Pass weights of 0 or more, "
            "with 0 for a row to leave out, and divide them all by a common "
            "factor if they exceed the float32 range.",
        ),
        (
            [np.nan, 1.0],
            "sample_weight must contain finite weights from 0 to 3.403e+38, the "
            "largest float32, but row 0 weighs nan. Pass weights of 0 or more, "
            "with 0 for a row to leave out, and divide them all by a common "
            "factor if they exceed the float32 range.",
        ),
        (
            [1.0, 1e39],
            "sample_weight must contain finite weights from 0 to 3.403e+38, the "
            "largest float32, but row 1 weighs 1e+39. Pass weights of 0 or more, "
            "with 0 for a row to leave out, and divide them all by a common "
            "factor if they exceed the float32 range.",
        ),
    ],
)
def test_targets_reject_bad_weights(weight, msg):
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        distillation_targets(np.zeros((2, 2)), [0, 1], sample_weight=weight)


def test_criterion_in_skorch_net(rng):
    X = rng.rand(60, 4).astype("float32")
    y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    teacher_logits = np.column_stack([-10 * (X[:, 0] + X[:, 1] - 1), np.zeros(60)])
    targets = distillation_targets(-teacher_logits, y)
    net = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=DistillationLoss,
        criterion__alpha=0.5,
        criterion__temperature=4.0,
        predict_nonlinearity=partial(torch.softmax, dim=-1),
        callbacks__valid_acc__target_extractor=hard_labels,
        max_epochs=3,
        lr=0.5,
        verbose=0,
    )

    # The labels passed as y drive the stratified validation split and
    # classes_, while the dataset feeds the packed targets to the criterion.
    net.fit(Dataset(X, targets), y)

    train_loss = net.history[:, "train_loss"]
    assert np.all(np.isfinite(train_loss))
    assert 0.0 <= net.history[-1, "valid_acc"] <= 1.0
    np.testing.assert_array_equal(net.classes_, [0, 1])
    proba = net.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def _fit_full_batch(X, targets, y):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=DistillationLoss,
        criterion__alpha=0.5,
        criterion__temperature=2.0,
        batch_size=-1,
        train_split=None,
        max_epochs=5,
        lr=0.5,
        verbose=0,
    )
    return net.fit(Dataset(X, targets), y)


def test_full_batch_weights_equal_repeated_rows(rng):
    # With one full batch per epoch and weights of mean 1, plain SGD takes the
    # same steps on weighted rows as on rows repeated by their weights.
    X = rng.rand(40, 4).astype("float32")
    y = (X[:, 0] + X[:, 1] > 1).astype("int64")
    teacher = rng.randn(40, 2)
    weight = np.r_[np.full(8, 2), np.zeros(8, dtype=int), np.ones(24, dtype=int)]

    weighted = _fit_full_batch(X, distillation_targets(teacher, y, weight), y)
    repeated = _fit_full_batch(
        X.repeat(weight, axis=0),
        distillation_targets(teacher.repeat(weight, axis=0), y.repeat(weight)),
        y.repeat(weight),
    )
    unweighted = _fit_full_batch(X, distillation_targets(teacher, y), y)

    for name in ("weight", "bias"):
        trained = getattr(weighted.module_, name).detach().numpy()
        expected = getattr(repeated.module_, name).detach().numpy()
        ignored = getattr(unweighted.module_, name).detach().numpy()
        np.testing.assert_allclose(trained, expected, rtol=1e-5, atol=1e-7)
        assert np.abs(trained - ignored).max() > 1e-3

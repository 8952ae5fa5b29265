"""L-infinity gradient attacks on a batch of tensors, for training loops.

ART's attacks take NumPy arrays and a fixed loss, so running them on every
training batch would copy the batch off the device and could not maximise a
criterion such as :class:`DistillationLoss` on packed targets. These plain
torch versions work on the batch where it lies and maximise any loss.
"""

import numbers

import torch
from torch.nn import functional as F


def pgd_attack(
    model,
    X,
    y,
    *,
    eps,
    step_size=None,
    max_iter=10,
    random_start=True,
    clip_values=None,
    loss_fn=None,
):
    """Perturb `X` by projected gradient descent within an L-infinity ball.

    Each step moves the inputs by `step_size` in the direction of the sign
    of the loss gradient and projects them back into the ball of radius
    `eps` around `X`, then into `clip_values` (Madry et al., 2018).

    Parameters
    ----------
    model : callable
        Maps a tensor of inputs to the outputs `loss_fn` takes, such as a
        :class:`torch.nn.Module` returning logits. Its training mode and
        parameter gradients are left unchanged.
    X : torch.Tensor of shape (n_samples, ...)
        Clean inputs.
    y : torch.Tensor
        Targets passed to `loss_fn`.
    eps : float
        Maximum change of any input value, at least 0.
    step_size : float, default=None
        Change per step. None means ``2.5 * eps / max_iter``, which lets a
        step sequence cross the ball.
    max_iter : int, default=10
        Number of gradient steps, at least 1.
    random_start : bool, default=True
        Whether to start from a uniformly random point of the ball instead
        of `X`.
    clip_values : tuple of (float, float), default=None
        Minimum and maximum of valid input values. None means unbounded.
    loss_fn : callable, default=None
        ``loss_fn(output, y)`` returns the scalar loss to maximise. None
        means :func:`torch.nn.functional.cross_entropy`.

    Returns
    -------
    X_adv : torch.Tensor
        Adversarial inputs with the shape, dtype and device of `X`, detached
        from the graph.

    References
    ----------
    A. Madry, A. Makelov, L. Schmidt, D. Tsipras and A. Vladu, "Towards Deep
    Learning Models Resistant to Adversarial Attacks", ICLR 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_distill.neural import pgd_attack
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(4, 3)
    >>> X, y = torch.rand(5, 4), torch.tensor([0, 1, 2, 0, 1])
    >>> X_adv = pgd_attack(model, X, y, eps=0.1, clip_values=(0.0, 1.0))
    >>> bool((X_adv - X).abs().max() <= 0.1 + 1e-6)
    True
    """
    check_attack_params(eps, step_size, max_iter, clip_values, owner="pgd_attack")
    if step_size is None:
        step_size = 2.5 * eps / max_iter
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn

    X = X.detach()
    X_adv = X.clone()
    if random_start:
        X_adv = X_adv + torch.empty_like(X).uniform_(-eps, eps)
        X_adv = _clip(X_adv, clip_values)

    for _ in range(max_iter):
        gradient = _input_gradient(model, loss_fn, X_adv, y)
        X_adv = X_adv + step_size * gradient.sign()
        X_adv = X + (X_adv - X).clamp(-eps, eps)
        X_adv = _clip(X_adv, clip_values)
    return X_adv.detach()


def fgsm_attack(model, X, y, *, eps, clip_values=None, loss_fn=None):
    """Perturb `X` by the fast gradient sign method.

    One step of size `eps` in the direction of the sign of the loss
    gradient (Goodfellow et al., 2015), then clipping to `clip_values`.

    Parameters
    ----------
    model : callable
        Maps a tensor of inputs to the outputs `loss_fn` takes.
    X : torch.Tensor of shape (n_samples, ...)
        Clean inputs.
    y : torch.Tensor
        Targets passed to `loss_fn`.
    eps : float
        Size of the step, at least 0.
    clip_values : tuple of (float, float), default=None
        Minimum and maximum of valid input values. None means unbounded.
    loss_fn : callable, default=None
        ``loss_fn(output, y)`` returns the scalar loss to maximise. None
        means :func:`torch.nn.functional.cross_entropy`.

    Returns
    -------
    X_adv : torch.Tensor
        Adversarial inputs with the shape, dtype and device of `X`.

    References
    ----------
    I. Goodfellow, J. Shlens and C. Szegedy, "Explaining and Harnessing
    Adversarial Examples", ICLR 2015.

    Examples
    --------
    >>> import torch
    >>> from sklearn_distill.neural import fgsm_attack
    >>> model = torch.nn.Linear(2, 2)
    >>> X_adv = fgsm_attack(model, torch.zeros(1, 2), torch.tensor([0]), eps=0.5)
    >>> sorted(X_adv.abs().flatten().tolist())
    [0.5, 0.5]
    """
    check_attack_params(eps, None, 1, clip_values, owner="fgsm_attack")
    return pgd_attack(
        model,
        X,
        y,
        eps=eps,
        step_size=eps,
        max_iter=1,
        random_start=False,
        clip_values=clip_values,
        loss_fn=loss_fn,
    )


def _input_gradient(model, loss_fn, X, y):
    """Return the gradient of the loss with respect to the inputs only."""
    X = X.detach().requires_grad_(True)
    with torch.enable_grad():
        loss = loss_fn(model(X), y)
        (gradient,) = torch.autograd.grad(loss, X)
    return gradient


def _clip(X, clip_values):
    if clip_values is None:
        return X
    return X.clamp(clip_values[0], clip_values[1])


def check_attack_params(eps, step_size, max_iter, clip_values, *, owner):
    """Raise a ValueError naming `owner` if an attack parameter is invalid."""
    if not _is_real(eps) or not 0 <= eps < float("inf"):
        raise ValueError(
            f"The 'eps' parameter of {owner} must be a finite float in the range "
            f"[0.0, inf). Got {eps!r} instead."
        )
    if step_size is not None and (
        not _is_real(step_size) or not 0 < step_size < float("inf")
    ):
        raise ValueError(
            f"The 'step_size' parameter of {owner} must be None or a finite float "
            f"in the range (0.0, inf). Got {step_size!r} instead."
        )
    if not _is_integer(max_iter) or max_iter < 1:
        raise ValueError(
            f"The 'max_iter' parameter of {owner} must be an int in the range "
            f"[1, inf). Got {max_iter!r} instead."
        )

    valid_clip = clip_values is None or (
        isinstance(clip_values, tuple | list)
        and len(clip_values) == 2
        and all(_is_real(value) for value in clip_values)
        and clip_values[0] < clip_values[1]
    )
    if not valid_clip:
        raise ValueError(
            f"The 'clip_values' parameter of {owner} must be None or a pair "
            f"(min, max) with min < max. Got {clip_values!r} instead."
        )


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)

"""Perturbation norms, clip ranges and projection onto the ε-ball.

Every adversarial row leaves this module inside the ball of radius ε around
its source row and inside the clip range, measured exactly on the values of
the rows' own dtype. Rounding to float32 after a projection computed in
float64 could otherwise step half a float32 unit outside the ball.
"""

import numpy as np

from .._input_checks import check_bounds_not_nan, check_numeric_bounds

NORMS = ("inf", 1, 2)

# Maximum number of times a too-long perturbation, or an L-infinity bound, is
# corrected again after rounding to the rows' dtype. Each pass moves it by a
# few units in the last place.
_MAX_SHRINK_PASSES = 8


def perturbation_norm(delta, norm):
    """Return the `norm` of every row of `delta`, computed in float64."""
    order = np.inf if norm == "inf" else norm
    return np.linalg.norm(np.asarray(delta, dtype=np.float64), ord=order, axis=1)


def clip_bounds(clip_values, X):
    """Return per-feature minimum and maximum arrays for `X`.

    Parameters
    ----------
    clip_values : tuple of (array-like, array-like) or None
        Scalar or per-feature bounds. None takes the minimum and maximum of
        every column of `X`.
    X : ndarray of shape (n_samples, n_features)
        Rows the bounds apply to.

    Returns
    -------
    low, high : ndarray of shape (n_features,), dtype float64
        Bounds rounded inwards to values of the dtype of `X`.

    Raises
    ------
    ValueError
        If `clip_values` is not a pair, contains NaN or values that are not
        numbers, does not broadcast to the number of features, or has a
        minimum above a maximum.
    """
    n_features = X.shape[1]
    if clip_values is None:
        low, high = X.min(axis=0), X.max(axis=0)
    else:
        low, high = _unpack_pair(clip_values)
        check_numeric_bounds(clip_values, "clip_values")

    try:
        low = np.broadcast_to(np.asarray(low, dtype=np.float64), (n_features,))
        high = np.broadcast_to(np.asarray(high, dtype=np.float64), (n_features,))
    except ValueError as exc:
        raise ValueError(
            "clip_values must hold two scalars or two arrays of length "
            f"n_features={n_features}, got shapes {np.shape(low)} and "
            f"{np.shape(high)}."
        ) from exc

    check_bounds_not_nan(low, high, "clip_values")
    inverted = np.flatnonzero(low > high)
    if inverted.size:
        raise ValueError(
            "clip_values must give a minimum at or below the maximum of every "
            f"feature, but features {inverted.tolist()} have minimum > maximum. "
            "Swap or correct those bounds."
        )
    return round_up(low, X.dtype), round_down(high, X.dtype)


def project(X_adv, X, eps, norm, low, high):
    """Move adversarial rows into the ε-ball around `X` and the clip range.

    Parameters
    ----------
    X_adv : ndarray of shape (n_samples, n_features)
        Candidate adversarial rows, in any float dtype.
    X : ndarray of shape (n_samples, n_features), dtype float32 or float64
        Source rows.
    eps : float
        Radius of the ball.
    norm : {"inf", 1, 2}
        Norm of the ball. The L-infinity projection clips every feature. A
        perturbation longer than `eps` in the L1 or L2 norm is scaled down
        to length `eps`: for L2 this is the Euclidean projection, for L1 a
        point of the ball in the same direction.
    low, high : ndarray of shape (n_features,)
        Clip range, already rounded to the dtype of `X` by
        :func:`clip_bounds`. A source row outside it widens it for that row,
        so that clipping never moves a feature further than the attack did.

    Returns
    -------
    X_proj : ndarray of shape (n_samples, n_features), dtype of `X`
        Rows within `eps` of `X` and within the clip range.
    """
    dtype = X.dtype
    source = X.astype(np.float64)
    candidate = np.asarray(X_adv, dtype=np.float64)
    row_low = np.minimum(low, source)
    row_high = np.maximum(high, source)

    if norm == "inf":
        ball_low, ball_high = _linf_ball(source, eps, dtype)
        lowest = np.maximum(ball_low, row_low)
        highest = np.minimum(ball_high, row_high)
        return np.clip(candidate, lowest, highest).astype(dtype)

    candidate = np.clip(candidate, row_low, row_high)
    return _shrink_into_ball(candidate, source, eps, norm, dtype)


def round_up(values, dtype):
    """Return the smallest value of `dtype` at or above each of `values`."""
    values = np.asarray(values, dtype=np.float64)
    if np.dtype(dtype) != np.float32:
        return values
    with np.errstate(over="ignore"):
        rounded = values.astype(np.float32)
    rounded = np.where(
        rounded < values, np.nextafter(rounded, np.float32(np.inf)), rounded
    )
    return rounded.astype(np.float64)


def round_down(values, dtype):
    """Return the largest value of `dtype` at or below each of `values`."""
    values = np.asarray(values, dtype=np.float64)
    if np.dtype(dtype) != np.float32:
        return values
    with np.errstate(over="ignore"):
        rounded = values.astype(np.float32)
    rounded = np.where(
        rounded > values, np.nextafter(rounded, np.float32(-np.inf)), rounded
    )
    return rounded.astype(np.float64)


def _linf_ball(source, eps, dtype):
    """Return the extreme values of `dtype` within `eps` of each source value.

    Distances are those computed in float64, ``abs(value - source)``, so
    that the bounds agree with :func:`perturbation_norm`.
    """
    ball_low = round_up(source - eps, dtype)
    ball_high = round_down(source + eps, dtype)
    step_down = np.float32(-np.inf) if dtype == np.float32 else -np.inf
    step_up = -step_down
    for _ in range(_MAX_SHRINK_PASSES):
        too_high = ball_high - source > eps
        too_low = source - ball_low > eps
        if not (too_high.any() or too_low.any()):
            break
        ball_high = np.where(
            too_high, _next_value(ball_high, step_down, dtype), ball_high
        )
        ball_low = np.where(too_low, _next_value(ball_low, step_up, dtype), ball_low)
    return ball_low, ball_high


def _next_value(values, direction, dtype):
    """Step each value to the adjacent value of `dtype` towards `direction`."""
    return np.nextafter(values.astype(dtype), direction).astype(np.float64)


def _shrink_into_ball(candidate, source, eps, norm, dtype):
    """Scale perturbations to length `eps`, then fix the rounding to `dtype`.

    Rows already within `eps` are returned unchanged: recomputing them as
    ``source + delta`` could move them by one unit in the last place.
    """
    result = candidate.astype(dtype)
    radius = np.full(source.shape[0], float(eps))
    for _ in range(_MAX_SHRINK_PASSES):
        delta = candidate - source
        length = perturbation_norm(result.astype(np.float64) - source, norm)
        too_long = length > eps
        if not too_long.any():
            return result
        scale = radius[too_long] / perturbation_norm(delta[too_long], norm)
        shrunk = source[too_long] + delta[too_long] * scale[:, np.newaxis]
        result[too_long] = shrunk.astype(dtype)
        radius[too_long] *= 1.0 - 4.0 * np.finfo(dtype).eps

    # Rows still outside the ball after every pass keep their source values.
    result[too_long] = source[too_long].astype(dtype)
    return result


def _unpack_pair(clip_values):
    try:
        low, high = clip_values
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "clip_values must be None or a pair (minimum, maximum), got "
            f"{clip_values!r}."
        ) from exc
    return low, high


def evaluation_clip_values(clip_values, X, eps):
    """Return clip values for evaluating robustness on the rows `X`.

    The range of a few evaluated rows, one row at the extreme, would stop the
    attacker from moving a feature at all and overstate robust accuracy. So
    None gives the range of `X` widened by `eps` on each side, which never
    binds inside an ``eps``-ball around a row of `X`, in any norm, and only
    keeps the search box of black-box attacks finite.

    Parameters
    ----------
    clip_values : tuple of (array-like, array-like) or None
        Bounds given by the caller; returned unchanged when not None.
    X : ndarray of shape (n_samples, n_features)
        Evaluated rows.
    eps : float
        Largest perturbation budget of the evaluation.

    Returns
    -------
    clip_values : tuple of (ndarray, ndarray) or the given bounds
        Per-feature minimum and maximum.
    """
    if clip_values is not None:
        return clip_values
    return X.min(axis=0) - eps, X.max(axis=0) + eps

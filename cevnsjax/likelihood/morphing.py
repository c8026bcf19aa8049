"""Template morphing: a nominal template moved towards its released +-1 sigma variations.

    template(theta) = nominal + w_+(theta) (plus - nominal) + w_-(theta) (minus - nominal)      Eq. (86)

with w_+- the parabola through theta = -1, 0, 1 for |theta| <= 1 and its tangent beyond (linear
extrapolation): continuously differentiable and exact at the released variants, a smooth
version of the piecewise-linear interpolation of HistFactory (CERN-OPEN-2012-016), like its
polynomial-inside, linear-outside interpolation codes (docs/physics.md section 11e).

Examples:
    >>> import jax.numpy as jnp
    >>> [float(w) for w in variation_weights(jnp.asarray(1.0))]
    [1.0, 0.0]
    >>> w = mixture_weights({"theta": jnp.asarray(-1.0)}, 3, (("theta", 1, 2),))
    >>> [float(x) for x in w]
    [0.0, 0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp


def variation_weights(theta: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Weights (w_plus, w_minus) of the +-1 sigma differences for a shape nuisance ``theta`` [sigma].

    Returns:
        ``(w_plus, w_minus)``: scalars; (1, 0) at theta = 1, (0, 1) at theta = -1, (0, 0) at 0.
    """
    # Eq. (87) of docs/physics.md: the parabola for |theta| <= 1, its tangent beyond
    inside_p = 0.5 * (theta + theta**2)
    inside_m = 0.5 * (theta**2 - theta)
    w_plus = jnp.where(theta > 1, 1.0 + 1.5 * (theta - 1), jnp.where(theta < -1, -0.5 * (theta + 1), inside_p))
    w_minus = jnp.where(theta > 1, 0.5 * (theta - 1), jnp.where(theta < -1, 1.0 - 1.5 * (theta + 1), inside_m))
    return w_plus, w_minus


def mixture_weights(
    params: Mapping[str, jax.Array], n_variants: int, nuisances: Sequence[tuple[str, int, int]]
) -> jax.Array:
    """Weights of stacked templates (index 0 nominal) at the shape nuisances; they sum to 1.

    Args:
        params: parameter values (each nuisance name must be present).
        n_variants: number of stacked templates, the nominal first.
        nuisances: ``(name, index of its +1 sigma variant, index of its -1 sigma variant)``.

    Returns:
        Shape (n_variants,): sum_v w_v template_v is the morphed template (effects of several
        nuisances add linearly).
    """
    terms = [[1.0]] + [[] for _ in range(n_variants - 1)]  # the terms of each weight
    for name, plus, minus in nuisances:
        w_plus, w_minus = variation_weights(params[name])
        # Eq. (86) of docs/physics.md: T_0 + w_+ (T_+ - T_0) + w_- (T_- - T_0)
        terms[plus].append(w_plus)
        terms[minus].append(w_minus)
        terms[0].append(-w_plus - w_minus)
    # one stack rather than a scatter per term: a few fused operations under jit, not one per term
    return jnp.stack([sum(t, jnp.zeros(())) for t in terms])


def mix(weights: jax.Array, stack: jax.Array) -> jax.Array:
    """sum_v weights[v] stack[v]: the stacked templates (index 0 nominal) mixed by :func:`mixture_weights`.

    One vector-matrix product over the flattened templates (Eq. (86) of docs/physics.md for every
    element at once): the layout XLA's CPU backend evaluates fastest, forward and transposed.

    Args:
        weights: shape (n_variants,).
        stack: shape (n_variants, ...).
    """
    return (weights @ jnp.reshape(stack, (stack.shape[0], -1))).reshape(stack.shape[1:])

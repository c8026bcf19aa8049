"""Binned Poisson likelihood as a chi^2-like deviance (docs/physics.md section 11b).

    -2 ln L = 2 sum_i [mu_i - n_i + n_i ln(n_i/mu_i)]                        Eq. (81)

(the saturated-model normalisation, so the minimum is a goodness-of-fit statistic).

Examples:
    >>> import jax.numpy as jnp
    >>> float(Poisson(jnp.array([3.0, 0.0])).chi2(jnp.array([3.0, 1.0])))
    2.0
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import Likelihood


def poisson_deviance(mu: jax.Array, n: jax.Array) -> jax.Array:
    """2 sum [mu - n + n ln(n/mu)] over all bins; n = 0 bins contribute 2 mu.

    Args:
        mu: expected counts (> 0 where n > 0).
        n: observed counts.
    """
    mu = jnp.asarray(mu)
    n = jnp.asarray(n, dtype=mu.dtype)
    # Eq. (81) of docs/physics.md (Baker & Cousins, NIM 221, 437 (1984)), written per bin as
    # n (x - ln(1 + x)) with x = (mu - n)/n: no cancellation between mu - n and n ln(n/mu), so the
    # error of a bin is ~eps |mu - n| instead of ~eps n (float32 chi^2 of 1e4-count bins within 1e-4)
    positive = n > 0
    n_safe = jnp.where(positive, n, 1.0)
    x = (mu - n) / n_safe
    return 2.0 * jnp.sum(jnp.where(positive, n_safe * (x - jnp.log1p(x)), mu))


class Poisson(Likelihood):
    """Binned Poisson likelihood of observed counts ``data`` (any shape; ``mu`` of the same shape)."""

    data: jax.Array

    @property
    def observed(self) -> jax.Array:
        return self.data

    def chi2(self, mu: jax.Array) -> jax.Array:
        return poisson_deviance(mu, self.data)

    def sample(self, key: jax.Array, mu: jax.Array) -> jax.Array:
        """Poisson counts of mean ``mu`` (as floats, the dtype of ``mu``)."""
        # Eq. (140) of docs/physics.md
        mu = jnp.asarray(mu)
        return jax.random.poisson(key, mu, shape=mu.shape).astype(mu.dtype)

    def with_observed(self, observed: jax.Array) -> Poisson:
        return eqx.tree_at(lambda s: s.data, self, observed)

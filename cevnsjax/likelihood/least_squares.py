"""Gaussian least-squares chi^2 of binned data; the pull terms come from the parameter constraints.

    chi^2 = sum_i (N_i - mu_i)^2 / sigma_i^2 + sum_k ((eta_k - 1)/sigma_k)^2    Eq. (77)

(arXiv:2005.01645 Eq. (9); docs/physics.md section 11a).

Examples:
    >>> import jax.numpy as jnp
    >>> float(LeastSquares(jnp.array([10.0]), jnp.array([4.0])).chi2(jnp.array([8.0])))
    1.0
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import Likelihood


def gaussian_chi2(prediction: jax.Array, data: jax.Array, sigma2: jax.Array) -> jax.Array:
    """sum_i (data_i - prediction_i)^2 / sigma2_i."""
    # data terms of Eq. (77) of docs/physics.md; Eq. (9) of arXiv:2005.01645 (and of Eq. (80), arXiv:1710.02730)
    return jnp.sum((jnp.asarray(data) - prediction) ** 2 / sigma2)


class LeastSquares(Likelihood):
    """Least squares of ``data`` (e.g. background-subtracted counts) with variances ``sigma2``."""

    data: jax.Array
    sigma2: jax.Array

    @property
    def observed(self) -> jax.Array:
        return self.data

    def chi2(self, mu: jax.Array) -> jax.Array:
        return gaussian_chi2(mu, self.data, self.sigma2)

    def sample(self, key: jax.Array, mu: jax.Array) -> jax.Array:
        """Gaussian data: ``mu_i + sigma_i z_i`` with standard normal ``z_i`` (the model the chi^2 assumes)."""
        # Eq. (141) of docs/physics.md
        mu = jnp.asarray(mu)
        return mu + jnp.sqrt(self.sigma2) * jax.random.normal(key, mu.shape, mu.dtype)

    def with_observed(self, observed: jax.Array) -> LeastSquares:
        return eqx.tree_at(lambda s: s.data, self, observed)

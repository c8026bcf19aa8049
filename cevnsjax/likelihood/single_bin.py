"""One-bin counting chi^2: (N_meas - sum mu)^2 / sigma^2 (docs/physics.md section 11a, Eq. (79)).

The expected counts of every bin the model provides are summed into the one counting region,
e.g. the CsI 2017 chi^2 of arXiv:1708.04255.

Examples:
    >>> import jax.numpy as jnp
    >>> float(SingleBin(jnp.asarray(142.0), jnp.asarray(100.0)).chi2(jnp.array([120.0, 12.0])))
    1.0
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import Likelihood


class SingleBin(Likelihood):
    """One measured count (``measured``, e.g. signal-window minus background-window events) and its variance."""

    measured: jax.Array
    sigma2: jax.Array

    @property
    def observed(self) -> jax.Array:
        return jnp.reshape(self.measured, (1,))

    def chi2(self, mu: jax.Array) -> jax.Array:
        # Eq. (79) of docs/physics.md (arXiv:1708.04255), without its pulls
        return (self.measured - jnp.sum(mu)) ** 2 / self.sigma2

    def sample(self, key: jax.Array, mu: jax.Array) -> jax.Array:
        """One Gaussian count around the summed ``mu`` with variance ``sigma2``, shape (1,)."""
        # Eq. (141) of docs/physics.md for one bin
        total = jnp.sum(jnp.asarray(mu))
        return jnp.reshape(total + jnp.sqrt(self.sigma2) * jax.random.normal(key, (), total.dtype), (1,))

    def with_observed(self, observed: jax.Array) -> SingleBin:
        return eqx.tree_at(lambda s: s.measured, self, jnp.reshape(observed, jnp.shape(self.measured)))

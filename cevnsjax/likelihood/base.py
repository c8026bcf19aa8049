"""The likelihood interface: data plus a statistic of the expected counts.

A likelihood holds the observed data of one analysis and turns the expected counts ``mu``
(summed over the model's components, in the same bins as the data) into -2 ln L without the
constraint terms, which the model adds from its parameter priors (the "pulls").  Experiments
compose one; inference never sees it.

For toy Monte Carlo a likelihood also draws pseudo-data from its own statistic at given expected
counts (:meth:`Likelihood.sample`: Poisson counts, Gaussian least-squares data) and returns a copy
of itself holding other data (:meth:`Likelihood.with_observed`), a pytree leaf that ``jax.vmap``
can batch over (docs/physics.md section 18).
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax


class Likelihood(eqx.Module):
    """Abstract base of the binned likelihoods (:mod:`.poisson`, :mod:`.least_squares`, :mod:`.single_bin`)."""

    @abc.abstractmethod
    def chi2(self, mu: jax.Array) -> jax.Array:
        """-2 ln L (up to a constant) of the data given the expected counts ``mu``."""

    @property
    @abc.abstractmethod
    def observed(self) -> jax.Array:
        """The data the statistic compares with (counts, or background-subtracted counts)."""

    @abc.abstractmethod
    def sample(self, key: jax.Array, mu: jax.Array) -> jax.Array:
        """Pseudo-data drawn from this statistic at the expected counts ``mu``, shaped like :attr:`observed`.

        Args:
            key: a JAX random key.
            mu: expected counts, summed over the model's components, in the likelihood's bins.
        """

    @abc.abstractmethod
    def with_observed(self, observed: jax.Array) -> Likelihood:
        """A copy holding ``observed`` (shaped like :attr:`observed`) as its data; everything else shared."""

    @property
    def n_bins(self) -> int:
        """Number of data bins (for the degrees of freedom)."""
        return int(self.observed.size)

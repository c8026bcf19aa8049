"""Pointwise log-likelihood: ln L of each observation, for ArviZ's LOO and WAIC.

Per bin for binned experiments (the Poisson log-probability ``n ln mu - mu - ln n!``, or the
Gaussian log-density of a least-squares bin), per experiment in a combination, and one value
(``-chi2 / 2`` without the prior terms) for any other model.  Priors (the constraint terms) are
not data and are left out; the sum over bins equals ``-chi2 / 2`` of the data terms up to a
constant.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.scipy.special import gammaln, xlogy

from ..likelihood.least_squares import LeastSquares
from ..likelihood.poisson import Poisson
from ..model import Model


def pointwise_loglik(model: Model, params) -> dict[str, jax.Array]:
    """``data set -> ln L per bin`` (flattened) at a complete parameter mapping.

    Args:
        model: an experiment, a combination (one entry per experiment), or any model.
        params: complete ``name -> value`` mapping.

    Returns:
        One 1D array per data set, keyed by the experiment's name.
    """
    parts = getattr(model, "models", None)
    if parts is not None:
        out = {}
        for sub, values in zip(parts, model._split(params)):
            out.update(pointwise_loglik(sub, values))
        return out
    likelihood = getattr(model, "likelihood", None)
    if isinstance(likelihood, (Poisson, LeastSquares)):
        mu = jnp.ravel(sum(model.expected(params).values()))
        n = jnp.ravel(jnp.asarray(likelihood.data, dtype=mu.dtype))
        if isinstance(likelihood, Poisson):
            return {model.name: xlogy(n, mu) - mu - gammaln(n + 1.0)}
        sigma2 = jnp.ravel(likelihood.sigma2)
        return {model.name: -0.5 * ((n - mu) ** 2 / sigma2 + jnp.log(2.0 * math.pi * sigma2))}
    data_chi2 = model.chi2(params) - model.parameters.constraint_chi2(params)
    return {model.name: jnp.reshape(-0.5 * data_chi2, (1,))}

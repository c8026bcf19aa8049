"""Bayesian posteriors with numpyro's NUTS.

The potential is ``chi2 / 2`` over the free parameters with flat priors inside
their bounds; the model's constraint terms (and any extra ``constraints``) act
as Gaussian priors.  Each parameter is a numpyro sample site with a
``Uniform(lower, upper)`` or ``ImproperUniform`` prior, so numpyro samples
bounded parameters in an unconstrained space and adds the log-Jacobian of the
map itself.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.diagnostics import effective_sample_size, split_gelman_rubin
from numpyro.infer import MCMC, NUTS, init_to_value

from ..model import Model
from ._objective import Objective, build, warn_if_float32
from ._persist import attach
from ._result import SampleResult

CHAIN_METHODS = ("vectorized", "sequential", "parallel")


def _prior(lower: float, upper: float) -> dist.Distribution:
    if np.isfinite(lower) and np.isfinite(upper):
        return dist.Uniform(lower, upper)
    if np.isfinite(lower):
        support = dist.constraints.greater_than(lower)
    elif np.isfinite(upper):
        support = dist.constraints.less_than(upper)
    else:
        support = dist.constraints.real
    return dist.ImproperUniform(support, (), ())


def _interior(obj: Objective) -> dict[str, float]:
    """Starting values moved a hair inside their bounds (the map is singular on them)."""
    out = {}
    for name, x, lo, hi in zip(obj.free, obj.x0, obj.lower, obj.upper):
        eps = 1e-6 * (hi - lo if np.isfinite(hi - lo) else max(1.0, abs(x)))
        out[name] = float(min(max(x, lo + eps), hi - eps))
    return out


def summarize(draws: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Posterior summary per parameter from draws of shape (chains, samples).

    Returns:
        ``name -> {mean, std, median, q05, q16, q84, q95, r_hat, ess}`` (split
        Gelman-Rubin R-hat and effective sample size from numpyro.diagnostics).
    """
    out = {}
    for name, x in draws.items():
        x = np.asarray(x, dtype=float)
        q05, q16, q50, q84, q95 = np.quantile(x, [0.05, 0.16, 0.5, 0.84, 0.95])
        out[name] = {
            "mean": float(x.mean()),
            "std": float(x.std()),
            "median": float(q50),
            "q05": float(q05),
            "q16": float(q16),
            "q84": float(q84),
            "q95": float(q95),
            "r_hat": float(split_gelman_rubin(x)),
            "ess": float(effective_sample_size(x)),
        }
    return out


def sample(
    model: Model,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    *,
    chains: int = 4,
    samples: int = 1000,
    warmup: int = 500,
    seed: int = 0,
    chain_method: str = "vectorized",
    target_accept: float = 0.8,
    dense_mass: bool = False,
    progress: bool | None = None,
) -> SampleResult:
    """Sample the posterior ``exp(-chi2/2)`` with NUTS.

    Args:
        model: the likelihood model.
        free: names sampled in addition to ``model.parameters.default_free()``.
        fixed: ``name -> value`` held fixed (removed from the sampled set).
        start: ``name -> value`` initial point of the chains (default: defaults).
        constraints: ``name -> (mean, sigma)`` extra Gaussian priors.
        chains: number of chains.
        samples: draws per chain kept after warmup.
        warmup: adaptation steps per chain.
        seed: PRNG seed.
        chain_method: ``"vectorized"`` (one vmapped program), ``"sequential"``,
            or ``"parallel"`` (one device per chain).
        target_accept: NUTS target acceptance probability.
        dense_mass: adapt a dense mass matrix (for strongly correlated posteriors).
        progress: numpyro's progress bar on stderr (None: only on a terminal).

    Returns:
        The :class:`~cevnsjax.inference.SampleResult`.
    """
    warn_if_float32("sample")
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"unknown chain_method '{chain_method}'; valid: {', '.join(CHAIN_METHODS)}")
    for label, value in (("chains", chains), ("samples", samples)):
        if int(value) < 1:
            raise ValueError(f"{label} must be at least 1, got {value}")
    if int(warmup) < 0:
        raise ValueError(f"warmup must be non-negative, got {warmup}")
    obj = build(model, free, fixed, start, constraints)
    if not obj.free:
        raise ValueError("nothing to sample: the model has no free parameters; free some with free=[...]")
    priors = {n: _prior(lo, hi) for n, lo, hi in zip(obj.free, obj.lower, obj.upper)}

    def posterior(inputs):
        x = jnp.stack([numpyro.sample(n, p) for n, p in priors.items()])
        numpyro.factor("chi2", -0.5 * obj.chi2(inputs, x))

    kernel = NUTS(
        posterior,
        target_accept_prob=target_accept,
        dense_mass=dense_mass,
        init_strategy=init_to_value(values=_interior(obj)),
    )
    mcmc = MCMC(
        kernel,
        num_warmup=int(warmup),
        num_samples=int(samples),
        num_chains=int(chains),
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty() if progress is None else progress,
        jit_model_args=True,
    )
    mcmc.run(jax.random.PRNGKey(seed), obj.inputs, extra_fields=("diverging",))
    draws = {n: np.asarray(v) for n, v in mcmc.get_samples(group_by_chain=True).items()}
    draws = {n: draws[n] for n in obj.free}
    diverging = np.asarray(mcmc.get_extra_fields(group_by_chain=True)["diverging"])
    result = SampleResult(
        samples=draws,
        summary=summarize(draws),
        divergences=int(diverging.sum()),
        num_chains=int(chains),
        num_samples=int(samples),
        fixed={n: v for n, v in obj.base.items() if n not in obj.free},
        diverging=diverging,
    )
    settings = dict(chains=chains, samples=samples, warmup=warmup, seed=seed, chain_method=chain_method)
    return attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, **settings)

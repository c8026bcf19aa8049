"""Bayesian posteriors with numpyro's NUTS.

The potential is ``chi2 / 2`` over the free parameters with flat priors inside
their bounds; the model's constraint terms (and any extra ``constraints``) act
as Gaussian priors.  Each parameter is a numpyro sample site with a
``Uniform(lower, upper)`` or ``ImproperUniform`` prior, so numpyro samples
bounded parameters in an unconstrained space and adds the log-Jacobian of the
map itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS, init_to_value

from ..model import Model
from ._checkpoint import Checkpoint, open_run
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._pointwise import pointwise_loglik
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


def _arviz():
    """ArviZ, imported on first use (its import announces a refactor with a FutureWarning)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz

    return arviz


def summarize(draws: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Posterior summary per parameter from draws of shape (chains, samples).

    Returns:
        ``name -> {mean, std, median, q05, q16, q84, q95, r_hat, ess, ess_bulk, ess_tail}``:
        ArviZ's rank-normalised split R-hat and bulk / tail effective sample sizes
        (Vehtari et al., arXiv:1903.08008); ``ess`` is the bulk one.
    """
    az = _arviz()
    out = {}
    for name, x in draws.items():
        x = np.asarray(x, dtype=float)
        q05, q16, q50, q84, q95 = np.quantile(x, [0.05, 0.16, 0.5, 0.84, 0.95])
        bulk = float(az.ess(x, method="bulk"))
        out[name] = {
            "mean": float(x.mean()),
            "std": float(x.std()),
            "median": float(q50),
            "q05": float(q05),
            "q16": float(q16),
            "q84": float(q84),
            "q95": float(q95),
            "r_hat": float(az.rhat(x, method="rank")),
            "ess": bulk,
            "ess_bulk": bulk,
            "ess_tail": float(az.ess(x, method="tail")),
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
    output: str | os.PathLike | None = None,
    resume: bool = False,
    chunk_draws: int | None = None,
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
        output: JSON file written after the warmup and after every ``chunk_draws`` draws per
            chain (the sampler state included), and with the whole result at the end.
        resume: continue an interrupted run from ``output`` (same arguments): no new warmup,
            the same draws as an uninterrupted run.
        chunk_draws: draws per chain between two writes of ``output`` (default: a quarter, at
            least 250; numpyro compiles its sampling loop again for every chunk, seconds each).

    Returns:
        The :class:`~cevnsjax.inference.SampleResult`, with the numpyro ``MCMC`` as ``.mcmc``,
        the NUTS statistics (``diverging``, ``energy``, ``lp``, ``acceptance_rate``, ``n_steps``,
        ``step_size``) and the pointwise log-likelihood per data set and bin (``to_arviz()``
        hands them to ArviZ: ``az.loo``, ``az.plot_energy``).  Sampling in chunks gives the
        same draws as one run: each chunk continues the chain state and its random key.
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
    settings = dict(chains=chains, samples=samples, warmup=warmup, seed=seed, chain_method=chain_method)
    run_settings = dict(
        free=list(obj.free),
        base=obj.base,
        constraints=obj.constraints,
        target_accept=target_accept,
        dense_mass=dense_mass,
        chunk_draws=chunk_draws,
        **settings,
    )
    checkpoint, finished = open_run(output, "SampleResult", model, run_settings, resume=resume)
    if finished is not None:
        return finished
    key = jax.random.PRNGKey(seed)
    if checkpoint is None:
        mcmc.run(key, obj.inputs, extra_fields=_EXTRA_FIELDS)
        parts = [_collect(mcmc, obj.free)]
    else:
        parts = _run_in_chunks(mcmc, kernel, key, obj, checkpoint, int(samples), chunk_draws)
    draws = {n: np.concatenate([c["draws"][n] for c in parts], axis=1) for n in obj.free}
    stats = {k: np.concatenate([c["stats"][k] for c in parts], axis=1) for k in parts[0]["stats"]}
    diverging = stats.pop("diverging").astype(bool)
    result = SampleResult(
        samples=draws,
        summary=summarize(draws),
        divergences=int(diverging.sum()),
        num_chains=int(chains),
        num_samples=int(samples),
        fixed={n: v for n, v in obj.base.items() if n not in obj.free},
        diverging=diverging,
        sample_stats=stats,
        log_likelihood=_log_likelihood(obj, draws),
    )
    result._attach(mcmc=mcmc)
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, **settings)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result


#: NUTS statistics collected per draw (ArviZ's sample_stats names in :func:`_collect`).
_EXTRA_FIELDS = ("diverging", "energy", "potential_energy", "accept_prob", "num_steps", "adapt_state.step_size")


def _collect(mcmc: MCMC, free) -> dict:
    """Draws and NUTS statistics of the last ``mcmc.run``, shape (chains, draws) each."""
    draws = {n: np.asarray(v) for n, v in mcmc.get_samples(group_by_chain=True).items()}
    extra = {k: np.asarray(v) for k, v in mcmc.get_extra_fields(group_by_chain=True).items()}
    stats = {
        "diverging": extra["diverging"],
        "energy": extra["energy"],
        "lp": -extra["potential_energy"],
        "acceptance_rate": extra["accept_prob"],
        "n_steps": extra["num_steps"],
        "step_size": extra["adapt_state.step_size"],
    }
    return {"draws": {n: draws[n] for n in free}, "stats": stats}


def _run_in_chunks(mcmc: MCMC, kernel, key, obj: Objective, checkpoint: Checkpoint, samples: int, chunk_draws):
    """Warmup, then ``samples`` draws per chain in chunks, each continuing the chain state.

    After the warmup and after each chunk the checkpoint file is rewritten with the chain
    state; a resumed run rebuilds the state from it and continues with the next chunk.
    """
    default = max(-(-samples // 4), min(samples, 250))
    size = max(1, min(samples, int(chunk_draws) if chunk_draws else default))
    sizes = [size] * (samples // size) + ([samples % size] if samples % size else [])
    checkpoint.total = len(sizes)
    if checkpoint.state is None:
        mcmc.warmup(key, obj.inputs, extra_fields=_EXTRA_FIELDS, collect_warmup=False)
        checkpoint.save_state(_leaves(mcmc.post_warmup_state))
    else:
        keys = jax.random.split(key, mcmc.num_chains) if mcmc.num_chains > 1 else key
        template = kernel.init(keys, mcmc.num_warmup, None, model_args=(obj.inputs,), model_kwargs={})
        mcmc.post_warmup_state = _restore(template, checkpoint.state)
    parts = []
    while (saved := checkpoint.take()) is not None:
        parts.append(saved)
    for n in sizes[len(parts) :]:
        mcmc.num_samples = n
        mcmc.run(mcmc.post_warmup_state.rng_key, obj.inputs, extra_fields=_EXTRA_FIELDS)
        mcmc.post_warmup_state = mcmc.last_state
        parts.append(_collect(mcmc, obj.free))
        checkpoint.add(parts[-1], state=_leaves(mcmc.last_state))
    return parts


def _leaves(state) -> list[np.ndarray]:
    return [
        np.asarray(jax.random.key_data(x) if jnp.issubdtype(x.dtype, jax.dtypes.prng_key) else x)
        for x in jax.tree_util.tree_leaves(state)
    ]


def _restore(template, leaves):
    flat, treedef = jax.tree_util.tree_flatten(template)
    if len(flat) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(flat, leaves)):
        raise ValueError("--resume: the saved sampler state does not fit this run's sampler")
    return jax.tree_util.tree_unflatten(
        treedef, [jnp.asarray(b, dtype=jnp.asarray(a).dtype) for a, b in zip(flat, leaves)]
    )


def _log_likelihood(obj: Objective, draws: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pointwise ln L (per data set: shape (chains, draws, bins)) at every draw."""
    shape = next(iter(draws.values())).shape
    flat = {n: jnp.asarray(v.reshape(-1)) for n, v in draws.items()}
    out = compiled(obj, "pointwise", _pointwise_batched)(obj.inputs, flat)
    return {k: np.asarray(v).reshape(*shape, -1) for k, v in out.items()}


def _pointwise_batched(obj: Objective):
    """jit of ``(inputs, {name: (m,)}) -> {data set: (m, bins)}``, 256 draws at a time."""

    def one(inputs, x):
        leaves, base = inputs
        return pointwise_loglik(obj.rebuild(leaves), {**obj.point(base), **x})

    return jax.jit(lambda inputs, xs: jax.lax.map(lambda x: one(inputs, x), xs, batch_size=256))

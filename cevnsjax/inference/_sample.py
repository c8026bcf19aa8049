"""Bayesian posteriors with NUTS: numpyro's kernel in a loop compiled once per model structure.

The potential is ``chi2 / 2`` over the free parameters with flat priors inside
their bounds; the model's constraint terms (and any extra ``constraints``) act
as Gaussian priors.  Each bounded parameter is sampled in an unconstrained
coordinate ``z`` through numpyro's bijection onto its support (``biject_to``:
a logistic map between two bounds, an exponential beside one), and the
potential adds ``-ln |dx/dz|``, so the draws of ``x`` follow the posterior.

The sampler is numpyro's functional NUTS (``numpyro.infer.hmc.hmc``: Stan's
windowed adaptation of the step size and mass matrix during warmup, then
fixed-kernel draws), mapped over the chains and driven by a jitted loop that
takes the model's arrays, the chain state and the number of steps as
arguments.  The pair (start, advance) is cached by :func:`._objective.compiled`
per model structure, free set and sampler settings, so a second
:func:`sample` of the same experiment traces and compiles nothing; warmup,
draws, progress updates and checkpoint chunks all run through the same
compiled loop, and a run cut into pieces gives the draws of one run, bit for bit.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec
from numpyro.distributions import constraints as support
from numpyro.distributions.transforms import biject_to
from numpyro.infer.hmc import hmc
from tqdm import tqdm

from ..model import Model
from ._checkpoint import Checkpoint, open_run
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._pointwise import pointwise_loglik
from ._result import SampleResult

CHAIN_METHODS = ("auto", "vectorized", "sequential", "parallel")


def _bijection(lower: float, upper: float):
    """numpyro's map from R onto ``(lower, upper)`` (either bound may be infinite)."""
    if np.isfinite(lower) and np.isfinite(upper):
        return biject_to(support.interval(lower, upper))
    if np.isfinite(lower):
        return biject_to(support.greater_than(lower))
    if np.isfinite(upper):
        return biject_to(support.less_than(upper))
    return biject_to(support.real)


def _interior(obj: Objective) -> np.ndarray:
    """Starting values moved a hair inside their bounds (the map is singular on them), shape (n_free,)."""
    out = []
    for x, lo, hi in zip(obj.x0, obj.lower, obj.upper):
        eps = 1e-6 * (hi - lo if np.isfinite(hi - lo) else max(1.0, abs(x)))
        out.append(min(max(x, lo + eps), hi - eps))
    return np.array(out, dtype=float)


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
    chain_method: str = "auto",
    target_accept: float = 0.8,
    dense_mass: bool = False,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
    chunk_draws: int | None = None,
) -> SampleResult:
    """Sample the posterior ``exp(-chi2/2)`` with NUTS.

    The compiled sampler is reused by every later call with the same model structure, free set,
    constraints and sampler settings (``chains``, ``samples``, ``warmup``, ``chain_method``,
    ``target_accept``, ``dense_mass``): a second call with another seed, other fixed values or
    another starting point runs without compiling.

    Args:
        model: the likelihood model.
        free: names sampled in addition to ``model.parameters.default_free()``.
        fixed: ``name -> value`` held fixed (removed from the sampled set).
        start: ``name -> value`` initial point of the chains (default: defaults).
        constraints: ``name -> (mean, sigma)`` extra Gaussian priors.
        chains: number of chains.
        samples: draws per chain kept after warmup.
        warmup: adaptation steps per chain.
        seed: PRNG seed (the same seed gives the same draws).
        chain_method: ``"vectorized"`` (the chains vmapped), ``"sequential"`` (the chains one
            after another), ``"parallel"`` (the chains spread over the local devices, as many as
            divide ``chains``, vmapped on each), each one compiled program; ``"auto"``: sequential
            on a CPU, where vmapped NUTS trees wait for the longest chain's and evaluate both
            branches of every conditional (2-3 times slower on the argon posterior), vectorized on
            an accelerator.
        target_accept: NUTS target acceptance probability.
        dense_mass: adapt a dense mass matrix (for strongly correlated posteriors).
        progress: progress bar over warmup and draws on stderr (None: only on a terminal).
        output: JSON file written after the warmup and after every ``chunk_draws`` draws per
            chain (the sampler state included), and with the whole result at the end.
        resume: continue an interrupted run from ``output`` (same arguments): no new warmup,
            the same draws as an uninterrupted run.
        chunk_draws: draws per chain between two writes of ``output`` (default: a quarter, at
            least 250; chunks reuse the compiled sampler).

    Returns:
        The :class:`~cevnsjax.inference.SampleResult`, with the NUTS statistics (``diverging``,
        ``energy``, ``lp``, ``acceptance_rate``, ``n_steps``, ``step_size``) and the pointwise
        log-likelihood per data set and bin (``to_arviz()`` hands them to ArviZ: ``az.loo``,
        ``az.plot_energy``).  Sampling in chunks gives the same draws as one run: each chunk
        continues the chain state and its random key.
    """
    warn_if_float32("sample")
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"unknown chain_method '{chain_method}'; valid: {', '.join(CHAIN_METHODS)}")
    for label, value in (("chains", chains), ("samples", samples)):
        if int(value) < 1:
            raise ValueError(f"{label} must be at least 1, got {value}")
    if int(warmup) < 0:
        raise ValueError(f"warmup must be non-negative, got {warmup}")
    chains, samples, warmup = int(chains), int(samples), int(warmup)
    if chain_method == "auto":
        chain_method = "sequential" if jax.default_backend() == "cpu" else "vectorized"
    obj = build(model, free, fixed, start, constraints)
    if not obj.free:
        raise ValueError("nothing to sample: the model has no free parameters; free some with free=[...]")
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
    nuts = (chains, warmup, samples, float(target_accept), bool(dense_mass), chain_method)
    begin, advance = compiled(obj, "nuts", lambda o: _nuts(o, *nuts), *nuts)
    inputs = obj.inputs
    keys = jax.random.split(jax.random.PRNGKey(seed), chains)
    bar = tqdm(
        total=warmup + samples,
        desc="sample",
        unit="draw",
        disable=not (sys.stderr.isatty() if progress is None else progress),
    )
    with bar:
        run = _Run(advance, inputs, samples, obj.free, bar)
        state = begin(inputs, jnp.asarray(_interior(obj)), keys)
        if checkpoint is None:
            state, _ = run(state, warmup)
            state, part = run(state, samples)
            parts = [part]
        else:
            parts = _run_in_chunks(run, state, warmup, checkpoint, samples, chunk_draws)
    draws = {n: np.concatenate([c["draws"][n] for c in parts], axis=1) for n in obj.free}
    stats = {k: np.concatenate([c["stats"][k] for c in parts], axis=1) for k in parts[0]["stats"]}
    diverging = stats.pop("diverging").astype(bool)
    result = SampleResult(
        samples=draws,
        summary=summarize(draws),
        divergences=int(diverging.sum()),
        num_chains=chains,
        num_samples=samples,
        fixed={n: v for n, v in obj.base.items() if n not in obj.free},
        diverging=diverging,
        sample_stats=stats,
        log_likelihood=_log_likelihood(obj, draws),
    )
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, **settings)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result


def _nuts(obj: Objective, chains: int, warmup: int, capacity: int, target_accept: float, dense_mass: bool, method):
    """The jitted ``(begin, advance)`` of numpyro's NUTS on ``obj`` over ``chains`` chains.

    ``begin(inputs, x0, keys)`` initialises every chain at ``x0`` (one key each);
    ``advance(inputs, state, n)`` takes ``n <= capacity`` NUTS steps per chain (warmup
    adaptation while a chain's step count is below ``warmup``) and returns the new state with
    the record of every step, ``(chains, capacity, ...)`` arrays of which the first ``n`` are
    filled.  ``n`` is an argument, so any number of steps reuses the compiled loop.  ``begin``
    must run before ``advance`` is first traced (numpyro's kernel learns its warmup schedule
    there).
    """
    maps = [_bijection(lo, hi) for lo, hi in zip(obj.lower, obj.upper)]
    # the flat priors' normalisation, 1 / (hi - lo) for each doubly bounded parameter (lp as numpyro's)
    log_prior = -sum(math.log(hi - lo) for lo, hi in zip(obj.lower, obj.upper) if np.isfinite(hi - lo))

    def external(z):
        return jnp.stack([t(z[i]) for i, t in enumerate(maps)])

    def potential(inputs):
        def energy(z):
            x = external(z)
            log_jacobian = sum(t.log_abs_det_jacobian(z[i], x[i]) for i, t in enumerate(maps))
            return 0.5 * obj.chi2(inputs, x) - log_jacobian - log_prior

        return energy

    init_kernel, sample_kernel = hmc(potential_fn_gen=potential, algo="NUTS")

    def begin_one(shared, key):
        inputs, x0 = shared
        z0 = jnp.stack([t.inv(x0[i]) for i, t in enumerate(maps)])
        return init_kernel(
            z0,
            warmup,
            target_accept_prob=target_accept,
            dense_mass=dense_mass,
            model_args=(inputs,),
            rng_key=key,
        )

    def record(state):
        return {
            "x": external(state.z),
            "diverging": state.diverging,
            "energy": state.energy,
            "lp": -state.potential_energy,
            "acceptance_rate": state.accept_prob,
            "n_steps": state.num_steps,
            "step_size": state.adapt_state.step_size,
        }

    def advance_one(shared, state):
        inputs, n = shared
        empty = jax.tree_util.tree_map(
            lambda v: jnp.zeros((capacity, *jnp.shape(v)), jnp.result_type(v)), jax.eval_shape(record, state)
        )

        def step(i, carry):
            state, out = carry
            state = sample_kernel(state, model_args=(inputs,))
            return state, jax.tree_util.tree_map(lambda o, v: o.at[i].set(v), out, record(state))

        return jax.lax.fori_loop(0, n, step, (state, empty))

    begin = _over_chains(begin_one, method, chains)
    advance = _over_chains(advance_one, method, chains)
    return jax.jit(lambda inputs, x0, keys: begin((inputs, x0), keys)), jax.jit(
        lambda inputs, state, n: advance((inputs, n), state)
    )


def _over_chains(fn, method: str, chains: int):
    """``fn(shared, per_chain)`` over a leading chain axis of ``per_chain``: vmapped, one chain after
    another, or vmapped on each of the local devices that share the chains."""
    batched = jax.vmap(fn, in_axes=(None, 0))
    if method == "sequential":
        return lambda shared, xs: jax.lax.map(lambda x: fn(shared, x), xs)
    devices = jax.local_devices()
    n_devices = max(d for d in range(1, min(chains, len(devices)) + 1) if chains % d == 0)
    if method == "vectorized" or n_devices == 1:
        return batched
    mesh = Mesh(np.array(devices[:n_devices]), ("chain",))
    # check_vma=False: numpyro's conditionals mix per-chain and shared values, which is what we want
    return jax.shard_map(
        batched,
        mesh=mesh,
        in_specs=(PartitionSpec(), PartitionSpec("chain")),
        out_specs=PartitionSpec("chain"),
        check_vma=False,
    )


class _Run:
    """Steps of the compiled sampler in pieces of at most ``capacity``, the progress bar updated after each."""

    def __init__(self, advance, inputs, capacity: int, free, bar):
        self.advance, self.inputs, self.capacity, self.free, self.bar = advance, inputs, capacity, free, bar
        # a visible bar moves about 20 times a run; without one, a piece is as long as it may be
        self.piece = capacity if bar.disable else max(1, min(capacity, -(-int(bar.total) // 20)))

    def __call__(self, state, n: int):
        """``n`` steps from ``state``: the new state and the draws and NUTS statistics, (chains, n) each."""
        pieces = []
        while n > 0:
            k = min(n, self.piece)
            state, out = self.advance(self.inputs, state, k)
            pieces.append(jax.tree_util.tree_map(lambda v, k=k: np.asarray(v[:, :k]), out))
            self.bar.update(k)
            n -= k
        if not pieces:
            return state, None
        out = {k: np.concatenate([p[k] for p in pieces], axis=1) for k in pieces[0]}
        x = out.pop("x")
        return state, {"draws": {name: x[..., i] for i, name in enumerate(self.free)}, "stats": out}


def _run_in_chunks(run: _Run, state, warmup: int, checkpoint: Checkpoint, samples: int, chunk_draws):
    """Warmup, then ``samples`` draws per chain in chunks, each continuing the chain state.

    After the warmup and after each chunk the checkpoint file is rewritten with the chain
    state; a resumed run rebuilds the state from it (``state`` is the initial one, the template)
    and continues with the next chunk.
    """
    default = max(-(-samples // 4), min(samples, 250))
    size = max(1, min(samples, int(chunk_draws) if chunk_draws else default))
    sizes = [size] * (samples // size) + ([samples % size] if samples % size else [])
    checkpoint.total = len(sizes)
    if checkpoint.state is None:
        state, _ = run(state, warmup)
        checkpoint.save_state(_leaves(state))
    else:
        state = _restore(state, checkpoint.state)
        run.bar.update(warmup)
    parts = []
    while (saved := checkpoint.take()) is not None:
        parts.append(saved)
        run.bar.update(sizes[len(parts) - 1])
    for n in sizes[len(parts) :]:
        state, part = run(state, n)
        parts.append(part)
        checkpoint.add(part, state=_leaves(state))
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

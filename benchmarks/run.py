#!/usr/bin/env python
"""cevnsjax against the scipy-quad / iminuit way, measured side by side in one run.

Usage (from the repository root)::

    python benchmarks/run.py              # the full table (5-8 minutes on a 2-core CPU)
    python benchmarks/run.py --quick      # the required benchmarks, under 3 minutes
    python benchmarks/run.py --smoke      # tiny sizes: checks that everything runs (the tests)
    python benchmarks/run.py --quick --json                 # last stdout line: one JSON object
    python benchmarks/run.py --only ar_fit ar_nll_grad      # a subset
    python benchmarks/run.py --results benchmarks/results/gpu   # where <name>.json files go
    python benchmarks/run.py --only ar_nll_grad --async-dispatch  # JAX's default CPU dispatch

JAX is set up with :func:`cevnsjax.configure` as the CLI does (float64, CPU computations run
inline in the calling thread); ``--async-dispatch`` keeps JAX's default worker-thread dispatch
for comparison.

Every benchmark reports the cevnsjax time after compilation (median of repeats), its
compile time (tracing + lowering + XLA compilation, from JAX's own monitoring events),
the reference time and the ratio reference / cevnsjax, plus the device, dtype and sizes.
The references (``benchmarks/reference``) are checked against cevnsjax to 1e-3 before
anything is timed.  Reference times are measured where that takes seconds; otherwise
they are built from measured pieces, and each entry says how (``reference_method``).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # before the references build arrays; main() calls cj.configure()

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from reference import ar2020 as ref_ar  # noqa: E402
from reference import ar2020_numpy as ref_ar_numpy  # noqa: E402
from reference import csi2021 as ref_csi  # noqa: E402
from reference.fitting import chi2_and_gradient  # noqa: E402
from reference.fitting import fit as minuit_fit  # noqa: E402
from timing import time_api, time_jitted, time_python  # noqa: E402

import cevnsjax as cj  # noqa: E402
from cevnsjax.inference._sample import summarize  # noqa: E402

TOLERANCE = 1e-3  # reference vs cevnsjax, relative
REQUIRED = (
    "ar_expected",
    "ar_nll_grad",
    "ar_batch_1e4",
    "ar_fit",
    "ar_profile_200",
    "csi2021_expected",
    "csi2021_nll_grad",
    "csi2021_fit",
    "nuts_ar",
    "grid_1e6",
    "dresden_nll_grad",
    "toys_ar_1e4",
    "fc_ar_rn",
    "proj_coh_ar_750_nll_grad",
    "proj_ess_ar_nll_grad",
    "ar_fit_numpy",
    "ar_profile_rn_100",
)
EXTRA = (
    "csi2021_batch_1e4",
    "csi2021_profile_200",
    "nuts_csi2021",
    "grid_1e6_csi2021",
    "exclusion_ar_100x200",
    "profile2d_csi_ar_41",
)
#: Whole processes (the command line, several scanning processes): in --quick and the full run, not in --smoke.
PROCESSES = ("cli_warm_fit", "scan_2proc")
TARGETS = {  # name -> (description, predicate on the entry)
    "ar_expected": (">= 1000x", lambda e: e["ratio"] >= 1000),
    "csi2021_expected": (">= 1000x", lambda e: e["ratio"] >= 1000),
    "ar_nll_grad": ("< 25 us", lambda e: e["cevnsjax_s"] < 25e-6),
    "csi2021_nll_grad": ("< 150 us", lambda e: e["cevnsjax_s"] < 150e-6),
    "ar_profile_200": ("< 2 s", lambda e: e["cevnsjax_s"] < 2.0),
    "exclusion_ar_100x200": ("< 10 s", lambda e: e["cevnsjax_s"] < 10.0),
    "ar_fit": ("faster", lambda e: e["ratio"] > 1),
    "cli_warm_fit": ("< 3 s", lambda e: e["cevnsjax_s"] < 3.0),
    "csi2021_fit": ("faster", lambda e: e["ratio"] > 1),
    "ar_fit_numpy": ("< 1 ms", lambda e: e["cevnsjax_s"] < 1e-3),
    "nuts_ar": (">= 1000 ESS/s", lambda e: e["ess_per_s"] >= 1000),
    "profile2d_csi_ar_41": ("< 15 s", lambda e: e["cevnsjax_s"] < 15.0),
    "dresden_nll_grad": ("< 2x ar_nll_grad", lambda e: e["vs_ar_nll_grad"] is None or e["vs_ar_nll_grad"] < 2),
    "toys_ar_1e4": ("< 2 s for 10^4", lambda e: e["per_toy_s"] * 1e4 < 2.0),
    "fc_ar_rn": ("< 60 s for 50 x 1000", lambda e: e["belt_50x1000_s"] < 60.0),
    "proj_coh_ar_750_nll_grad": (
        "<= 1.5x ar_nll_grad",
        lambda e: e["vs_ar_nll_grad"] is None or e["vs_ar_nll_grad"] <= 1.5,
    ),
    "proj_ess_ar_nll_grad": (
        "<= 1.5x ar_nll_grad",
        lambda e: e["vs_ar_nll_grad"] is None or e["vs_ar_nll_grad"] <= 1.5,
    ),
}


@dataclasses.dataclass(frozen=True)
class Sizes:
    """Problem sizes and repeat counts of one mode.

    Attributes:
        repeats: steady-state calls of a jitted function (median taken).
        api_repeats: calls of cj.fit and cj.profile (the first compiles, later ones reuse it); the NUTS and scan
            benchmarks run once (seconds to minutes each).
        batch: parameter points of the vmapped batch.
        profile_points: grid points of the 1D profiles.
        chains, samples, warmup: NUTS settings.
        grid_side: the 2D scan has grid_side**2 points.
        ref_bins: analysis bins the quad reference integrates for its prediction time
            (scaled to all bins), None for all.
        ref_measured: reference tasks run in full with quad ("nll_grad", "fit"); others are
            estimated from measured pieces.
        ref_profile_points: profile points whose Minuit re-minimisation is timed.
        ref_repeats: quad predictions timed (at nearby points) for the per-prediction time (median).
        toys: argon toy fits of ``toys_ar_1e4``.
        belt: (grid points, toys per point) of the Feldman-Cousins belt ``fc_ar_rn`` (the target is
            for 50 x 1000; a smaller belt is scaled to it by its time per toy).
        names: benchmarks run in this mode.
        side_2d: points per axis of the combined 2D profile.
        emcee_steps: steps of each of the 32 emcee walkers (the NUTS reference).
        nuts_calls: cj.sample calls (the last one's wall time gives ESS per second).
    """

    repeats: int
    api_repeats: int
    batch: int
    profile_points: int
    chains: int
    samples: int
    warmup: int
    grid_side: int
    ref_bins: tuple[int, ...] | None
    ref_measured: tuple[str, ...]
    ref_profile_points: int
    ref_repeats: int
    toys: int
    belt: tuple[int, int]
    names: tuple[str, ...]
    side_2d: int = 41
    emcee_steps: int = 3000
    nuts_calls: int = 2


MODES = {
    "full": Sizes(
        500,
        3,
        10_000,
        200,
        4,
        1000,
        500,
        1000,
        None,
        ("nll_grad", "fit"),
        10,
        5,
        10_000,
        (50, 1000),
        REQUIRED + EXTRA + PROCESSES,
    ),
    "quick": Sizes(
        100,
        1,
        10_000,
        200,
        4,
        1000,
        500,
        1000,
        None,
        ("nll_grad",),
        3,
        1,
        10_000,
        (50, 200),
        REQUIRED + ("csi2021_batch_1e4",) + PROCESSES,
    ),
    "smoke": Sizes(
        3, 1, 64, 8, 2, 20, 20, 16, (3,), (), 1, 1, 16, (3, 8), REQUIRED, side_2d=3, emcee_steps=60, nuts_calls=1
    ),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _random_points(model, names, n: int, seed: int = 0) -> np.ndarray:
    """n points of the parameters ``names`` (columns) spread over the interesting region."""
    rng = np.random.default_rng(seed)
    cols = []
    for name in names:
        p = model.parameters[name]
        if p.constraint is not None:
            lo, hi = p.constraint[0] - 2 * p.constraint[1], p.constraint[0] + 2 * p.constraint[1]
        elif name == "sin2_theta_w":
            lo, hi = 0.15, 0.45
        elif name.startswith("rn_"):
            lo, hi = p.lower, p.lower + 4.0
        else:
            lo, hi = 0.5 * p.default, 1.5 * p.default
        cols.append(rng.uniform(max(lo, p.lower), min(hi, p.upper), n))
    return np.stack(cols, axis=1)


def _vector_chi2(model, names) -> tuple[Callable, jax.Array]:
    """chi^2 as a function of one float64 vector of the parameters ``names`` (the others at their
    defaults, as constants, like the fit engines do), and the default vector."""
    base = {n: float(p.default) for n, p in model.parameters.items()}

    def chi2(x):
        return model.chi2({**base, **dict(zip(names, x, strict=True))})

    return chi2, jnp.asarray([base[n] for n in names])


class Experiment:
    """One experiment on both sides: the cevnsjax model and the quad reference.

    ``standin`` is the same reference likelihood with its signal prediction served by cevnsjax
    (agreeing to 1e-3): running a Minuit task on it counts the quad predictions that task
    needs and measures everything else, without paying for each integration.
    """

    def __init__(self, key: str, model, quad_ref, standin, free_fit: list[str], rn: str, profile_range, free_nuts):
        self.key, self.model, self.quad, self.standin = key, model, quad_ref, standin
        self.free_fit, self.rn, self.profile_range, self.free_nuts = free_fit, rn, profile_range, free_nuts
        self.module = ref_ar if key == "ar" else ref_csi
        self.defaults = {n: float(p.default) for n, p in model.parameters.items()}
        self.t_pred = math.nan  # seconds per full quad prediction, set by validate()
        self.agreement = math.nan

    @property
    def n_bins(self) -> int:
        return self.quad.n_bins if self.key == "ar" else self.quad.n_pe

    def reference_prediction(self, bins):
        """The quad computation of ``*_expected``: the signal in ``bins`` (None: all, cached) at the defaults."""
        args = (self.defaults["sin2_theta_w"], self.defaults[self.rn]) + (() if bins is None else (bins,))
        return self.quad.cevns(*args) if self.key == "ar" else self.quad.spectra(*args)

    def quad_prediction(self, sin2_theta_w: float, bins):
        """One uncached quad prediction of the signal at ``sin2_theta_w`` (default radius)."""
        rn = self.defaults[self.rn]
        if self.key == "ar":
            return self.quad.cevns_bins(sin2_theta_w, rn, bins)
        return self.quad.variant_spectra(sin2_theta_w, rn, bins)

    def reference_task(self, task: Callable, measured: bool):
        """Run a reference task with quad (measured) or on the stand-in (estimated).

        Returns:
            ``(seconds, method, result)``.
        """
        ref = self.quad if measured else self.standin
        ref.clear_cache()
        t, out = time_python(lambda: task(ref), 1)
        if measured:
            return t, f"measured ({ref.n_predictions} quad predictions)", out
        n = ref.n_predictions
        method = (
            f"estimated: {n} quad predictions x {self.t_pred:.3g} s (measured per prediction) "
            f"+ {t:.3g} s of Minuit/numpy measured with the predictions served by cevnsjax"
        )
        return t + n * self.t_pred, method, out

    def minuit_fit(self, ref, free, fixed=None):
        return minuit_fit(ref.chi2, {**self.module.DEFAULTS, **(fixed or {})}, free, self.module.BOUNDS)


def argon() -> Experiment:
    model = cj.experiment("coherent_ar_2020")
    defaults = model.parameters.defaults()
    signal = jax.jit(lambda p: model.cevns_energy(p))

    def predict(s2, rn, bins=None):
        out = np.asarray(signal({**defaults, "sin2_theta_w": s2, "rn_ar40": rn}))
        return out if bins is None else out[list(bins)]

    return Experiment(
        "ar",
        model,
        ref_ar.ArgonReference(),
        ref_ar.ArgonReference(predict),
        ["rn_ar40"],
        "rn_ar40",
        (0.1, 0.55),
        ["sin2_theta_w"],
    )


def csi2021() -> Experiment:
    model = cj.experiment("coherent_csi_2021")
    defaults = model.parameters.defaults()
    prompt = np.asarray(model.prompt)
    variants = jax.jit(lambda p: jnp.einsum("vbik,cik->vcb", model.response, model.recoil_spectra(p)))

    def predict(s2, rn, bins=None, which=None):
        c = np.asarray(variants({**defaults, "sin2_theta_w": s2, "rn_csi": rn}))
        out = np.stack([c[:, prompt].sum(axis=1), c[:, ~prompt].sum(axis=1)], axis=1)
        out = out if which is None else out[list(which)]
        return out if bins is None else out[..., list(bins)]

    return Experiment(
        "csi2021",
        model,
        ref_csi.CsIReference(),
        ref_csi.CsIReference(predict),
        ["sin2_theta_w"],
        "rn_csi",
        (0.15, 0.35),
        ["sin2_theta_w"],
    )


def _max_rel(a, b, floor: float) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.abs(b) > floor
    return float(np.max(np.abs(a[keep] / b[keep] - 1))) if keep.any() else 0.0


def validate(exp: Experiment, sizes: Sizes) -> float:
    """Time the quad prediction (on ``sizes.ref_bins``, scaled to all bins) and check it against cevnsjax.

    Raises:
        SystemExit: a disagreement above 1e-3.
    """
    bins = sizes.ref_bins
    exp.quad.clear_cache()
    t, ref = time_python(lambda: exp.reference_prediction(bins), 1)
    s2, rn = exp.defaults["sin2_theta_w"], exp.defaults[exp.rn]
    # More predictions at nearby points (uncached), for a median.
    times = [t] + [
        time_python(lambda k=k: exp.quad_prediction(s2 + 0.005 * k, bins), 1)[0] for k in range(1, sizes.ref_repeats)
    ]
    exp.t_pred = statistics.median(times) * exp.n_bins / (exp.n_bins if bins is None else len(bins))
    ours = exp.standin.spectra(s2, rn, bins) if exp.key == "csi2021" else exp.standin.cevns(s2, rn, bins)
    worst = _max_rel(ref, ours, 1e-6 * np.max(np.abs(ours)))
    if bins is None:
        p = exp.model.parameters.defaults()
        chi2 = float(jax.jit(lambda q: exp.model.chi2(q))(p))
        worst = max(worst, abs(exp.quad.chi2(exp.module.DEFAULTS) / chi2 - 1))
    if exp.key == "csi2021":
        fractions = np.asarray(jax.jit(lambda q: exp.model.time_fractions(q))(exp.model.parameters.defaults()))
        prompt = np.asarray(exp.model.prompt)
        ours_t = np.stack([fractions[prompt][0], fractions[~prompt][0]])
        worst = max(worst, _max_rel(exp.quad.arrival_fractions(0.0), ours_t, 1e-9))
    if not worst < TOLERANCE:
        raise SystemExit(
            f"reference {exp.key} disagrees with cevnsjax: max relative difference {worst:.2e} > {TOLERANCE}"
        )
    exp.agreement = worst
    log(
        f"{exp.key}: reference agrees with cevnsjax to {worst:.1e}; quad prediction {exp.t_pred:.3g} s "
        f"(median of {sizes.ref_repeats})" + ("" if bins is None else f" (scaled from bins {bins})")
    )
    return t


def bench_expected(exp: Experiment, sizes: Sizes, t_ref_subset: float) -> dict:
    names = exp.module.NAMES
    base = {n: float(p.default) for n, p in exp.model.parameters.items()}
    x0 = jnp.asarray([base[n] for n in names])
    if exp.key == "ar":
        fn = jax.jit(lambda x: exp.model.cevns_energy({**base, **dict(zip(names, x, strict=True))}))
        what = "CEvNS counts in the 12 energy bins"
        t_ref = exp.t_pred
    else:
        fn = jax.jit(lambda x: exp.model.expected({**base, **dict(zip(names, x, strict=True))})["cevns"])
        what = "CEvNS counts in the 9 x 11 PE x time bins (7 response variants)"
        t_frac, _ = time_python(lambda: exp.quad.arrival_fractions(0.0), 1)
        t_ref = exp.t_pred + t_frac
    out = time_jitted(fn, x0, repeats=sizes.repeats)
    scaled = "" if sizes.ref_bins is None else f", scaled from bins {sizes.ref_bins} ({t_ref_subset:.3g} s)"
    return {
        **out,
        "reference_s": t_ref,
        "size": int(exp.model.n_bins),
        "what": f"{what} (parameters as one vector)",
        "reference_method": f"measured: quad over every bin{scaled}",
        "agreement": exp.agreement,
    }


def bench_nll_grad(exp: Experiment, sizes: Sizes) -> dict:
    names = exp.module.NAMES
    chi2, x0 = _vector_chi2(exp.model, names)
    out = time_jitted(jax.jit(jax.value_and_grad(chi2)), x0, repeats=sizes.repeats)
    floor = time_jitted(jax.jit(jax.value_and_grad(lambda x: jnp.sum(x**2))), x0, repeats=sizes.repeats)
    t_ref, method, _ = exp.reference_task(
        lambda ref: chi2_and_gradient(ref.chi2, exp.module.DEFAULTS, names), "nll_grad" in sizes.ref_measured
    )
    return {
        **out,
        "reference_s": t_ref,
        "size": len(x0),
        "reference_method": f"{method}; central differences",
        "dispatch_floor_s": floor["cevnsjax_s"],
        "what": f"chi^2 and its gradient in {', '.join(names)} (one float64 vector; other parameters "
        "at their defaults, model arrays closed over)",
    }


def bench_batch(exp: Experiment, sizes: Sizes) -> dict:
    names = exp.module.NAMES
    chi2, _ = _vector_chi2(exp.model, names)
    points = jnp.asarray(_random_points(exp.model, names, sizes.batch))
    out = time_jitted(jax.jit(jax.vmap(chi2)), points, repeats=max(3, sizes.repeats // 20))
    return {
        **out,
        "reference_s": sizes.batch * exp.t_pred,
        "size": sizes.batch,
        "what": f"chi^2 at a batch of random points of {', '.join(names)} (jax.vmap)",
        "reference_method": f"extrapolated: {sizes.batch} x one quad prediction ({exp.t_pred:.3g} s measured)",
    }


def bench_fit(exp: Experiment, sizes: Sizes) -> dict:
    # at least 3 calls: a single one is the first, whose run time holds one-off work besides compilation
    # (145 ms against 12 ms for an argon fit in --quick mode)
    out, res = time_api(lambda: cj.fit(exp.model, free=exp.free_fit), max(3, sizes.api_repeats))
    free = [*exp.free_fit, *exp.module.NUISANCES]
    measured = "fit" in sizes.ref_measured
    t_ref, method, m = exp.reference_task(lambda ref: exp.minuit_fit(ref, free), measured)
    entry = {
        **out,
        "reference_s": t_ref,
        "size": len(free),
        "reference_method": f"{method}; MIGRAD + HESSE",
        "what": f"cj.fit(free={exp.free_fit} + nuisances): damped Newton + Hessian errors",
        "chi2_min": {"cevnsjax": res.chi2_min, "reference": float(m.fval)},
        "converged": res.converged,
    }
    if measured:  # how well the estimate used in --quick mode matches the measurement
        entry["reference_estimate_s"], _, _ = exp.reference_task(lambda ref: exp.minuit_fit(ref, free), False)
    return entry


def bench_profile(exp: Experiment, sizes: Sizes) -> dict:
    grid = np.linspace(*exp.profile_range, sizes.profile_points)
    out, res = time_api(lambda: cj.profile(exp.model, "sin2_theta_w", grid, progress=False), sizes.api_repeats)
    nuisances = list(exp.module.NUISANCES)
    k = sizes.ref_profile_points

    def points(ref):
        for s2 in grid[:: max(1, len(grid) // k)][:k]:
            exp.minuit_fit(ref, nuisances, fixed={"sin2_theta_w": float(s2)})

    t_global_ref, _, _ = exp.reference_task(lambda ref: exp.minuit_fit(ref, ["sin2_theta_w", *nuisances]), False)
    t_points, _, _ = exp.reference_task(points, False)
    per_point = t_points / k
    t_ref = t_global_ref + len(grid) * per_point
    return {
        **out,
        "reference_s": t_ref,
        "size": len(grid),
        "what": "cj.profile of sin2_theta_w, nuisances re-minimised at every point (vmapped Newton)",
        "reference_method": (
            f"estimated: global Minuit fit ({t_global_ref:.3g} s) + {len(grid)} x "
            f"{per_point:.3g} s per point (one quad prediction + Minuit over the nuisances, "
            f"timed on {k} points)"
        ),
        "converged_points": int(np.sum(res.converged)),
    }


def bench_exclusion(exp: Experiment, sizes: Sizes) -> dict:
    """cj.exclusion of g_zprime on 100 masses x 200 couplings (universal Z'), nuisances re-minimised."""
    masses = np.geomspace(1.0, 1e4, 100)

    def run():
        return cj.exclusion(exp.model, "g_zprime", ("m_zprime", masses), range=(1e-6, 1.0), points=200)

    out, res = time_api(run, max(2, sizes.api_repeats))
    upper = res.upper["0.9"]
    return {
        **out,
        "reference_s": None,
        "size": int(res.delta_chi2.size),
        "what": (
            "cj.exclusion of g_zprime (universal Z') on 100 masses (1 MeV - 10 GeV) x 200 couplings, "
            "nuisances re-minimised at every point (one compiled vmap x scan of Newton solves)"
        ),
        "reference_method": "none: the target is 10 s after compilation",
        "converged_points": int(np.sum(res.converged)),
        "upper_90": {f"{m:.4g} MeV": float(u) for m, u in zip(masses[::33], upper[::33])},
    }


def bench_nuts(exp: Experiment, sizes: Sizes) -> dict:
    out, res = time_api(
        lambda: cj.sample(
            exp.model,
            free=exp.free_nuts,
            chains=sizes.chains,
            samples=sizes.samples,
            warmup=sizes.warmup,
            progress=False,
        ),
        sizes.nuts_calls,
    )
    ess = min(s["ess"] for s in res.summary.values())
    entry = {
        **out,
        "reference_s": None,
        "size": sizes.chains * sizes.samples,
        "what": (
            f"cj.sample: NUTS, {sizes.chains} chains x {sizes.samples} samples (+{sizes.warmup} warmup), "
            f"free {exp.free_nuts} + nuisances; ESS per second of the last call's wall time (api_wall_s)"
        ),
        "reference_method": "none: a quad likelihood has no gradient for NUTS",
        "min_ess": ess,
        "ess_per_s": ess / out["api_wall_s"],
        "divergences": res.divergences,
        "max_r_hat": max(s["r_hat"] for s in res.summary.values()),
        "mean_std": {n: (s["mean"], s["std"]) for n, s in res.summary.items()},
    }
    if exp.key == "ar":
        entry.update(_emcee_argon(exp, sizes, ess))
    return entry


def _emcee_argon(exp: Experiment, sizes: Sizes, ess_nuts: float) -> dict:
    """emcee (32 walkers) on the numpy argon likelihood, same free parameters, flat priors in the bounds."""
    try:
        import emcee
    except ImportError:
        return {"reference_method": "none: emcee not installed (pip install -e '.[bench]')"}
    ref = ref_ar_numpy.ArgonNumpy(exp.model)
    names = ["sin2_theta_w", *ref_ar.NUISANCES]
    lo = np.array([ref_ar.BOUNDS[n][0] for n in names])
    hi = np.array([ref_ar.BOUNDS[n][1] for n in names])
    rn = float(exp.model.parameters[exp.rn].default)

    def log_prob(x):
        if np.any(x <= lo) or np.any(x >= hi):
            return -np.inf
        return -0.5 * ref.chi2(x[0], rn, x[1], x[2], x[3])

    walkers = 32
    rng = np.random.default_rng(0)
    x0 = np.array([ref_ar.DEFAULTS[n] for n in names]) * (1 + 0.01 * rng.standard_normal((walkers, len(names))))
    sampler = emcee.EnsembleSampler(walkers, len(names), log_prob)
    burn = sizes.emcee_steps // 4
    t, _ = time_python(lambda: sampler.run_mcmc(x0, burn + sizes.emcee_steps, progress=False), 1)
    chain = sampler.get_chain(discard=burn)  # (steps, walkers, params)
    summary = summarize({n: chain[:, :, i].T for i, n in enumerate(names)})
    ess = min(v["ess"] for v in summary.values())
    return {
        "reference_s": ess_nuts / (ess / t),
        "reference_method": (
            f"emcee {emcee.__version__}: {walkers} walkers x {sizes.emcee_steps} steps (+{burn} burn-in) on the "
            f"numpy argon likelihood (reference/ar2020_numpy.py), {t:.3g} s, min ESS {ess:.0f}: the time emcee "
            "needs for the NUTS run's ESS"
        ),
        "reference_ess_per_s": ess / t,
        "reference_mean_std": {n: (v["mean"], v["std"]) for n, v in summary.items()},
    }


def bench_fit_numpy(exp: Experiment, sizes: Sizes) -> dict:
    """The three argon nuisances at fixed R_n: cj.fit against numpy + iminuit (reference/ar2020_numpy.py)."""
    ref = ref_ar_numpy.ArgonNumpy(exp.model)
    rn = float(exp.model.parameters[exp.rn].default)
    repeats = max(5, 10 * sizes.api_repeats)
    out, res = time_api(lambda: cj.fit(exp.model, fixed={exp.rn: rn}), repeats)
    t_ref, m = time_python(lambda: ref.fit_nuisances(rn), repeats)
    return {
        **out,
        "reference_s": t_ref,
        "size": 3,
        "what": f"cj.fit of the 3 argon nuisances at {exp.rn} = {rn} (median of {repeats} calls)",
        "reference_method": "measured: numpy prediction (response precomputed once) + Minuit MIGRAD + HESSE",
        "chi2_min": {"cevnsjax": res.chi2_min, "reference": float(m.fval)},
    }


def bench_profile_numpy(exp: Experiment, sizes: Sizes) -> dict:
    """cj.profile of R_n on 100 points against 100 warm-started numpy + iminuit nuisance fits."""
    ref = ref_ar_numpy.ArgonNumpy(exp.model)
    lo = exp.model.parameters[exp.rn].lower
    grid = np.linspace(lo, lo + 2.5, 100 if sizes.profile_points >= 100 else sizes.profile_points)
    repeats = max(3, sizes.api_repeats)
    out, res = time_api(lambda: cj.profile(exp.model, exp.rn, grid, progress=False), repeats)
    t_ref, chi2 = time_python(lambda: ref.profile_rn(grid), repeats)
    return {
        **out,
        "reference_s": t_ref,
        "size": len(grid),
        "what": f"cj.profile of {exp.rn} on {len(grid)} points, the 3 nuisances re-minimised",
        "reference_method": "measured: one Minuit MIGRAD + HESSE per point on the numpy chi^2, warm-started",
        "max_abs_dchi2": float(np.max(np.abs(res.chi2 - chi2))),
    }


def bench_profile2d(sizes: Sizes) -> dict:
    """CsI 2021 + Ar 2020 profile of (r2_nu_ee, r2_nu_mumu), every nuisance re-minimised at every point."""
    settings = dict(preset="pdg2022", zz_boxes=True)  # one electroweak preset for both (as notebook 03)
    both = cj.combine(cj.experiment("coherent_ar_2020", **settings), cj.experiment("coherent_csi_2021", **settings))
    n = sizes.side_2d
    grid = (np.linspace(-110.0, 45.0, n), np.linspace(-20.0, 18.0, n))  # notebook 03's range
    out, res = time_api(lambda: cj.profile2d(both, ("r2_nu_ee", "r2_nu_mumu"), grid, progress=False), 2)
    return {
        **out,
        "reference_s": None,
        "size": n * n,
        "what": f"cj.profile2d of the combined CsI 2021 + Ar 2020 chi^2 on {n} x {n} points of r2_nu_ee x r2_nu_mumu",
        "reference_method": "none",
        "converged_points": int(np.sum(res.converged)),
    }


def bench_grid(exp: Experiment, sizes: Sizes) -> dict:
    n = sizes.grid_side
    lo = exp.model.parameters[exp.rn].lower
    grid = {"sin2_theta_w": np.linspace(0.1, 0.5, n), exp.rn: np.linspace(lo, lo + 4.5, n)}
    out, res = time_api(lambda: cj.scan(exp.model, grid, progress=False), 1)
    return {
        **out,
        "reference_s": n * n * exp.t_pred,
        "size": n * n,
        "what": f"cj.scan of chi^2 on a {n} x {n} grid (sin2_theta_w x {exp.rn}), sharded over all devices",
        "reference_method": f"extrapolated: {n * n} x one quad prediction ({exp.t_pred:.3g} s measured)",
        "throughput_per_s": n * n / out["cevnsjax_s"],
        "n_devices_used": res.n_devices,
    }


def bench_dresden_nll_grad(sizes: Sizes) -> dict:
    """Dresden-II chi^2 + gradient in its free parameters and r2_nu_ee (no quad reference: compared with argon)."""
    model = cj.experiment("dresden_ii_2022", radius_q_dependence=True)
    names = (*model.parameters.default_free(), "r2_nu_ee")
    chi2, x0 = _vector_chi2(model, names)
    out = time_jitted(jax.jit(jax.value_and_grad(chi2)), x0, repeats=sizes.repeats)
    return {
        **out,
        "reference_s": None,
        "size": len(x0),
        "reference_method": "none: the target is the argon nll + gradient of the same run",
        "what": f"Dresden-II chi^2 and its gradient in {', '.join(names)} (momentum-dependent radius)",
    }


def _cli_fit(cache: Path | None) -> tuple[float, dict]:
    """Wall time and JSON of ``cevnsjax fit coherent_ar_2020 --json`` in a fresh process (cache: its folder, or off)."""
    env = {k: v for k, v in os.environ.items() if k != "CEVNSJAX_NO_COMPILATION_CACHE"}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    args = [sys.executable, "-m", "cevnsjax", "fit", "coherent_ar_2020", "--json"]
    if cache is None:
        args.append("--no-cache")
    else:
        env["CEVNSJAX_CACHE_DIR"] = str(cache)
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env, cwd=HERE.parent)
    return time.perf_counter() - t0, json.loads(out.stdout.strip().splitlines()[-1])


def bench_cli_warm_fit(sizes: Sizes) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        cold, first = _cli_fit(Path(folder))
        warm = [_cli_fit(Path(folder)) for _ in range(3)]  # a median: one run on a shared machine is noise
        t_ref, third = _cli_fit(None)
    if any(out != first for _, out in warm) or third != first:
        raise SystemExit("cli_warm_fit: the JSON of the cached fits differs from the first one's")
    return {
        "cevnsjax_s": float(np.median([t for t, _ in warm])),
        "warm_runs_s": [round(t, 3) for t, _ in warm],
        "compile_s": None,
        "first_call_s": cold,
        "cold_cache_s": cold,
        "reference_s": t_ref,
        "size": 1,
        "what": "wall time of `cevnsjax fit coherent_ar_2020 --json` in a fresh process, the persistent "
        "caches filled by a first call (median of 3; cold_cache_s: that first call, empty caches)",
        "reference_method": "measured: the same command with --no-cache in a fresh process",
    }


def _scan_processes(n: int, side: int, chunk: int, folder: str) -> tuple[dict, np.ndarray]:
    """The timed scan of ``benchmarks/scan_worker.py`` run by ``n`` local processes."""
    with socket.socket() as s:  # a free port for the coordinator
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "CEVNSJAX_NO_COMPILATION_CACHE": "1"}
    out = f"{folder}/scan{n}"
    args = [sys.executable, str(HERE / "scan_worker.py"), str(n)]
    procs = [
        subprocess.Popen(
            [*args, str(i), str(port), str(side), str(chunk), out],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(n)
    ]
    errors = [p.communicate()[1] for p in procs]
    for p, err in zip(procs, errors, strict=True):
        if p.returncode:
            raise SystemExit(f"scan_2proc: a scanning process failed: {err.decode()[-2000:]}")
    return json.loads(Path(f"{out}.json").read_text()), np.load(f"{out}.npy")


def bench_scan_2proc(sizes: Sizes) -> dict:
    side = max(8, sizes.grid_side // 2)
    chunk = side * side // 8  # 8 chunks: 4 rounds of 2 processes
    with tempfile.TemporaryDirectory() as folder:
        one, chi2_one = _scan_processes(1, side, chunk, folder)
        two, chi2_two = _scan_processes(2, side, chunk, folder)
    points = side * side
    return {
        "cevnsjax_s": two["wall_s"],
        "compile_s": None,
        "reference_s": one["wall_s"],
        "size": points,
        "what": f"cj.scan of the argon chi^2 on a {side} x {side} grid split across 2 local processes "
        f"(jax.distributed, {chunk} points per chunk), after a first scan compiled it",
        "reference_method": "measured: the same scan in 1 process (ratio = speed-up of 2 processes)",
        "throughput_per_s": points / two["wall_s"],
        "throughput_1proc_per_s": points / one["wall_s"],
        "identical": bool(np.array_equal(chi2_one, chi2_two)),
        "n_devices_used": two["n_devices"],
    }


def bench_toys(exp: Experiment, sizes: Sizes) -> dict:
    """cj.toys: argon pseudo-experiments, each fitted in R_n and the three nuisances (later calls: compiled)."""
    n = sizes.toys
    calls = iter(range(1, 100))
    out, res = time_api(
        lambda: cj.toys(exp.model, n, free="rn_ar40", seed=next(calls), progress=False), sizes.api_repeats
    )
    return {
        **out,
        "reference_s": None,
        "size": n,
        "what": f"cj.toys: {n} argon pseudo-experiments (Gaussian data, priors drawn), each fitted in R_n + 3 nuisances",
        "reference_method": "none: the target is absolute (10^4 toy fits under 2 s)",
        "per_toy_s": out["cevnsjax_s"] / n,
        "converged_fraction": float(np.mean(res.converged)),
    }


def bench_fc(exp: Experiment, sizes: Sizes) -> dict:
    """cj.feldman_cousins of R_n: the observed profile, then two fits per toy at every grid point."""
    points, n_toys = sizes.belt
    lo = exp.model.parameters["rn_ar40"].lower
    grid = np.linspace(lo, lo + 7.0, points)
    seeds = iter(range(1, 100))
    out, res = time_api(
        lambda: cj.feldman_cousins(exp.model, "rn_ar40", grid, n_toys, seed=next(seeds), progress=False),
        sizes.api_repeats,
    )
    per_toy = out["cevnsjax_s"] / (points * n_toys)
    return {
        **out,
        "reference_s": None,
        "size": points * n_toys,
        "what": f"cj.feldman_cousins of rn_ar40: {points} grid points x {n_toys} toys (two fits each) + the profile",
        "reference_method": "none: the target is absolute (a 50 x 1000 belt under 60 s)",
        "per_toy_s": per_toy,
        "belt_50x1000_s": out["cevnsjax_s"] if (points, n_toys) == (50, 1000) else per_toy * 50_000,
        "intervals": res.intervals,
        "wilks": res.wilks,
    }


#: Projection benchmarks: name -> (experiment, title); each is compared with the argon data's nll + gradient.
PROJECTIONS = {
    "proj_coh_ar_750_nll_grad": ("coh_ar_750", "COH-Ar-750 at the SNS"),
    "proj_ess_ar_nll_grad": ("ess_ar", "liquid argon at the ESS"),
}


def bench_projection_nll_grad(sizes: Sizes, bench: str = "proj_coh_ar_750_nll_grad") -> dict:
    """A 40Ar projection (Asimov data, 12 bins) chi^2 + gradient in its free parameters, sin2_theta_w and rn_ar40."""
    name, title = PROJECTIONS[bench]
    model = cj.experiment(name, n_bins=12)
    names = (*model.parameters.default_free(), "sin2_theta_w", "rn_ar40")
    chi2, x0 = _vector_chi2(model, names)
    out = time_jitted(jax.jit(jax.value_and_grad(chi2)), x0, repeats=sizes.repeats)
    return {
        **out,
        "reference_s": None,
        "size": len(x0),
        "reference_method": "none: the target is the argon (coherent_ar_2020) nll + gradient of the same run",
        "what": f"{name}: {title} (projection, 12 bins, 40Ar) chi^2 and its gradient in {', '.join(names)}",
    }


def run(sizes: Sizes, names: tuple[str, ...]) -> dict[str, dict]:
    plan = []
    for key in ("ar", "csi2021"):
        plan += [
            (f"{key}_expected", key, "expected"),
            (f"{key}_nll_grad", key, "nll_grad"),
            (f"{key}_batch_1e4", key, "batch"),
            (f"{key}_fit", key, "fit"),
            (f"{key}_profile_200", key, "profile"),
            (f"nuts_{key}", key, "nuts"),
            ("grid_1e6" if key == "ar" else f"grid_1e6_{key}", key, "grid"),
        ]
    plan += [("toys_ar_1e4", "ar", "toys"), ("fc_ar_rn", "ar", "fc")]
    plan.append(("exclusion_ar_100x200", "ar", "exclusion"))
    plan += [("ar_fit_numpy", "ar", "fit_numpy"), ("ar_profile_rn_100", "ar", "profile_numpy")]
    plan.append(("dresden_nll_grad", None, "dresden"))
    plan.append(("profile2d_csi_ar_41", None, "profile2d"))
    plan += [(name, None, name) for name in PROCESSES]
    plan += [(bench, None, "projection") for bench in PROJECTIONS]
    plan = [step for step in plan if step[0] in names]
    experiments = {}
    for key, make in (("ar", argon), ("csi2021", csi2021)):
        if any(k == key for _, k, _ in plan):
            log(f"building {key} (cevnsjax and reference)")
            exp = make()
            experiments[key] = (exp, validate(exp, sizes))
    device = jax.devices()[0]
    meta = {
        "device": f"{device.platform}:{device.device_kind}",
        "n_devices": jax.device_count(),
        "dtype": str(jnp.zeros(()).dtype),
        "jax": jax.__version__,
        "cevnsjax": importlib.metadata.version("cevnsjax"),
        "host": platform.machine(),
        "cpu_count": len(os.sched_getaffinity(0)),
        "dispatch": "async" if jax.config.read("jax_cpu_enable_async_dispatch") else "inline",
    }
    results = {}
    for name, key, kind in plan:
        log(f"running {name}")
        if kind in PROCESSES:
            entry = {"cli_warm_fit": bench_cli_warm_fit, "scan_2proc": bench_scan_2proc}[kind](sizes)
        elif kind == "profile2d":
            entry = bench_profile2d(sizes)
        elif kind in ("dresden", "projection"):
            entry = bench_dresden_nll_grad(sizes) if kind == "dresden" else bench_projection_nll_grad(sizes, name)
            ar = results.get("ar_nll_grad")
            entry["vs_ar_nll_grad"] = None if ar is None else entry["cevnsjax_s"] / ar["cevnsjax_s"]
        elif kind == "expected":
            exp, t_subset = experiments[key]
            entry = bench_expected(exp, sizes, t_subset)
        else:
            exp, _ = experiments[key]
            entry = {
                "nll_grad": bench_nll_grad,
                "batch": bench_batch,
                "fit": bench_fit,
                "profile": bench_profile,
                "nuts": bench_nuts,
                "grid": bench_grid,
                "toys": bench_toys,
                "fc": bench_fc,
                "exclusion": bench_exclusion,
                "fit_numpy": bench_fit_numpy,
                "profile_numpy": bench_profile_numpy,
            }[kind](exp, sizes)
        ref = entry["reference_s"]
        entry["ratio"] = None if ref is None else ref / entry["cevnsjax_s"]
        if name in TARGETS:
            text, ok = TARGETS[name]
            entry["target"], entry["target_met"] = text, bool(ok(entry))
        results[name] = {**entry, **meta}
    return results


def _fmt_time(t) -> str:
    if t is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def table(results: dict[str, dict]) -> str:
    """The readable table (one line per benchmark, then how each reference time was obtained)."""
    first = next(iter(results.values()), {})
    head = (
        f"cevnsjax benchmarks on {first.get('device', '?')} x {first.get('n_devices', '?')}, "
        f"{first.get('dtype', '?')}, jax {first.get('jax', '?')}, {first.get('dispatch', '?')} dispatch; "
        "ratio = reference / cevnsjax"
    )
    rows = [("benchmark", "size", "cevnsjax", "compile", "reference", "ratio", "target")]
    for name, e in results.items():
        target = "" if "target" not in e else f"{e['target']}: {'met' if e['target_met'] else 'MISSED'}"
        ratio = "-" if e["ratio"] is None else f"{e['ratio']:.3g}x"
        rows.append(
            (
                name,
                f"{e['size']:,}",
                _fmt_time(e["cevnsjax_s"]),
                _fmt_time(e["compile_s"]),
                _fmt_time(e["reference_s"]),
                ratio,
                target,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [head, ""] + ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("")
    for name, e in results.items():
        extra = [f"{k}={_fmt_time(e[k])}" for k in ("api_wall_s", "dispatch_floor_s", "cold_cache_s") if k in e]
        extra += [f"{k}={_fmt_time(e[k])}" for k in ("per_toy_s", "belt_50x1000_s") if k in e]
        keys = ("ess_per_s", "reference_ess_per_s", "throughput_per_s", "throughput_1proc_per_s")
        extra += [f"{k}={e[k]:.4g}" for k in keys if k in e]
        lines.append(f"{name}: {e['what']}" + (f" [{', '.join(extra)}]" if extra else ""))
        lines.append(f"    reference: {e['reference_method']}")
    lines.append(
        "cevnsjax = after compilation (median); compile = tracing + lowering + XLA compilation; "
        "cj.fit/profile/scan/sample reuse their compiled solver or sampler per model structure and free set "
        "(api_wall_s = a later call's wall time); dispatch_floor_s = the same call of a "
        "jitted value-and-gradient of sum(x**2), what JAX costs before any physics."
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="required benchmarks, full sizes, fewer repeats (< 3 min)")
    mode.add_argument("--smoke", action="store_true", help="tiny sizes: only checks that everything runs")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument(
        "--async-dispatch",
        action="store_true",
        help="keep JAX's default CPU dispatch (a worker thread) instead of running inline",
    )
    parser.add_argument(
        "--results", type=Path, default=HERE / "results", help="folder for the <name>.json files (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    cj.configure(cpu_sync_dispatch=not args.async_dispatch)
    mode_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    sizes = MODES[mode_name]
    names = tuple(args.only) if args.only else sizes.names
    unknown = sorted(set(names) - set(REQUIRED + EXTRA + PROCESSES))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; valid: {', '.join(REQUIRED + EXTRA + PROCESSES)}")
    results = run(sizes, names)
    args.results.mkdir(parents=True, exist_ok=True)
    for name, entry in results.items():
        record = {"name": name, "mode": mode_name, **entry}
        (args.results / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
    print(table(results), flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``cevnsjax fit | profile | scan | sample``: generic inference on one or more experiments.

Several experiment names are combined (:func:`cevnsjax.likelihood.combine`):
physics parameters and commonly tagged nuisances (the SNS ``eta_flux``) are shared, other
nuisances are independent (renamed ``<experiment>.<name>``) unless shared with ``--share``.  ``--free`` adds to the
default free set (the nuisances), ``--fix P=V`` removes from it.
"""

from __future__ import annotations

import warnings

import click
import numpy as np

from .. import experiments, plotting
from ..inference import fit as run_fit
from ..inference import profile as run_profile
from ..inference import profile2d as run_profile2d
from ..inference import sample as run_sample
from ..inference import scan as run_scan
from ..inference._fit import RESTARTS, FitWarning
from ..inference._objective import component_totals
from ..inference._result import format_intervals
from ..likelihood.combine import combine
from ..model import Model
from ._app import emit_json, handle_errors, main

_ENGINES = ("jax", "iminuit")
_CHAIN_METHODS = ("vectorized", "sequential")


def _names(values: tuple[str, ...]) -> list[str]:
    """Repeatable name options, each possibly comma-separated."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _assignments(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{flag} expects NAME=VALUE, got '{item}'")
        out[key.strip()] = value.strip()
    return out


def _numbers(values: tuple[str, ...], flag: str) -> dict[str, float]:
    out = {}
    for key, value in _assignments(values, flag).items():
        try:
            out[key] = float(value)
        except ValueError:
            raise ValueError(f"{flag} {key}={value}: the value must be a number") from None
    return out


def build_model(names: tuple[str, ...], options: tuple[str, ...], share: tuple[str, ...] = ()) -> Model:
    """Build the named experiments (options go to those that accept them) and combine them.

    Args:
        names: experiment names (one or more).
        options: ``K=V`` strings; each applies to every experiment that declares ``K``.
        share: nuisances shared across the experiments besides the commonly tagged ones (``eta_flux``).

    Returns:
        The experiment, or the combination of several.

    Raises:
        ValueError: no or unknown experiment, or an option no experiment accepts.
    """
    if not names:
        raise ValueError(f"name at least one experiment; valid experiments: {', '.join(experiments.names())}")
    given = _assignments(options, "--option")
    accepted = {n: experiments.options(n) for n in names}
    for key in given:
        if not any(key in opts for opts in accepted.values()):
            valid = sorted({k for opts in accepted.values() for k in opts})
            raise ValueError(
                f"unknown option '{key}' for {', '.join(names)}; valid options: {', '.join(valid) or '(none)'}"
            )
    models = [experiments.experiment(n, **{k: v for k, v in given.items() if k in accepted[n]}) for n in names]
    shared = _names(share)
    if len(models) == 1:
        if shared:
            raise ValueError("--share needs several experiments")
        return models[0]
    model = combine(*models, shared=shared)
    for name in shared:
        if name not in model.parameters:
            raise ValueError(
                f"--share {name}: no two experiments declare it; parameters: {', '.join(model.parameters)}"
            )
    return model


def _warn(text: str) -> None:
    click.echo(f"warning: {text}", err=True)


def _quietly(run, *args, **kwargs):
    """``run(*args, **kwargs)`` with its :class:`FitWarning` s printed as one-line warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        result = run(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, FitWarning):
            _warn(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def _restarts_option(func):
    return click.option(
        "--restarts",
        default=RESTARTS,
        show_default=True,
        type=click.IntRange(min=0),
        help="Minimisations from seeds in the prior/bound box (per grid point for profiles); lowest kept.",
    )(func)


def _common(func):
    """Options shared by every inference command (experiments, --fix, --option, --share, --json)."""
    func = click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")(func)
    func = click.option(
        "--share",
        multiple=True,
        metavar="P",
        help="Share nuisance P between combined experiments (tagged ones, e.g. the SNS eta_flux, always are).",
    )(func)
    func = click.option(
        "--option", "options", multiple=True, metavar="K=V", help="Experiment build option (repeatable)."
    )(func)
    func = click.option("--fix", multiple=True, metavar="P=V", help="Fix parameter P at V (repeatable).")(func)
    return click.argument("experiment_names", nargs=-1, metavar="EXP [EXP ...]")(func)


def _free_option(func):
    return click.option(
        "--free", multiple=True, metavar="P", help="Free P besides the nuisances (repeatable or comma-separated)."
    )(func)


def _start_option(func):
    return click.option("--start", multiple=True, metavar="P=V", help="Start free parameter P at V.")(func)


def _plot_option(func):
    return click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a figure (e.g. out.png).")(
        func
    )


@main.command()
@_common
@_free_option
@_start_option
@click.option("--engine", default="jax", show_default=True, help="Minimiser: jax or iminuit.")
@click.option("--minos", is_flag=True, help="Asymmetric MINOS errors (iminuit engine).")
@_restarts_option
@_plot_option
@handle_errors
def fit(experiment_names, fix, options, share, as_json, free, start, engine, minos, restarts, plot):
    """Fit EXP (several: their combination): best-fit values, Hessian errors, correlations."""
    if engine not in _ENGINES:
        raise ValueError(f"unknown engine '{engine}'; valid engines: {', '.join(_ENGINES)}")
    model = build_model(experiment_names, options, share)
    result = _quietly(
        run_fit,
        model,
        free=_names(free),
        fixed=_numbers(fix, "--fix"),
        start=_numbers(start, "--start"),
        engine=engine,
        minos=minos,
        restarts=restarts,
    )
    if not result.converged:
        _warn(f"the fit did not converge: {result.message}")
    defaults = {n: p.default for n, p in model.parameters.items()}
    components, nominal = component_totals(model, [result.values, defaults])
    if plot:
        ps = model.parameters
        constraints = {n: ps[n].constraint for n in result.free if ps[n].constraint is not None}
        plotting.save(plotting.plot_fit(result, constraints), plot)
        if hasattr(model, "plot"):  # the experiment's own figure: fitted spectrum over the data
            stem, dot, ext = plot.rpartition(".")
            spectrum = f"{stem}_spectrum.{ext}" if dot else f"{plot}_spectrum.png"
            model.plot(result.values, spectrum)
            click.echo(f"saved {plot} and {spectrum}", err=True)
    if as_json:
        out = {
            "experiments": list(experiment_names),
            "values": result.values,
            "errors": result.errors,
            "chi2_min": result.chi2_min,
            "ndof": result.ndof,
            "converged": result.converged,
            "trusted": result.trusted,
            "at_limit": {n: n in result.at_limit for n in result.free},
            "limit_side": result.at_limit,
            "limit_errors": result.limit_errors,
            "flat": list(result.flat),
            "local_minimum_chi2": result.local_minimum_chi2,
            "message": result.message,
            "engine": result.engine,
            "free": list(result.free),
            "components": components,
            "nominal_components": nominal,
            "correlation": result.correlation().to_dict(),
        }
        if result.minos is not None:
            out["minos"] = {n: list(v) for n, v in result.minos.items()}
        emit_json(out)
        return
    click.echo(f"fit of {model.name} ({result.engine}): {result.status()} ({result.message})")
    ndof = "" if result.ndof is None else f" / ndof = {result.ndof}"
    click.echo(f"chi2_min = {result.chi2_min:.4f}{ndof}")
    width = max(10, *map(len, result.values))
    click.echo(f"{'parameter':<{width}}  {'value ± error':<28} unit")
    for name in result.values:
        text = result.value_text(name)
        click.echo(f"{name:<{width}}  {text:<28} {model.parameters[name].unit}".rstrip())
    if components:
        click.echo(f"{'component':<{width}}  {'best fit':>12} {'nominal':>12}")
        for name, value in components.items():
            click.echo(f"{name:<{width}}  {value:>12.4g} {nominal[name]:>12.4g}")
    if len(result.free) > 1:
        click.echo("correlation:")
        click.echo(repr(result.correlation()))


def _profile_json(result) -> dict:
    return {
        "param": result.param,
        "grid": result.grid,
        "delta_chi2": result.delta_chi2,
        "chi2_min": result.chi2_min,
        "best_fit": result.best_fit,
        "ndof": result.ndof,
        "intervals": {k: [list(iv) for iv in v] for k, v in result.intervals.items()},
        "converged": bool(result.fit.converged and np.all(result.converged)),
    }


def _profile2d_json(result) -> dict:
    return {
        "params": list(result.params),
        "grid": list(result.grid),
        "delta_chi2": result.delta_chi2,
        "chi2_min": result.chi2_min,
        "best_fit": result.best_fit,
        "ndof": result.ndof,
        "contours": result.contours,
        "converged": bool(result.fit.converged and np.all(result.converged)),
    }


@main.command()
@_common
@_free_option
@_start_option
@click.option("--param", "params", multiple=True, metavar="P", help="Profiled parameter (once or twice).")
@click.option("--range", "ranges", multiple=True, nargs=2, type=float, metavar="LO HI", help="Grid range per --param.")
@click.option("--points", multiple=True, type=int, metavar="N", help="Grid points per --param (one value: all).")
@_restarts_option
@_plot_option
@handle_errors
def profile(experiment_names, fix, options, share, as_json, free, start, params, ranges, points, restarts, plot):
    """Profile likelihood in one or two parameters, every other free parameter re-minimised."""
    if len(params) not in (1, 2):
        raise ValueError("give --param once (1D profile) or twice (2D profile)")
    if len(ranges) != len(params):
        raise ValueError(f"give one --range LO HI per --param ({len(params)} expected, got {len(ranges)})")
    points = list(points) or [21]
    if len(points) == 1:
        points = points * len(params)
    if len(points) != len(params) or min(points) < 2:
        raise ValueError("give --points N (N >= 2) once or once per --param")
    grids = [np.linspace(lo, hi, n) for (lo, hi), n in zip(ranges, points)]
    model = build_model(experiment_names, options, share)
    kwargs = dict(free=_names(free), fixed=_numbers(fix, "--fix"), start=_numbers(start, "--start"), restarts=restarts)
    if len(params) == 1:
        result = run_profile(model, params[0], grids[0], **kwargs)
    else:
        result = run_profile2d(model, tuple(params), tuple(grids), **kwargs)
    if not result.fit.converged:
        _warn(f"the global fit did not converge: {result.fit.message}")
    bad = int(np.sum(~result.converged))
    if bad:
        _warn(f"{bad} of {result.converged.size} grid points did not converge")
    if plot:
        fig = plotting.plot_profile(result) if len(params) == 1 else plotting.plot_profile2d(result)
        plotting.save(fig, plot)
    if as_json:
        emit_json(_profile_json(result) if len(params) == 1 else _profile2d_json(result))
        return
    best = ", ".join(f"{p} = {result.best_fit[p]:.6g}" for p in params)
    click.echo(f"profile of {model.name}: chi2_min = {result.chi2_min:.4f}, best fit {best}")
    if len(params) == 1:
        click.echo(f"{'level':>8}  interval(s) of {params[0]}")
        for level, ivs in result.intervals.items():
            click.echo(f"{level:>8}  {format_intervals(ivs)}")
        click.echo(f"{params[0]:>12} {'delta_chi2':>12}")
        for x, d in zip(result.grid, result.delta_chi2):
            click.echo(f"{x:>12.6g} {d:>12.4f}")
    else:
        a, b = params
        click.echo(f"{'level':>8}  extent of the contour lines in {a} and {b}")
        for level, lines in result.contours.items():
            if not lines:
                click.echo(f"{level:>8}  (no contour on this grid)")
                continue
            pts = np.concatenate(lines)
            click.echo(
                f"{level:>8}  {a} in [{pts[:, 0].min():.5g}, {pts[:, 0].max():.5g}], "
                f"{b} in [{pts[:, 1].min():.5g}, {pts[:, 1].max():.5g}]"
            )


def _grid_spec(item: str) -> tuple[str, np.ndarray]:
    name, sep, spec = item.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) != 3:
        raise ValueError(f"--grid expects P=LO:HI:N, got '{item}'")
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ValueError(f"--grid expects P=LO:HI:N with numbers, got '{item}'") from None
    if n < 1:
        raise ValueError(f"--grid {item}: N must be at least 1")
    return name.strip(), np.linspace(lo, hi, n)


@main.command()
@_common
@click.option(
    "--grid", "grids", multiple=True, metavar="P=LO:HI:N", help="Scanned parameter and its grid (repeatable)."
)
@click.option("--chunk-size", default=65536, show_default=True, help="Grid points per device call.")
@click.option(
    "--profile/--fixed-nuisances",
    default=True,
    show_default=True,
    help="Re-minimise the nuisances at every point, or hold them at their nominal values (fast, sharded).",
)
@_restarts_option
@_plot_option
@handle_errors
def scan(experiment_names, fix, options, share, as_json, grids, chunk_size, profile, restarts, plot):
    """chi^2 on a grid (outer product of the --grid axes): nuisances profiled, or fixed and sharded over devices."""
    if not grids:
        raise ValueError("give at least one --grid P=LO:HI:N")
    specs = dict(_grid_spec(g) for g in grids)
    if len(specs) != len(grids):
        raise ValueError("each parameter may have only one --grid")
    if plot and len(specs) > 2:
        raise ValueError(f"--plot draws scans of 1 or 2 parameters, got {len(specs)}")
    model = build_model(experiment_names, options, share)
    result = run_scan(
        model, specs, fixed=_numbers(fix, "--fix"), chunk_size=chunk_size, profile=profile, restarts=restarts
    )
    if result.converged is not None and not np.all(result.converged):
        _warn(f"{int(np.sum(~result.converged))} of {result.converged.size} grid points did not converge")
    if plot:
        units = {n: p.unit for n, p in model.parameters.items()}
        plotting.save(plotting.plot_scan(result, units), plot)
    if as_json:
        emit_json(
            {
                "params": list(result.params),
                "grid": list(result.grid),
                "chi2": result.chi2,
                "best_point": result.best_point,
                "chi2_min": result.chi2_min,
                "nuisances_profiled": list(result.profiled),
                "nuisances": "profiled" if result.profiled else "fixed",
                "note": result.nuisance_note(),
            }
        )
        return
    click.echo(
        f"scan of {model.name}: {' x '.join(map(str, result.chi2.shape))} = {result.chi2.size} points "
        f"on {result.n_devices} device(s); {result.nuisance_note()}"
    )
    best = ", ".join(f"{k} = {v:.6g}" for k, v in result.best_point.items())
    click.echo(f"lowest chi2 = {result.chi2_min:.4f} at {best}")
    if len(result.params) == 1 and result.chi2.size <= 200:
        click.echo(f"{result.params[0]:>12} {'chi2':>12}")
        for x, c in zip(result.grid[0], result.chi2):
            click.echo(f"{x:>12.6g} {c:>12.4f}")


@main.command()
@_common
@_free_option
@_start_option
@click.option("--chains", default=4, show_default=True, help="Number of chains.")
@click.option("--samples", default=1000, show_default=True, help="Draws per chain after warmup.")
@click.option("--warmup", default=500, show_default=True, help="Warmup steps per chain.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option("--chain-method", default="vectorized", show_default=True, help="vectorized or sequential.")
@_plot_option
@handle_errors
def sample(
    experiment_names, fix, options, share, as_json, free, start, chains, samples, warmup, seed, chain_method, plot
):
    """NUTS posterior over the nuisances and the --free parameters (flat priors within bounds)."""
    if chain_method not in _CHAIN_METHODS:
        raise ValueError(f"unknown chain method '{chain_method}'; valid: {', '.join(_CHAIN_METHODS)}")
    model = build_model(experiment_names, options, share)
    result = run_sample(
        model,
        free=_names(free),
        fixed=_numbers(fix, "--fix"),
        start=_numbers(start, "--start"),
        chains=chains,
        samples=samples,
        warmup=warmup,
        seed=seed,
        chain_method=chain_method,
    )
    if result.divergences:
        _warn(f"{result.divergences} divergent transitions after warmup")
    worst = max(s["r_hat"] for s in result.summary.values())
    if chains > 1 and worst > 1.05:
        _warn(f"R-hat up to {worst:.3f}: the chains have not mixed; run longer")
    if plot:
        units = {n: model.parameters[n].unit for n in result.samples}
        plotting.save(plotting.plot_corner(result.samples, units=units), plot)
    if as_json:
        emit_json(
            {
                "summary": result.summary,
                "divergences": result.divergences,
                "num_chains": result.num_chains,
                "num_samples": result.num_samples,
            }
        )
        return
    click.echo(f"NUTS on {model.name}")
    click.echo(repr(result))

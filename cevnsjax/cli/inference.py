"""``cevnsjax fit | profile | scan | sample``: generic inference on one or more experiments.

Several experiment names are combined (:func:`cevnsjax.likelihood.combine`):
physics parameters and commonly tagged nuisances (the SNS ``eta_flux``) are shared, other
nuisances are independent (renamed ``<experiment>.<name>``) unless shared with ``--share``.  ``--free`` adds to the
default free set (the nuisances), ``--fix P=V`` removes from it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
import warnings
from pathlib import Path

import click
import numpy as np

from .. import experiments
from ..inference import fit as run_fit
from ..inference._checkpoint import Checkpoint
from ..inference._fit import RESTARTS, FitWarning
from ..inference._objective import component_totals
from ..inference._result import format_intervals
from ..likelihood.combine import combine
from ..likelihood.tie import tie as tie_parameters
from ..model import Model
from . import _models
from ._app import emit_json, handle_errors, main
from ._grids import SYNTAX, parse_grid
from ._runtime import runtime_options
from .info import hidden_at_sm

_ENGINES = ("jax", "iminuit")
_CHAIN_METHODS = ("auto", "vectorized", "sequential")


def _names(values: tuple[str, ...]) -> list[str]:
    """Repeatable name options, each possibly comma-separated."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _assignments(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{flag} expects NAME=VALUE, got '{item}'")
        if key.strip() in out:
            raise ValueError(f"{flag} {key.strip()} given twice ({out[key.strip()]} and {value.strip()}); give it once")
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


def build_model(
    names: tuple[str, ...], options: tuple[str, ...], share: tuple[str, ...] = (), tie: tuple[str, ...] = ()
) -> Model:
    """Build the named experiments (options go to those that accept them), combine them, apply the ties.

    With the persistent compilation cache on, the built model is kept on disk and loaded by the
    next run that asks for the same one (:mod:`cevnsjax.cli._models`).

    Args:
        names: experiment names (one or more).
        options: ``K=V`` strings; each applies to every experiment that declares ``K``.
        share: nuisances shared across the experiments besides the commonly tagged ones (``eta_flux``).
        tie: ``P=Q`` strings (``--tie``): P follows Q, a parameter or a derived one (:func:`cevnsjax.tie`).

    Returns:
        The experiment, or the combination of several (tied if ``tie`` is given).

    Raises:
        ValueError: no or unknown experiment, or an option no experiment accepts.
    """
    return _models.cached(_build, tuple(names), tuple(options), tuple(share), tuple(tie))


def _build(names: tuple[str, ...], options: tuple[str, ...], share: tuple[str, ...], tie: tuple[str, ...]) -> Model:
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
        model = models[0]
    else:
        model = combine(*models, shared=shared)
        for name in shared:
            if name not in model.parameters:
                raise ValueError(
                    f"--share {name}: no two experiments declare it; parameters: {', '.join(model.parameters)}"
                )
    ties = _assignments(tie, "--tie")
    return tie_parameters(model, ties) if ties else model


#: Size guards: beyond these a run asks for --force (profile points are minimisations, ~1-10 ms
#: each on a CPU; scan points are single chi^2 evaluations, ~1e4-1e5 per second, 8 bytes each).
MAX_PROFILE_POINTS = 20_000
MAX_SCAN_POINTS = 50_000_000


def _size_guard(n_points: int, limit: int, what: str, force: bool, hint: str) -> None:
    if n_points > limit and not force:
        raise ValueError(
            f"{what} of {n_points:.3g} points is over the {limit:.3g}-point guard ({hint}); "
            "pass --force to run it anyway, or use fewer points"
        )


def _check_plot_path(path: str | None) -> None:
    """Refuse a --plot path that cannot be written, before any computation."""
    if path is None:
        return
    import matplotlib.figure

    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    formats = matplotlib.figure.Figure().canvas.get_supported_filetypes()
    if ext and ext not in formats:  # no extension: matplotlib's default format (png)
        raise ValueError(f"--plot {path}: unknown figure format '{ext}'; valid: {', '.join(sorted(formats))}")
    if not os.path.isdir(folder):
        raise ValueError(f"--plot {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise ValueError(f"--plot {path}: not writable (permissions)")


def _finite_range(lo: float, hi: float) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"--range {lo} {hi}: LO and HI must be finite numbers")
    if not hi > lo:
        raise ValueError(f"--range {lo} {hi}: HI must be above LO (grids are increasing)")


def _force_option(func):
    return click.option("--force", is_flag=True, help="Run even beyond the size guard (very large grids).")(func)


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


def _tie_option(func):
    return click.option(
        "--tie",
        multiple=True,
        metavar="P=Q",
        help="One parameter for several: P follows Q, a parameter (P = Q) or a derived one such as "
        "sin2_2theta_ee for ue4_sq (repeatable).",
    )(func)


def _start_option(func):
    return click.option("--start", multiple=True, metavar="P=V", help="Start free parameter P at V.")(func)


def _output_option(func):
    return click.option(
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        help="Save the whole result as JSON (reload with cevnsjax.load, redraw with `cevnsjax plot`).",
    )(func)


def _resume_option(func):
    return click.option(
        "--resume",
        is_flag=True,
        help="Continue an interrupted run from its --output file (same arguments); a finished one is reloaded.",
    )(func)


def _save(result, output: str | None) -> None:
    if output:
        result.to_json(output)
        click.echo(f"saved {output}", err=True)


@contextlib.contextmanager
def _interruptible(output: str | None, resume: bool, as_json: bool):
    """Ctrl-C: one line saying what the --output file keeps and how to continue; exit 130."""
    if resume and not output:
        raise ValueError("--resume needs --output FILE.json (the file of the interrupted run)")

    def stop_after_chunk(signum, frame):  # the chunk under way finishes and is saved; a second Ctrl-C stops now
        signal.signal(signal.SIGINT, signal.default_int_handler)
        Checkpoint.stop_requested = True

    previous = signal.signal(signal.SIGINT, stop_after_chunk) if output else None
    try:
        yield
        if output:
            click.echo(f"saved {output}", err=True)
    except KeyboardInterrupt:
        kept = ""
        if output and os.path.exists(output):
            progress = json.loads(Path(output).read_text()).get("progress", {})
            kept = (
                f"; {progress.get('done', 0)} of {progress.get('total', '?')} chunks are saved in {output}: "
                "continue with the same command and --resume"
            )
        message = f"interrupted{kept or ' (nothing saved: give --output FILE.json to keep finished chunks)'}"
        click.echo(f"error: {message}", err=True)
        if as_json:
            click.echo(json.dumps({"error": message}))
        sys.exit(130)
    finally:
        Checkpoint.stop_requested = False
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _plot_option(func):
    return click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a figure (e.g. out.png).")(
        func
    )


@main.command()
@_common
@_free_option
@_tie_option
@_start_option
@click.option("--engine", default="jax", show_default=True, help="Minimiser: jax or iminuit.")
@click.option("--minos", is_flag=True, help="Asymmetric MINOS errors (iminuit engine).")
@click.option("--all", "show_all", is_flag=True, help="Also print the beyond-SM parameters fixed at their SM values.")
@_restarts_option
@_plot_option
@_output_option
@handle_errors
@runtime_options(distributed=False)
def fit(
    experiment_names, fix, options, share, as_json, free, tie, start, engine, minos, show_all, restarts, plot, output
):
    """Fit EXP (several: their combination): best-fit values, Hessian errors, correlations."""
    if engine not in _ENGINES:
        raise ValueError(f"unknown engine '{engine}'; valid engines: {', '.join(_ENGINES)}")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
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
    _save(result, output)
    defaults = {n: p.default for n, p in model.parameters.items()}
    components, nominal = component_totals(model, [result.values, defaults])
    if plot:
        ps = model.parameters
        constraints = {n: ps[n].constraint for n in result.free if ps[n].constraint is not None}
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_fit(result, constraints, ps), plot)
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
    hidden = [] if show_all else hidden_at_sm(model, result.values, result.free)
    for name in result.values:
        if name in hidden:
            continue
        text = result.value_text(name)
        click.echo(f"{name:<{width}}  {text:<28} {model.parameters[name].unit}".rstrip())
    if hidden:
        click.echo(f"({len(hidden)} beyond-SM parameters fixed at their SM values not shown; --all prints them)")
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
@_tie_option
@_start_option
@click.option("--param", "params", multiple=True, metavar="P", help="Profiled parameter (once or twice).")
@click.option("--range", "ranges", multiple=True, nargs=2, type=float, metavar="LO HI", help="Grid range per --param.")
@click.option("--points", multiple=True, type=int, metavar="N", help="Grid points per --param (one value: all).")
@click.option(
    "--grid",
    "grid_specs",
    multiple=True,
    metavar="P=LO:HI:N",
    help="Profiled parameter and its grid, instead of --param/--range/--points; P=log:LO:HI:N is log-spaced.",
)
@_restarts_option
@_plot_option
@_force_option
@_output_option
@_resume_option
@handle_errors
@runtime_options(distributed=True)
def profile(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    free,
    tie,
    start,
    params,
    ranges,
    points,
    grid_specs,
    restarts,
    plot,
    force,
    output,
    resume,
):
    """Profile likelihood in one or two parameters, every other free parameter re-minimised."""
    if grid_specs:
        if params or ranges or points:
            raise ValueError("give the profiled parameters either as --grid P=LO:HI:N or as --param/--range/--points")
        specs = [parse_grid(g, "--grid") for g in grid_specs]
        params, grids = tuple(n for n, _ in specs), [v for _, v in specs]
        points = [len(v) for v in grids]
        if min(points) < 2:
            raise ValueError("each --grid needs N >= 2 points")
    if len(params) not in (1, 2):
        raise ValueError("give --param (or --grid) once (1D profile) or twice (2D profile)")
    if not grid_specs:
        if len(ranges) != len(params):
            raise ValueError(f"give one --range LO HI per --param ({len(params)} expected, got {len(ranges)})")
        points = list(points) or [21]
        if len(points) == 1:
            points = points * len(params)
        if len(points) != len(params) or min(points) < 2:
            raise ValueError("give --points N (N >= 2) once or once per --param")
        for lo, hi in ranges:
            _finite_range(lo, hi)
        grids = [np.linspace(lo, hi, n) for (lo, hi), n in zip(ranges, points)]
    _size_guard(math.prod(points), MAX_PROFILE_POINTS, "a profile", force, "each point is a minimisation")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
    kwargs = dict(free=_names(free), fixed=_numbers(fix, "--fix"), start=_numbers(start, "--start"), restarts=restarts)
    with _interruptible(output, resume, as_json):
        if len(params) == 1:
            from ..inference import profile as run_profile  # each engine imported when its command runs

            result = run_profile(model, params[0], grids[0], **kwargs, output=output, resume=resume)
        else:
            from ..inference import profile2d as run_profile2d

            result = run_profile2d(model, tuple(params), tuple(grids), **kwargs, output=output, resume=resume)
    if not result.fit.converged:
        _warn(f"the global fit did not converge: {result.fit.message}")
    bad = int(np.sum(~result.converged))
    if bad:
        _warn(f"{bad} of {result.converged.size} grid points did not converge")
    if plot:
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_result(result), plot)
    if as_json:
        emit_json(_profile_json(result) if len(params) == 1 else _profile2d_json(result))
        return
    best = ", ".join(f"{p} = {result.best_fit[p]:.6g}" for p in params)
    click.echo(f"profile of {model.name}: chi2_min = {result.chi2_min:.4f}, best fit {best}")
    if len(params) == 1:
        click.echo(f"{'level':>8}  interval(s) of {params[0]}")
        closed = result.closed_ends()
        for level, ivs in result.intervals.items():
            click.echo(f"{level:>8}  {format_intervals(ivs, closed)}")
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
    return parse_grid(item, "--grid")


@main.command()
@_common
@_tie_option
@click.option(
    "--grid",
    "grids",
    multiple=True,
    metavar="P=LO:HI:N",
    help="Scanned parameter and its grid, linear, or log-spaced as P=log:LO:HI:N (repeatable).",
)
@click.option(
    "--chunk-size", default=65536, show_default=True, type=click.IntRange(min=1), help="Grid points per device call."
)
@click.option(
    "--profile/--fixed-nuisances",
    default=True,
    show_default=True,
    help="Re-minimise the nuisances at every point, or hold them at their nominal values (fast, sharded).",
)
@_restarts_option
@_plot_option
@_force_option
@_output_option
@_resume_option
@handle_errors
@runtime_options(distributed=True)
def scan(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    tie,
    grids,
    chunk_size,
    profile,
    restarts,
    plot,
    force,
    output,
    resume,
):
    """chi^2 on a grid (outer product of the --grid axes): nuisances profiled, or fixed and sharded over devices."""
    if not grids:
        raise ValueError(f"give at least one --grid {SYNTAX}")
    specs = dict(_grid_spec(g) for g in grids)
    if len(specs) != len(grids):
        raise ValueError("each parameter may have only one --grid")
    if plot and len(specs) > 2:
        raise ValueError(f"--plot draws scans of 1 or 2 parameters, got {len(specs)}")
    total = math.prod(len(v) for v in specs.values())
    _size_guard(total, MAX_SCAN_POINTS, "a scan", force, f"{8 * total / 1e9:.3g} GB of results")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
    with _interruptible(output, resume, as_json):
        from ..inference import scan as run_scan

        result = run_scan(
            model,
            specs,
            fixed=_numbers(fix, "--fix"),
            chunk_size=chunk_size,
            profile=profile,
            restarts=restarts,
            output=output,
            resume=resume,
        )
    if result.converged is not None and not np.all(result.converged):
        _warn(f"{int(np.sum(~result.converged))} of {result.converged.size} grid points did not converge")
    if plot:
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_result(result), plot)
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
@_tie_option
@_start_option
@click.option("--chains", default=4, show_default=True, type=click.IntRange(min=1), help="Number of chains.")
@click.option(
    "--samples", default=1000, show_default=True, type=click.IntRange(min=1), help="Draws per chain after warmup."
)
@click.option("--warmup", default=500, show_default=True, type=click.IntRange(min=0), help="Warmup steps per chain.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option(
    "--chain-method",
    default="auto",
    show_default=True,
    help="vectorized, sequential, or auto (sequential on a CPU, vectorized on an accelerator).",
)
@_plot_option
@_output_option
@_resume_option
@handle_errors
@runtime_options(distributed=False)
def sample(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    free,
    tie,
    start,
    chains,
    samples,
    warmup,
    seed,
    chain_method,
    plot,
    output,
    resume,
):
    """NUTS posterior over the nuisances and the --free parameters (flat priors within bounds)."""
    if chain_method not in _CHAIN_METHODS:
        raise ValueError(f"unknown chain method '{chain_method}'; valid: {', '.join(_CHAIN_METHODS)}")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
    with _interruptible(output, resume, as_json):
        from ..inference import sample as run_sample

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
            output=output,
            resume=resume,
        )
    if result.divergences:
        _warn(f"{result.divergences} divergent transitions after warmup")
    worst = max(s["r_hat"] for s in result.summary.values())
    if chains > 1 and worst > 1.05:
        _warn(f"R-hat up to {worst:.3f}: the chains have not mixed; run longer")
    if plot:
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_result(result), plot)
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

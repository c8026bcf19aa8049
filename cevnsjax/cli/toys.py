"""``cevnsjax toys | fc``: pseudo-experiments of one or more experiments, and Feldman-Cousins intervals.

Several experiment names are combined as for ``fit`` (:func:`cevnsjax.likelihood.combine`).
"""

from __future__ import annotations

import click
import numpy as np

from ..inference import feldman_cousins as run_feldman_cousins
from ..inference import toys as run_toys
from ..inference._feldman_cousins import CONFIDENCE_LEVELS
from ..inference._result import cl_label, format_intervals
from ..inference._toys import NUISANCE_MODES
from ._app import emit_json, handle_errors, main
from ._runtime import runtime_options
from .inference import (
    _check_plot_path,
    _common,
    _finite_range,
    _force_option,
    _free_option,
    _grid_spec,
    _interruptible,
    _names,
    _numbers,
    _output_option,
    _plot_option,
    _resume_option,
    _size_guard,
    _tie_option,
    build_model,
)

#: Toy fits a run may do without --force (each ~1-10 ms on a CPU; a Feldman-Cousins toy is two fits).
MAX_TOYS = 2_000_000


def _toy_options(func):
    func = click.option(
        "--chunk-size", default=1000, show_default=True, type=click.IntRange(min=1), help="Toys per compiled call."
    )(func)
    func = click.option(
        "--nuisances",
        type=click.Choice(NUISANCE_MODES),
        default="prior",
        show_default=True,
        help="prior: each toy draws the constraints of the free nuisances around their true values; "
        "fixed: constraints at their nominal centres, only the data fluctuate.",
    )(func)
    func = click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")(func)
    return click.option(
        "--toys", "n_toys", required=True, type=click.IntRange(min=1), metavar="N", help="Number of toys (per point)."
    )(func)


@main.command()
@_common
@_free_option
@_tie_option
@_toy_options
@click.option("--truth", multiple=True, metavar="P=V", help="Draw the toys at P = V (default: the nominal values).")
@click.option("--poi", multiple=True, metavar="P", help="Parameter of interest: also fitted held at its truth.")
@_force_option
@_output_option
@_resume_option
@handle_errors
@runtime_options(distributed=True)
def toys(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    free,
    tie,
    n_toys,
    seed,
    nuisances,
    chunk_size,
    truth,
    poi,
    force,
    output,
    resume,
):
    """Pseudo-experiments of EXP at a truth, each fitted: fitted values, chi2_min, Wilks coverage."""
    _size_guard(n_toys, MAX_TOYS, "a toy run", force, "each toy is a fit")
    model = build_model(experiment_names, options, share, tie)
    with _interruptible(output, resume, as_json):
        result = run_toys(
            model,
            n_toys,
            truth=_numbers(truth, "--truth"),
            free=_names(free),
            fixed=_numbers(fix, "--fix"),
            poi=_names(poi),
            seed=seed,
            nuisances=nuisances,
            chunk_size=chunk_size,
            output=output,
            resume=resume,
        )
    bad = int(np.sum(~result.converged))
    if bad:
        click.echo(f"warning: {bad} of {result.n_toys} toy fits did not converge", err=True)
    ok = result.converged
    summary = {
        n: {"truth": result.truth[n], "mean": float(np.mean(v[ok])), "std": float(np.std(v[ok]))}
        for n, v in result.values.items()
    }
    coverage = {}
    if result.delta_chi2 is not None:
        coverage = {cl_label(cl): result.coverage(cl) for cl in CONFIDENCE_LEVELS}
    if as_json:
        emit_json(
            {
                "n_toys": result.n_toys,
                "seed": result.seed,
                "nuisances": result.nuisances,
                "converged": int(np.sum(ok)),
                "ndof": result.ndof,
                "chi2_min": {"mean": float(np.mean(result.chi2_min[ok])), "std": float(np.std(result.chi2_min[ok]))},
                "parameters": summary,
                "poi": list(result.poi),
                "wilks_coverage": {k: {"fraction": f, "error": e} for k, (f, e) in coverage.items()},
            }
        )
        return
    click.echo(
        f"{result.n_toys} toys of {model.name} (seed {result.seed}, nuisances {result.nuisances}): "
        f"{int(np.sum(ok))} converged"
    )
    ndof = "" if result.ndof is None else f" (ndof {result.ndof})"
    click.echo(f"chi2_min: mean {np.mean(result.chi2_min[ok]):.4g}, std {np.std(result.chi2_min[ok]):.4g}{ndof}")
    width = max(10, *map(len, summary))
    click.echo(f"{'parameter':<{width}}  {'truth':>10} {'mean':>10} {'std':>10}")
    for name, s in summary.items():
        click.echo(f"{name:<{width}}  {s['truth']:>10.5g} {s['mean']:>10.5g} {s['std']:>10.5g}")
    for label, (f, e) in coverage.items():
        click.echo(f"Wilks coverage of {', '.join(result.poi)} at {label}: {f:.4f} ± {e:.4f}")


@main.command()
@_common
@_free_option
@_tie_option
@_toy_options
@click.option(
    "--param", default=None, metavar="P", help="The parameter (with --range and --points, or the one of --grid)."
)
@click.option("--range", "span", default=None, nargs=2, type=float, metavar="LO HI", help="Range of --param.")
@click.option("--points", default=None, type=int, metavar="N", help="Grid points in --range.")
@click.option("--grid", "grid", default=None, metavar="P=LO:HI:N", help="Grid of the parameter (instead of --range).")
@click.option(
    "--cl",
    "cls",
    multiple=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    metavar="CL",
    help="Confidence level (repeatable; default 0.6827 and 0.9).",
)
@_plot_option
@_force_option
@_output_option
@_resume_option
@handle_errors
@runtime_options(distributed=True)
def fc(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    free,
    tie,
    n_toys,
    seed,
    nuisances,
    chunk_size,
    param,
    span,
    points,
    grid,
    cls,
    plot,
    force,
    output,
    resume,
):
    """Feldman-Cousins intervals of one parameter of EXP (toys on a grid), with the Wilks intervals beside them."""
    if grid is not None:
        if span is not None or points is not None:
            raise ValueError("give the grid either as --grid P=LO:HI:N or as --param P --range LO HI --points N")
        name, values = _grid_spec(grid)
        if param is not None and param != name:
            raise ValueError(f"--param {param} and --grid {name}=...: give the grid of the same parameter")
    else:
        if param is None or span is None or points is None:
            raise ValueError("give --param P --range LO HI --points N (or --grid P=LO:HI:N)")
        _finite_range(*span)
        name, values = param, np.linspace(span[0], span[1], points)
    if len(values) < 2:
        raise ValueError(f"--grid {grid}: a belt needs N >= 2 points")
    _size_guard(len(values) * n_toys, MAX_TOYS, "a belt", force, "each toy is two fits")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
    with _interruptible(output, resume, as_json):
        result = run_feldman_cousins(
            model,
            name,
            values,
            n_toys,
            cl=tuple(cls) or CONFIDENCE_LEVELS,
            free=_names(free),
            fixed=_numbers(fix, "--fix"),
            seed=seed,
            nuisances=nuisances,
            chunk_size=chunk_size,
            output=output,
            resume=resume,
        )
    failed = int(np.sum(result.n_failed))
    if failed:
        click.echo(f"warning: {failed} of {result.t.size} toys left out (a fit failed)", err=True)
    if plot:
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_feldman_cousins(result), plot)
    best = result.profile.best_fit[name]
    if as_json:
        emit_json(
            {
                "param": name,
                "best_fit": best,
                "grid": result.grid,
                "cl": list(result.cl),
                "n_toys": result.n_toys,
                "t_obs": result.t_obs,
                "t_crit": {cl_label(c): t for c, t in zip(result.cl, result.t_crit)},
                "intervals": {k: [list(iv) for iv in v] for k, v in result.intervals.items()},
                "wilks": {k: [list(iv) for iv in v] for k, v in result.wilks.items()},
                "wilks_coverage": {cl_label(c): w for c, w in zip(result.cl, result.wilks_coverage)},
                "n_failed": int(failed),
            }
        )
        return
    unit = model.parameters[name].unit
    click.echo(
        f"Feldman-Cousins of {name} for {model.name}: {len(result.grid)} points x {result.n_toys} toys "
        f"(seed {result.seed}, nuisances {result.nuisances}); best fit {best:.5g} {unit}".rstrip()
    )
    click.echo(f"{'level':>8}  {'Feldman-Cousins':<34} Wilks")
    closed = result.profile.closed_ends()
    for label in result.intervals:
        fc, wilks = (format_intervals(ivs[label], closed) for ivs in (result.intervals, result.wilks))
        click.echo(f"{label:>8}  {fc:<34} {wilks}")

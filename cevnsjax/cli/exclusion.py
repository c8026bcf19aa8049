"""``cevnsjax exclusion``: limits on a coupling as a function of a mass (light mediators)."""

from __future__ import annotations

import math

import click
import numpy as np

from ..inference import exclusion as run_exclusion
from ..inference._exclusion import MASS_CHUNK
from ._app import emit_json, handle_errors, main
from ._grids import SYNTAX, parse_grid
from ._runtime import runtime_options
from .inference import (
    _check_plot_path,
    _common,
    _finite_range,
    _force_option,
    _free_option,
    _names,
    _numbers,
    _output_option,
    _plot_option,
    _save,
    _size_guard,
    _tie_option,
    _warn,
    build_model,
)

#: Size guard of an exclusion grid (masses x couplings; ~0.2-0.5 ms per point on a 2-core CPU).
MAX_EXCLUSION_POINTS = 1_000_000


def _open(v):
    return None if v is None or not math.isfinite(v) else v


def exclusion_json(result) -> dict:
    """The JSON object of ``--json``: ranges per CL and mass, open ends and missing limits null."""
    return {
        "param": result.param,
        "over": result.over,
        "masses": result.masses,
        "grid": result.grid,
        "cl": list(result.cl),
        "dof": result.dof,
        "thresholds": result.thresholds,
        "ranges": {k: [[list(r) for r in m] for m in v] for k, v in result.ranges.items()},
        "allowed": {k: [[list(r) for r in m] for m in v] for k, v in result.allowed.items()},
        "upper": {k: [_open(float(u)) for u in v] for k, v in result.upper.items()},
        "chi2_min": result.chi2_min,
        "chi2_sm": result.chi2_sm,
        "best_point": {k: _open(v) for k, v in result.best_point.items()},
        "converged": bool(np.all(result.converged)),
    }


@main.command()
@_common
@_free_option
@_tie_option
@click.option("--param", default="g_zprime", show_default=True, metavar="P", help="The coupling.")
@click.option(
    "--over",
    required=True,
    metavar="M=log:LO:HI:N",
    help=f"The mass and its values ({SYNTAX}), e.g. m_zprime=log:1:1e4:60 [MeV].",
)
@click.option("--range", "span", required=True, nargs=2, type=float, metavar="LO HI", help="Coupling range.")
@click.option("--points", default=200, show_default=True, type=click.IntRange(min=2), help="Couplings in the range.")
@click.option("--linear", is_flag=True, help="Linearly spaced couplings (default: log-spaced, LO > 0).")
@click.option(
    "--cl", "cls", multiple=True, type=float, metavar="CL", help="Confidence level (repeatable; default 0.9)."
)
@click.option(
    "--chunk-size",
    default=MASS_CHUNK,
    show_default=True,
    type=click.IntRange(min=1),
    help="Masses per compiled call (the unit split across processes).",
)
@_plot_option
@_force_option
@_output_option
@handle_errors
@runtime_options(distributed=True)
def exclusion(
    experiment_names,
    fix,
    options,
    share,
    as_json,
    free,
    tie,
    param,
    over,
    span,
    points,
    linear,
    cls,
    chunk_size,
    plot,
    force,
    output,
):
    """Exclusion limits on a coupling versus a mass (nuisances re-minimised): excluded and allowed ranges."""
    mass, masses = parse_grid(over, "--over")
    lo, hi = span
    _finite_range(lo, hi)
    if not linear and lo <= 0:
        raise ValueError(f"--range {lo:g} {hi:g}: a log-spaced coupling grid needs LO > 0; give --linear for 0")
    levels = list(cls) or [0.9]
    for c in levels:
        if not 0 < c < 1:
            raise ValueError(f"--cl {c:g}: a confidence level must be between 0 and 1 (e.g. 0.9)")
    _size_guard(len(masses) * points, MAX_EXCLUSION_POINTS, "an exclusion", force, "each point is a minimisation")
    _check_plot_path(plot)
    model = build_model(experiment_names, options, share, tie)
    result = run_exclusion(
        model,
        param,
        (mass, masses),
        range=(lo, hi),
        points=points,
        log=not linear,
        cl=levels,
        free=_names(free),
        fixed=_numbers(fix, "--fix"),
        chunk_size=chunk_size,
    )
    _save(result, output)
    bad = int(np.sum(~result.converged & (result.delta_chi2 < 2 * max(result.thresholds.values()))))
    if bad:
        _warn(f"{bad} grid points near the limits did not converge (EDM above tolerance or a flat direction)")
    if plot:
        from .. import plotting  # matplotlib only when a figure is drawn

        plotting.save(plotting.plot_exclusion(result), plot)
    if as_json:
        emit_json(exclusion_json(result))
        return
    click.echo(
        f"exclusion of {result.param} versus {result.over} for {model.name}: "
        f"{len(result.masses)} x {len(result.grid)} points, chi2_SM = {result.chi2_sm:.4f}, "
        f"chi2_min = {result.chi2_min:.4f}"
    )
    unit = model.parameters[result.over].unit
    for key in result.thresholds:
        click.echo(f"CL {key} (Delta chi2 > {result.thresholds[key]:.4g} excluded)")
        click.echo(f"{result.over + (f' [{unit}]' if unit else ''):>18} {'upper':>12}  allowed {result.param}")
        for m, up, allowed in zip(result.masses, result.upper[key], result.allowed[key]):
            bands = " u ".join(
                f"[{'<grid' if a is None else f'{a:.4g}'}, {'>grid' if b is None else f'{b:.4g}'}]" for a, b in allowed
            )
            click.echo(f"{m:>18.5g} {up:>12.4g}  {bands or '(none)'}")

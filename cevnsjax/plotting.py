"""Figures for inference results: profile curves, 2D contours, scans, corner plots, pulls.

Every function draws on a given matplotlib ``Axes`` (or a new figure when none is
given) and returns the figure.  New figures are plain ``matplotlib.figure.Figure``
objects rendered by the Agg canvas, so importing this module never changes
pyplot's global backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .inference import (
    LEVELS_1D,
    LEVELS_2D,
    FitResult,
    Profile2DResult,
    ProfileResult,
    SampleResult,
    ScanResult,
    SensitivityResult,
)

_COLORS = ("C0", "C1", "C2", "C3", "C4")


def _axes(ax, figsize=(5.0, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def _label(name: str, units: Mapping[str, str]) -> str:
    unit = units.get(name, "")
    return f"{name} [{unit}]" if unit else name


def save(fig: Figure, path: str, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the extension, e.g. ``.png``, ``.pdf``)."""
    fig.savefig(path, dpi=dpi)


def plot_profile(result: ProfileResult, ax=None) -> Figure:
    """Delta chi^2 profile with the 1-dof confidence-level lines.

    Args:
        result: a 1D profile.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    fig, ax = _axes(ax)
    ax.plot(result.grid, result.delta_chi2, color="k", lw=1.5)
    bad = ~result.converged
    if np.any(bad):
        ax.plot(result.grid[bad], result.delta_chi2[bad], "rx", label="not converged")
    for color, (name, level) in zip(_COLORS, LEVELS_1D.items()):
        ax.axhline(level, color=color, ls="--", lw=0.8, label=f"{name} ({level:g})")
    ax.axvline(result.best_fit[result.param], color="0.5", lw=0.8)
    finite = result.delta_chi2[np.isfinite(result.delta_chi2)]
    top = max(1.2 * max(LEVELS_1D.values()), 0.0)
    ax.set_ylim(0.0, min(top, 1.05 * finite.max()) if finite.size and finite.max() > 0 else top)
    ax.set_xlim(result.grid[0], result.grid[-1])
    ax.set_xlabel(_label(result.param, result.fit.units))
    ax.set_ylabel(r"$\Delta\chi^2$")
    ax.legend(fontsize="small", loc="best")
    return fig


def plot_profile2d(result: Profile2DResult, ax=None) -> Figure:
    """Contours of a 2D profile at the 2-dof levels, and the best fit.

    Args:
        result: a 2D profile.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    fig, ax = _axes(ax, figsize=(6.5, 4.5))
    a, b = result.params
    for color, (name, lines) in zip(_COLORS, result.contours.items()):
        for i, line in enumerate(lines):
            ax.plot(line[:, 0], line[:, 1], color=color, label=f"{name} ({LEVELS_2D[name]:g})" if i == 0 else None)
    ax.plot(result.best_fit[a], result.best_fit[b], "k+", ms=10, label="best fit")
    ax.set_xlim(result.grid[0][0], result.grid[0][-1])
    ax.set_ylim(result.grid[1][0], result.grid[1][-1])
    ax.set_xlabel(_label(a, result.fit.units))
    ax.set_ylabel(_label(b, result.fit.units))
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


def plot_scan(result: ScanResult, units: Mapping[str, str] | None = None, ax=None) -> Figure:
    """chi^2 - (lowest chi^2 on the grid) of a 1D or 2D scan; the title says whether nuisances were profiled.

    1D: the curve with the 1-dof levels; 2D: filled regions between the 2-dof levels
    and the lowest grid point.

    Args:
        result: a scan of one or two parameters.
        units: ``name -> unit`` for the axis labels (default: the saved parameter metadata).
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure.

    Raises:
        ValueError: more than two scanned parameters.
    """
    if len(result.params) not in (1, 2):
        raise ValueError(f"plot_scan draws 1 or 2 scanned parameters, got {len(result.params)}")
    units = dict(units or {n: p.get("unit", "") for n, p in result.metadata.get("parameters", {}).items()})
    delta = result.chi2 - result.chi2_min
    title = "nuisances profiled" if result.profiled else "nuisances fixed (not profiled)"
    if len(result.params) == 1:
        fig, ax = _axes(ax)
        (name,) = result.params
        ax.plot(result.grid[0], delta, color="k", lw=1.5)
        for color, (level_name, level) in zip(_COLORS, LEVELS_1D.items()):
            ax.axhline(level, color=color, ls="--", lw=0.8, label=f"{level_name} ({level:g})")
        finite = delta[np.isfinite(delta)]
        top = 1.2 * max(LEVELS_1D.values())
        ax.set_ylim(0.0, min(top, 1.05 * finite.max()) if finite.size and finite.max() > 0 else top)
        ax.set_xlim(result.grid[0][0], result.grid[0][-1])
        ax.set_xlabel(_label(name, units))
        ax.set_ylabel(r"$\chi^2 - \chi^2_\mathrm{min,grid}$")
        ax.legend(fontsize="small", loc="best")
    else:
        fig, ax = _axes(ax, figsize=(6.5, 4.5))
        a, b = result.params
        levels = [0.0, *LEVELS_2D.values()]
        filled = ax.contourf(
            result.grid[0], result.grid[1], np.ma.masked_invalid(delta.T), levels=levels, colors=_COLORS, alpha=0.6
        )
        ax.contour(
            result.grid[0], result.grid[1], np.ma.masked_invalid(delta.T), levels=levels[1:], colors="k", linewidths=0.6
        )
        handles, _ = filled.legend_elements()
        labels = [f"{n} ({v:g})" for n, v in LEVELS_2D.items()]
        ax.plot(result.best_point[a], result.best_point[b], "k+", ms=10)
        ax.legend(
            [*handles, ax.lines[-1]],
            [*labels, "lowest grid point"],
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
        )
        ax.set_xlabel(_label(a, units))
        ax.set_ylabel(_label(b, units))
    ax.set_title(f"scan, {title}", fontsize="medium")
    return fig


def plot_corner(
    samples: Mapping[str, np.ndarray],
    names: Sequence[str] | None = None,
    *,
    bins: int = 40,
    units: Mapping[str, str] | None = None,
) -> Figure:
    """Corner plot: 1D histograms on the diagonal, 2D histograms below it.

    Args:
        samples: ``name -> draws`` (any shape; flattened).
        names: parameters to show (default: all).
        bins: histogram bins per axis.
        units: ``name -> unit`` for axis labels.

    Returns:
        The figure.
    """
    names = list(samples if names is None else names)
    units = dict(units or {})
    n = len(names)
    fig = Figure(figsize=(2.2 * n + 0.8, 2.2 * n + 0.8), layout="constrained")
    axes = np.atleast_2d(fig.subplots(n, n, squeeze=False))
    data = {k: np.ravel(np.asarray(samples[k])) for k in names}
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(data[xj], bins=bins, histtype="step", color="k")
                ax.set_yticks([])
            else:
                ax.hist2d(data[xj], data[yi], bins=bins, cmap="Greys")
                if j == 0:
                    ax.set_ylabel(_label(yi, units))
            if i == n - 1:
                ax.set_xlabel(_label(xj, units))
    return fig


def plot_fit(result: FitResult, constraints: Mapping[str, tuple[float, float]] | None = None) -> Figure:
    """Pulls of the free parameters and their correlation matrix.

    A parameter with a Gaussian constraint ``(mean, sigma)`` is drawn as the
    pull ``(value - mean) / sigma`` with error ``error / sigma``; parameters
    without a constraint appear in the correlation panel only.

    Args:
        result: a fit.
        constraints: ``name -> (mean, sigma)`` (e.g. from the parameter specs).

    Returns:
        The figure.
    """
    constraints = dict(constraints or {})
    free = list(result.free)
    fig = Figure(figsize=(10.0, max(3.0, 0.4 * len(free) + 1.5)), layout="constrained")
    left, right = fig.subplots(1, 2)
    pulled = [n for n in free if n in constraints]
    y = np.arange(len(pulled))
    pulls = [(result.values[n] - constraints[n][0]) / constraints[n][1] for n in pulled]
    errs = [result.errors[n] / constraints[n][1] for n in pulled]
    left.axvspan(-1, 1, color="0.9")
    left.axvline(0, color="0.5", lw=0.8)
    left.errorbar(pulls, y, xerr=errs, fmt="ko")
    left.set_yticks(y, pulled)
    left.set_xlabel(r"pull $(\hat\theta - \theta_0)/\sigma$")
    left.set_title("constrained parameters")
    rho = result.correlation().array
    image = right.imshow(rho, vmin=-1, vmax=1, cmap="RdBu_r")
    right.set_xticks(range(len(free)), free, rotation=90)
    right.set_yticks(range(len(free)), free)
    fig.colorbar(image, ax=right, label="correlation")
    return fig


def plot_running(
    points: Mapping[str, tuple[float, float, float, float]] | None = None,
    c=None,
    ax=None,
) -> Figure:
    """sin^2 theta_W(mu) in MSbar with published determinations and ``points`` of this library (like
    Fig. 4 of arXiv:2005.01645).

    Args:
        points: ``label -> (mu [MeV], value, lower error, upper error)``, e.g. fits of COHERENT data
            at their mean momentum transfer (drawn as filled squares).
        c: constants preset of the curve (default pdg2018: sin^2 theta_W(0) = 0.23857).
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure (log scale in mu [GeV]).
    """
    from .constants import pdg2018
    from .physics import running

    c = pdg2018 if c is None else c
    fig, ax = _axes(ax, figsize=(7.0, 4.6))
    mu = np.logspace(-1.0, np.log10(running.M_Z_MEV), 400)
    ax.plot(
        mu / 1e3, np.asarray(running.sin2_theta_w_running(mu, c)), color="k", lw=1.2, label=r"SM, $\overline{\rm MS}$"
    )
    for i, (label, (m, value, err)) in enumerate(running.measurements(c).items()):
        ax.errorbar(m / 1e3, value, yerr=err, fmt="o", ms=4, color=f"C{i % 10}", capsize=2, label=label)
    for i, (label, (m, value, lo, hi)) in enumerate((points or {}).items()):
        ax.errorbar(m / 1e3, value, yerr=[[lo], [hi]], fmt="s", ms=5, color=f"C{(i + 6) % 10}", capsize=2, label=label)
    ax.set_xscale("log")
    ax.set_xlabel(r"$\mu$ [GeV]")
    ax.set_ylabel(r"$\sin^2\hat\theta_W(\mu)$")
    ax.legend(fontsize="x-small", ncol=2)
    return fig


def plot_sensitivity(
    results: Sequence[SensitivityResult], labels: Sequence[str] | None = None, *, unit: str = "years", ax=None
) -> Figure:
    """Expected intervals versus exposure: the bands (truth and best fit as lines), log exposure axis.

    Args:
        results: :func:`cevnsjax.sensitivity` results of one parameter (e.g. two models, or with and
            without ``data=`` from another model: the bias against the shrinking interval).
        labels: legend labels (default: the experiment names).
        unit: what an exposure factor of 1 is, for the axis label.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    fig, ax = _axes(ax)
    labels = labels or [r.experiment for r in results]
    for color, r, label in zip(_COLORS, results, labels, strict=False):
        ax.fill_between(r.exposures, r.lower, r.upper, color=color, alpha=0.25, label=f"{label} ({r.level})")
        ax.plot(r.exposures, r.best_fit, color=color, lw=1.2)
    ax.axhline(results[0].truth, color="k", ls="--", lw=0.8, label="truth")
    ax.set_xscale("log")
    ax.set_xlabel(f"exposure [{unit}]")
    ax.set_ylabel(_label(results[0].param, {results[0].param: results[0].unit}))
    ax.legend(fontsize="small", loc="best")
    return fig


def plot_result(result) -> Figure:
    """The standard figure of any result (as drawn by ``--plot``), e.g. of one loaded with ``cj.load``.

    Args:
        result: a fit (pulls and correlations), 1D or 2D profile, scan, or sample (corner plot).

    Returns:
        The figure.

    Raises:
        TypeError: a result type without a figure.
    """
    params = result.metadata.get("parameters", {})
    units = {n: p.get("unit", "") for n, p in params.items()}
    if isinstance(result, FitResult):
        constraints = {n: tuple(p["constraint"]) for n, p in params.items() if p.get("constraint")}
        return plot_fit(result, {n: c for n, c in constraints.items() if n in result.free})
    if isinstance(result, ProfileResult):
        return plot_profile(result)
    if isinstance(result, Profile2DResult):
        return plot_profile2d(result)
    if isinstance(result, ScanResult):
        return plot_scan(result, units=units)
    if isinstance(result, SampleResult):
        return plot_corner(result.samples, units=units)
    raise TypeError(f"no figure for a {type(result).__name__}")

"""Figures for inference results: profile curves, 2D contours, scans, corner plots, pulls, Neyman belts.

Every function draws on a given matplotlib ``Axes`` (or a new figure when none is
given) and returns the figure.  New figures are plain ``matplotlib.figure.Figure``
objects rendered by the Agg canvas, so importing this module never changes
pyplot's global backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .inference import (
    LEVELS_1D,
    LEVELS_2D,
    ExclusionResult,
    FeldmanCousinsResult,
    FitResult,
    Profile2DResult,
    ProfileResult,
    SampleResult,
    ScanResult,
)

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn: the command line starts faster
    from matplotlib.figure import Figure

_COLORS = ("C0", "C1", "C2", "C3", "C4")


def _new_figure(**kwargs) -> Figure:
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _axes(ax, figsize=(5.0, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(figsize=figsize)
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
    fig = _new_figure(figsize=(2.2 * n + 0.8, 2.2 * n + 0.8))
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
    fig = _new_figure(figsize=(10.0, max(3.0, 0.4 * len(free) + 1.5)))
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


def plot_feldman_cousins(result: FeldmanCousinsResult, ax=None) -> Figure:
    """The Neyman construction: observed statistic, toy critical values and the Wilks thresholds.

    The Feldman-Cousins interval at a level is where the black curve (``t_obs``) lies below that
    level's critical-value curve (band: its Monte Carlo error); the Wilks interval is where it lies
    below the dashed line of the same colour.

    Args:
        result: a :class:`~cevnsjax.inference.FeldmanCousinsResult`.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    fig, ax = _axes(ax, figsize=(5.5, 4.0))
    x = result.grid
    ax.plot(x, result.t_obs, color="k", lw=1.5, label=r"observed $\Delta\chi^2$")
    for color, label, crit, err in zip(_COLORS, result.intervals, result.t_crit, result.t_crit_error):
        ax.plot(x, crit, color=color, lw=1.2, label=f"{label} critical value ({result.n_toys} toys)")
        ax.fill_between(x, crit - err, crit + err, color=color, alpha=0.25, lw=0)
        ax.axhline(result.wilks_threshold[label], color=color, ls="--", lw=0.8, label=f"{label} Wilks")
        for lo, hi in result.intervals[label]:
            ax.axvspan(x[0] if lo is None else lo, x[-1] if hi is None else hi, color=color, alpha=0.07, lw=0)
    top = 2.0 * max(max(result.wilks_threshold.values()), float(np.nanmax(result.t_crit)))
    ax.set_ylim(0.0, top)
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(_label(result.param, result.profile.fit.units))
    ax.set_ylabel(r"$t = \Delta\chi^2$")
    ax.set_title(f"Feldman-Cousins belt of {result.param}", fontsize="medium")
    ax.legend(fontsize="x-small", loc="best")
    return fig


def _log_axis(axis, lo: float, hi: float) -> None:
    """Ticks 10^k (and minor ticks at 2..9 x 10^k) on an axis drawn in log10 coordinates."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    decades = np.arange(np.floor(np.log10(lo)), np.ceil(np.log10(hi)) + 1)
    axis.set_major_locator(FixedLocator(decades))
    axis.set_minor_locator(FixedLocator((decades[:, None] + np.log10(np.arange(2, 10))[None]).ravel()))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{v:.0f}}}$"))


def plot_exclusion(result: ExclusionResult, ax=None, colors: Sequence[str] = ("C3", "C1", "C0")) -> Figure:
    """Exclusion plot in log-log (linear where a grid reaches 0 or below): excluded couplings shaded per CL.

    The regions are filled contours of log Delta chi^2 above each CL's level, drawn in log10
    coordinates (so the boundaries interpolate in log M and log g, as the limits do); a second
    allowed band (the universal Z' flipping the sign of the weak charge) shows as a white strip
    inside the excluded region.  The thick line is ``upper``, the edge of the SM-like region.

    Args:
        result: an :func:`~cevnsjax.inference.exclusion` result.
        ax: matplotlib Axes to draw on (default: a new figure).
        colors: one colour per confidence level, highest CL first.

    Returns:
        The figure.
    """
    from matplotlib.patches import Patch

    fig, ax = _axes(ax, figsize=(5.5, 4.2))
    params = result.metadata.get("parameters", {})

    def label(name):
        info = params.get(name, {})
        unit = info.get("unit", "")
        return info.get("label") or (f"{name} [{unit}]" if unit else name)

    logx, logy = bool(result.masses[0] > 0), bool(result.grid[0] > 0)  # log axes where the values allow
    x = np.log10(result.masses) if logx else result.masses
    y = np.log10(result.grid) if logy else result.grid
    # log Delta chi^2: close to linear in (log M, log g) (Delta chi^2 ~ (g/M)^4 for a heavy mediator),
    # so the contours interpolate between grid points the way the limits do
    delta = np.where(np.isfinite(result.delta_chi2), result.delta_chi2, np.nanmax(result.delta_chi2))
    level_of = np.log(np.maximum(delta, 1e-12)).T
    handles = []
    for (key, level), color in zip(sorted(result.thresholds.items(), key=lambda kv: -kv[1]), colors):
        if len(x) > 1:
            ax.contourf(x, y, level_of, levels=[np.log(level), np.inf], colors=[color], alpha=0.3)
            ax.contour(x, y, level_of, levels=[np.log(level)], colors=[color], linewidths=0.7)
        upper = result.upper[key]
        ax.plot(x, np.log10(upper) if logy else upper, color=color, lw=1.8, marker="o" if len(x) == 1 else None)
        handles.append(Patch(facecolor=color, alpha=0.3, edgecolor=color, label=f"excluded, {float(key):.0%} CL"))
    handles.append(Patch(facecolor="white", edgecolor="0.5", label="allowed"))
    if logx:
        _log_axis(ax.xaxis, result.masses[0], result.masses[-1])
    if logy:
        _log_axis(ax.yaxis, result.grid[0], result.grid[-1])
    if len(x) > 1:
        ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel(label(result.over))
    ax.set_ylabel(label(result.param))
    experiments = ", ".join(result.metadata.get("experiments", []))
    if experiments:
        ax.set_title(experiments, fontsize="small")
    ax.legend(handles=handles, fontsize="small", loc="upper left")
    return fig


def plot_result(result) -> Figure:
    """The standard figure of any result (as drawn by ``--plot``), e.g. of one loaded with ``cj.load``.

    Args:
        result: a fit (pulls and correlations), 1D or 2D profile, scan, exclusion, sample (corner plot)
            or Feldman-Cousins belt.

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
    if isinstance(result, ExclusionResult):
        return plot_exclusion(result)
    if isinstance(result, SampleResult):
        return plot_corner(result.samples, units=units)
    if isinstance(result, FeldmanCousinsResult):
        return plot_feldman_cousins(result)
    raise TypeError(f"no figure for a {type(result).__name__}")

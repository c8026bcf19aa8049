"""Figures for inference results: profile curves, allowed regions, scans, corner plots, pulls, exclusions, Neyman belts.

Every figure function draws on a given matplotlib ``Axes`` (``ax=``) or on a new figure, and
returns the figure.  New figures are plain ``matplotlib.figure.Figure`` objects rendered by the
Agg canvas, so importing this module never changes pyplot's global backend.

Confidence levels are given as probabilities (``cl=(0.6827, 0.90)``, or ``"1sigma"``,
``"90%"``) and drawn at the Wilks thresholds ``Delta chi^2 = F^-1_{chi^2_k}(CL)`` for ``k = 1``
(profiles) or ``k = 2`` (allowed regions), docs/physics.md section 12; they are labelled by
probability ("68.27% CL").  Axis labels are the parameters' catalogue labels with their units
in LaTeX (:func:`axis_label`).

Overlaying other results on the same axes: draw the first, then pass its axes on
(docs/figures.md):

```python
fig = plot_profile2d(ar)                                     # filled regions, SM, best fit
plot_profile2d(csi, ax=fig.axes[0], filled=False, label="CsI", color="C3", cl=(0.9,))
fig.axes[0].plot(x_pub, y_pub, "k:", label="published 90%")  # any curve of your own
fig.axes[0].legend()
```

:func:`add_regions` fills (or outlines) the regions of any gridded Delta chi^2 surface.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence

import contourpy
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator
from scipy import stats

from .inference import (
    ExclusionResult,
    FeldmanCousinsResult,
    FitResult,
    Profile2DResult,
    ProfileResult,
    SampleResult,
    ScanResult,
    SensitivityResult,
)

#: Probabilities of 1, 2 and 3 standard deviations of a Gaussian, ``erf(n / sqrt(2))``.
SIGMA = {n: math.erf(n / math.sqrt(2.0)) for n in (1, 2, 3)}
#: Default confidence levels of profiles and allowed regions: 68.27%, 90%, 95.45%, 99.73%.
CL_DEFAULT = (SIGMA[1], 0.90, SIGMA[2], SIGMA[3])
#: Default credible levels of corner plots: 68% and 95% of the posterior.
CREDIBLE_DEFAULT = (0.68, 0.95)

_LINESTYLES = ("-", "--", ":", "-.")
_CL_GID = "cevnsjax-cl"  # gid of the Delta chi^2 level lines: drawn once per axes
_UNIT_TOKENS = {"mu_B": r"$\mu_B$", "us": r"$\mu$s", "e": "$e$", "keVee": r"keV$_\mathrm{ee}$"}


def _probability(cl) -> float:
    """A confidence level as a probability: 0.9, ``"90%"``, ``"2sigma"``."""
    text = str(cl).strip()
    match = re.fullmatch(r"([123])\s*sigma", text)
    if match:
        return SIGMA[int(match.group(1))]
    try:
        p = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        p = math.nan
    if not 0.0 < p < 1.0:
        raise ValueError(
            f"confidence level {cl!r} is not a probability in (0, 1), a percentage or 1sigma/2sigma/3sigma"
        )
    return p


def cl_label(cl) -> str:
    """``"68.27% CL"``: a confidence level as the probability it stands for (4 significant digits).

    Examples:
        >>> cl_label("1sigma"), cl_label(0.9), cl_label("95.45%")
        ('68.27% CL', '90% CL', '95.45% CL')
    """
    return f"{100.0 * _probability(cl):.4g}% CL"


def confidence_levels(cl: Sequence = CL_DEFAULT, dof: int = 1) -> dict[str, float]:
    """``label -> Delta chi^2 threshold`` of each confidence level, ``chi2.ppf(CL, dof)`` (Wilks).

    Args:
        cl: probabilities (or ``"90%"``, ``"1sigma"``); sorted increasingly in the output.
        dof: number of parameters of the profile (1 for curves, 2 for allowed regions).

    Returns:
        ``{"68.27% CL": 2.30, ...}`` for ``dof=2``, by increasing threshold.

    Raises:
        ValueError: a level that is not a probability, or ``dof`` not a positive integer.

    Examples:
        >>> {k: round(v, 3) for k, v in confidence_levels(dof=2).items()}
        {'68.27% CL': 2.296, '90% CL': 4.605, '95.45% CL': 6.18, '99.73% CL': 11.829}
    """
    if int(dof) != dof or dof < 1:
        raise ValueError(f"dof must be a positive integer, got {dof!r}")
    probs = sorted({_probability(c) for c in ([cl] if isinstance(cl, (str, float, int)) else cl)})
    return {cl_label(p): float(stats.chi2.ppf(p, dof)) for p in probs}


def unit_tex(unit: str) -> str:
    r"""A unit string of the parameter catalogue for a matplotlib label (mathtext where needed).

    Examples:
        >>> unit_tex("1e-32 cm^2"), unit_tex("fm")
        ('$10^{-32}$ cm$^{2}$', 'fm')
        >>> unit_tex("1e-10 mu_B"), unit_tex("us")
        ('$10^{-10}$ $\\mu_B$', '$\\mu$s')
    """
    parts = []
    for token in unit.split():
        power = re.fullmatch(r"1e([+-]?\d+)", token)
        base, _, exponent = token.partition("^")
        if power:
            parts.append(f"$10^{{{int(power.group(1))}}}$")
        elif token in _UNIT_TOKENS:
            parts.append(_UNIT_TOKENS[token])
        else:
            parts.append(base + (f"$^{{{exponent}}}$" if exponent else ""))
    return " ".join(parts)


@functools.cache
def _catalogue() -> dict:
    from .constants import pdg2022
    from .physics import catalogue

    ps = [catalogue.sin2_theta_w(pdg2022), *catalogue.bsm_parameters(pdg2022, sterile=True)]
    return {p.name: {"label": p.label, "unit": p.unit, "default": p.default} for p in ps}


def _info(name: str, parameters) -> dict:
    """``label``, ``unit``, ``default`` of ``name`` from result metadata, a ParameterSet, or the catalogue."""
    p = (parameters or {}).get(name)
    known = {"label": p.label, "unit": p.unit, "default": p.default} if hasattr(p, "label") else dict(p or {})
    return {**_catalogue().get(name, {}), **{k: v for k, v in known.items() if v not in (None, "")}}


def axis_label(name: str, parameters=None, unit: str | None = None) -> str:
    r"""Axis label of a parameter: its catalogue label (LaTeX) followed by its unit in brackets.

    A label that already names its unit in brackets (``"$R_n$ [fm]"``) is used as it is.

    Args:
        name: the parameter.
        parameters: ``name -> {"label", "unit"}`` (a result's ``metadata["parameters"]``) or a
            model's ``ParameterSet``; names missing there come from the physics catalogue, else
            the bare name is used.
        unit: unit overriding the one found (``""``: none).

    Examples:
        >>> axis_label("r2_nu_ee")
        '$\\langle r^2_{\\nu_{ee}}\\rangle$ [$10^{-32}$ cm$^{2}$]'
        >>> axis_label("eta", {"eta": {"label": r"$\eta$", "unit": ""}})
        '$\\eta$'
    """
    info = _info(name, parameters)
    label = info.get("label") or name
    unit = info.get("unit", "") if unit is None else unit
    if not unit or re.search(r"\[.*\]", label):
        return label
    return f"{label} [{unit_tex(unit)}]"


def _symbol(label: str) -> str:
    """A label without the unit it may name in brackets: ``"$R_n$ [fm]"`` -> ``"$R_n$"``."""
    return re.sub(r"\s*\[.*\]$", "", label)


def _sm_value(name: str, parameters) -> float | None:
    """The SM value of a physics parameter (its default), None where there is none (radii, masses, nuisances)."""
    if name != "sin2_theta_w" and (name not in _catalogue() or name.startswith("m_") or name == "dm41_sq"):
        return None
    return _info(name, parameters).get("default", _catalogue()[name]["default"])


def _axes(ax, figsize=(5.0, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def _once(ax, label: str) -> str:
    """``label``, or ``"_nolegend_"`` when an artist of ``ax`` already carries it."""
    artists = [*ax.lines, *ax.patches, *ax.collections]
    return "_nolegend_" if any(a.get_label() == label for a in artists) else label


def _shades(color, n: int) -> list[tuple[float, float, float]]:
    """``n`` opaque shades of ``color`` mixed with white, darkest first (for the smallest region)."""
    rgb = np.asarray(to_rgb(color))
    weights = np.linspace(0.9, 0.3, n) if n > 1 else [0.75]
    return [tuple(w * rgb + (1.0 - w)) for w in weights]


def _legend(ax, outside: bool) -> None:
    if not ax.get_legend_handles_labels()[0]:
        return
    if outside:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        ax.legend(fontsize="small", loc="best")


def save(fig: Figure, path: str, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the extension, e.g. ``.png``, ``.pdf``)."""
    fig.savefig(path, dpi=dpi)


def _fill_regions(ax, x, y, z, bounds: Mapping[str, float], *, filled: bool, color, label: str | None) -> dict:
    """The regions ``z <= bound`` on the grid ``(x, y)`` (``z[i, j]`` at ``(x[i], y[j])``; NaN: outside).

    Filled: nested opaque shades of ``color``, the smallest region on top, each outlined by its
    contour line (not along the grid edge, where a region is cut open).  Unfilled: contour lines
    only, one line style per level.  Returns ``label -> PathPatch`` (filled) or ``label -> [Line2D]``.
    """
    z = np.ma.masked_invalid(np.asarray(z, dtype=float).T)
    gen = contourpy.contour_generator(
        np.asarray(x, float),
        np.asarray(y, float),
        z,
        fill_type=contourpy.FillType.OuterCode,
        line_type=contourpy.LineType.Separate,
    )
    prefix = f"{label}, " if label else ""
    out = {}
    shades = _shades(color, len(bounds))
    for k, (name, bound) in enumerate(bounds.items()):
        lines = gen.lines(bound)
        if filled:
            points, codes = gen.filled(-np.inf, bound)
            if points:
                path = Path(np.concatenate(points), np.concatenate(codes))
                patch = PathPatch(path, facecolor=shades[k], edgecolor="none", zorder=1.0 - 0.01 * k)
                patch.set_label(prefix + name)
                out[name] = ax.add_patch(patch)
            edge = tuple(0.6 * np.asarray(shades[k]))
            for line in lines:
                ax.plot(line[:, 0], line[:, 1], color=edge, lw=0.7, zorder=1.5)
        else:
            style = dict(color=color, ls=_LINESTYLES[k % len(_LINESTYLES)], lw=1.3)
            names = [prefix + name] + [None] * (len(lines) - 1)  # one legend entry per level
            out[name] = [ax.plot(line[:, 0], line[:, 1], label=n, **style)[0] for line, n in zip(lines, names)]
    return out


def add_regions(
    ax,
    grid_a,
    grid_b,
    delta_chi2,
    *,
    cl: Sequence = CL_DEFAULT,
    dof: int = 2,
    filled: bool = True,
    color="C0",
    label: str | None = None,
) -> dict:
    """Draw the allowed regions ``Delta chi^2 <= chi2.ppf(CL, dof)`` of a gridded surface.

    Rings, islands and regions cut open by the grid edge are drawn as they are: each region is
    the polygon set contourpy traces on the grid (holes included), clipped at the grid edge.

    Args:
        ax: matplotlib Axes.
        grid_a: grid of the x parameter, shape (na,).
        grid_b: grid of the y parameter, shape (nb,).
        delta_chi2: surface, shape (na, nb) with ``[i, j]`` at ``(grid_a[i], grid_b[j])``; NaN is
            outside every region.
        cl: confidence levels (probabilities, ``"90%"``, ``"2sigma"``).
        dof: degrees of freedom of the thresholds (2 for a two-parameter profile).
        filled: nested shades (True) or contour lines, one line style per level (False, for
            overlaying another result).
        color: base colour.
        label: name of the result, prefixed to the legend entries (``"CsI, 90% CL"``).

    Returns:
        ``"68.27% CL" -> PathPatch`` (filled; its ``get_path()`` is the region) or ``-> [Line2D]``.
    """
    bounds = confidence_levels(cl, dof)
    return _fill_regions(ax, grid_a, grid_b, delta_chi2, bounds, filled=filled, color=color, label=label)


def _draw_levels(ax, bounds: Mapping[str, float]) -> None:
    """Horizontal Delta chi^2 lines at ``bounds``, labelled by probability on the right axis (once per axes)."""
    if any(line.get_gid() == _CL_GID for line in ax.lines):
        return
    for bound in bounds.values():
        ax.axhline(bound, color="0.45", ls="--", lw=0.8, zorder=0.5, gid=_CL_GID)
    right = ax.secondary_yaxis("right")
    right.set_yticks(list(bounds.values()), labels=list(bounds), fontsize="small")


def _curve(ax, x, delta, *, cl, label, color, best, best_label, sm, fresh, xlabel, ylabel) -> None:
    """A Delta chi^2 curve with its best-fit star, the SM line and (once per axes) the CL levels."""
    bounds = confidence_levels(cl, 1)
    ax.plot(x, delta, color=color, lw=1.5, label=label)
    _draw_levels(ax, bounds)
    if fresh:
        finite = np.asarray(delta)[np.isfinite(delta)]
        top = 1.25 * max(bounds.values())
        ax.set_ylim(0.0, min(top, 1.05 * finite.max()) if finite.size and finite.max() > 0 else top)
        ax.set_xlim(x[0], x[-1])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    star = dict(ms=12, color=color, mec="w", mew=0.6, zorder=3, clip_on=not _inside(ax, best))
    ax.plot(best, 0.0, "*", label=_once(ax, best_label), **star)
    if sm is not None:
        ax.axvline(sm, color="tab:red", ls=":", lw=1.2, label=_once(ax, "SM"))


def plot_profile(
    result: ProfileResult,
    ax=None,
    *,
    cl: Sequence = CL_DEFAULT,
    label: str | None = None,
    color="k",
    sm: bool | float = True,
) -> Figure:
    """Delta chi^2 profile with the 1-dof confidence levels labelled by probability.

    The dashed lines sit at ``chi2.ppf(CL, 1)`` and are labelled on the right axis ("68.27% CL");
    the star marks the best fit, the dotted red line the SM value (physics parameters with one).

    Args:
        result: a 1D profile.
        ax: matplotlib Axes to draw on (default: a new figure); pass the axes of an earlier
            profile to overlay this one (limits, axis labels and level lines are kept).
        cl: confidence levels to draw (probabilities, ``"90%"``, ``"2sigma"``).
        label: legend entry of the curve (e.g. the experiment), default none.
        color: colour of the curve and its best-fit star.
        sm: mark the SM value (True: the parameter's default where it is an SM value; a number:
            there; False: no).

    Returns:
        The figure.
    """
    fresh = ax is None or not ax.has_data()
    fig, ax = _axes(ax)
    params = result.metadata.get("parameters") or {result.param: {"unit": result.fit.units.get(result.param, "")}}
    sm_at = _sm_value(result.param, params) if sm is True else (None if sm is False else float(sm))
    _curve(
        ax,
        result.grid,
        result.delta_chi2,
        cl=cl,
        label=label,
        color=color,
        best=result.best_fit[result.param],
        best_label="best fit",
        sm=sm_at,
        fresh=fresh,
        xlabel=axis_label(result.param, params),
        ylabel=r"$\Delta\chi^2$",
    )
    bad = ~np.asarray(result.converged)
    if np.any(bad):
        ax.plot(result.grid[bad], result.delta_chi2[bad], "rx", label=_once(ax, "not converged"))
    _legend(ax, outside=False)
    return fig


def _inside(ax, x, y=None) -> bool:
    """Whether a point lies within the current axis limits (a marker there may overhang the frame)."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    return x0 <= x <= x1 and (y is None or y0 <= y <= y1)


def _markers(ax, best, sm, color, best_label: str) -> None:
    """The best-fit star and the SM diamond of a 2D figure (each legend entry once), after the limits are set."""
    style = dict(ls="none", mew=0.8, zorder=4)
    if best is not None:
        ax.plot(*best, "*", ms=13, color=color, mec="w", clip_on=not _inside(ax, *best), label=best_label, **style)
    if sm is not None and not any(line.get_label() == "SM" for line in ax.lines):
        ax.plot(*sm, "D", ms=7, color="tab:red", mec="k", clip_on=not _inside(ax, *sm), label="SM", **style)


def plot_profile2d(
    result: Profile2DResult,
    ax=None,
    *,
    cl: Sequence = CL_DEFAULT,
    filled: bool = True,
    label: str | None = None,
    color="C0",
    sm: bool | tuple[float, float] = True,
    best_fit: bool = True,
) -> Figure:
    """Allowed regions of a 2D profile at the 2-dof levels, the best fit and the SM point.

    Filled: nested shades, 68.27% CL darkest (thresholds ``chi2.ppf(CL, 2)``: 2.30, 4.61, 6.18,
    11.83 by default); rings, islands and regions running off the grid are drawn as they are.
    The star is the global best fit of the profile (the lowest chi^2 found, refined off the
    grid), the red diamond the SM point.

    Args:
        result: a 2D profile.
        ax: matplotlib Axes to draw on (default: a new figure); pass the axes of another figure
            to overlay this result (with ``filled=False`` and a ``label``).
        cl: confidence levels (probabilities, ``"90%"``, ``"2sigma"``).
        filled: shaded regions (True) or contour lines only (False).
        label: name of the result in the legend (``"CsI, 90% CL"``).
        color: base colour of the shades or lines.
        sm: mark the SM point (True: where both parameters have SM values; a pair: there;
            False: no).
        best_fit: mark the best fit.

    Returns:
        The figure.
    """
    fresh = ax is None or not ax.has_data()
    fig, ax = _axes(ax, figsize=(6.4, 4.6))
    a, b = result.params
    params = result.metadata.get("parameters") or {n: {"unit": result.fit.units.get(n, "")} for n in result.params}
    add_regions(ax, *result.grid, result.delta_chi2, cl=cl, filled=filled, color=color, label=label)
    bad = ~np.asarray(result.converged)
    if np.any(bad):
        ga, gb = np.meshgrid(*result.grid, indexing="ij")
        ax.plot(ga[bad], gb[bad], "x", color="0.3", ms=4, label=_once(ax, "not converged"))
    if sm is True:
        values = (_sm_value(a, params), _sm_value(b, params))
        sm = None if None in values else values
    if fresh:
        ax.set_xlim(result.grid[0][0], result.grid[0][-1])
        ax.set_ylim(result.grid[1][0], result.grid[1][-1])
        ax.set_xlabel(axis_label(a, params))
        ax.set_ylabel(axis_label(b, params))
    best = (result.best_fit[a], result.best_fit[b]) if best_fit else None
    mark = "k" if filled else color
    _markers(ax, best, sm or None, mark, f"{label} best fit" if label else _once(ax, "best fit"))
    _legend(ax, outside=True)
    return fig


def plot_scan(
    result: ScanResult, units: Mapping[str, str] | None = None, ax=None, *, cl: Sequence = CL_DEFAULT
) -> Figure:
    """chi^2 - (lowest chi^2 on the grid) of a 1D or 2D scan; the title says whether nuisances were profiled.

    1D: the curve with the 1-dof levels labelled by probability; 2D: the regions filled by CL
    (2-dof levels), the lowest grid point and the SM point.

    Args:
        result: a scan of one or two parameters.
        units: ``name -> unit`` overriding those of the saved parameter metadata.
        ax: matplotlib Axes to draw on (default: a new figure).
        cl: confidence levels (probabilities, ``"90%"``, ``"2sigma"``).

    Returns:
        The figure.

    Raises:
        ValueError: more than two scanned parameters.
    """
    if len(result.params) not in (1, 2):
        raise ValueError(f"plot_scan draws 1 or 2 scanned parameters, got {len(result.params)}")
    params = result.metadata.get("parameters", {})
    units = dict(units or {})
    labels = {n: axis_label(n, params, units.get(n)) for n in result.params}
    delta = result.chi2 - result.chi2_min
    title = "nuisances profiled" if result.profiled else "nuisances fixed (not profiled)"
    fresh = ax is None or not ax.has_data()
    if len(result.params) == 1:
        fig, ax = _axes(ax)
        (name,) = result.params
        _curve(
            ax,
            result.grid[0],
            delta,
            cl=cl,
            label=None,
            color="k",
            best=result.best_point[name],
            best_label="lowest grid point",
            sm=_sm_value(name, params),
            fresh=fresh,
            xlabel=labels[name],
            ylabel=r"$\chi^2 - \chi^2_\mathrm{min,grid}$",
        )
        _legend(ax, outside=False)
    else:
        fig, ax = _axes(ax, figsize=(6.4, 4.6))
        a, b = result.params
        add_regions(ax, *result.grid, delta, cl=cl)
        sm = (_sm_value(a, params), _sm_value(b, params))
        best = (result.best_point[a], result.best_point[b])
        ax.set_xlim(result.grid[0][0], result.grid[0][-1])
        ax.set_ylim(result.grid[1][0], result.grid[1][-1])
        _markers(ax, best, None if None in sm else sm, "k", "lowest grid point")
        ax.set_xlabel(labels[a])
        ax.set_ylabel(labels[b])
        _legend(ax, outside=True)
    ax.set_title(f"scan, {title}", fontsize="medium")
    return fig


def credible_density(x, y, edges_x, edges_y, probabilities: Sequence = CREDIBLE_DEFAULT):
    """Smoothed 2D density of draws and the thresholds of its highest-density regions.

    The histogram is smoothed by a Gaussian of one bin; the threshold of level ``p`` is the
    ``1 - p`` quantile of the (bilinearly interpolated) density at the draws themselves, so that
    the region ``density >= threshold`` holds the fraction ``p`` of the draws.

    Args:
        x: draws of the x parameter, shape (n,).
        y: draws of the y parameter, shape (n,).
        edges_x: histogram bin edges in x, spanning the draws.
        edges_y: histogram bin edges in y, spanning the draws.
        probabilities: credible levels in (0, 1).

    Returns:
        ``(x, y, density, {"68%": threshold, ...})`` with ``density[i, j]`` at ``(x[i], y[j])``:
        the bin centres and the two outer edges.
    """
    from scipy.interpolate import RegularGridInterpolator
    from scipy.ndimage import gaussian_filter

    hist, _, _ = np.histogram2d(x, y, bins=(edges_x, edges_y))
    # bin centres, and the outer edges with the value of their bin: the regions reach the histogram's edge
    density = np.pad(gaussian_filter(hist, 1.0), 1, mode="edge")
    cx, cy = (np.concatenate([e[:1], 0.5 * (e[1:] + e[:-1]), e[-1:]]) for e in (edges_x, edges_y))
    at_draws = RegularGridInterpolator((cx, cy), density)(np.column_stack([x, y]))
    levels = {f"{100.0 * p:.4g}%": float(np.quantile(at_draws, 1.0 - p)) for p in map(_probability, probabilities)}
    return cx, cy, density, dict(sorted(levels.items(), key=lambda kv: -kv[1]))


def _interval_text(label: str, draws) -> str:
    """``label = median^{+hi}_{-lo}`` (central 68.27% interval, 2 significant digits of the smaller error)."""
    lo, mid, hi = np.quantile(draws, [0.5 - SIGMA[1] / 2, 0.5, 0.5 + SIGMA[1] / 2])
    err = min(mid - lo, hi - mid)
    digits = max(0, 1 - math.floor(math.log10(err))) if err > 0 else 3
    return rf"{_symbol(label)} = ${mid:.{digits}f}^{{+{hi - mid:.{digits}f}}}_{{-{mid - lo:.{digits}f}}}$"


def plot_corner(
    samples,
    names: Sequence[str] | None = None,
    *,
    bins: int | None = None,
    units: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    levels: Sequence[float] = CREDIBLE_DEFAULT,
    color="C0",
    truths: Mapping[str, float] | None = None,
) -> Figure:
    """Corner plot: marginal histograms on the diagonal, 68% / 95% credible regions below it.

    The 2D regions are the highest-density regions of the (lightly smoothed) histogram holding
    ``levels`` of the draws (:func:`credible_density`), filled by level; the diagonal titles give the median and the central
    68% interval.

    Args:
        samples: a :class:`~cevnsjax.inference.SampleResult` (labels and units from its metadata)
            or ``name -> draws`` (any shape; flattened).
        names: parameters to show (default: all).
        bins: histogram bins per axis (default: ``sqrt(number of draws) / 1.5`` within [10, 40],
            so that a short chain gives smooth regions).
        units: ``name -> unit`` overriding the metadata's.
        labels: ``name -> axis label`` overriding :func:`axis_label`.
        levels: credible levels of the 2D regions.
        color: base colour.
        truths: ``name -> value`` marked by lines (e.g. SM values or a simulation's truth).

    Returns:
        The figure.
    """
    params = samples.metadata.get("parameters", {}) if isinstance(samples, SampleResult) else {}
    draws = samples.samples if isinstance(samples, SampleResult) else samples
    names = list(draws if names is None else names)
    units, labels, truths = dict(units or {}), dict(labels or {}), dict(truths or {})
    text = {n: labels.get(n) or axis_label(n, params, units.get(n)) for n in names}
    data = {k: np.ravel(np.asarray(draws[k], float)) for k in names}
    if bins is None:
        bins = int(np.clip(np.sqrt(len(data[names[0]])) / 1.5, 10, 40))
    edges = {k: np.histogram_bin_edges(v, bins=bins) for k, v in data.items()}
    n = len(names)
    fig = Figure(figsize=(2.3 * n + 0.9, 2.3 * n + 0.9), layout="constrained")
    axes = np.atleast_2d(fig.subplots(n, n, squeeze=False))
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(data[xj], bins=edges[xj], histtype="step", color=color, lw=1.3)
                for q in np.quantile(data[xj], [0.5 - SIGMA[1] / 2, 0.5, 0.5 + SIGMA[1] / 2]):
                    ax.axvline(q, color=color, ls="--", lw=0.8)
                ax.set_xlim(edges[xj][0], edges[xj][-1])
                ax.set_ylim(bottom=0.0)
                ax.yaxis.set_visible(False)
                ax.set_title(_interval_text(text[xj], data[xj]), fontsize="small")
            else:
                cx, cy, density, found = credible_density(data[xj], data[yi], edges[xj], edges[yi], levels)
                bounds = {f"{k} credible": -h for k, h in found.items()}
                _fill_regions(ax, cx, cy, -density, bounds, filled=True, color=color, label=None)
                ax.set_xlim(edges[xj][0], edges[xj][-1])
                ax.set_ylim(edges[yi][0], edges[yi][-1])
                if yi in truths:
                    ax.axhline(truths[yi], color="tab:red", lw=0.9)
            if xj in truths:
                ax.axvline(truths[xj], color="tab:red", lw=0.9)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.yaxis.set_major_locator(MaxNLocator(4))
            if i < n - 1:
                ax.tick_params(labelbottom=False)
            else:
                ax.set_xlabel(text[xj])
                ax.tick_params(axis="x", labelrotation=45)
            if j > 0 and i != j:
                ax.tick_params(labelleft=False)
            elif i != j:
                ax.set_ylabel(text[yi])
    if n > 1:
        handles, names_ = axes[1, 0].get_legend_handles_labels()
        fig.legend(handles, names_, loc="upper right", fontsize="small", frameon=False)
    return fig


def plot_fit(
    result: FitResult, constraints: Mapping[str, tuple[float, float]] | None = None, parameters=None
) -> Figure:
    """Pulls of the free parameters and their correlation matrix.

    A parameter with a Gaussian constraint ``(mean, sigma)`` is drawn as the
    pull ``(value - mean) / sigma`` with error ``error / sigma``; parameters
    without a constraint appear in the correlation panel only.

    Args:
        result: a fit.
        constraints: ``name -> (mean, sigma)`` (e.g. from the parameter specs).
        parameters: where the LaTeX symbols of the tick labels come from, as for
            :func:`axis_label` (default: the result's metadata).

    Returns:
        The figure.
    """
    constraints = dict(constraints or {})
    free = list(result.free)
    parameters = result.metadata.get("parameters", {}) if parameters is None else parameters
    symbol = {n: _symbol(axis_label(n, parameters, unit="")) for n in free}
    fig = Figure(figsize=(10.0, max(3.0, 0.4 * len(free) + 1.5)), layout="constrained")
    left, right = fig.subplots(1, 2)
    pulled = [n for n in free if n in constraints]
    y = np.arange(len(pulled))
    pulls = [(result.values[n] - constraints[n][0]) / constraints[n][1] for n in pulled]
    errs = [result.errors[n] / constraints[n][1] for n in pulled]
    left.axvspan(-1, 1, color="0.9")
    left.axvline(0, color="0.5", lw=0.8)
    left.errorbar(pulls, y, xerr=errs, fmt="ko")
    left.set_yticks(y, [symbol[n] for n in pulled])
    left.set_xlabel(r"pull $(\hat\theta - \theta_0)/\sigma$")
    left.set_title("constrained parameters")
    rho = result.correlation().array
    image = right.imshow(rho, vmin=-1, vmax=1, cmap="RdBu_r")
    right.set_xticks(range(len(free)), [symbol[n] for n in free], rotation=90)
    right.set_yticks(range(len(free)), [symbol[n] for n in free])
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
    for color, label, crit, err in zip(
        ("C0", "C1", "C2", "C3", "C4"), result.intervals, result.t_crit, result.t_crit_error
    ):
        ax.plot(x, crit, color=color, lw=1.2, label=f"{label} critical value ({result.n_toys} toys)")
        ax.fill_between(x, crit - err, crit + err, color=color, alpha=0.25, lw=0)
        ax.axhline(result.wilks_threshold[label], color=color, ls="--", lw=0.8, label=f"{label} Wilks")
        for lo, hi in result.intervals[label]:
            ax.axvspan(x[0] if lo is None else lo, x[-1] if hi is None else hi, color=color, alpha=0.07, lw=0)
    top = 2.0 * max(max(result.wilks_threshold.values()), float(np.nanmax(result.t_crit)))
    ax.set_ylim(0.0, top)
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(axis_label(result.param, result.metadata.get("parameters")))
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
    ax.set_xlabel(axis_label(result.over, params))
    ax.set_ylabel(axis_label(result.param, params))
    experiments = ", ".join(result.metadata.get("experiments", []))
    if experiments:
        ax.set_title(experiments, fontsize="small")
    ax.legend(handles=handles, fontsize="small", loc="upper left")
    return fig


def plot_sensitivity(
    results: Sequence[SensitivityResult], labels: Sequence[str] | None = None, *, unit: str = "years", ax=None
) -> Figure:
    """Expected intervals versus exposure: the bands (truth and best fit as lines), log exposure axis.

    Results of ``method="toys"`` add the median of the toys' interval ends (dashed) and the 68%
    band of each end (hatched).

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
    for color, r, label in zip(("C0", "C1", "C2", "C3", "C4"), results, labels, strict=False):
        ax.fill_between(r.exposures, r.lower, r.upper, color=color, alpha=0.25, label=f"{label} ({r.level})")
        ax.plot(r.exposures, r.best_fit, color=color, lw=1.2)
        if r.toy_upper is not None:  # method="toys": the median ends and the 68% band of each end
            for end in ("lower", "upper"):
                (lo, mid, hi), _ = r.toy_quantiles(end, (0.16, 0.5, 0.84))
                ax.plot(r.exposures, mid, color=color, ls="--", lw=1.0)
                ax.fill_between(r.exposures, lo, hi, facecolor="none", hatch="//", lw=0.0, edgecolor=color, alpha=0.6)
            ax.plot([], [], color=color, ls="--", label=f"{label}: median of {r.n_toys} toys, 68% band hatched")
    ax.axhline(results[0].truth, color="k", ls="--", lw=0.8, label="truth")
    ax.set_xscale("log")
    ax.set_xlabel(f"exposure [{unit}]")
    ax.set_ylabel(axis_label(results[0].param, unit=results[0].unit))
    ax.legend(fontsize="small", loc="best")
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
    if isinstance(result, FitResult):
        constraints = {n: tuple(p["constraint"]) for n, p in params.items() if p.get("constraint")}
        return plot_fit(result, {n: c for n, c in constraints.items() if n in result.free})
    if isinstance(result, ProfileResult):
        return plot_profile(result)
    if isinstance(result, Profile2DResult):
        return plot_profile2d(result)
    if isinstance(result, ScanResult):
        return plot_scan(result)
    if isinstance(result, ExclusionResult):
        return plot_exclusion(result)
    if isinstance(result, SampleResult):
        return plot_corner(result)
    if isinstance(result, FeldmanCousinsResult):
        return plot_feldman_cousins(result)
    raise TypeError(f"no figure for a {type(result).__name__}")

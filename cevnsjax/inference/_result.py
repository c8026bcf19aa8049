"""Result containers: named values, labelled matrices, readable reprs.

Everything is plain Python / numpy (results are for people and JSON), labelled
by parameter name, and rounded in reprs with the PDG rule (Review of Particle
Physics, Introduction, section 5.3: three significant digits of the error
decide between one and two).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from ._persist import Persistent


def pdg_format(value: float, error: float, bounds: tuple[float, float] | None = None) -> str:
    """``value ± error`` rounded with the PDG rule.

    Args:
        value: central value.
        error: its (positive) uncertainty.
        bounds: ``(lower, upper)`` of the parameter: where the rounded value would
            fall outside them, more digits are kept until it does not.

    Returns:
        A string such as ``"0.2381 ± 0.0031"`` or ``"(1.23 ± 0.05)e-05"``.

    Examples:
        >>> pdg_format(0.23812, 0.00312), pdg_format(0.23812, 0.00451)
        ('0.2381 ± 0.0031', '0.238 ± 0.005')
        >>> pdg_format(3.4481, 2.43), pdg_format(3.4481, 2.43, bounds=(3.448, 20.0))
        ('3.4 ± 2.4', '3.45 ± 2.43')
    """
    if not (math.isfinite(error) and error > 0 and math.isfinite(value)):
        return f"{value:.6g} ± {error:.2g}" if math.isfinite(error) else f"{value:.6g}"
    exp = math.floor(math.log10(error))
    three = round(error / 10.0 ** (exp - 2))
    if three >= 1000:
        exp, three = exp + 1, three // 10
    digits = 2 if three <= 354 else 1
    if three >= 950:
        exp, digits = exp + 1, 2
    last = exp - digits + 1
    lower, upper = bounds if bounds is not None else (-math.inf, math.inf)
    while not lower <= round(value, -last) <= upper and last > exp - 15:
        last -= 1
    big = max(abs(value), error)
    common = math.floor(math.log10(big)) if big > 0 else 0
    if -3 <= common <= 4:
        decimals = max(0, -last)
        return f"{round(value, -last):.{decimals}f} ± {round(error, -last):.{decimals}f}"
    decimals = max(0, common - last)
    v, e = value / 10.0**common, error / 10.0**common
    return f"({v:.{decimals}f} ± {e:.{decimals}f})e{common:+03d}"


@dataclasses.dataclass(frozen=True, eq=False)
class NamedMatrix(Persistent):
    """A square matrix with rows and columns labelled by parameter name.

    Index with two names (``m["a", "b"]``) or one (a row as ``{name: value}``).

    Attributes:
        names: labels of rows and columns.
        array: the matrix, shape (n, n).
    """

    names: tuple[str, ...]
    array: np.ndarray

    def __getitem__(self, key):
        if isinstance(key, tuple):
            i, j = (self._index(k) for k in key)
            return float(self.array[i, j])
        i = self._index(key)
        return dict(zip(self.names, map(float, self.array[i])))

    def _index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"'{name}' is not in the matrix; names: {', '.join(self.names)}") from None

    def to_dict(self) -> dict[str, dict[str, float]]:
        """``{row: {column: value}}`` with Python floats."""
        return {a: self[a] for a in self.names}

    def __repr__(self) -> str:
        if not self.names:
            return "NamedMatrix()"
        width = max(8, *map(len, self.names))
        head = " " * width + "".join(f" {n[:10]:>10}" for n in self.names)
        rows = [f"{a:<{width}}" + "".join(f" {v:>10.4g}" for v in row) for a, row in zip(self.names, self.array)]
        return "\n".join([head, *rows])


@dataclasses.dataclass(frozen=True, eq=False)
class FitResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.fit`.

    Attributes:
        values: best-fit value of every parameter (fixed ones at their values).
        errors: Hessian (symmetric, Delta chi^2 = 1) error of every parameter, in
            its own unit; 0 for parameters not free.
        free: names of the free parameters.
        covariance: covariance of the free parameters, ``2 H^-1`` of chi^2.
        chi2_min: minimum chi^2 (-2 ln L for Poisson likelihoods).
        ndof: ``n_bins + n_constrained_free - n_free``, or None for models without bins.
        converged: minimiser converged (finite, positive-definite Hessian, EDM
            below tolerance).
        message: human-readable status.
        edm: estimated distance to minimum, chi^2 units.
        engine: ``"jax"`` or ``"iminuit"``.
        units: unit of every parameter (for display).
        minos: asymmetric MINOS errors ``name -> (lower, upper)`` (iminuit only),
            or None.
        at_limit: free parameters that ended on (within 1e-5 of the range of) a bound:
            ``name -> "lower" | "upper"``.  Their :attr:`errors` entry is the
            one-sided profile error away from the bound, and their rows of
            :attr:`covariance` are NaN (the others are conditional on them).
        limit_errors: ``name -> (lower, upper)`` signed profile (Delta chi^2 = 1,
            MINOS-like) errors of the parameters at a limit, 0 towards the bound,
            None where the profile stays below 1 up to the other bound.
        flat: free parameters the data do not constrain inside their bounds
            (Hessian error larger than the bounds or the +-2 sigma prior box, or a
            direction of zero curvature): their errors mean nothing.
        local_minimum_chi2: chi^2 of the minimum reached from the given start when a
            restart found one lower by more than 1e-3 (the lower one is reported);
            None when the start led to the lowest minimum found.
        restarts: minimisations from seeds in the prior/bound box besides the start.
        bounds: ``name -> (lower, upper)`` of the free parameters.
    """

    #: The ``iminuit.Minuit`` of ``engine="iminuit"`` (MIGRAD and HESSE done), else None; not saved.
    minuit = None

    values: dict[str, float]
    errors: dict[str, float]
    free: tuple[str, ...]
    covariance: NamedMatrix
    chi2_min: float
    ndof: int | None
    converged: bool
    message: str
    edm: float
    engine: str
    units: dict[str, str]
    minos: dict[str, tuple[float, float]] | None = None
    at_limit: dict[str, str] = dataclasses.field(default_factory=dict)
    limit_errors: dict[str, tuple[float | None, float | None]] = dataclasses.field(default_factory=dict)
    flat: tuple[str, ...] = ()
    local_minimum_chi2: float | None = None
    restarts: int = 0
    bounds: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)

    @property
    def trusted(self) -> bool:
        """Converged, not a local minimum, no flat direction (parameters at a limit are fine)."""
        return self.converged and self.local_minimum_chi2 is None and not self.flat

    def status(self) -> str:
        """One line: converged or not, and every reason not to trust the result."""
        text = "converged" if self.converged else "NOT CONVERGED"
        if self.flat:
            text += f"; not constrained (errors meaningless): {', '.join(self.flat)}"
        if self.at_limit:
            text += "; at limit: " + ", ".join(f"{n} ({side})" for n, side in self.at_limit.items())
        return text

    def value_text(self, name: str) -> str:
        """``value ± error`` of one parameter, PDG-rounded inside its bounds; limits and fixed ones marked."""
        value = self.values[name]
        if name not in self.free:
            return f"{value:.6g} (fixed)"
        if name in self.at_limit:
            lo, hi = self.limit_errors.get(name, (None, None))
            far = hi if self.at_limit[name] == "lower" else lo
            err = "(no Delta chi2 = 1 crossing inside the bounds)" if far is None else f"{far:+.2g}"
            side = self.at_limit[name]
            bound = self.bounds.get(name, (value, value))[0 if side == "lower" else 1]
            return f"{bound:.6g} {err} (at {side} limit)"
        text = pdg_format(value, self.errors[name], self.bounds.get(name))
        if self.minos and name in self.minos:
            lo, hi = self.minos[name]
            text += f"  (MINOS {lo:+.3g} {hi:+.3g})"
        if name in self.flat:
            text += " (not constrained)"
        return text

    def correlation(self) -> NamedMatrix:
        """Correlation matrix of the free parameters, labelled by name."""
        cov = self.covariance.array
        sd = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = cov / np.outer(sd, sd)
        np.fill_diagonal(rho, np.where(np.isfinite(np.diag(rho)), 1.0, np.nan))
        return NamedMatrix(self.free, rho)

    def __repr__(self) -> str:
        ndof = "" if self.ndof is None else f" / ndof = {self.ndof}"
        lines = [
            f"FitResult({self.engine}: {self.status()}; {self.message})",
            f"  chi2_min = {self.chi2_min:.6g}{ndof}   EDM = {self.edm:.2g}",
        ]
        width = max(8, *map(len, self.values))
        for name in self.values:
            unit = self.units.get(name, "")
            lines.append(f"  {name:<{width}} {self.value_text(name)} {unit}".rstrip())
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class ProfileResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.profile` (one parameter).

    Attributes:
        param: the profiled parameter.
        grid: its values, shape (n,).
        chi2: profiled chi^2 (every other free parameter re-minimised), shape (n,).
        delta_chi2: ``chi2 - chi2_min``, shape (n,).
        chi2_min: global minimum (global fit, or the profile's minimum if lower).
        best_fit: all parameter values at the global minimum.
        ndof: ``n_bins + n_constrained_free - n_free`` of the global fit, or None.
        intervals: ``level -> [(lo, hi), ...]`` from Delta chi^2 crossings, open
            ends None; levels "1sigma", "90%", "2sigma", "99%", "3sigma".
        converged: per grid point, shape (n,).
        nuisances: re-minimised values of the other free parameters per point.
        fit: the global fit.
    """

    param: str
    grid: np.ndarray
    chi2: np.ndarray
    delta_chi2: np.ndarray
    chi2_min: float
    best_fit: dict[str, float]
    ndof: int | None
    intervals: dict[str, list[tuple[float | None, float | None]]]
    converged: np.ndarray
    nuisances: dict[str, np.ndarray]
    fit: FitResult

    def closed_ends(self) -> tuple[float | None, float | None]:
        """The parameter's bounds that the grid reaches (None where it does not), for :func:`format_intervals`."""
        return closed_ends(self.grid, self.fit.bounds.get(self.param))

    def __repr__(self) -> str:
        lines = [
            f"ProfileResult({self.param}: {len(self.grid)} points in "
            f"[{self.grid[0]:.6g}, {self.grid[-1]:.6g}], chi2_min = {self.chi2_min:.6g}, "
            f"best fit {self.best_fit[self.param]:.6g})"
        ]
        closed = self.closed_ends()
        for level, ivs in self.intervals.items():
            lines.append(f"  {level:>7}: {format_intervals(ivs, closed)}")
        bad = int(np.sum(~self.converged))
        if bad:
            lines.append(f"  warning: {bad} grid points did not converge")
        return "\n".join(lines)


def format_intervals(intervals, closed: tuple[float | None, float | None] = (None, None)) -> str:
    """``[lo, hi] u [lo, hi]`` with open ends shown as ``<grid``/``>grid``.

    Args:
        intervals: ``[(lo, hi), ...]``, None for an end open at the edge of the grid.
        closed: ``(lower, upper)``: the parameter's bound where the grid starts (ends) on it, so that
            an open end there is that bound (nothing lies beyond it); None: the grid edge is not a bound.

    Examples:
        >>> format_intervals([(None, 3.7962)]), format_intervals([(None, 3.7962)], closed=(3.448, None))
        ('[<grid, 3.7962]', '[3.448, 3.7962]')
    """
    if not intervals:
        return "(empty on this grid)"

    def end(v, bound, side):
        return f"{v:.5g}" if v is not None else side if bound is None else f"{bound:.5g}"

    lower, upper = closed
    return " u ".join(f"[{end(lo, lower, '<grid')}, {end(hi, upper, '>grid')}]" for lo, hi in intervals)


def closed_ends(grid, bounds: tuple[float, float] | None) -> tuple[float | None, float | None]:
    """The ``closed`` argument of :func:`format_intervals`: each bound of the parameter that the grid reaches."""
    if bounds is None:
        return None, None
    lower, upper = bounds
    return (lower if grid[0] <= lower else None), (upper if grid[-1] >= upper else None)


@dataclasses.dataclass(frozen=True, eq=False)
class Profile2DResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.profile2d`.

    Attributes:
        params: the two profiled parameters ``(a, b)``.
        grid: ``(grid_a, grid_b)``, shapes (na,), (nb,).
        chi2: profiled chi^2, shape (na, nb) (``[i, j]`` at ``grid_a[i], grid_b[j]``).
        delta_chi2: ``chi2 - chi2_min``, shape (na, nb).
        chi2_min: global minimum.
        best_fit: all parameter values at the global minimum.
        ndof: ``n_bins + n_constrained_free - n_free`` of the global fit, or None.
        contours: ``level -> list of polygons``, each of shape (k, 2) in (a, b),
            at the 2-dof thresholds (2.30, 4.61, 6.18, 9.21, 11.83).
        converged: per grid point, shape (na, nb).
        fit: the global fit.
        nuisances: re-minimised values of the other free parameters, each of shape (na, nb).
    """

    params: tuple[str, str]
    grid: tuple[np.ndarray, np.ndarray]
    chi2: np.ndarray
    delta_chi2: np.ndarray
    chi2_min: float
    best_fit: dict[str, float]
    ndof: int | None
    contours: dict[str, list[np.ndarray]]
    converged: np.ndarray
    fit: FitResult
    nuisances: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        a, b = self.params
        lines = [
            f"Profile2DResult({a} x {b}: {self.chi2.shape[0]} x {self.chi2.shape[1]} points, "
            f"chi2_min = {self.chi2_min:.6g}, best fit ({self.best_fit[a]:.6g}, {self.best_fit[b]:.6g}))"
        ]
        for level, polys in self.contours.items():
            lines.append(f"  {level:>7}: {len(polys)} contour line(s)")
        bad = int(np.sum(~self.converged))
        if bad:
            lines.append(f"  warning: {bad} grid points did not converge")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class ExclusionResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.exclusion`: limits on a coupling versus a mass.

    Attributes:
        param: the coupling (e.g. ``g_zprime``).
        over: the mass parameter (e.g. ``m_zprime``).
        masses: its values, shape (n_m,) [its unit].
        grid: the couplings, shape (n_g,).
        chi2: profiled chi^2 (every other free parameter re-minimised), shape (n_m, n_g).
        delta_chi2: ``chi2 - chi2_min``, shape (n_m, n_g).
        chi2_min: the lowest chi^2 of the grid and the SM point.
        chi2_sm: profiled chi^2 with ``param`` at its SM value (no mass dependence).
        best_point: ``{over: mass, param: coupling}`` of ``chi2_min`` (mass NaN at the SM point).
        cl: the confidence levels.
        thresholds: ``CL key -> Delta chi^2`` level (keys ``"0.9"``, ...).
        dof: degrees of freedom of the thresholds.
        allowed: ``CL key -> per mass, [(lo, hi), ...]`` couplings with Delta chi^2 below the
            level (open ends None: allowed to the edge of the grid).
        ranges: ``CL key -> per mass, [(lo, hi), ...]`` excluded couplings (open ends None).
        upper: ``CL key -> array (n_m,)``: the lower edge of the first excluded range above the
            SM-like (lowest-coupling) allowed region; NaN if nothing is excluded in the grid or
            the lowest coupling already is.
        converged: per point, shape (n_m, n_g).
        nuisances: re-minimised values of the other free parameters, each (n_m, n_g).
    """

    param: str
    over: str
    masses: np.ndarray
    grid: np.ndarray
    chi2: np.ndarray
    delta_chi2: np.ndarray
    chi2_min: float
    chi2_sm: float
    best_point: dict[str, float]
    cl: tuple[float, ...]
    thresholds: dict[str, float]
    dof: int
    allowed: dict[str, list[list[tuple[float | None, float | None]]]]
    ranges: dict[str, list[list[tuple[float | None, float | None]]]]
    upper: dict[str, np.ndarray]
    converged: np.ndarray
    nuisances: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def bands(self, cl: float | str) -> np.ndarray:
        """Number of allowed ranges per mass at ``cl`` (2 or more: a band beside the SM-like region)."""
        key = cl if isinstance(cl, str) else f"{cl:g}"
        return np.array([len(a) for a in self.allowed[key]])

    def __repr__(self) -> str:
        lines = [
            f"ExclusionResult({self.param} vs {self.over}: {len(self.masses)} x {len(self.grid)} points, "
            f"couplings [{self.grid[0]:.3g}, {self.grid[-1]:.3g}], chi2_min = {self.chi2_min:.6g}, "
            f"chi2_SM = {self.chi2_sm:.6g})"
        ]
        for key, up in self.upper.items():
            n_band = int(np.sum(self.bands(key) > 1))
            band = f"; a second allowed band at {n_band} masses" if n_band else ""
            lines.append(
                f"  CL {key}: upper limit in [{np.nanmin(up):.3g}, {np.nanmax(up):.3g}] over the masses{band}"
                if np.any(np.isfinite(up))
                else f"  CL {key}: nothing excluded in the grid"
            )
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class ScanResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.scan`.

    Attributes:
        params: scanned parameter names.
        grid: one 1D array of values per parameter.
        chi2: chi^2 on the outer-product grid, shape ``tuple(len(g) for g in grid)``.
        best_point: values of the scanned parameters at the lowest chi^2.
        chi2_min: the lowest chi^2 on the grid.
        n_devices: number of devices the grid was sharded over.
        profiled: parameters re-minimised at every point (``scan(..., profile=True)``);
            empty when every parameter not scanned was held at its default or fixed value.
        converged: with ``profiled``: per point, the minimisation converged; else None.
        nuisances: with ``profiled``: their re-minimised values, each of the grid's shape.
    """

    params: tuple[str, ...]
    grid: tuple[np.ndarray, ...]
    chi2: np.ndarray
    best_point: dict[str, float]
    chi2_min: float
    n_devices: int
    profiled: tuple[str, ...] = ()
    converged: np.ndarray | None = None
    nuisances: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def nuisance_note(self) -> str:
        """How the parameters not scanned were treated, in words."""
        if self.profiled:
            return f"nuisances profiled (re-minimised at every point): {', '.join(self.profiled)}"
        return "nuisances fixed at their nominal (or --fix) values, not profiled"

    def __repr__(self) -> str:
        shape = " x ".join(map(str, self.chi2.shape))
        best = ", ".join(f"{k} = {v:.6g}" for k, v in self.best_point.items())
        return (
            f"ScanResult({', '.join(self.params)}: {shape} = {self.chi2.size} points on "
            f"{self.n_devices} device(s); chi2_min = {self.chi2_min:.6g} at {best}; {self.nuisance_note()})"
        )


def cl_label(cl: float) -> str:
    """A confidence level as a label: ``0.6827 -> "68.27%"``, ``0.9 -> "90%"``."""
    return f"{100 * cl:.4g}%"


def binomial(k: int, n: int) -> tuple[float, float]:
    """Fraction ``k / n`` and its binomial standard error ``sqrt(f (1 - f) / n)`` (NaN for n = 0)."""
    if n == 0:
        return math.nan, math.nan
    f = k / n
    return f, math.sqrt(f * (1 - f) / n)


@dataclasses.dataclass(frozen=True, eq=False)
class ToysResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.toys`: one fit per pseudo-experiment.

    Attributes:
        truth: the value of every parameter the toys were drawn at.
        free: the parameters fitted in every toy.
        poi: parameters of interest, also held at their true values in a second fit per toy.
        chi2_min: minimum chi^2 of each toy over the free parameters inside their bounds, shape (n,).
        values: fitted value of each free parameter, each of shape (n,).
        converged: the fit converged, shape (n,).
        chi2_poi: with ``poi``: the minimum with them held at their true values, shape (n,); else None.
        delta_chi2: with ``poi``: ``chi2_poi - chi2_min`` (NaN where a fit failed), the
            profile-likelihood ratio at the truth (Eq. (143) of docs/physics.md); else None.
        seed: the random seed.
        nuisances: ``"prior"`` (constraints drawn around the truth per toy) or ``"fixed"``.
        ndof: ``n_bins + n_constrained_free - n_free``, or None for models without bins.
    """

    truth: dict[str, float]
    free: tuple[str, ...]
    poi: tuple[str, ...]
    chi2_min: np.ndarray
    values: dict[str, np.ndarray]
    converged: np.ndarray
    chi2_poi: np.ndarray | None
    delta_chi2: np.ndarray | None
    seed: int
    nuisances: str
    ndof: int | None

    @property
    def n_toys(self) -> int:
        """Number of pseudo-experiments."""
        return len(self.chi2_min)

    def coverage(self, cl: float = 0.682689492137) -> tuple[float, float]:
        """Fraction of toys whose Wilks interval at confidence level ``cl`` contains the truth, and its error.

        The interval of the parameters of interest contains the truth when ``delta_chi2`` is below the
        chi^2 quantile of ``len(poi)`` dof (Delta chi^2 = 1 for 68.27% in one parameter); toys
        whose fits failed are left out.

        Returns:
            ``(fraction, binomial standard error)``.

        Raises:
            ValueError: a result without parameters of interest, or ``cl`` outside (0, 1).
        """
        from scipy.stats import chi2

        if self.delta_chi2 is None:
            raise ValueError("coverage needs toys with parameters of interest (toys(..., poi=[...]))")
        if not 0 < cl < 1:
            raise ValueError(f"cl must be in (0, 1), got {cl}")
        d = self.delta_chi2[np.isfinite(self.delta_chi2)]
        return binomial(int(np.sum(d <= chi2.ppf(cl, len(self.poi)))), len(d))

    def __repr__(self) -> str:
        n = self.n_toys
        lines = [
            f"ToysResult({n} toys, seed {self.seed}, nuisances {self.nuisances}; "
            f"{int(np.sum(self.converged))} converged; chi2_min mean {np.nanmean(self.chi2_min):.4g}"
            + ("" if self.ndof is None else f" (ndof {self.ndof})")
            + ")",
            f"  {'parameter':<16} {'truth':>10} {'mean':>10} {'std':>10}",
        ]
        for name, v in self.values.items():
            ok = v[self.converged]
            lines.append(f"  {name:<16} {self.truth[name]:>10.4g} {np.mean(ok):>10.4g} {np.std(ok):>10.4g}")
        if self.delta_chi2 is not None:
            for cl in (0.682689492137, 0.9):
                f, e = self.coverage(cl)
                lines.append(f"  Wilks coverage of {', '.join(self.poi)} at {cl_label(cl)}: {f:.4f} ± {e:.4f}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class FeldmanCousinsResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.feldman_cousins`: a Neyman construction in one parameter.

    Attributes:
        param: the parameter.
        grid: its values, shape (n,).
        cl: the confidence levels, e.g. ``(0.6827, 0.9)``.
        t_obs: the observed test statistic, the profile Delta chi^2 over the physical region, shape (n,).
        t_crit: the critical values, the ``cl`` quantile of the toys' ``t`` at each grid point,
            shape (len(cl), n).
        t_crit_error: Monte Carlo error of ``t_crit`` (half the 68% order-statistic band), same shape.
        intervals: ``label -> [(lo, hi), ...]``: ``{mu : t_obs(mu) <= t_crit(mu)}``, open ends None;
            labels such as ``"68.27%"``, ``"90%"``.
        wilks: the Wilks intervals (``t_obs`` below the chi^2 quantile of 1 dof), same labels.
        wilks_threshold: ``label -> `` the Wilks threshold (1.0 for 68.27%, 2.706 for 90%).
        wilks_coverage: fraction of the toys at each grid point whose Wilks interval contains that
            point, ``P(t <= threshold | mu)``, shape (len(cl), n).
        t: the toys' test statistic ``chi2(mu) - chi2_min``, shape (n, n_toys), NaN where a fit failed.
        n_failed: toys per grid point left out because a fit failed, shape (n,).
        n_toys: toys per grid point.
        seed: the random seed.
        nuisances: ``"prior"`` or ``"fixed"`` (as for :func:`~cevnsjax.inference.toys`).
        profile: the profile of the observed data (its nuisances are the toys' truth).
    """

    param: str
    grid: np.ndarray
    cl: tuple[float, ...]
    t_obs: np.ndarray
    t_crit: np.ndarray
    t_crit_error: np.ndarray
    intervals: dict[str, list[tuple[float | None, float | None]]]
    wilks: dict[str, list[tuple[float | None, float | None]]]
    wilks_threshold: dict[str, float]
    wilks_coverage: np.ndarray
    t: np.ndarray
    n_failed: np.ndarray
    n_toys: int
    seed: int
    nuisances: str
    profile: ProfileResult

    def __repr__(self) -> str:
        lines = [
            f"FeldmanCousinsResult({self.param}: {len(self.grid)} points in [{self.grid[0]:.6g}, {self.grid[-1]:.6g}] "
            f"x {self.n_toys} toys, best fit {self.profile.best_fit[self.param]:.6g})"
        ]
        closed = self.profile.closed_ends()
        for label in self.intervals:
            lines.append(f"  {label:>7} Feldman-Cousins: {format_intervals(self.intervals[label], closed)}")
            lines.append(f"  {label:>7} Wilks:           {format_intervals(self.wilks[label], closed)}")
        failed = int(np.sum(self.n_failed))
        if failed:
            lines.append(f"  warning: {failed} toys left out (a fit failed)")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class SampleResult(Persistent):
    """Outcome of :func:`cevnsjax.inference.sample`.

    Attributes:
        samples: ``name -> array (num_chains, num_samples)`` of posterior draws.
        summary: ``name -> {mean, std, median, q05, q16, q84, q95, r_hat, ess}``.
        divergences: number of divergent transitions after warmup.
        num_chains, num_samples: chains and draws per chain.
        fixed: values of the parameters held fixed.
        diverging: divergence flag of every draw, shape (num_chains, num_samples).
        sample_stats: NUTS statistics per draw, shape (num_chains, num_samples) each
            (``energy``, ``lp``, ``acceptance_rate``, ``n_steps``, ``step_size``).
        log_likelihood: pointwise ln L per data set, shape (num_chains, num_samples, n_bins)
            (:func:`~cevnsjax.inference._pointwise.pointwise_loglik`).
    """

    samples: dict[str, np.ndarray]
    summary: dict[str, dict[str, float]]
    divergences: int
    num_chains: int
    num_samples: int
    fixed: Mapping[str, float]
    diverging: np.ndarray
    sample_stats: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    log_likelihood: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def to_arviz(self):
        """The draws as an ``arviz.InferenceData``: posterior, sample_stats, log_likelihood.

        ``az.summary``, ``az.loo`` (one data set; pass ``var_name`` for a combination, whose
        data sets are separate variables), ``az.plot_energy`` and ``az.plot_trace`` work on it.
        """
        from ._sample import _arviz

        stats = {"diverging": self.diverging, **self.sample_stats}
        loglik = {k: np.asarray(v) for k, v in self.log_likelihood.items()}
        return _arviz().from_dict(
            posterior={k: np.asarray(v) for k, v in self.samples.items()},
            sample_stats=stats,
            log_likelihood=loglik or None,
            dims={k: [f"{k}_bin"] for k in loglik},
        )

    def __repr__(self) -> str:
        lines = [
            f"SampleResult({self.num_chains} chains x {self.num_samples} draws, {self.divergences} divergences)",
            f"  {'':<14} {'mean':>10} {'std':>10} {'q05':>10} {'median':>10} {'q95':>10} {'r_hat':>6} {'ess':>7}",
        ]
        for name, s in self.summary.items():
            lines.append(
                f"  {name:<14} {s['mean']:>10.4g} {s['std']:>10.4g} {s['q05']:>10.4g} "
                f"{s['median']:>10.4g} {s['q95']:>10.4g} {s['r_hat']:>6.3f} {s['ess']:>7.0f}"
            )
        return "\n".join(lines)

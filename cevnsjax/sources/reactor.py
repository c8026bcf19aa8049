"""Reactor electron antineutrinos: spectra per fission, fission rate and fluence.

A core of thermal power P_th with fission fractions f_k, energies per fission E_k and
antineutrino spectra per fission S_k(E) (k = 235U, 238U, 239Pu, 241Pu) emits

    R_f      = P_th / (sum_k f_k E_k)                               [fissions/s]
    dN/dE    = sum_k f_k S_k(E)                                     [1/(MeV fission)]
    dPhi/dE  = R_f x dN/dE / (4 pi L^2)                             [1/(cm^2 s MeV)]

(docs/physics.md section 7, "Reactor antineutrinos").  Only nubar_e (flavour 0), steady in time.

Implemented parametrisation (:data:`PARAMETRISATIONS`):

* ``"hmve"`` -- for E >= 2 MeV the exponential-polynomial fits S_k(E) = exp(sum_{i=0..5} a_i E^i)
  of Huber (arXiv:1106.0687, 235U, 239Pu, 241Pu) and Mueller et al. (arXiv:1101.2663, 238U);
  for E < 2 MeV a tabulated low-energy spectrum per isotope (0.0078-1.5 MeV, plus its own 2 MeV
  point) taken from the public code LeireLarizgoitia/Reactor_CEnuNS (files ``spectraMeV*.txt``,
  used there as its "MHVE" = Huber-Mueller + Vogel-Engel model for a Dresden-II analysis),
  linearly interpolated.  **Caveat:** that repository does not cite the origin of the
  low-energy rows; they are presented there (and here) as the Vogel-Engel (Phys. Rev. D 39, 3378
  (1989)) low-energy spectra, but could not be checked against the paper itself.  Their entries
  below 0.1 MeV are not monotonic (e.g. 241Pu: 3.00 at 31 keV, 0.59 at 62 keV); they are kept as
  published because they matter only for recoils below ~1 eV in germanium.

Refused (raise ValueError, see :func:`isotope_spectrum`): ``"hmk"`` and ``"efk"`` -- the
Kopeikin low-energy tables and the Estienne-Fallot summation tables were not found in any
searchable source.  Also not available: the nubar_e from neutron capture on 238U
(239U -> 239Np -> 239Pu, ~0.6 per fission, E < 1.3 MeV); ``capture=True`` raises.  For germanium
these antineutrinos give recoils below ~50 eV.

Examples:
    >>> round(fission_rate(2960.0) / 1e19, 3)
    9.006
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .flux import FluxComponent, isotropic_fluence

#: Fissioning isotopes, in the order used for sequences of fractions.
ISOTOPES: tuple[str, ...] = ("U235", "U238", "Pu239", "Pu241")

#: Thermal energy released per fission [MeV]: Kopeikin, Mikaelyan, Sinev, Phys. At. Nucl. 67,
#: 1892 (2004) (hep-ph/0410100), as used e.g. in bglenardo/CENNSCalculations ReactorSpectra.py.
FISSION_ENERGY_MEV: dict[str, float] = {"U235": 201.92, "U238": 205.52, "Pu239": 209.99, "Pu241": 213.60}

#: Default fission fractions: a typical light-water-reactor average over the cycle, the set
#: (0.58, 0.08, 0.29, 0.05) used for Dresden-II in LeireLarizgoitia/Reactor_CEnuNS
#: ("Average values of fission fractions during operation").  Not checked against
#: arXiv:2202.09672 / arXiv:2402.16709, which could not be read from here.
DEFAULT_FRACTIONS: dict[str, float] = {"U235": 0.58, "U238": 0.08, "Pu239": 0.29, "Pu241": 0.05}

#: Implemented spectrum parametrisations.
PARAMETRISATIONS: tuple[str, ...] = ("hmve",)

#: Parametrisations of the literature that are refused, with the reason.
_REFUSED: dict[str, str] = {
    "hmk": (
        "Huber-Mueller + Kopeikin low-energy spectra: the Kopeikin low-energy tables "
        "(Phys. At. Nucl. 67, 1892 (2004) and later) were not found"
    ),
    "efk": (
        "Estienne-Fallot summation spectra (arXiv:1904.09358) + Kopeikin: neither the summation "
        "tables nor the Kopeikin low-energy tables were found"
    ),
}
_WHERE_LOOKED = (
    "searched public code (reactor-flux codes, pyCEvNS-like CEvNS codes, GLoBES files, KamLAND/Daya Bay/JUNO "
    "reactor-flux generators, LeireLarizgoitia/Reactor_CEnuNS, murataltinli/ERNIE, bglenardo/CENNSCalculations, "
    "adamanderson/cns_sensitivity; a RED-100 code naming a Kopeikin + Huber-Mueller hybrid without its table) "
    "and public pages (arXiv mirrors: only abstracts of arXiv:1904.09358 and arXiv:2103.01684)"
)

#: Join between the low-energy table and the Huber-Mueller fits [MeV].
#: Spread of the core-detector distance [m] over which sterile oscillations are averaged: a power
#: reactor core is a few metres across (the Dresden-II BWR core about 4 m).
CORE_SPREAD_M = 3.0

E_JOIN = 2.0

#: Default upper end of the spectrum [MeV] (the fits are published for 2-8 MeV; above 8 MeV
#: they are extrapolated, S < 2e-3 /MeV/fission, a < 1e-3 relative effect on the total).
E_MAX_DEFAULT = 10.0

# Exponential-polynomial coefficients a_0..a_5, S(E) = exp(sum_i a_i E^i) [1/(MeV fission)], E in MeV.
# 235U, 239Pu, 241Pu: Huber, Phys. Rev. C 84, 024617 (2011), arXiv:1106.0687, Table (fit to the
# converted ILL spectra).  Cross-checked identical in murataltinli/ERNIE src/Reactor_Antineutrino_Flux.cc
# and bglenardo/CENNSCalculations CENNSCalculations/ReactorSpectra.py.
# 238U: Mueller et al., Phys. Rev. C 83, 054615 (2011), arXiv:1101.2663 (ab initio).  Cross-checked
# identical in murataltinli/ERNIE (both headers and source) and adamanderson/cns_sensitivity ReactorTools.py.
_FIT_COEFFS: dict[str, tuple[float, ...]] = {
    "U235": (4.367, -4.577, 2.100, -5.294e-1, 6.186e-2, -2.777e-3),
    "U238": (4.833e-1, 1.927e-1, -1.283e-1, -6.762e-3, 2.233e-3, -1.536e-4),
    "Pu239": (4.757, -5.392, 2.563, -6.596e-1, 7.820e-2, -3.536e-3),
    "Pu241": (2.990, -2.882, 1.278, -3.343e-1, 3.905e-2, -1.754e-3),
}

# Low-energy spectra [1/(MeV fission)] on _LE_ENERGY [MeV]; the last point (2.0 MeV) is the table's
# own value there, used only to interpolate on [1.5, 2) MeV.  Source: LeireLarizgoitia/Reactor_CEnuNS,
# SM_cluster/spectraMeVU235.txt, SM_cluster/spectraMeVU238.txt, spectraMeVPu239.txt, spectraMeVPu241.txt
# (attributed there to Vogel-Engel via the model name "MHVE"; origin not cited in that repository).
_LE_ENERGY = np.array([0.007813, 0.01563, 0.0312, 0.0625, 0.125, 0.25, 0.50, 0.75, 1.0, 1.5, 2.0])
_LE_TABLE: dict[str, np.ndarray] = {
    "U235": np.array([0.024, 0.092, 0.35, 0.61, 1.98, 2.16, 2.66, 2.66, 2.41, 1.69, 1.31]),
    "U238": np.array([0.089, 0.35, 1.32, 0.65, 2.02, 2.18, 2.91, 2.96, 2.75, 1.97, 1.48]),
    "Pu239": np.array([0.14, 0.56, 2.13, 0.64, 1.99, 2.08, 2.63, 2.58, 2.32, 1.48, 1.13]),
    "Pu241": np.array([0.20, 0.79, 3.00, 0.59, 1.85, 2.14, 2.82, 2.90, 2.63, 1.75, 1.27]),
}

_MEV_PER_MJ = 1.0 / 1.602176634e-19  # MeV per MJ (1 MeV = 1.602176634e-13 J)
_SECONDS_PER_DAY = 86400.0


def _check_parametrisation(parametrisation: str) -> None:
    if parametrisation in PARAMETRISATIONS:
        return
    valid = ", ".join(repr(p) for p in PARAMETRISATIONS)
    if parametrisation in _REFUSED:
        raise ValueError(
            f"reactor parametrisation {parametrisation!r} is not implemented ({_REFUSED[parametrisation]}; "
            f"{_WHERE_LOOKED}); implemented: {valid}"
        )
    known = ", ".join(repr(p) for p in (*PARAMETRISATIONS, *_REFUSED))
    raise ValueError(f"unknown reactor parametrisation {parametrisation!r}; known: {known}; implemented: {valid}")


def _check_isotope(isotope: str) -> None:
    if isotope not in ISOTOPES:
        raise ValueError(f"unknown fissioning isotope {isotope!r}; valid: {', '.join(ISOTOPES)}")


def _check_capture(capture: bool) -> None:
    if capture:
        raise ValueError(
            "the 238U neutron-capture antineutrinos (239U -> 239Np -> 239Pu beta decays, ~0.6 per fission, "
            f"E < 1.3 MeV) are not available: no cited published spectrum was found ({_WHERE_LOOKED}; the only "
            "tabulation found, LeireLarizgoitia/Reactor_CEnuNS spectraMeVU238Ncapture.txt, is an uncited "
            "digitised curve); use capture=False"
        )


def _fractions(fractions: Mapping[str, float] | Sequence[float] | None) -> np.ndarray:
    """Fission fractions as an array in ISOTOPES order, validated."""
    if fractions is None:
        fractions = DEFAULT_FRACTIONS
    if isinstance(fractions, Mapping):
        for k in fractions:
            _check_isotope(k)
        f = np.array([float(fractions.get(k, 0.0)) for k in ISOTOPES])
    else:
        f = np.asarray(fractions, dtype=float)
        if f.shape != (len(ISOTOPES),):
            raise ValueError(
                f"fission fractions must be a mapping or {len(ISOTOPES)} numbers in the order {', '.join(ISOTOPES)}; "
                f"got shape {f.shape}"
            )
    if not np.all(np.isfinite(f)):
        raise ValueError(f"fission fractions must be finite; got {dict(zip(ISOTOPES, f.tolist()))}")
    if np.any(f < 0):
        bad = {k: v for k, v in zip(ISOTOPES, f.tolist()) if v < 0}
        raise ValueError(f"fission fractions must be non-negative; negative: {bad} (isotopes: {', '.join(ISOTOPES)})")
    if abs(f.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"fission fractions must sum to 1 within 1e-6; got sum {f.sum():.9g} for {dict(zip(ISOTOPES, f.tolist()))}"
        )
    return f


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return value


def isotope_spectrum(isotope: str, E, parametrisation: str = "hmve") -> np.ndarray:
    """Antineutrino spectrum per fission S_k(E) of one isotope [1/(MeV fission)].

    ``"hmve"``: Huber (235U, 239Pu, 241Pu) / Mueller (238U) exponential-polynomial fits for
    E >= 2 MeV; below, the tabulated low-energy spectrum (attributed to Vogel-Engel 1989, taken from
    LeireLarizgoitia/Reactor_CEnuNS, not checked against the paper; see the module docstring),
    linearly interpolated, going linearly to 0 at E = 0.  Zero for E < 0.

    Args:
        isotope: one of :data:`ISOTOPES`.
        E: antineutrino energy [MeV] (array-like, any shape).
        parametrisation: one of :data:`PARAMETRISATIONS`; ``"hmk"``/``"efk"`` raise ValueError.
    """
    _check_parametrisation(parametrisation)
    _check_isotope(isotope)
    E = np.asarray(E, dtype=float)
    a = _FIT_COEFFS[isotope]
    hi = np.maximum(E, E_JOIN)
    fit = np.exp(np.polynomial.polynomial.polyval(hi, a))
    low = np.interp(E, np.concatenate(([0.0], _LE_ENERGY)), np.concatenate(([0.0], _LE_TABLE[isotope])))
    return np.where(E >= E_JOIN, fit, np.where(E >= 0, low, 0.0))


def spectrum(
    E,
    parametrisation: str = "hmve",
    fractions: Mapping[str, float] | Sequence[float] | None = None,
    capture: bool = False,
) -> np.ndarray:
    """Antineutrinos per MeV per fission of the core, sum_k f_k S_k(E) [1/(MeV fission)].

    Args:
        E: antineutrino energy [MeV] (array-like).
        parametrisation: one of :data:`PARAMETRISATIONS`.
        fractions: fission fractions (mapping isotope -> f, missing isotopes 0, or a sequence in
            :data:`ISOTOPES` order); default :data:`DEFAULT_FRACTIONS`.  Non-negative, summing to 1.
        capture: include the 238U neutron-capture antineutrinos -- not available, True raises.
    """
    _check_parametrisation(parametrisation)
    _check_capture(capture)
    f = _fractions(fractions)
    E = np.asarray(E, dtype=float)
    total = np.zeros_like(E)
    for fk, iso in zip(f, ISOTOPES):
        if fk:
            total = total + fk * isotope_spectrum(iso, E, parametrisation)
    return total


def _breakpoints(lo: float, hi: float) -> np.ndarray:
    inner = np.concatenate((_LE_ENERGY, np.linspace(E_JOIN, max(hi, E_JOIN), 17)))
    inner = inner[(inner > lo) & (inner < hi)]
    return np.unique(np.concatenate(([lo], inner, [hi])))


def antineutrinos_per_fission(
    parametrisation: str = "hmve",
    fractions: Mapping[str, float] | Sequence[float] | None = None,
    e_min: float = 0.0,
    e_max: float = E_MAX_DEFAULT,
    capture: bool = False,
) -> float:
    """Antineutrinos per fission with energy in ``[e_min, e_max]`` [MeV]: integral of :func:`spectrum`.

    Composite Gauss-Legendre with breakpoints at the table nodes and the 2 MeV join (the
    piecewise-linear low-energy part is integrated exactly).
    """
    _check_parametrisation(parametrisation)
    _check_capture(capture)
    f = _fractions(fractions)
    e_min = float(e_min)
    e_max = _positive("e_max", e_max)
    if not np.isfinite(e_min) or e_min < 0 or e_min >= e_max:
        raise ValueError(f"need 0 <= e_min < e_max; got e_min={e_min!r}, e_max={e_max!r}")
    x, w = np.polynomial.legendre.leggauss(16)
    edges = _breakpoints(e_min, e_max)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = 0.5 * (b - a) * x + 0.5 * (b + a)
    weights = 0.5 * (b - a) * w
    return float(np.sum(weights * spectrum(nodes, parametrisation, f)))


def fission_rate(power_mw: float, fractions: Mapping[str, float] | Sequence[float] | None = None) -> float:
    """Fissions per second of a core of thermal power ``power_mw`` [MW]: P / (sum_k f_k E_k)."""
    power_mw = _positive("power_mw", power_mw)
    f = _fractions(fractions)
    mean_energy = float(np.dot(f, [FISSION_ENERGY_MEV[k] for k in ISOTOPES]))
    return power_mw * _MEV_PER_MJ / mean_energy


def source(
    power_mw: float,
    distance_m: float,
    live_days: float,
    parametrisation: str = "hmve",
    fractions: Mapping[str, float] | Sequence[float] | None = None,
    e_max: float = E_MAX_DEFAULT,
    capture: bool = False,
) -> tuple[FluxComponent, float]:
    """The reactor nubar_e flux component and its fluence over the live time.

    Args:
        power_mw: thermal power [MW].
        distance_m: core-detector distance [m] (point source).
        live_days: live time [days].
        parametrisation: one of :data:`PARAMETRISATIONS`.
        fractions: fission fractions (see :func:`spectrum`).
        e_max: upper end of the spectrum [MeV].
        capture: 238U neutron-capture antineutrinos -- not available, True raises.

    Returns:
        (component, fluence): a steady, flavour-0 antineutrino :class:`FluxComponent` whose
        spectrum is normalised to 1 on [0, e_max], and the total antineutrinos per cm^2
        R_f x N_per_fission x live time / (4 pi L^2).
    """
    _check_parametrisation(parametrisation)
    _check_capture(capture)
    f = _fractions(fractions)
    distance_m = _positive("distance_m", distance_m)
    live_s = _positive("live_days", live_days) * _SECONDS_PER_DAY
    e_max = _positive("e_max", e_max)
    n_per_fission = antineutrinos_per_fission(parametrisation, f, 0.0, e_max)
    rate = fission_rate(power_mw, f)

    def shape(E):
        E = np.asarray(E, dtype=float)
        return np.where(E <= e_max, spectrum(E, parametrisation, f), 0.0) / n_per_fission

    kinks = tuple(float(e) for e in (*_LE_ENERGY, E_JOIN) if e < e_max)  # table nodes and the 2 MeV join
    comp = FluxComponent(
        f"reactor_nubar_e_{parametrisation}",
        0,
        "steady",
        None,
        shape,
        e_max,
        antineutrino=True,
        breakpoints=tuple(sorted(set(kinks))),
    )
    return comp, isotropic_fluence(rate * n_per_fission * live_s, distance_m)

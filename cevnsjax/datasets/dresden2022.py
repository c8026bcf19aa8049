"""Dresden-II reactor germanium (Colaresi et al., PRL 129, 211802 (2022), arXiv:2202.09672).

Detector NCC-1701 (p-type point-contact Ge, 2.924 kg) at 10.39 m from the 2.96 GW_th
Dresden-II boiling-water reactor. The release has two whitespace-separated text
files without header:

* ``data_release.txt``: 130 rows ``E_center[keVee] rate_on err_on rate_off err_off``;
  10 eV bins from 0.2 to 1.5 keVee (centres 0.205 ... 1.495). Rates are counts per
  10 eV per 3 kg per day: Rx-ON over 96.4 days of reactor operation, Rx-OFF over
  25 days (:data:`LIVE_DAYS_ON`, :data:`LIVE_DAYS_OFF`, :data:`MASS_NORM_KG`).
  The errors combine statistics and the signal-acceptance uncertainty, as the
  release describes them. Totals over the 130 bins: rate_on 5106.253, rate_off
  4055.2792.
* ``QF_Fef_YBe.txt``: 451 rows ``T_nr[keVnr] QF_Fef QF_YBe``, T_nr = 0 ... 4.5 keVnr in
  0.01 keVnr steps; QF = E_ee / T_nr from the iron-filtered (Fef) and YBe
  photoneutron germanium quenching measurements. The T_nr = 0 row holds the curves'
  limiting values (0.4361 and 0.37738), not a 0; it is kept as released. Every QF
  must lie in (0, 1], except that a 0 is accepted in the T_nr = 0 row (where
  E_ee / T_nr is only a limit), so a copy with that convention still parses.
  Nothing is extrapolated here: outside 0 ... 4.5 keVnr the user of the table decides.

Provenance: the files come from a public third-party analysis repository
(``LeireLarizgoitia/Reactor_CEnuNS`` at commit a887c7c, identical to the copies in
its ``SM/`` folder); they could not be compared byte for byte with the
collaboration's own copy. The registry holds their SHA-256. A user's own spectrum
(for instance the collaboration's copy, or a later release in the same format) is
read with :func:`read_user_spectrum`, which applies the same format checks but no
hash check; if it differs from the registered file it is not this release.

Citation: J. Colaresi, J. I. Collar, T. W. Hossbach, C. M. Lewis and K. M. Yocum,
"Measurement of Coherent Elastic Neutrino-Nucleus Scattering from Reactor
Antineutrinos", Phys. Rev. Lett. 129, 211802 (2022), arXiv:2202.09672.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from ._errors import DataError
from ._locate import locate, path
from ._registry import get_release
from ._tables import read_rows, readonly

RELEASE = "dresden_ii_2022"
SPECTRUM_FILE = "data_release.txt"
QUENCHING_FILE = "QF_Fef_YBe.txt"

LIVE_DAYS_ON = 96.4
"""Rx-ON (reactor operating) exposure of the released spectrum [days]."""
LIVE_DAYS_OFF = 25.0
"""Rx-OFF (reactor refuelling outage) exposure of the released spectrum [days]."""
MASS_NORM_KG = 3.0
"""Mass the released rates are normalised to [kg] (the detector itself has 2.924 kg)."""

BIN_WIDTH_KEVEE = 0.01
"""Width of the spectrum's energy bins [keVee] (10 eV)."""
N_BINS = 130
"""Number of energy bins of the released spectrum."""
EDGES_KEVEE = readonly(np.round(0.2 + BIN_WIDTH_KEVEE * np.arange(N_BINS + 1), 10))
"""Energy bin edges of the released spectrum [keVee], shape (131,): 0.2 ... 1.5."""

QF_STEP_KEVNR = 0.01
"""Step of the quenching table [keVnr]."""
N_QF_ROWS = 451
"""Number of rows of the quenching table (T_nr = 0 ... 4.5 keVnr)."""

_TOL = 1e-6  # absolute tolerance on energies written with 5-6 significant digits


@dataclass(frozen=True)
class DresdenSpectrum:
    """A Dresden-II energy spectrum (released or a user's file of the same format).

    Rates are counts per 10 eV bin per 3 kg (:data:`MASS_NORM_KG`) per day; multiply
    by ``LIVE_DAYS_ON`` (``LIVE_DAYS_OFF``) and by the detector mass / 3 kg for counts.

    Attributes:
        energy_kevee: Bin centres [keVee], shape (n,) (released: 0.205 ... 1.495, n = 130).
        edges_kevee: Bin edges [keVee], shape (n + 1,) (released: 0.2 ... 1.5).
        rate_on: Rx-ON rate [counts / 10 eV / 3 kg / day], shape (n,).
        err_on: Uncertainty of ``rate_on`` (statistics and signal acceptance), same unit.
        rate_off: Rx-OFF rate, same unit.
        err_off: Uncertainty of ``rate_off``, same unit.
        LIVE_DAYS_ON: Rx-ON exposure, 96.4 days (class constant).
        LIVE_DAYS_OFF: Rx-OFF exposure, 25 days (class constant).
        MASS_NORM_KG: Mass the rates are normalised to, 3 kg (class constant).
    """

    LIVE_DAYS_ON: ClassVar[float] = LIVE_DAYS_ON
    LIVE_DAYS_OFF: ClassVar[float] = LIVE_DAYS_OFF
    MASS_NORM_KG: ClassVar[float] = MASS_NORM_KG

    energy_kevee: np.ndarray
    edges_kevee: np.ndarray
    rate_on: np.ndarray
    err_on: np.ndarray
    rate_off: np.ndarray
    err_off: np.ndarray


@dataclass(frozen=True)
class DresdenQuenching:
    """Germanium quenching factors QF = E_ee / T_nr tabulated by the Dresden-II release.

    Attributes:
        t_kevnr: Nuclear-recoil energy [keVnr], shape (451,): 0, 0.01, ..., 4.5.
        qf_fef: Quenching factor from the iron-filtered neutron measurement, shape (451,).
        qf_ybe: Quenching factor from the YBe photoneutron measurement, shape (451,).
    """

    t_kevnr: np.ndarray
    qf_fef: np.ndarray
    qf_ybe: np.ndarray


@dataclass(frozen=True)
class DresdenII:
    """The parsed Dresden-II 2022 release.

    Attributes:
        directory: Folder the files were read from.
        spectrum: The Rx-ON / Rx-OFF spectrum (``data_release.txt``).
        quenching: The Fef and YBe quenching curves (``QF_Fef_YBe.txt``).
    """

    directory: Path
    spectrum: DresdenSpectrum
    quenching: DresdenQuenching


def _check_steps(file: Path, what: str, values: np.ndarray, step: float) -> None:
    steps = np.diff(values)
    if np.any(steps <= 0):
        row = int(np.flatnonzero(steps <= 0)[0]) + 2
        raise DataError(f"{file}: {what} must increase from row to row; data row {row} has {values[row - 1]}")
    off = np.flatnonzero(np.abs(steps - step) > _TOL)
    if off.size:
        row = int(off[0]) + 2
        raise DataError(
            f"{file}: {what} must increase in steps of {step}; data row {row} is {steps[row - 2]:.6g} above the previous"
        )


def _parse_spectrum(file: Path, release_grid: bool) -> DresdenSpectrum:
    rows = read_rows(file, 5, N_BINS if release_grid else None)
    if len(rows) < 2:
        raise DataError(f"{file}: {len(rows)} data rows, need at least 2 energy bins")
    energy = rows[:, 0]
    _check_steps(file, "bin centres [keVee]", energy, BIN_WIDTH_KEVEE)
    if release_grid:
        expected = 0.5 * (EDGES_KEVEE[1:] + EDGES_KEVEE[:-1])
        if not np.allclose(energy, expected, rtol=0.0, atol=_TOL):
            raise DataError(
                f"{file}: bin centres run from {energy[0]} to {energy[-1]} keVee, expected 0.205 to 1.495 keVee"
            )
        edges = EDGES_KEVEE
    else:
        edges = readonly(np.round(energy[0] - 0.5 * BIN_WIDTH_KEVEE + BIN_WIDTH_KEVEE * np.arange(len(rows) + 1), 10))
    if energy[0] - 0.5 * BIN_WIDTH_KEVEE < -_TOL:
        raise DataError(f"{file}: negative energies (first bin centre {energy[0]} keVee)")
    for column, name in ((2, "err_on"), (4, "err_off")):
        negative = np.flatnonzero(rows[:, column] < 0)
        if negative.size:
            row = int(negative[0]) + 1
            raise DataError(f"{file}: negative uncertainty {name} = {rows[row - 1, column]} in data row {row}")
    return DresdenSpectrum(
        energy_kevee=readonly(energy.copy()),
        edges_kevee=edges,
        rate_on=readonly(rows[:, 1].copy()),
        err_on=readonly(rows[:, 2].copy()),
        rate_off=readonly(rows[:, 3].copy()),
        err_off=readonly(rows[:, 4].copy()),
    )


def read_spectrum(file: str | Path) -> DresdenSpectrum:
    """Read a ``data_release.txt`` table on the released grid (no hash check here).

    Args:
        file: Path of the file.

    Returns:
        The :class:`DresdenSpectrum` (read-only float64 arrays).

    Raises:
        DataError: Not 5 whitespace-separated numeric columns, not 130 rows, a
            non-finite value (NaN, inf), bin centres that do not increase or are not
            spaced by 10 eV, centres other than 0.205 ... 1.495 keVee, or a negative
            uncertainty. The message names the file.
    """
    return _parse_spectrum(Path(file), release_grid=True)


def read_user_spectrum(file: str | Path, *, release_grid: bool = True) -> DresdenSpectrum:
    """Read a user's own spectrum file in the ``data_release.txt`` format.

    The same format checks as :func:`read_spectrum`, but no SHA-256 check: the file
    is the user's (for example the collaboration's own copy of the release). A
    file that differs from the registered ``data_release.txt`` is not this release;
    say so when comparing with it.

    Args:
        file: Path of the file.
        release_grid: Require the released 130 bins 0.2 ... 1.5 keVee (default). With
            ``False`` any number (at least 2) of contiguous 10 eV bins is accepted;
            the edges are then the centres -/+ 5 eV.

    Returns:
        The :class:`DresdenSpectrum` (read-only float64 arrays).

    Raises:
        DataError: As :func:`read_spectrum` (without the row-count and grid checks
            when ``release_grid`` is ``False``).
    """
    return _parse_spectrum(Path(file), release_grid=release_grid)


def read_quenching(file: str | Path) -> DresdenQuenching:
    """Read ``QF_Fef_YBe.txt`` (451 rows ``T_nr[keVnr] QF_Fef QF_YBe``; no hash check here).

    Args:
        file: Path of the file.

    Returns:
        The :class:`DresdenQuenching` (read-only float64 arrays).

    Raises:
        DataError: Not 3 whitespace-separated numeric columns, not 451 rows, a
            non-finite value, T_nr not 0, 0.01, ..., 4.5 keVnr, or a quenching factor
            outside (0, 1] (a 0 is accepted only in the T_nr = 0 row). The message
            names the file.
    """
    file = Path(file)
    rows = read_rows(file, 3, N_QF_ROWS)
    t = rows[:, 0]
    _check_steps(file, "T_nr [keVnr]", t, QF_STEP_KEVNR)
    if abs(t[0]) > _TOL or abs(t[-1] - QF_STEP_KEVNR * (N_QF_ROWS - 1)) > _TOL:
        raise DataError(f"{file}: T_nr runs from {t[0]} to {t[-1]} keVnr, expected 0 to 4.5 keVnr")
    for column, name in ((1, "QF_Fef"), (2, "QF_YBe")):
        qf = rows[:, column]
        bad = (qf <= 0) | (qf > 1)
        bad[0] = qf[0] < 0 or qf[0] > 1  # E_ee / T_nr at T_nr = 0 is a limit; 0 is allowed there
        if np.any(bad):
            row = int(np.flatnonzero(bad)[0]) + 1
            raise DataError(
                f"{file}: {name} = {qf[row - 1]} at T_nr = {t[row - 1]} keVnr (data row {row}) is outside (0, 1]"
            )
    return DresdenQuenching(readonly(t.copy()), readonly(rows[:, 1].copy()), readonly(rows[:, 2].copy()))


@functools.cache
def _parse(directory: Path) -> DresdenII:
    return DresdenII(
        directory=directory,
        spectrum=read_spectrum(directory / SPECTRUM_FILE),
        quenching=read_quenching(directory / QUENCHING_FILE),
    )


def load_dresden2022() -> DresdenII:
    """Locate, verify (SHA-256) and parse the Dresden-II 2022 release.

    The parsed result is cached per process and per release folder.

    Returns:
        The :class:`DresdenII` release (read-only arrays).

    Raises:
        FileNotFoundError: The release or one of its files is missing.
        DataError: A file fails its SHA-256 or does not have the released format.

    Examples:
        >>> dresden = load_dresden2022()
        >>> dresden.spectrum.rate_on.size, float(dresden.spectrum.energy_kevee[0])
        (130, 0.205)
        >>> dresden.quenching.t_kevnr.size, float(dresden.quenching.t_kevnr[-1])
        (451, 4.5)
    """
    directory = locate(RELEASE)
    for entry in get_release(RELEASE).files:
        path(RELEASE, entry.path)
    return _parse(directory)

"""COHERENT CENNS-10 liquid argon, first CEvNS detection on Ar ("Analysis A" release).

Zenodo record 3903810 (doi:10.5281/zenodo.3903810), paper arXiv:2003.10630
(PRL 126, 012002), companion document arXiv:2006.12659 (``CENNS10DataReleaseCompanion.pdf``).

The 3D files list one bin per row as ``E_center[keVee] F90_center t_center[us] value``
with energy varying slowest and time fastest (C order of (energy, F90, time)); the
parser places rows by their bin centres, so it does not rely on that order.
Released totals of the 3D files: on-beam data 3752 events; PDFs normalised to the
central-value predictions CEvNS 128, prompt BRN 497, delayed BRN 33, steady state 3152
(the YAML's ``ssBackgroundPredictionNormalization`` says 3154; the file sums to 3152 as in
Table 2 of the companion document).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import yaml

from ._errors import DataError
from ._locate import locate, path
from ._registry import get_release
from ._tables import check_centers, check_counts, fill_grid, read_rows, readonly

RELEASE = "coherent_ar_2020"

ENERGY_EDGES = readonly(np.linspace(0.0, 120.0, 13))
"""Reconstructed-energy bin edges [keVee], shape (13,)."""
F90_EDGES = readonly(np.linspace(0.5, 0.9, 9))
"""F90 (pulse-shape) bin edges [dimensionless], shape (9,)."""
TIME_EDGES = readonly(np.linspace(-0.1, 4.9, 11))
"""Time-to-trigger bin edges [us], shape (11,)."""

_AXES = {
    "energy": ("energy [keVee]", readonly(0.5 * (ENERGY_EDGES[1:] + ENERGY_EDGES[:-1]))),
    "f90": ("F90", readonly(0.5 * (F90_EDGES[1:] + F90_EDGES[:-1]))),
    "time": ("t_trig [us]", readonly(0.5 * (TIME_EDGES[1:] + TIME_EDGES[:-1]))),
}
_CUBES = {
    "data": "datanobkgsub.txt",
    "cevns": "cevnspdf.txt",
    "brn_prompt": "brnpdf.txt",
    "brn_delayed": "delbrnpdf.txt",
    "steady_state": "bkgpdf.txt",
}
_PROJECTIONS = {
    "energy": "OneDProjections/energydata1d.txt",
    "f90": "OneDProjections/f90data1d.txt",
    "time": "OneDProjections/timingdata1d.txt",
}
_SYST_BANDS = {"energy": "systerrors1denergy.txt", "f90": "systerrors1dpsd.txt", "time": "systerrors1dtime.txt"}
_SYSTEMATICS = tuple(f.path for f in get_release(RELEASE).files if f.path.startswith("SystErrors/"))
_EFFICIENCY = "CENNS10AnlAEfficiency.txt"
_PARAMETERS = "LArParametersAnlA.yaml"


@dataclass(frozen=True)
class ArProjection:
    """A 1D projection of Fig. 4 of arXiv:2003.10630 (``OneDProjections/*data1d.txt``).

    The CEvNS and BRN columns are at COHERENT's best-fit normalisations (159 CEvNS,
    553 prompt + 10 delayed BRN), not at the central-value predictions.

    Attributes:
        center: Bin centres (keVee, F90 or us), shape (n,).
        data: On-beam data minus the steady-state background [events], shape (n,).
        data_stat_err: Statistical error of ``data`` [events].
        cevns: Best-fit CEvNS [events].
        brn: Best-fit prompt + delayed BRN [events].
        cevns_plus_brn: ``cevns + brn`` [events].
        syst_low: Lower edge of the systematic band of ``cevns_plus_brn`` [events].
        syst_high: Upper edge of that band [events].
    """

    center: np.ndarray
    data: np.ndarray
    data_stat_err: np.ndarray
    cevns: np.ndarray
    brn: np.ndarray
    cevns_plus_brn: np.ndarray
    syst_low: np.ndarray
    syst_high: np.ndarray


@dataclass(frozen=True)
class ArSystBand:
    """Fractional systematic band of a 1D projection (``systerrors1d*.txt``).

    Attributes:
        center: Bin centres (keVee, F90 or us), shape (n,).
        min_frac: Lower edge of the band as a fraction of the bin's prediction.
        max_frac: Upper edge of the band as a fraction of the bin's prediction.
    """

    center: np.ndarray
    min_frac: np.ndarray
    max_frac: np.ndarray


@dataclass(frozen=True)
class ArEfficiency:
    """Acceptance efficiency table (``CENNS10AnlAEfficiency.txt``).

    Beyond the last bin the efficiency stays at its last value (companion document, Sec. 2.6).

    Attributes:
        kevee_center: Reconstructed-energy bin centres [keVee], shape (n,), increasing.
        kevnr_center: The same bins in nuclear-recoil energy [keVnr], shape (n,).
        efficiency: Efficiency after cuts [0..1], shape (n,).
    """

    kevee_center: np.ndarray
    kevnr_center: np.ndarray
    efficiency: np.ndarray


@dataclass(frozen=True)
class Ar2020:
    """The parsed CENNS-10 Analysis A release.

    Every 3D array has shape (12, 8, 10) = (energy, F90, time) on the bins given by
    the edges below, and holds counts per bin for the 6.12 GWh (13.8e22 POT) exposure.

    Attributes:
        directory: Folder the files were read from.
        energy_edges: Energy bin edges [keVee], shape (13,).
        f90_edges: F90 bin edges, shape (9,).
        time_edges: Time-to-trigger bin edges [us], shape (11,).
        energy_centers: Energy bin centres [keVee], shape (12,).
        f90_centers: F90 bin centres, shape (8,).
        time_centers: Time bin centres [us], shape (10,).
        data: On-beam data [events] (``datanobkgsub.txt``, total 3752).
        cevns: CEvNS PDF at the SM central value [events] (``cevnspdf.txt``, total 128).
        brn_prompt: Prompt beam-related-neutron PDF [events] (``brnpdf.txt``, total 497).
        brn_delayed: Delayed BRN PDF [events] (``delbrnpdf.txt``, total 33).
        steady_state: Steady-state background [events] (``bkgpdf.txt``, total 3152;
            sampled from a 5x longer window: a subtracted bin has error sqrt(5 N) / 5).
        systematics: Alternative PDFs of Table 3 of the companion document [events],
            keyed by file stem, e.g. ``"brnpdf+1sigEnergy"``.
        energy_projection: 1D projection on energy (``energydata1d.txt``, 12 bins).
        f90_projection: 1D projection on F90 (``f90data1d.txt``, 8 bins).
        time_projection: 1D projection on time (``timingdata1d.txt``, 10 bins).
        syst_bands: Fractional systematic bands keyed ``"energy"``, ``"f90"``, ``"time"``
            (``systerrors1denergy.txt``, ``systerrors1dpsd.txt``, ``systerrors1dtime.txt``).
        efficiency: Acceptance efficiency table.
        parameters: ``LArParametersAnlA.yaml`` as loaded by ``yaml.safe_load``.
    """

    directory: Path
    energy_edges: np.ndarray
    f90_edges: np.ndarray
    time_edges: np.ndarray
    energy_centers: np.ndarray
    f90_centers: np.ndarray
    time_centers: np.ndarray
    data: np.ndarray
    cevns: np.ndarray
    brn_prompt: np.ndarray
    brn_delayed: np.ndarray
    steady_state: np.ndarray
    systematics: Mapping[str, np.ndarray]
    energy_projection: ArProjection
    f90_projection: ArProjection
    time_projection: ArProjection
    syst_bands: Mapping[str, ArSystBand]
    efficiency: ArEfficiency
    parameters: dict[str, Any]


def read_cube(file: Path) -> np.ndarray:
    """Read a 3D file (``E F90 t value`` rows, 960 of them).

    Args:
        file: Path of the file.

    Returns:
        Read-only float64 array of shape (12, 8, 10) = (energy, F90, time).

    Raises:
        DataError: Not 4 columns, not exactly 960 rows, a coordinate off the bin
            centres, a bin missing or repeated, or a negative value.
    """
    rows = read_rows(file, 4, 960)
    cube = fill_grid(file, rows, [_AXES["energy"], _AXES["f90"], _AXES["time"]])
    if np.any(cube < 0):
        raise DataError(f"{file}: negative bin content")
    return readonly(cube)


def read_projection(file: Path, axis: str) -> ArProjection:
    """Read a ``OneDProjections/*data1d.txt`` file (one header line, then 8 columns).

    Args:
        file: Path of the file.
        axis: ``"energy"`` (12 rows), ``"f90"`` (8 rows) or ``"time"`` (10 rows).

    Returns:
        The :class:`ArProjection`.

    Raises:
        DataError: Wrong column or row count, non-numeric content or other bin centres.
    """
    what, centres = _AXES[axis]
    rows = read_rows(file, 8, len(centres), header_lines=1)
    check_centers(file, what, rows[:, 0], centres)
    return ArProjection(*(readonly(column.copy()) for column in rows.T))


def read_syst_band(file: Path, axis: str) -> ArSystBand:
    """Read a ``systerrors1d*.txt`` file (``center min_frac max_frac``).

    Args:
        file: Path of the file.
        axis: ``"energy"``, ``"f90"`` or ``"time"``.

    Returns:
        The :class:`ArSystBand`.

    Raises:
        DataError: Wrong column or row count, non-numeric content, other bin centres
            or ``min_frac > max_frac``.
    """
    what, centres = _AXES[axis]
    rows = read_rows(file, 3, len(centres))
    check_centers(file, what, rows[:, 0], centres)
    if np.any(rows[:, 1] > rows[:, 2]):
        raise DataError(f"{file}: min_frac exceeds max_frac")
    return ArSystBand(*(readonly(column.copy()) for column in rows.T))


def read_efficiency(file: Path) -> ArEfficiency:
    """Read ``CENNS10AnlAEfficiency.txt`` (``keVee_center keVnr_center efficiency``).

    Args:
        file: Path of the file.

    Returns:
        The :class:`ArEfficiency`.

    Raises:
        DataError: Wrong column count, non-numeric content, non-increasing energies
            or an efficiency outside [0, 1].
    """
    rows = read_rows(file, 3)
    if len(rows) < 2 or np.any(np.diff(rows[:, 0]) <= 0) or np.any(np.diff(rows[:, 1]) <= 0):
        raise DataError(f"{file}: energies must increase")
    if np.any((rows[:, 2] < 0) | (rows[:, 2] > 1)):
        raise DataError(f"{file}: efficiency outside [0, 1]")
    return ArEfficiency(*(readonly(column.copy()) for column in rows.T))


def read_parameters(file: Path) -> dict[str, Any]:
    """Read ``LArParametersAnlA.yaml`` with ``yaml.safe_load``.

    Args:
        file: Path of the file.

    Returns:
        The YAML mapping (entry name -> dict with ``value``/``parameters``, ``units``, ...).

    Raises:
        DataError: Invalid YAML or not a mapping at the top level.
    """
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError(f"{file}: not valid YAML ({err})") from err
    if not isinstance(loaded, dict):
        raise DataError(f"{file}: expected a mapping of parameters at the top level")
    return loaded


@functools.cache
def _parse(directory: Path) -> Ar2020:
    cubes = {name: read_cube(directory / file) for name, file in _CUBES.items()}
    check_counts(directory / _CUBES["data"], cubes["data"])
    systematics = {Path(file).stem: read_cube(directory / file) for file in _SYSTEMATICS}
    projections = {axis: read_projection(directory / file, axis) for axis, file in _PROJECTIONS.items()}
    bands = {axis: read_syst_band(directory / file, axis) for axis, file in _SYST_BANDS.items()}
    return Ar2020(
        directory=directory,
        energy_edges=ENERGY_EDGES,
        f90_edges=F90_EDGES,
        time_edges=TIME_EDGES,
        energy_centers=_AXES["energy"][1],
        f90_centers=_AXES["f90"][1],
        time_centers=_AXES["time"][1],
        **cubes,
        systematics=MappingProxyType(systematics),
        energy_projection=projections["energy"],
        f90_projection=projections["f90"],
        time_projection=projections["time"],
        syst_bands=MappingProxyType(bands),
        efficiency=read_efficiency(directory / _EFFICIENCY),
        parameters=read_parameters(directory / _PARAMETERS),
    )


def load_ar2020() -> Ar2020:
    """Locate, verify (SHA-256) and parse the CENNS-10 Analysis A release.

    The parsed result is cached per process and per release folder; repeated
    calls only re-check the files' modification times.

    Returns:
        The :class:`Ar2020` release (read-only arrays; do not mutate ``parameters``).

    Raises:
        FileNotFoundError: The release or one of its files is missing.
        DataError: A file fails its SHA-256 or does not have the released format.

    Examples:
        >>> ar = load_ar2020()
        >>> ar.cevns.shape, round(float(ar.cevns.sum()))
        ((12, 8, 10), 128)
    """
    directory = locate(RELEASE)
    for file in (*_CUBES.values(), *_SYSTEMATICS, *_PROJECTIONS.values(), *_SYST_BANDS.values()):
        path(RELEASE, file)
    path(RELEASE, _EFFICIENCY)
    path(RELEASE, _PARAMETERS)
    return _parse(directory)

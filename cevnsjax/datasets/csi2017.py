"""COHERENT CsI[Na] first observation (Science 357, 1123): Zenodo record 1228631.

Binned counts (``data_*.txt``: ``PE_center, t_center[us], counts`` with PE varying
slowest) for beam-on / beam-off x coincidence (signal window) / anti-coincidence
(background window), and the arrival-time PDFs of prompt and delayed neutrinos
(``arrivalTimePDF_*.txt``: ``t_center[us], probability``, each summing to 1).
Totals: coincidence beam-on 1207, anti-coincidence beam-on 1032, and 507 in each
beam-off table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import DataError
from ._locate import locate, path
from ._registry import get_release
from ._tables import BinnedPDF, check_centers, check_counts, fill_grid, read_binned_pdf, read_rows, readonly

RELEASE = "coherent_csi_2017"

PE_EDGES = readonly(np.arange(0.0, 51.0, 2.0))
"""Energy bin edges [PE], shape (26,)."""
TIME_EDGES = readonly(np.arange(0.0, 12.5, 0.5))
"""Arrival-time bin edges [us], shape (25,)."""

_PE_CENTERS = readonly(0.5 * (PE_EDGES[1:] + PE_EDGES[:-1]))
_TIME_CENTERS = readonly(0.5 * (TIME_EDGES[1:] + TIME_EDGES[:-1]))
_TABLES = {
    "coincidence_on": "data_coincidence_beamOn.txt",
    "coincidence_off": "data_coincidence_beamOff.txt",
    "anticoincidence_on": "data_anticoincidence_beamOn.txt",
    "anticoincidence_off": "data_anticoincidence_beamOff.txt",
}


@dataclass(frozen=True)
class CsI2017:
    """The parsed CsI[Na] 2017 release.

    Every table has shape (25, 24) = (PE, time) and holds event counts per bin.

    Attributes:
        directory: Folder the files were read from.
        pe_edges: Energy bin edges [PE], shape (26,).
        time_edges: Arrival-time bin edges [us], shape (25,).
        pe_centers: Energy bin centres [PE], shape (25,): 1, 3, ..., 49.
        time_centers: Time bin centres [us], shape (24,): 0.25, 0.75, ..., 11.75.
        coincidence_on: Beam-on, coincidence (signal) window.
        coincidence_off: Beam-off, coincidence window.
        anticoincidence_on: Beam-on, anti-coincidence (background) window.
        anticoincidence_off: Beam-off, anti-coincidence window.
        prompt_pdf: Arrival-time probability per bin of prompt neutrinos, centres in us.
        delayed_pdf: Arrival-time probability per bin of delayed neutrinos, centres in us.
    """

    directory: Path
    pe_edges: np.ndarray
    time_edges: np.ndarray
    pe_centers: np.ndarray
    time_centers: np.ndarray
    coincidence_on: np.ndarray
    coincidence_off: np.ndarray
    anticoincidence_on: np.ndarray
    anticoincidence_off: np.ndarray
    prompt_pdf: BinnedPDF
    delayed_pdf: BinnedPDF


def read_counts(file: Path) -> np.ndarray:
    """Read a ``data_*.txt`` table (600 rows of ``PE_center, t_center, counts``).

    Args:
        file: Path of the file.

    Returns:
        Read-only float64 array of shape (25, 24) = (PE, time).

    Raises:
        DataError: Not 3 comma-separated columns, not 600 rows, a coordinate off the
            bin centres, a bin missing or repeated, or a count that is not a
            non-negative integer.
    """
    rows = read_rows(file, 3, _PE_CENTERS.size * _TIME_CENTERS.size, delimiter=",")
    counts = fill_grid(file, rows, [("energy [PE]", _PE_CENTERS), ("time [us]", _TIME_CENTERS)])
    check_counts(file, counts)
    return readonly(counts)


def read_arrival_pdf(file: Path) -> BinnedPDF:
    """Read an ``arrivalTimePDF_*.txt`` file (``t_center, probability`` on the 24 time bins).

    Args:
        file: Path of the file.

    Returns:
        The :class:`BinnedPDF` (centres in us, probabilities summing to 1).

    Raises:
        DataError: Bad format, other time bins, or probabilities not summing to 1 (1e-6).
    """
    pdf = read_binned_pdf(file, 0.5, delimiter=",")
    check_centers(file, "time [us]", pdf.center, _TIME_CENTERS)
    if not np.isclose(pdf.value.sum(), 1.0, rtol=0.0, atol=1e-6):
        raise DataError(f"{file}: probabilities sum to {pdf.value.sum()}, expected 1")
    return pdf


@functools.cache
def _parse(directory: Path) -> CsI2017:
    return CsI2017(
        directory=directory,
        pe_edges=PE_EDGES,
        time_edges=TIME_EDGES,
        pe_centers=_PE_CENTERS,
        time_centers=_TIME_CENTERS,
        **{name: read_counts(directory / file) for name, file in _TABLES.items()},
        prompt_pdf=read_arrival_pdf(directory / "arrivalTimePDF_promptNeutrinos.txt"),
        delayed_pdf=read_arrival_pdf(directory / "arrivalTimePDF_delayedNeutrinos.txt"),
    )


def load_csi2017() -> CsI2017:
    """Locate, verify (SHA-256) and parse the CsI[Na] 2017 release.

    The parsed result is cached per process and per release folder.

    Returns:
        The :class:`CsI2017` release (read-only arrays).

    Raises:
        FileNotFoundError: The release or one of its files is missing.
        DataError: A file fails its SHA-256 or does not have the released format.

    Examples:
        >>> csi = load_csi2017()
        >>> csi.coincidence_on.shape, int(csi.coincidence_on.sum())
        ((25, 24), 1207)
    """
    directory = locate(RELEASE)
    for entry in get_release(RELEASE).files:
        path(RELEASE, entry.path)
    return _parse(directory)

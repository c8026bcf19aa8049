"""COHERENT CsI[Na] full dataset (arXiv:2110.07730, PRL 129, 081801): ancillary files.

Facts checked against the released files:

* ``dataBeamOnAC.txt`` / ``dataBeamOnC.txt`` hold 4890 / 5142 events with
  PE < 250 and 0 <= t_rec < 6 us (the CEvNS analysis uses PE < 60).
* ``brnPE.txt`` / ``ninPE.txt`` are normalised to unit sum over PE < 60 (they sum to
  1.498 / 1.334 over the full 0-250 PE range).
* ``brnTrec.txt`` / ``ninTrec.txt`` (10 ns bins from -0.25 to 6.25 us) sum to the
  expected events over the full PE range, 27.63 / 7.56; scaled by the PE < 60
  fraction of the PE PDFs and restricted to 0 <= t_rec < 6 us they give the
  analysis's 18.45 BRN and 5.62 NIN events.
* ``effCoefficients.txt`` labels both variant rows "+1 sigma"; the second row
  (threshold c = 9.85 PE) raises and the third (c = 11.88 PE) lowers the efficiency
  symmetrically about the nominal c = 10.86 PE, so they are taken as +1 and -1 sigma.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import DataError
from ._locate import locate, path
from ._registry import get_release
from ._tables import BinnedPDF, read_binned_pdf, read_labelled_rows, read_rows, readonly

RELEASE = "coherent_csi_2021"

_PE_MAX = 250.0
_T_MAX = 6.0


@dataclass(frozen=True)
class CsIEvents:
    """Selected beam-on events, one entry per event.

    Attributes:
        pe: Reconstructed energy [photoelectrons, PE], shape (n,).
        t_rec: Reconstructed time [us], shape (n,).
    """

    pe: np.ndarray
    t_rec: np.ndarray


@dataclass(frozen=True)
class EfficiencyCoefficients:
    """Coefficients ``(a, b, c, d)`` of eff(x) = a / (1 + exp(-b (x - c))) + d, x in PE.

    Attributes:
        nominal: Nominal model, shape (4,).
        plus: +1 sigma model (higher efficiency), shape (4,).
        minus: -1 sigma model (lower efficiency), shape (4,).
    """

    nominal: np.ndarray
    plus: np.ndarray
    minus: np.ndarray


@dataclass(frozen=True)
class ScintillationCoefficients:
    """Coefficients ``(a, b, c, d)`` of E_ee = a x + b x^2 + c x^3 + d x^4.

    E_ee in MeVee and x = T_nr in MeVnr.

    Attributes:
        nominal: Nominal scintillation response, shape (4,).
        plus: +1 sigma variants of systematic models 0 and 1, shape (2, 4).
        minus: -1 sigma variants of systematic models 0 and 1, shape (2, 4).
    """

    nominal: np.ndarray
    plus: np.ndarray
    minus: np.ndarray


@dataclass(frozen=True)
class CsI2021:
    """The parsed CsI[Na] 2021 ancillary files.

    Attributes:
        directory: Folder the files were read from.
        events_ac: Anti-coincidence (background-only) window events (``dataBeamOnAC.txt``).
        events_c: Coincidence (signal) window events (``dataBeamOnC.txt``).
        brn_pe: BRN energy PDF, 1-PE bins [per bin, unit sum over PE < 60].
        nin_pe: Neutrino-induced-neutron energy PDF, 1-PE bins.
        brn_trec: BRN time PDF, 10 ns bins [expected events per bin, all PE].
        nin_trec: NIN time PDF, 10 ns bins [expected events per bin, all PE].
        efficiency: Energy-dependent efficiency coefficients.
        scintillation: Scintillation-response (quenching) coefficients.
    """

    directory: Path
    events_ac: CsIEvents
    events_c: CsIEvents
    brn_pe: BinnedPDF
    nin_pe: BinnedPDF
    brn_trec: BinnedPDF
    nin_trec: BinnedPDF
    efficiency: EfficiencyCoefficients
    scintillation: ScintillationCoefficients


def read_events(file: Path) -> CsIEvents:
    """Read ``dataBeamOn{AC,C}.txt`` (``#`` comments, then ``PE t_rec[us]`` per event).

    Args:
        file: Path of the file.

    Returns:
        The :class:`CsIEvents`.

    Raises:
        DataError: Not 2 columns, non-numeric content, or an event outside
            0 <= PE < 250, 0 <= t_rec < 6 us.
    """
    rows = read_rows(file, 2)
    outside = (rows[:, 0] < 0) | (rows[:, 0] >= _PE_MAX) | (rows[:, 1] < 0) | (rows[:, 1] >= _T_MAX)
    if np.any(outside):
        raise DataError(f"{file}: event {int(np.flatnonzero(outside)[0]) + 1} outside 0 <= PE < 250, 0 <= t_rec < 6 us")
    return CsIEvents(readonly(rows[:, 0].copy()), readonly(rows[:, 1].copy()))


def read_efficiency(file: Path) -> EfficiencyCoefficients:
    """Read ``effCoefficients.txt``: a nominal row, then the +1 sigma and -1 sigma rows.

    Args:
        file: Path of the file.

    Returns:
        The :class:`EfficiencyCoefficients`.

    Raises:
        DataError: Not three rows of four numbers, or the first row not labelled nominal.
    """
    rows, labels = read_labelled_rows(file, 4)
    if len(rows) != 3 or not labels[0].lower().startswith("nominal"):
        raise DataError(f"{file}: expected a 'Nominal' row and two systematic rows of a b c d, found labels {labels}")
    return EfficiencyCoefficients(*(readonly(row.copy()) for row in rows))


_VARIANT = re.compile(r"syst model (\d+), ([+-])1 sigma", re.IGNORECASE)


def read_scintillation(file: Path) -> ScintillationCoefficients:
    """Read ``scintRespCoefficients.txt``: nominal, then models 0 and 1 at +-1 sigma.

    The rows are assigned by their comment labels (``# Syst model <k>, <+|->1 sigma``).

    Args:
        file: Path of the file.

    Returns:
        The :class:`ScintillationCoefficients`.

    Raises:
        DataError: Not five rows of four numbers, or labels that do not name the
            nominal row and each of models 0, 1 at +1 and -1 sigma exactly once.
    """
    rows, labels = read_labelled_rows(file, 4)
    variants: dict[tuple[int, str], np.ndarray] = {}
    for row, label in zip(rows[1:], labels[1:], strict=True):
        match = _VARIANT.fullmatch(label)
        if match:
            variants[int(match[1]), match[2]] = row
    wanted = [(model, sign) for sign in "+-" for model in (0, 1)]
    if len(rows) != 5 or not labels[0].lower().startswith("nominal") or sorted(variants) != sorted(wanted):
        raise DataError(
            f"{file}: expected a 'Nominal' row and 'Syst model 0/1, +/-1 sigma' rows of a b c d, found labels {labels}"
        )
    return ScintillationCoefficients(
        nominal=readonly(rows[0].copy()),
        plus=readonly(np.stack([variants[model, "+"] for model in (0, 1)])),
        minus=readonly(np.stack([variants[model, "-"] for model in (0, 1)])),
    )


@functools.cache
def _parse(directory: Path) -> CsI2021:
    return CsI2021(
        directory=directory,
        events_ac=read_events(directory / "dataBeamOnAC.txt"),
        events_c=read_events(directory / "dataBeamOnC.txt"),
        brn_pe=read_binned_pdf(directory / "brnPE.txt", 1.0),
        nin_pe=read_binned_pdf(directory / "ninPE.txt", 1.0),
        brn_trec=read_binned_pdf(directory / "brnTrec.txt", 0.01),
        nin_trec=read_binned_pdf(directory / "ninTrec.txt", 0.01),
        efficiency=read_efficiency(directory / "effCoefficients.txt"),
        scintillation=read_scintillation(directory / "scintRespCoefficients.txt"),
    )


def load_csi2021() -> CsI2021:
    """Locate, verify (SHA-256) and parse the CsI[Na] 2021 ancillary files.

    The parsed result is cached per process and per release folder.

    Returns:
        The :class:`CsI2021` release (read-only arrays).

    Raises:
        FileNotFoundError: The release or one of its files is missing.
        DataError: A file fails its SHA-256 or does not have the released format.

    Examples:
        >>> csi = load_csi2021()
        >>> csi.events_ac.pe.size, csi.events_c.pe.size
        (4890, 5142)
    """
    directory = locate(RELEASE)
    for entry in get_release(RELEASE).files:
        path(RELEASE, entry.path)
    return _parse(directory)

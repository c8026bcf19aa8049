"""Locating, verifying (SHA-256) and parsing the public COHERENT and Dresden-II data releases.

Releases: ``coherent_ar_2020`` (CENNS-10 liquid argon), ``coherent_csi_2021`` and
``coherent_csi_2017`` (CsI[Na]), ``dresden_ii_2022`` (Dresden-II reactor germanium).
They are found in ``$CEVNSJAX_DATA``, else in the development mirror ``../shared/data``,
else in the user cache filled by :func:`fetch` / ``cevnsjax data fetch``. Every file is
checked against its released SHA-256 before it is parsed; parsers return frozen
dataclasses of numpy arrays.
"""

from ._errors import DataError
from ._fetch import fetch
from ._locate import ENV_VAR, FileReport, ReleaseReport, fetch_destination, locate, path, search_roots, verify
from ._registry import RELEASES, Release, RemoteFile, get_release
from ._tables import BinnedPDF
from .ar2020 import Ar2020, ArEfficiency, ArProjection, ArSystBand, load_ar2020
from .csi2017 import CsI2017, load_csi2017
from .csi2021 import CsI2021, CsIEvents, EfficiencyCoefficients, ScintillationCoefficients, load_csi2021
from .dresden2022 import DresdenII, DresdenQuenching, DresdenSpectrum, load_dresden2022, read_user_spectrum

__all__ = [
    "ENV_VAR",
    "RELEASES",
    "Ar2020",
    "ArEfficiency",
    "ArProjection",
    "ArSystBand",
    "BinnedPDF",
    "CsI2017",
    "CsI2021",
    "CsIEvents",
    "DataError",
    "DresdenII",
    "DresdenQuenching",
    "DresdenSpectrum",
    "EfficiencyCoefficients",
    "FileReport",
    "Release",
    "ReleaseReport",
    "RemoteFile",
    "ScintillationCoefficients",
    "fetch",
    "fetch_destination",
    "get_release",
    "load_ar2020",
    "load_csi2017",
    "load_csi2021",
    "load_dresden2022",
    "locate",
    "path",
    "read_user_spectrum",
    "search_roots",
    "verify",
]

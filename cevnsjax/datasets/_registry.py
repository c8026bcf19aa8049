"""The known public releases: every file with its SHA-256 and canonical download URL.

The hashes are those of ``shared/data/README.md`` (the project's record of the
released bytes). Each release is a folder named after it; ``RemoteFile.path`` is
the file's place inside that folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import quote

_ZENODO = "https://zenodo.org/api/records/{record}/files/{name}/content"
_ARXIV_ANC = "https://arxiv.org/src/{paper}/anc/{name}"


@dataclass(frozen=True)
class RemoteFile:
    """One released file.

    Attributes:
        path: POSIX path inside the release folder, e.g. ``"SystErrors/brnpdf.txt"``.
        sha256: Expected SHA-256 of the file's bytes (64 lowercase hex digits).
        url: Where to download it. When ``member`` is set this is an archive
            (zip or tar) holding the file.
        member: Path of the file inside the archive at ``url``; ``None`` when the
            URL serves the file itself.
    """

    path: str
    sha256: str
    url: str
    member: str | None = None


@dataclass(frozen=True)
class Release:
    """A public data release.

    Attributes:
        name: Folder and experiment name, e.g. ``"coherent_ar_2020"``.
        source: Where it is published (DOI or arXiv identifier).
        files: Every file of the release.
    """

    name: str
    source: str
    files: tuple[RemoteFile, ...]

    def file(self, path: str) -> RemoteFile:
        """Return the registry entry of ``path``.

        Args:
            path: POSIX path inside the release folder.

        Returns:
            The matching :class:`RemoteFile`.

        Raises:
            KeyError: ``path`` is not part of this release (the message lists the valid paths).
        """
        for entry in self.files:
            if entry.path == path:
                return entry
        valid = ", ".join(f.path for f in self.files)
        raise KeyError(f"{path!r} is not a file of release {self.name!r}; valid files: {valid}")


def _zenodo(record: str, files: dict[str, str]) -> tuple[RemoteFile, ...]:
    # Zenodo records are flat: the URL names the file without its folder.
    return tuple(
        RemoteFile(path, digest, _ZENODO.format(record=record, name=quote(path.rsplit("/", 1)[-1], safe="")))
        for path, digest in files.items()
    )


def _arxiv(paper: str, files: dict[str, str]) -> tuple[RemoteFile, ...]:
    return tuple(RemoteFile(path, digest, _ARXIV_ANC.format(paper=paper, name=path)) for path, digest in files.items())


_AR_2020 = Release(
    name="coherent_ar_2020",
    source="doi:10.5281/zenodo.3903810 (arXiv:2003.10630, arXiv:2006.12659)",
    files=_zenodo(
        "3903810",
        {
            "CENNS10AnlAEfficiency.txt": "21ce25451c1ed552752ff4a22496deab3ff5dba178bf360813eaff1d25be89e2",
            "CENNS10DataReleaseCompanion.pdf": "c783d98058d58a013f303f7fc12a83fcdf03ffee8bc649faece025ac1a2d4b09",
            "LArParametersAnlA.yaml": "a206a77220436d0173c4783ae8fddeab97adf5e144f3d65005eff0870257693e",
            "OneDProjections/energydata1d.txt": "d691284e875fb24e72787016f118c171974ca68fa6005da7ea653ca66059aa04",
            "OneDProjections/f90data1d.txt": "e82988ec2fdb871f21850ceea866213310ee81dca656ee4448282748037f1579",
            "OneDProjections/timingdata1d.txt": "fb1054fac8baf2f527b51e6bd45e4341da45fe80dadce815a3d1cad08d729554",
            "SystErrors/brnpdf+1sigBRNTimingMean.txt": "7f06099e1bba0d2e328555c61cb255bb290607a44202327d29eb3ae3e05c1cd5",
            "SystErrors/brnpdf+1sigEnergy.txt": "fb6fdaf99c9941653d33e1a909d8000b81c1ee9bb8e8ad3bf31839561faf6661",
            "SystErrors/brnpdf-1sigBRNTimingMean.txt": "b5c1c8d0cb8b2319d093d38418da5ac2ccda59108755fb23e7f4a559cfe154f8",
            "SystErrors/brnpdf-1sigEnergy.txt": "20bcad29e716f3fb0f1e9eeb8ffb049b4b3d8b3b3a150800b9c8711e2b177be6",
            "SystErrors/brnpdfBRNTimingWidthSyst.txt": "304dba1553989d7c0cd3f745df9731a5306ec07ecc1044c20efbe2952707b270",
            "SystErrors/cevnspdf+1sigF90.txt": "308f78e19b7fb3e54399dc29c207bd2a89b91825df5309d48068a3495e1c92e2",
            "SystErrors/cevnspdf-1sigF90.txt": "b4e8071f87aa22a562e0c00654a0989915251acf2c7e569068b9b78c3ae5ac35",
            "SystErrors/cevnspdfCEvNSTimingMeanSyst.txt": "3170dafd4cf44df35bde0795e1245606d8144c05f3e50f015648c57bcdba97f5",
            "bkgpdf.txt": "36c89291dde3032a19ca7a8e64510d036d7b40c34b0805ce475a13ccfa739dd1",
            "brnpdf.txt": "02664ce6a84eca8c6146b6502497bc5d8165df945da132193622334ff4ff826f",
            "cevnspdf.txt": "3b1d5b25749e8d8e1cfdf5c32e48f026ce4aafec0a80632b3a63273e6e0e1f37",
            "datanobkgsub.txt": "dabf3d80f13959f4b94b77c9b56f7347a645105801e8cc177424e7ffcf7c7f66",
            "delbrnpdf.txt": "ebccca6c1650b0ace71fdbaade7a80ea289a99ff3c120266ae6ecf0083df5c63",
            "systerrors1denergy.txt": "09fd74b1bc242f1638dae465eefc97e374a2e6efa0aaa1b4452f1ee20dd42aed",
            "systerrors1dpsd.txt": "a553c63ce5861d63c139aa18d3ece0f5e9d32be2029eb2a7474b8e4e39000c0f",
            "systerrors1dtime.txt": "a7719f21aa5c8820f6ed65d385d7ba14f55631976a6ca289d8685081599529be",
        },
    ),
)

_CSI_2017 = Release(
    name="coherent_csi_2017",
    source="doi:10.5281/zenodo.1228631 (arXiv:1804.09459)",
    files=_zenodo(
        "1228631",
        {
            "arrivalTimePDF_delayedNeutrinos.txt": "6d8b4054173ca7d4f612b2ead7ce563e99eb99af9f4fc8d7b8b47c06cd5b640f",
            "arrivalTimePDF_promptNeutrinos.txt": "2c92dd58f1366b7844e6ea0c73f016069a2c9b7d4538374259c00c370b9eb66a",
            "data_anticoincidence_beamOff.txt": "a0d52f3430c4a42e79bde5b1fc98807794f2dac13f38e94017c1cbbd9e8e6e10",
            "data_anticoincidence_beamOn.txt": "8b180f9395dc8886f8be02f619e35903f151f8b15f7cbc5a0171ac7e59e59523",
            "data_coincidence_beamOff.txt": "8d1133850a290e2d1e958c08184806dbd1e45bcb671937d1308ef6a5bb7cc63f",
            "data_coincidence_beamOn.txt": "f9e8b795a48eb1f3a22cdca33cad978e5dc17fe56ea8f6a0bf32d18967051765",
        },
    ),
)

_CSI_2021 = Release(
    name="coherent_csi_2021",
    source="arXiv:2110.07730v2 ancillary files",
    files=_arxiv(
        "2110.07730v2",
        {
            "brnPE.txt": "0000b042b8d0d28b90370eb70d1409db1d8c510fcf2b3e636370b0d4443ac0b0",
            "brnTrec.txt": "6f279d835242a868dfc048abaa42b8c400bf961036de7bc7e64636efdd46466f",
            "dataBeamOnAC.txt": "f530d4a50e889333ada0e739db2e36d7f9f3b783822c8c6e932dae88ce071639",
            "dataBeamOnC.txt": "0a188a0291af06dd023d966d1c9fea7a82ec32d8c1a10750fd09c2b17f10a749",
            "effCoefficients.txt": "f1e58e6b8ec4db53da3be21fe44ebc4621e9b248b920be09759b1000dada8c51",
            "ninPE.txt": "41cae0376003cc2dcd028a3913e7c16395471f612b56d311f80e2a6071c9950c",
            "ninTrec.txt": "2bb034d648b312f4ee329ae95078dc748ff3f83b999c411b08f86d82ddf8e151",
            "scintRespCoefficients.txt": "ea6b8f34b296bf6e99f2a4ac504030d99155daba3e3c252f51c87d2470319d13",
        },
    ),
)

# Dresden-II: no collaboration download URL is recorded; the files are served from the
# public third-party copy the mirror was taken from, pinned to the commit whose files
# carry these hashes.
_DRESDEN_RAW = (
    "https://raw.githubusercontent.com/LeireLarizgoitia/Reactor_CEnuNS/a887c7c96757f30ebe8b065c4deef35d59c9ece7/{name}"
)

_DRESDEN_II_2022 = Release(
    name="dresden_ii_2022",
    source=(
        "Colaresi et al., PRL 129, 211802 (2022), arXiv:2202.09672 data release; third-party public copy "
        "github.com/LeireLarizgoitia/Reactor_CEnuNS at commit a887c7c (identical to its SM/ copies), "
        "not compared byte for byte with the collaboration's own files"
    ),
    files=tuple(
        RemoteFile(name, digest, _DRESDEN_RAW.format(name=name))
        for name, digest in {
            "data_release.txt": "5b8b37749f0d32a3e5daebc24ab9c636a920e61eac8f093c78f0af0d3cf535dc",
            "QF_Fef_YBe.txt": "a53ff7708b474b036e43b9173365bc2cb21e68d47c4a75176b2476000a704f93",
        }.items()
    ),
)

RELEASES: Mapping[str, Release] = MappingProxyType(
    {r.name: r for r in (_AR_2020, _CSI_2021, _CSI_2017, _DRESDEN_II_2022)}
)
"""Every known release by name."""


def get_release(name: str) -> Release:
    """Return the release called ``name``.

    Args:
        name: One of :data:`RELEASES`.

    Returns:
        The :class:`Release`.

    Raises:
        ValueError: Unknown name (the message lists the valid ones).
    """
    try:
        return RELEASES[name]
    except KeyError:
        raise ValueError(f"unknown data release {name!r}; valid releases: {', '.join(RELEASES)}") from None

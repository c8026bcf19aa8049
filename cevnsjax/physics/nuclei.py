"""Isotope table and detector targets (weighted lists of isotopes).

Nuclear masses are atomic masses (AME2020) minus Z electron masses (electron
binding neglected).  Charge radii are the evaluated rms charge radii of
I. Angeli and K. P. Marinova, At. Data Nucl. Data Tables 99, 69 (2013), except 133Cs
and 127I where the muonic X-ray values 4.804 and 4.749 fm of docs/physics.md are used.
Natural abundances: IUPAC 2013 (number fractions).

Examples:
    >>> t = target("Ar")
    >>> [i.name for i in t.isotopes]
    ['40Ar', '38Ar', '36Ar']
    >>> round(isotope("40Ar").proton_radius, 3)
    3.448
"""

from __future__ import annotations

import dataclasses

from ..constants import AMU_MEV, N_AVOGADRO, pdg2022
from .form_factors import proton_radius


@dataclasses.dataclass(frozen=True)
class Isotope:
    """One nuclide.

    Attributes:
        name: e.g. ``"40Ar"``.
        Z, N: proton and neutron numbers.
        atomic_mass_u: atomic mass [u].
        abundance: natural abundance (number fraction).
        charge_radius: rms charge radius R_c [fm].
    """

    name: str
    Z: int
    N: int
    atomic_mass_u: float
    abundance: float
    charge_radius: float

    @property
    def A(self) -> int:
        return self.Z + self.N

    @property
    def mass(self) -> float:
        """Nuclear mass [MeV] = atomic mass - Z m_e."""
        return self.atomic_mass_u * AMU_MEV - self.Z * pdg2022.m_e  # Eq. (3) of docs/physics.md

    @property
    def proton_radius(self) -> float:
        """Proton-distribution rms radius R_p [fm] from the charge radius (docs/physics.md section 6)."""
        return proton_radius(self.charge_radius, self.Z, self.N)


_TABLE = [
    # name, Z, N, atomic mass [u], abundance, charge radius [fm]
    ("40Ar", 18, 22, 39.9623831237, 0.996035, 3.4274),
    ("38Ar", 18, 20, 37.96273211, 0.000629, 3.4028),
    ("36Ar", 18, 18, 35.967545105, 0.003336, 3.3905),
    ("133Cs", 55, 78, 132.905451961, 1.0, 4.804),
    ("127I", 53, 74, 126.904471, 1.0, 4.749),
    ("23Na", 11, 12, 22.989769282, 1.0, 2.9936),
    ("70Ge", 32, 38, 69.92424875, 0.2052, 4.0414),
    ("72Ge", 32, 40, 71.922075826, 0.2745, 4.0576),
    ("73Ge", 32, 41, 72.923458956, 0.0776, 4.0632),
    ("74Ge", 32, 42, 73.921177761, 0.3652, 4.0742),
    ("76Ge", 32, 44, 75.921402726, 0.0775, 4.0811),
    ("124Xe", 54, 70, 123.905892, 0.00095, 4.7664),
    ("126Xe", 54, 72, 125.904298, 0.00089, 4.7725),
    ("128Xe", 54, 74, 127.9035313, 0.01910, 4.7774),
    ("129Xe", 54, 75, 128.9047808611, 0.26401, 4.7775),
    ("130Xe", 54, 76, 129.903509349, 0.04071, 4.7818),
    ("131Xe", 54, 77, 130.90508406, 0.21232, 4.7808),
    ("132Xe", 54, 78, 131.9041550856, 0.26909, 4.7859),
    ("134Xe", 54, 80, 133.90539466, 0.10436, 4.7899),
    ("136Xe", 54, 82, 135.907214484, 0.08857, 4.7964),
]

ISOTOPES: dict[str, Isotope] = {row[0]: Isotope(*row) for row in _TABLE}


def isotope(name: str) -> Isotope:
    """Look up an isotope by name (e.g. ``"133Cs"``)."""
    try:
        return ISOTOPES[name]
    except KeyError:
        raise ValueError(f"unknown isotope '{name}'; known: {', '.join(ISOTOPES)}") from None


@dataclasses.dataclass(frozen=True)
class Target:
    """A detector material: isotopes with their number of nuclei per formula unit.

    Attributes:
        name: e.g. ``"CsI"``.
        isotopes: the nuclides.
        multiplicities: nuclei of each isotope per formula unit (abundance-weighted),
            e.g. CsI -> (1, 1); natural Ar -> abundances.
        molar_mass: grams per mole of formula units [g/mol].
    """

    name: str
    isotopes: tuple[Isotope, ...]
    multiplicities: tuple[float, ...]
    molar_mass: float

    def nuclei_per_kg(self) -> tuple[float, ...]:
        """Number of nuclei of each isotope per kg of target."""
        units = 1000.0 / self.molar_mass * N_AVOGADRO  # n_i of Eq. (30) of docs/physics.md, per kg
        return tuple(units * m for m in self.multiplicities)


def _natural(element: str) -> tuple[tuple[Isotope, ...], tuple[float, ...]]:
    isos = tuple(i for i in ISOTOPES.values() if i.name.lstrip("0123456789") == element)
    total = sum(i.abundance for i in isos)
    return isos, tuple(i.abundance / total for i in isos)


def _mean_mass_u(isos, fractions) -> float:
    return sum(i.atomic_mass_u * f for i, f in zip(isos, fractions, strict=True))


def single_isotope(name: str, molar_mass: float | None = None) -> Target:
    """A target made of one isotope (molar mass defaults to its atomic mass)."""
    iso = isotope(name)
    return Target(name, (iso,), (1.0,), iso.atomic_mass_u if molar_mass is None else molar_mass)


def target(name: str) -> Target:
    """A predefined target: ``"Ar"`` (natural), ``"40Ar"``, ``"CsI"``, ``"NaI"``, ``"Ge"``, ``"Xe"``.

    Compounds carry one nucleus of each element per formula unit; natural elements
    are split by abundance.
    """
    if name in ISOTOPES:
        return single_isotope(name)
    if name in ("Ar", "Ge", "Xe"):
        isos, fr = _natural(name)
        return Target(name, isos, fr, _mean_mass_u(isos, fr))
    if name in ("CsI", "NaI"):
        first = isotope("133Cs" if name == "CsI" else "23Na")
        iod = isotope("127I")
        return Target(name, (first, iod), (1.0, 1.0), first.atomic_mass_u + iod.atomic_mass_u)
    raise ValueError(f"unknown target '{name}'; choices: Ar, CsI, NaI, Ge, Xe or an isotope name")

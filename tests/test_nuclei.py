"""Isotope table and targets."""

import numpy as np
import pytest

from cevnsjax.constants import N_AVOGADRO
from cevnsjax.physics import nuclei


def test_isotope_properties():
    ar = nuclei.isotope("40Ar")
    assert (ar.Z, ar.N, ar.A) == (18, 22, 40)
    assert ar.mass == pytest.approx(37215.5, abs=0.5)
    assert ar.proton_radius == pytest.approx(3.448, abs=5e-4)
    with pytest.raises(ValueError, match="known: 40Ar"):
        nuclei.isotope("41Ar")


@pytest.mark.parametrize(
    "name, n_iso, molar",
    [("Ar", 3, 39.948), ("CsI", 2, 259.81), ("Ge", 5, 72.63), ("Xe", 9, 131.29), ("NaI", 2, 149.89)],
)
def test_targets(name, n_iso, molar):
    t = nuclei.target(name)
    assert len(t.isotopes) == n_iso
    assert t.molar_mass == pytest.approx(molar, abs=0.01)
    if name in ("Ar", "Ge", "Xe"):
        assert sum(t.multiplicities) == pytest.approx(1.0)


def test_nuclei_per_kg():
    t = nuclei.target("CsI")
    n = t.nuclei_per_kg()
    assert n[0] == n[1] == pytest.approx(1000 / 259.81 * N_AVOGADRO, rel=1e-4)
    ar = nuclei.target("Ar")
    np.testing.assert_allclose(sum(ar.nuclei_per_kg()), 1000 / 39.948 * N_AVOGADRO, rtol=1e-4)
    assert ar.multiplicities[ar.isotopes.index(nuclei.isotope("36Ar"))] == pytest.approx(0.003336, rel=1e-3)
    with pytest.raises(ValueError, match="choices"):
        nuclei.target("LAr")

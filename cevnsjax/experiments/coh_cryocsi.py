"""COH-CryoCsI: cryogenic undoped CsI at the SNS (projection, Asimov data).

Undoped CsI read out at cryogenic temperature (~40-77 K) gives several times the light of
CsI[Na] and a nuclear-recoil threshold near 0.5 keVnr (COHERENT, arXiv:2204.04575; the ESS
proposal of the same technology, arXiv:1911.00762).  Defaults: 10 kg at the CsI location (19.3 m,
arXiv:2110.07730), quenching 0.08 (the CsI[Na] level), 100 detected photons per keVee (4 at
threshold, sigma/E = 50% there), range 0.5-30 keVnr, a steady-state background of 10
counts/keVnr/kg/day known to 5%, the 10% SNS flux uncertainty and an SNS year of 1.57e23 POT.
The radius is the CsI ``rn_csi`` (shared with the COHERENT CsI data in a combination).  The options
and the detector model are those of :mod:`._projection` (docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coh_cryocsi")
    >>> abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    True
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, options

NAME = "coh_cryocsi"

DESIGN = Design(
    target="CsI",
    source="sns",
    title="COH-CryoCsI at the SNS (projection, Asimov data)",
    defaults={
        "mass_kg": 10.0,
        "distance_m": 19.3,
        "threshold_kevnr": 0.5,
        "max_kevnr": 30.0,
        "quenching": 0.08,
        "light_yield": 100.0,
        "background": 10.0,
    },
)


class CohCryoCsI(Projection):
    """The built COH-CryoCsI projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(CohCryoCsI, DESIGN)

register(NAME, build, OPTIONS, doc="COH-CryoCsI, cryogenic undoped CsI at the SNS: projection with Asimov data")

"""ess_csi: cryogenic undoped CsI at the European Spallation Source (projection, Asimov data).

One of the detector technologies of D. Baxter et al., arXiv:1911.00762 (Table 1): 22.5 kg of
CsI, a 1 keVnr threshold with a 30% resolution there, a steady-state background of
10 counts/keVnr/kg/day; about 8000 CEvNS events per year (same paper).  The source is the ESS
(:mod:`cevnsjax.sources.ess`): 2 GeV protons, 5 MW, 2.8e23 POT per 5000-hour year, 0.3
nu/flavour/POT, 2.86 ms pulses at 14 Hz (a 4% duty factor for the steady-state background), the
detector at 20 m.  The quenching factor is 0.08 (``light_yield`` is set from the resolution at threshold,
:func:`._projection.light_yield_for`), the ESS flux known to 10% (tag ``ess_flux``).  The radius is the CsI ``rn_csi`` (shared with the COHERENT CsI data in a combination).
The options and the detector model are those of :mod:`._projection` (docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("ess_csi")
    >>> abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    True
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, light_yield_for, options

NAME = "ess_csi"
THRESHOLD_KEVNR, RESOLUTION, QUENCHING = 1.0, 0.3, 0.08

DESIGN = Design(
    target="CsI",
    source="ess",
    title="cryogenic undoped CsI at the ESS (projection, Asimov data)",
    defaults={
        "mass_kg": 22.5,
        "distance_m": 20.0,
        "threshold_kevnr": THRESHOLD_KEVNR,
        "max_kevnr": 40.0,
        "quenching": QUENCHING,
        "light_yield": round(light_yield_for(RESOLUTION, QUENCHING, THRESHOLD_KEVNR), 3),
        "background": 10.0,
    },
)


class EssCsI(Projection):
    """The built ess_csi projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(EssCsI, DESIGN)

register(NAME, build, OPTIONS, doc="cryogenic undoped CsI at the ESS (arXiv:1911.00762): projection with Asimov data")

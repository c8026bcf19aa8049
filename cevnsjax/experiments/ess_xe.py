"""ess_xe: high-pressure xenon gas TPC at the European Spallation Source (projection, Asimov data).

One of the detector technologies of D. Baxter et al., arXiv:1911.00762 (Table 1): 20 kg of
Xe, a 0.9 keVnr threshold with a 40% resolution there, a steady-state background of
10 counts/keVnr/kg/day; about 7000 CEvNS events per year (same paper).  The source is the ESS
(:mod:`cevnsjax.sources.ess`): 2 GeV protons, 5 MW, 2.8e23 POT per 5000-hour year, 0.3
nu/flavour/POT, 2.86 ms pulses at 14 Hz (a 4% duty factor for the steady-state background), the
detector at 20 m.  The quenching factor is 0.2 (``light_yield`` is set from the resolution at threshold,
:func:`._projection.light_yield_for`), the ESS flux known to 10% (tag ``ess_flux``).  Natural xenon; radius ``rn_xe132``, the other isotopes sharing its skin.
The options and the detector model are those of :mod:`._projection` (docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("ess_xe")
    >>> abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    True
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, light_yield_for, options

NAME = "ess_xe"
THRESHOLD_KEVNR, RESOLUTION, QUENCHING = 0.9, 0.4, 0.2

DESIGN = Design(
    target="Xe",
    source="ess",
    title="high-pressure xenon gas TPC at the ESS (projection, Asimov data)",
    defaults={
        "mass_kg": 20.0,
        "distance_m": 20.0,
        "threshold_kevnr": THRESHOLD_KEVNR,
        "max_kevnr": 40.0,
        "quenching": QUENCHING,
        "light_yield": round(light_yield_for(RESOLUTION, QUENCHING, THRESHOLD_KEVNR), 3),
        "background": 10.0,
    },
)


class EssXe(Projection):
    """The built ess_xe projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(EssXe, DESIGN)

register(
    NAME, build, OPTIONS, doc="high-pressure xenon gas TPC at the ESS (arXiv:1911.00762): projection with Asimov data"
)

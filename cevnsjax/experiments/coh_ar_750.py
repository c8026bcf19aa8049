"""COH-Ar-750: a tonne-scale liquid-argon detector at the SNS (projection, Asimov data).

COHERENT's planned successor of CENNS-10: 750 kg of liquid argon (40Ar), 610 kg fiducial, in Neutrino
Alley, expected to record about 3000 CEvNS events per SNS year (COHERENT, arXiv:2204.04575 and
arXiv:1803.09183).  Defaults: the CENNS-10 location (27.5 m) and response (arXiv:2003.10630,
docs/physics.md section 10): quenching 0.25, sigma/E = 0.58/sqrt(E[keVee]) (``light_yield`` 2.97
quanta/keVee), a 20 keVnr threshold, the CENNS-10 steady-state level after the pulse-shape cut
(3152 events over 0-120 keVee in 24 kg and 182 beam days, i.e. 2.5 counts/keVnr/kg/day for the 10 us
window of :mod:`._projection`) known to 1%, the 10% SNS flux uncertainty; an SNS year is 1.57e23
POT (1.4 MW, 1 GeV, 5000 h) at 0.0848 nu/flavour/POT.  The options and the detector model are
those of :mod:`._projection` (docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coh_ar_750", n_bins=10)
    >>> m.n_bins, abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    (10, True)
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, options

NAME = "coh_ar_750"

DESIGN = Design(
    target="40Ar",
    source="sns",
    title="COH-Ar-750 at the SNS (projection, Asimov data)",
    defaults={
        "mass_kg": 610.0,
        "distance_m": 27.5,
        "threshold_kevnr": 20.0,
        "max_kevnr": 120.0,
        "quenching": 0.25,
        "light_yield": 2.97,
        "background": 2.5,
        "background_prior": 0.01,
    },
)


class CohAr750(Projection):
    """The built COH-Ar-750 projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(CohAr750, DESIGN)

register(NAME, build, OPTIONS, doc="COH-Ar-750, 610 kg fiducial liquid argon at the SNS: projection with Asimov data")

"""ess_ar: a liquid-argon scintillating bubble chamber at the European Spallation Source (projection, Asimov data).

One of the detector technologies of D. Baxter et al., arXiv:1911.00762 (Table 1): 10 kg of liquid
argon, a 0.1 keVnr threshold with a 40% resolution there, a steady-state background of
0.1 counts/keVnr/kg/day.  The source is the ESS (:mod:`cevnsjax.sources.ess`): 2 GeV protons, 5 MW,
2.8e23 POT per 5000-hour year, 0.3 nu/flavour/POT, 2.86 ms pulses at 14 Hz (a 4% duty factor for
the steady-state background), the detector at 20 m.  The target is 40Ar (99.6% of natural argon),
radius ``rn_ar40`` as in ``coherent_ar_2020`` and ``coh_ar_750`` (shared in a combination).  The
quenching factor is that of the CENNS-10 response at its lowest energies, 0.25 (arXiv:2003.10630,
docs/physics.md section 10), known to 5% (``quenching_prior``); ``light_yield`` is set from the
resolution at threshold (:func:`._projection.light_yield_for`).  The analysis range reaches 150 keVnr,
the largest recoil of the 52.8 MeV neutrinos on argon.  The SM prediction with these defaults is
1380 CEvNS events per year (tested against an independent quadrature).  The ESS flux is known to
10% (tag ``ess_flux``).  The options and the detector model are those of :mod:`._projection`
(docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("ess_ar", n_bins=10)
    >>> m.n_bins, abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    (10, True)
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, light_yield_for, options

NAME = "ess_ar"
THRESHOLD_KEVNR, RESOLUTION, QUENCHING = 0.1, 0.4, 0.25

DESIGN = Design(
    target="40Ar",
    source="ess",
    title="liquid-argon scintillating bubble chamber at the ESS (projection, Asimov data)",
    defaults={
        "mass_kg": 10.0,
        "distance_m": 20.0,
        "threshold_kevnr": THRESHOLD_KEVNR,
        "max_kevnr": 150.0,
        "quenching": QUENCHING,
        "light_yield": round(light_yield_for(RESOLUTION, QUENCHING, THRESHOLD_KEVNR), 3),
        "background": 0.1,
    },
)


class EssAr(Projection):
    """The built ess_ar projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(EssAr, DESIGN)

register(
    NAME,
    build,
    OPTIONS,
    doc="liquid-argon scintillating bubble chamber at the ESS (arXiv:1911.00762): projection with Asimov data",
)

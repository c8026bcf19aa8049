"""NaIvETe: a multi-tonne NaI[Tl] array at the SNS (projection, Asimov data).

COHERENT's sodium-iodide programme (NaIvE-185, then NaIvETe, about 3.5 t; arXiv:1803.09183,
arXiv:2204.04575) measures CEvNS on sodium: iodine recoils are quenched to ~5% and fall below
the threshold.  Defaults: 3500 kg at 22 m, quenching 0.20 for Na and 0.05 for I (relative 0.25),
10 photoelectrons per keVee, a 13 keVnr (Na) threshold and range up to 120 keVnr, a steady-state
background of 0.5 counts per Na keVnr per kg per day (2.5 per keVee: a low-background NaI[Tl]
level, illustrative) known to 5%, the 10% SNS flux uncertainty and an SNS year of
1.57e23 POT.  Energies are sodium-equivalent keVnr.  Radii ``rn_na23`` and ``rn_i127``.  The
options and the detector model are those of :mod:`._projection` (docs/physics.md section 19).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("naivete")
    >>> [n for n in m.parameters.names if n.startswith("rn_")]
    ['rn_na23', 'rn_i127']
"""

from __future__ import annotations

from typing import ClassVar

from . import register
from ._projection import Design, Projection, builder, options

NAME = "naivete"

DESIGN = Design(
    target="NaI",
    source="sns",
    title="NaIvETe at the SNS (projection, Asimov data)",
    defaults={
        "mass_kg": 3500.0,
        "distance_m": 22.0,
        "threshold_kevnr": 13.0,
        "max_kevnr": 120.0,
        "quenching": 0.20,
        "light_yield": 10.0,
        "background": 0.5,
    },
    relative_quenching={"I": 0.25},
)


class NaIvETe(Projection):
    """The built NaIvETe projection (:class:`._projection.Projection`)."""

    name: ClassVar[str] = NAME


OPTIONS = options(DESIGN)
build = builder(NaIvETe, DESIGN)

register(NAME, build, OPTIONS, doc="NaIvETe, 3.5 t NaI[Tl] at the SNS (sodium recoils): projection with Asimov data")

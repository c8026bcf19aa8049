"""Generic neutrino flux components: what the flux folding needs from any source.

A source (the SNS pion decay at rest, a reactor, ...) is a set of :class:`FluxComponent`
objects, each a monochromatic line or a normalised continuous spectrum of one flavour, times a
fluence (neutrinos per cm^2 at the detector).  :func:`cevnsjax.folding.build_folding` folds them
with the cross sections; it knows nothing about where the neutrinos come from.

Examples:
    >>> line = FluxComponent("line", flavour=1, timing="prompt", line_energy=29.8, spectrum=None, e_max=29.8)
    >>> round(isotropic_fluence(1e20, 20.0) / 1e12, 4)
    1.9894
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class FluxComponent:
    """One neutrino flux component of a source.

    Attributes:
        name: identifier (e.g. ``"prompt_nu_mu"``).
        flavour: lepton flavour index (0 e, 1 mu, 2 tau).
        timing: timing class (``"prompt"``, ``"delayed"``, ``"steady"``, ...), used by experiments
            that fold arrival times.
        line_energy: energy of a monochromatic line [MeV], or None for a continuous spectrum.
        spectrum: normalised spectrum dN/dE [1/MeV] for continuous components (numpy-callable), or None.
        e_max: highest neutrino energy [MeV].
        antineutrino: whether the component is an antineutrino (flips g_A in nu-e scattering).
        breakpoints: energies [MeV] where the spectrum has a kink or a step (tabulated or joined
            spectra); the folding splits its neutrino-energy rule there.
    """

    name: str
    flavour: int
    timing: str
    line_energy: float | None
    spectrum: Callable | None
    e_max: float
    antineutrino: bool = False
    breakpoints: tuple[float, ...] = ()


def isotropic_fluence(n_neutrinos: float, distance_m: float) -> float:
    """Neutrinos per cm^2 at ``distance_m`` [m] from an isotropic source of ``n_neutrinos``: N/(4 pi L^2)."""
    return n_neutrinos / (4 * math.pi * (distance_m * 100.0) ** 2)  # Eq. (40) of docs/physics.md

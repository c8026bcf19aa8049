"""coh_ar_10: COH-Ar-10 (CENNS-10 continued) with three times the statistics of the 2020 data (projection, Asimov data).

The issue that asked for the projections (after COHERENT's planning: CENNS-10, renamed COH-Ar-10,
kept taking data after the first argon result) calls for the same detector with three times the
statistics of the 2020 argon data set; the factor is the option ``statistics`` (default 3.0), in
units of the 2020 exposure (13.7e22 POT x 24 kg, option ``exposure``).  Everything else is the
``coherent_ar_2020`` experiment built with ``likelihood="poisson_3d"`` and used as it is: the
40Ar (or natural) target at 27.5 m, the quenching QF(T) = 0.246 + 0.00078 T, the Gaussian
resolution and the released efficiency (docs/physics.md section 10), the released beam-related
neutron and steady-state templates of the 12 x 8 x 10 energy x F90 x time cube with their priors
and shape systematics, the CEvNS F90 x time shapes, and the CEvNS normalisation ``eta_cevns``
(``sigma_cevns`` = 13.4%: flux, quenching and efficiency together, as in arXiv:2003.10630, so the
quenching uncertainty is in it).  The expected counts of every component are ``statistics`` times
those of the 2020 model (signal and backgrounds alike: all scale with the beam time), and the data
are their sum at the default parameters (Asimov, Eq. (161) of docs/physics.md).

Combining it with ``coherent_ar_2020`` treats it as a further, independent data set; its nuisances
are its own unless named in ``cj.combine(..., shared=[...])``.

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coh_ar_10")
    >>> m.n_bins, abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    (960, True)
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import numpy as np

from ..likelihood import Poisson
from ..parameters import ParameterSet
from ..physics.amplitude import SignalConfig
from . import experiment, register
from ._base import Experiment, with_asimov_data
from ._options import Option, signal_options

NAME = "coh_ar_10"
BASE = "coherent_ar_2020"
#: Exposure of COH-Ar-10 in units of the 2020 argon data set (the issue's "three times the statistics").
STATISTICS = 3.0

OPTIONS = {
    **signal_options(preset="pdg2018", zz_boxes=False),
    "statistics": Option(STATISTICS, type=float, doc="exposure in units of the 2020 argon data set", positive=True),
    "target": Option("40Ar", ("40Ar", "natural"), doc="pure 40Ar or natural isotopic mix"),
    "exposure": Option("paper", ("paper", "release"), doc="the 2020 unit: 13.7e22 POT, 24 kg (paper) or the release's"),
    "sigma_cevns": Option(0.134, type=float, doc="prior width of eta_cevns (flux, QF, efficiency)", positive=True),
    "systematics": Option(True, type=bool, doc="the released systematic PDFs of the 2020 data as shape nuisances"),
}


class CohAr10(Experiment):
    """The built COH-Ar-10 projection: the 2020 argon model (3D Poisson) with ``statistics`` times its exposure.

    Attributes:
        base: the ``coherent_ar_2020`` model (``likelihood="poisson_3d"``) whose expectation is scaled.
        statistics: the exposure factor.
        likelihood: Poisson on the Asimov 12 x 8 x 10 cube.
    """

    base: Experiment
    statistics: float = eqx.field(static=True)
    likelihood: Poisson
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component (``cevns``, ``brn_prompt``, ``brn_delayed``, ``ss``), each (12, 8, 10)."""
        return {k: self.statistics * v for k, v in self.base.expected(params).items()}  # Eq. (161)

    def plot(self, params, path: str) -> None:
        """Energy spectrum of the components over the steady-state-subtracted Asimov data (PNG)."""
        from ._plots import stacked_spectrum

        exp = {k: np.asarray(v).sum(axis=(1, 2)) for k, v in self.expected(params).items()}
        data = np.asarray(self.data).sum(axis=(1, 2))
        stacked_spectrum(
            self.base.energy_edges,
            {k: v for k, v in exp.items() if k != "ss"},
            data - exp["ss"],
            np.sqrt(data),
            xlabel="reconstructed energy [keVee]",
            title=f"COH-Ar-10, {self.statistics:g} x the 2020 exposure (Asimov, steady state subtracted)",
            path=path,
        )


def build(
    form_factor: str = "helm",
    preset: str = "pdg2018",
    zz_boxes: bool = False,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    statistics: float = STATISTICS,
    target: str = "40Ar",
    exposure: str = "paper",
    sigma_cevns: float = 0.134,
    systematics: bool = True,
) -> CohAr10:
    """Build COH-Ar-10 (see the module docstring for the options)."""
    base = experiment(
        BASE,
        likelihood="poisson_3d",
        form_factor=form_factor,
        preset=preset,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
        sterile=sterile,
        target=target,
        exposure=exposure,
        sigma_cevns=sigma_cevns,
        systematics=systematics,
    )
    model = CohAr10(
        base=base,
        statistics=float(statistics),
        likelihood=Poisson(np.zeros(base.data.shape)),
        parameters=base.parameters,
        signal=base.signal,
    )
    return with_asimov_data(model)


register(NAME, build, OPTIONS, doc="COH-Ar-10: the 2020 argon detector with 3x its statistics, projection (Asimov)")

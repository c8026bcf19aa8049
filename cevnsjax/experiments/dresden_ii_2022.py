"""Dresden-II reactor germanium (Colaresi et al., PRL 129, 211802 (2022), arXiv:2202.09672).

NCC-1701, a p-type point-contact germanium detector of 2.924 kg, 10.39 m from the core of the
Dresden-II boiling-water reactor (2.96 GW_th); the released Rx-ON spectrum of 96.4 days in 130
bins of 10 eV over 0.2-1.5 keVee (located and hash-checked by :mod:`cevnsjax.datasets`), in
counts per 10 eV per 3 kg per day.  The prediction is computed in the same units: 3 kg of
natural germanium exposed for one day.

Signal (docs/physics.md sections 7, 9, 10).

* Reactor electron antineutrinos (:mod:`cevnsjax.sources.reactor`, option ``flux``), fission
  fractions and energies per fission the source's defaults, thermal power, distance.
* CEvNS on the five germanium isotopes through :meth:`cevnsjax.folding.Folding.cevns_spectra`
  (every beyond-SM parameter; reactor antineutrinos are electron flavour, so ``r2_nu_ee``,
  ``q_nu_ee``, ``mu_nu_e``, ``eps_*_ee`` act).  ``rn_ge`` is the neutron radius of 74Ge, the
  other isotopes share its neutron skin.
* nu-e elastic scattering on the 32 germanium electrons with the Z_eff steps (component ``es``,
  option ``electron_scattering``), not quenched.

Detector response.

* Quenching (option ``quenching``): ``fef`` (iron filter) or ``ybe`` (photo-neutron) tables of the
  release, interpolated linearly in T_nr (constant beyond the table's ends; reactor recoils stay
  below 3 keVnr, inside the 0-4.5 keVnr table), or ``lindhard`` with k = 0.157.  The quenching
  nuisance ``theta_qf`` (unit Gaussian prior) scales the quenching factor by 1 + 0.05 theta_qf (for
  Lindhard: k): the response is precomputed at theta_qf = 0, +-1 and morphed between them
  (:func:`cevnsjax.likelihood.morphing.mixture_weights`: exact at the three points, smooth,
  linear beyond), so a likelihood evaluation is a chain of dense contractions.
* Resolution: Gaussian, sigma^2 = sigma_n^2 + F eta E_ee with sigma_n = 68.5 eV, F = 0.11,
  eta = 2.96 eV per pair (the values of the public analysis the mirror comes from), and the
  bin probabilities are normal-CDF differences at the 10-eV bin edges, evaluated at run time.

Background (the Dresden-II model): epithermal neutrons ``bkg_flat`` + ``bkg_exp`` exp(-E/``bkg_tau``)
[counts per 10 eV per 3 kg per day, tau in keVee] plus the 71Ge electron-capture lines of the Ga
daughter at the L1, L2 and M1 binding energies (1.2977, 1.1423, 0.1584 keV): L1 of height
``l1_height`` at ``l1_centre`` (its offset from 1.2977 keV shifts every line) and width ``l1_width``
(default the resolution at 1.3 keV), L2 = 0.008 L1 (height, same width), and M1 with the
resolution width at 0.158 keV and area M1/L1 = 0.16 ``eta_m`` (``eta_m`` with a 3% prior), as in the
public analysis of this release.

Likelihood: least squares on the Rx-ON rates with the released errors (statistics and signal
acceptance), the nuisance priors as pull terms.  Nuisances: ``eta_flux`` (reactor flux, 5%,
tag ``reactor_flux``), ``theta_qf``, and the background parameters.

Option ``spectrum_file``: a path to a spectrum in the release's format (``data_release.txt``:
130 rows ``E_center rate_on err_on rate_off err_off``) replaces the released one, e.g. the
collaboration's own copy or an updated spectrum; it is format-checked, not hash-checked.

Examples:
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("dresden_ii_2022")
    >>> m.n_bins
    130
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import datasets
from ..likelihood import LeastSquares
from ..parameters import Parameter, ParameterSet
from ..physics.amplitude import SignalConfig
from ..sources import reactor
from . import register
from ._base import Experiment, parameter_set
from ._options import ELECTRON_SCATTERING, REFINE, Option, check_positive, check_positive_int, signal_options
from ._plots import stacked_spectrum
from ._reactor_ge import (
    FLUX,
    QUENCHING_OPTION,
    ReactorGermanium,
    build_reactor_germanium,
    germanium_parameters,
    quenching_function,
    reactor_signal,
    sigma_kev,
)

NAME = "dresden_ii_2022"

POWER_MW = 2960.0
DISTANCE_M = 10.39
MASS_KG = 3.0  # the release's rates are per 3 kg per day
SIGMA_NOISE_KEV = 0.0685
LINES_KEV = {"l1": 1.2977, "l2": 1.1423, "m1": 0.1584}  # Ga binding energies (71Ge electron capture)
L2_OVER_L1 = 0.008  # height ratio
M1_OVER_L1 = 0.16  # area ratio

OPTIONS = {
    "flux": FLUX,
    "quenching": QUENCHING_OPTION,
    **signal_options(),
    "power_mw": Option(POWER_MW, type=float, doc="thermal power [MW]", positive=True),
    "distance_m": Option(DISTANCE_M, type=float, doc="distance from the core [m]", positive=True),
    "spectrum_file": Option("", type=str, doc="a spectrum file in the release's format instead of the release"),
    "electron_scattering": ELECTRON_SCATTERING,
    "refine": REFINE,
}


class DresdenII2022(Experiment):
    """The built Dresden-II experiment.

    Attributes:
        detector: the germanium response to the reactor antineutrinos (:class:`._reactor_ge.ReactorGermanium`).
        edges, centres: bin edges and centres [keVee].
        likelihood: least squares on the Rx-ON rates.
        rate_off, err_off: the Rx-OFF spectrum (background check).
    """

    detector: ReactorGermanium
    edges: jax.Array
    centres: jax.Array
    likelihood: LeastSquares
    rate_off: jax.Array
    err_off: jax.Array
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def signal_rates(self, params) -> dict[str, jax.Array]:
        """CEvNS (and nu-e) counts per 10 eV per 3 kg per day before ``eta_flux``, shape (130,) each."""
        return self.detector.rates(params, self.signal)

    def background(self, params) -> dict[str, jax.Array]:
        """Epithermal neutrons and the 71Ge electron-capture lines per bin (rate units)."""
        x = self.centres
        l1, width = params["l1_height"], params["l1_width"]
        m1_width = sigma_kev(LINES_KEV["m1"], SIGMA_NOISE_KEV)
        # the L1, L2 and M1 lines as rows of one array (vectorised: a few fused operations under jit);
        # the L1 offset from 1.2977 keV shifts every line, M1/L1 is an area ratio (Eq. (76d))
        centre = params["l1_centre"] + jnp.asarray([LINES_KEV[k] - LINES_KEV["l1"] for k in ("l1", "l2", "m1")])
        sigma = jnp.stack([width, width, jnp.asarray(m1_width)])
        height = l1 * jnp.stack([1.0, L2_OVER_L1, M1_OVER_L1 * params["eta_m"] * width / m1_width])
        # Eq. (76c) of docs/physics.md
        lines = height @ jnp.exp(-0.5 * ((x - centre[:, None]) / sigma[:, None]) ** 2)
        epithermal = params["bkg_flat"] + params["bkg_exp"] * jnp.exp(-x / params["bkg_tau"])
        return {"epithermal": epithermal, "ec_lines": lines}

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected rates per component (counts per 10 eV per 3 kg per day), each shape (130,)."""
        signal = self.signal_rates(params)
        # one stacked product: one reduction for the eta_flux gradient rather than one per component
        out = dict(zip(signal, params["eta_flux"] * jnp.stack(list(signal.values()))))
        out.update(self.background(params))
        return out

    def plot(self, params, path: str) -> None:
        """Stacked expected spectrum over the Rx-ON data (PNG)."""
        exp = {k: np.asarray(v) for k, v in self.expected(params).items()}
        order = {k: exp[k] for k in ("epithermal", "ec_lines", "es", "cevns") if k in exp}
        stacked_spectrum(
            np.asarray(self.edges),
            order,
            np.asarray(self.data),
            np.sqrt(np.asarray(self.likelihood.sigma2)),
            xlabel="E [keVee]",
            title="Dresden-II Rx-ON (counts / 10 eV / 3 kg / day)",
            path=path,
        )


def _background_parameters() -> list[Parameter]:
    rate = "1/(10 eV 3 kg d)"
    return [
        Parameter(
            "bkg_flat",
            10.0,
            lower=0.0,
            upper=1e3,
            free=True,
            unit=rate,
            label=r"$N_{\rm epi}$",
            doc="flat epithermal-neutron rate",
        ),
        Parameter(
            "bkg_exp",
            100.0,
            lower=0.0,
            upper=1e5,
            free=True,
            unit=rate,
            label=r"$A_{\rm epi}$",
            doc="amplitude of the exponential epithermal-neutron rate",
        ),
        Parameter(
            "bkg_tau",
            0.25,
            lower=0.01,
            upper=10.0,
            free=True,
            unit="keVee",
            label=r"$\tau_{\rm epi}$",
            doc="decay constant of the epithermal-neutron rate",
        ),
        Parameter(
            "l1_height",
            100.0,
            lower=0.0,
            upper=1e4,
            free=True,
            unit=rate,
            label=r"$h_{L1}$",
            doc="height of the 71Ge L1 electron-capture line at 1.2977 keV",
        ),
        Parameter(
            "l1_centre",
            LINES_KEV["l1"],
            lower=1.2,
            upper=1.4,
            free=True,
            unit="keVee",
            label=r"$E_{L1}$",
            doc="fitted position of the L1 line (energy-scale offset for all lines)",
        ),
        Parameter(
            "l1_width",
            float(sigma_kev(LINES_KEV["l1"], SIGMA_NOISE_KEV)),
            lower=0.02,
            upper=0.3,
            free=True,
            unit="keVee",
            label=r"$\sigma_{L1}$",
            doc="width of the L1 and L2 lines (resolution at 1.3 keV by default)",
        ),
        Parameter(
            "eta_m",
            1.0,
            lower=0.0,
            upper=2.0,
            constraint=(1.0, 0.03),
            free=True,
            label=r"$\eta_{M1}$",
            doc="M1/L1 area ratio in units of 0.16 (prior 3%)",
        ),
    ]


def build(
    flux: str = "hmve",
    quenching: str = "fef",
    form_factor: str = "helm",
    preset: str = "pdg2022",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    power_mw: float = POWER_MW,
    distance_m: float = DISTANCE_M,
    spectrum_file: str = "",
    electron_scattering: bool = True,
    refine: int = 1,
) -> DresdenII2022:
    """Build the Dresden-II experiment (the module docstring describes every option).

    Raises:
        ValueError: an unavailable flux parametrisation, a non-positive power or distance, ``refine`` < 1.
        FileNotFoundError, cevnsjax.datasets.DataError: the release (or ``spectrum_file``) is missing or bad.
    """
    check_positive_int("refine", refine)
    check_positive(power_mw=power_mw, distance_m=distance_m)
    release = datasets.load_dresden2022()
    spectrum = datasets.read_user_spectrum(spectrum_file) if spectrum_file else release.spectrum
    config = reactor_signal(
        preset=preset,
        form_factor=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
        sterile=sterile,
        distance_m=distance_m,
    )
    component, fluence = reactor.source(power_mw, distance_m, 1.0, parametrisation=flux)  # one day
    detector = build_reactor_germanium(
        component,
        fluence,
        MASS_KG,
        spectrum.edges_kevee,
        quenching_function(quenching, release.quenching),
        SIGMA_NOISE_KEV,
        config,
        electron_scattering=electron_scattering,
        refine=refine,
    )
    radius, nuisances = germanium_parameters(form_factor, quenching)
    return DresdenII2022(
        detector=detector,
        edges=jnp.asarray(spectrum.edges_kevee),
        centres=jnp.asarray(spectrum.energy_kevee),
        likelihood=LeastSquares(jnp.asarray(spectrum.rate_on), jnp.asarray(spectrum.err_on) ** 2),
        rate_off=jnp.asarray(spectrum.rate_off),
        err_off=jnp.asarray(spectrum.err_off),
        parameters=parameter_set(config.constants, [radius], [*nuisances, *_background_parameters()], sterile=sterile),
        signal=config,
    )


register(NAME, build, OPTIONS, doc="Dresden-II reactor germanium 2022 (arXiv:2202.09672), Rx-ON least squares")

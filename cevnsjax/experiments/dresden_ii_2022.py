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

Example:
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
from ..constants import preset as get_preset
from ..detectors import quenching as quenching_models
from ..detectors import resolution
from ..folding import ElectronFolding, Folding, build_electron_folding, build_folding
from ..likelihood import LeastSquares
from ..likelihood.morphing import mixture_weights
from ..parameters import Parameter, ParameterSet
from ..physics import catalogue
from ..physics.amplitude import SignalConfig
from ..physics.nuclei import target
from ..sources import reactor
from . import register
from ._base import Experiment, parameter_set
from ._options import ELECTRON_SCATTERING, REFINE, Option, check_positive_int, signal_options
from ._plots import stacked_spectrum

NAME = "dresden_ii_2022"

POWER_MW = 2960.0
DISTANCE_M = 10.39
MASS_KG = 3.0  # the release's rates are per 3 kg per day
SIGMA_NOISE_KEV = 0.0685
FANO = 0.11
PAIR_ENERGY_KEV = 2.96e-3
LINES_KEV = {"l1": 1.2977, "l2": 1.1423, "m1": 0.1584}  # Ga binding energies (71Ge electron capture)
L2_OVER_L1 = 0.008  # height ratio
M1_OVER_L1 = 0.16  # area ratio
FLUX_PRIOR = 0.05
QF_PRIOR = 0.05
LINDHARD_K = 0.157
QF_VARIANTS = (1.0, 1.0 + QF_PRIOR, 1.0 - QF_PRIOR)  # theta_qf = 0, +1, -1
DEFAULT_SKIN_FM = 0.1
REFERENCE_ISOTOPE = "74Ge"
# 1e-5 keVnr (E_ee ~ 4 meV: recoils far below threshold still reach it through the 68.5 eV noise) to
# 5 keVnr, capped at the kinematic limit (~3 keVnr); uniform panels, 16 eV apart at refine = 1.
RECOIL_RANGE_MEV = (1e-8, 5e-3)
# electron recoils (not quenched): 10 eV (2.8 sigma below the first bin) to 3.5 sigma above the last bin
ELECTRON_RANGE_MEV = (1e-5, 1e-3 * (1.5 + 3.5 * 0.072))
QUENCHING = ("fef", "ybe", "lindhard")

OPTIONS = {
    "flux": Option("hmve", ("hmve", "hmk", "efk"), doc="reactor antineutrino spectra (hmk, efk refuse if unavailable)"),
    "quenching": Option("fef", QUENCHING, doc="iron-filter or YBe tables of the release, or Lindhard"),
    **signal_options(),
    "power_mw": Option(POWER_MW, type=float, doc="thermal power [MW]"),
    "distance_m": Option(DISTANCE_M, type=float, doc="distance from the core [m]"),
    "electron_scattering": ELECTRON_SCATTERING,
    "refine": REFINE,
}


def _sigma(e_ee_kev):
    return resolution.fano_sigma(e_ee_kev, SIGMA_NOISE_KEV, FANO, PAIR_ENERGY_KEV)


def _line(x: jax.Array, height: jax.Array, centre, width) -> jax.Array:
    return height * jnp.exp(-0.5 * ((x - centre) / width) ** 2)


class DresdenII2022(Experiment):
    """The built Dresden-II experiment.

    Attributes:
        folding: CEvNS quadrature (natural germanium, one antineutrino component).
        electrons: nu-e quadrature on the germanium electrons, or None.
        es_response: bin probabilities x recoil weights of the electron recoils, or None.
        rp: proton rms radii of the isotopes [fm].
        edges, centres: bin edges and centres [keVee].
        response: bin probabilities x recoil weights at theta_qf = 0, +1, -1, shape (3, 130, n_T) (the
            isotopes share one recoil grid).
        likelihood: least squares on the Rx-ON rates.
        rate_off, err_off: the Rx-OFF spectrum (background check).
    """

    folding: Folding
    electrons: ElectronFolding | None
    es_response: jax.Array | None
    rp: jax.Array
    edges: jax.Array
    centres: jax.Array
    response: jax.Array
    likelihood: LeastSquares
    rate_off: jax.Array
    err_off: jax.Array
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    reference: int = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def signal_rates(self, params) -> dict[str, jax.Array]:
        """CEvNS (and nu-e) counts per 10 eV per 3 kg per day before ``eta_flux``, shape (130,) each."""
        rn = self.rp + (params["rn_ge"] - self.rp[self.reference])  # common neutron skin
        spectra = self.folding.cevns_spectra(params, rn, self.rp, self.signal)
        # one matrix-vector product per quenching variant, then the morphing weights (clipped at zero
        # far beyond the variants, where the linear extrapolation could turn a rate negative)
        per_variant = self.response @ jnp.sum(spectra, axis=(0, 1))  # one recoil grid for all isotopes
        weights = mixture_weights(params, 3, (("theta_qf", 1, 2),))
        out = {"cevns": jnp.maximum(weights @ per_variant, 0.0)}
        if self.electrons is not None:
            es = self.electrons.spectra(params, self.signal)
            out["es"] = jnp.sum(self.electrons.counts(self.es_response, es), axis=0)
        return out

    def background(self, params) -> dict[str, jax.Array]:
        """Epithermal neutrons and the 71Ge electron-capture lines per bin (rate units)."""
        x = self.centres
        l1, width = params["l1_height"], params["l1_width"]
        shift = params["l1_centre"] - LINES_KEV["l1"]  # energy-scale offset, applied to every line
        m1_width = _sigma(LINES_KEV["m1"])
        m1 = M1_OVER_L1 * params["eta_m"] * l1 * width / m1_width  # area ratio M1/L1
        lines = (
            _line(x, l1, params["l1_centre"], width)
            + _line(x, L2_OVER_L1 * l1, LINES_KEV["l2"] + shift, width)
            + _line(x, m1, LINES_KEV["m1"] + shift, m1_width)
        )
        epithermal = params["bkg_flat"] + params["bkg_exp"] * jnp.exp(-x / params["bkg_tau"])
        return {"epithermal": epithermal, "ec_lines": lines}

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected rates per component (counts per 10 eV per 3 kg per day), each shape (130,)."""
        out = {k: params["eta_flux"] * v for k, v in self.signal_rates(params).items()}
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


def _nuisances(quenching_model: str) -> list[Parameter]:
    qf = Parameter(
        "theta_qf",
        0.0,
        lower=-5.0,
        upper=5.0,
        constraint=(0.0, 1.0),
        free=True,
        label=r"$\theta_{\rm QF}$",
        doc=f"{quenching_model} quenching scale: QF x (1 + {QF_PRIOR} theta_qf) [sigma]",
    )
    return [
        Parameter(
            "eta_flux",
            1.0,
            lower=0.0,
            upper=3.0,
            constraint=(1.0, FLUX_PRIOR),
            free=True,
            tags=("reactor_flux",),
            label=r"$\eta_{\rm flux}$",
            doc="reactor antineutrino flux (5% prior)",
        ),
        qf,
        Parameter(
            "bkg_flat",
            10.0,
            lower=0.0,
            upper=1e3,
            free=True,
            unit="1/(10 eV 3 kg d)",
            label=r"$N_{\rm epi}$",
            doc="flat epithermal-neutron rate",
        ),
        Parameter(
            "bkg_exp",
            100.0,
            lower=0.0,
            upper=1e5,
            free=True,
            unit="1/(10 eV 3 kg d)",
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
            unit="1/(10 eV 3 kg d)",
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
            float(_sigma(LINES_KEV["l1"])),
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
    sterile: bool = False,
    power_mw: float = POWER_MW,
    distance_m: float = DISTANCE_M,
    electron_scattering: bool = True,
    refine: int = 1,
) -> DresdenII2022:
    """Build the Dresden-II experiment (the module docstring describes every option).

    Raises:
        ValueError: an unavailable flux parametrisation, a non-positive power or distance, ``refine`` < 1.
        FileNotFoundError, cevnsjax.datasets.DataError: the release is missing or corrupt.
    """
    check_positive_int("refine", refine)
    for key, value in (("power_mw", power_mw), ("distance_m", distance_m)):
        if not value > 0:
            raise ValueError(f"option {key}={value}: must be positive")
    release = datasets.load_dresden2022()
    spectrum = release.spectrum
    config = SignalConfig(
        constants=get_preset(preset),
        form=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        baseline=(distance_m, reactor.CORE_SPREAD_M) if sterile else None,
    )
    component, fluence = reactor.source(power_mw, distance_m, 1.0, parametrisation=flux)
    tgt = target("Ge")
    # 12 neutrino-energy nodes per panel of the spectrum (split at its table nodes and the 2 MeV join);
    # one recoil grid for the five isotopes, so the response is computed once
    folding = build_folding(
        tgt,
        [component],
        [fluence],
        MASS_KG,
        RECOIL_RANGE_MEV,
        n_panels=24 * refine,
        n_t=8,
        n_e=12 * refine,
        shared_grid=True,
    )
    edges = jnp.asarray(spectrum.edges_kevee)
    electrons = es_response = None
    if electron_scattering:
        electrons = build_electron_folding(
            ("Ge",),
            (sum(tgt.nuclei_per_kg()),),
            [component],
            [fluence],
            MASS_KG,
            ELECTRON_RANGE_MEV,
            config.constants.m_e,
            n_panels=8 * refine,
            n_t=6,
            n_e=8 * refine,
            geometric=False,
        )
        e_kev = 1e3 * electrons.T
        es_response = resolution.gaussian_bins(edges, e_kev, _sigma(e_kev)) * electrons.wT
    T_kev = 1e3 * np.asarray(folding.T)
    if quenching == "lindhard":
        visible = [T_kev * quenching_models.lindhard(T_kev, 32.0, LINDHARD_K * v) for v in QF_VARIANTS]
    else:
        table = release.quenching
        column = table.qf_fef if quenching == "fef" else table.qf_ybe
        visible = [v * quenching_models.tabulated(T_kev, table.t_kevnr, column) for v in QF_VARIANTS]
    response = np.stack([resolution.gaussian_bins(np.asarray(edges), e, _sigma(e)) for e in visible])
    response = (response * np.asarray(folding.wT))[:, :, 0]  # the isotopes share one recoil grid
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    reference = [i.name for i in tgt.isotopes].index(REFERENCE_ISOTOPE)
    rp_ref = float(rp[reference])
    radius = catalogue.neutron_radius("rn_ge", rp_ref + DEFAULT_SKIN_FM, rp_ref, form_factor, "74Ge")
    return DresdenII2022(
        folding=folding,
        electrons=electrons,
        es_response=es_response,
        rp=rp,
        edges=edges,
        centres=jnp.asarray(spectrum.energy_kevee),
        response=jnp.asarray(response),
        likelihood=LeastSquares(jnp.asarray(spectrum.rate_on), jnp.asarray(spectrum.err_on) ** 2),
        rate_off=jnp.asarray(spectrum.rate_off),
        err_off=jnp.asarray(spectrum.err_off),
        parameters=parameter_set(config.constants, [radius], _nuisances(quenching), sterile=sterile),
        signal=config,
        reference=reference,
    )


register(NAME, build, OPTIONS, doc="Dresden-II reactor germanium 2022 (arXiv:2202.09672), Rx-ON least squares")

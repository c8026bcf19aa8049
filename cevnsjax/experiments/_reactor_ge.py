"""Pieces shared by the reactor-germanium experiments (``dresden_ii_2022``, ``reactor_ge_projection``).

* the signal configuration of a detector at a reactor (sterile averaging over the core size);
* :class:`ReactorGermanium`: natural germanium exposed to one reactor antineutrino component, with
  one recoil grid for the five isotopes, the bin response precomputed at the quenching variants
  theta_qf = 0, +1, -1 (a 5% scale of the quenching factor, or of Lindhard's k), stored as two thin
  factors (:func:`cevnsjax.detectors.response.low_rank`) and morphed at run time, and optionally
  nu-e scattering on the 32 electrons (Z_eff steps, not quenched);
* the neutron-radius parameter ``rn_ge`` (74Ge; the other isotopes share its neutron skin) and the
  quenching and flux nuisances.

Resolution: Gaussian, sigma^2 = sigma_n^2 + F eps E_ee, F = 0.11, eps = 2.96 eV (docs/physics.md
section 10, Eq. (76b)).
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..detectors import quenching as quenching_models
from ..detectors import resolution
from ..detectors.response import low_rank
from ..folding import ElectronFolding, Folding, build_electron_folding, build_folding
from ..likelihood.morphing import mixture_weights
from ..parameters import Parameter, shape_nuisance
from ..physics import catalogue
from ..physics.amplitude import SignalConfig
from ..physics.nuclei import target
from ..sources import reactor
from ._options import Option, signal_config

FANO = 0.11
PAIR_ENERGY_KEV = 2.96e-3
QF_PRIOR = 0.05
QF_VARIANTS = (1.0, 1.0 + QF_PRIOR, 1.0 - QF_PRIOR)  # theta_qf = 0, +1, -1
LINDHARD_K = 0.157
FLUX_PRIOR = 0.05
DEFAULT_SKIN_FM = 0.1
REFERENCE_ISOTOPE = "74Ge"
# 1e-5 keVnr (recoils far below threshold still reach it through the resolution) to 5 keVnr, capped at the
# kinematic limit (~3 keVnr); uniform panels, 16 eV apart at refine = 1.
RECOIL_RANGE_MEV = (1e-8, 5e-3)
QUENCHING = ("fef", "ybe", "lindhard")

#: Options of both reactor-germanium experiments.
FLUX = Option("hmve", ("hmve", "hmk", "efk"), doc="reactor antineutrino spectra (hmk, efk refuse: tables unavailable)")
QUENCHING_OPTION = Option("fef", QUENCHING, doc="iron-filter or YBe tables of the Dresden-II release, or Lindhard")


def sigma_kev(e_ee_kev, sigma_noise_kev: float):
    """Gaussian resolution [keVee] at E_ee [keVee] with electronic noise ``sigma_noise_kev``."""
    return resolution.fano_sigma(e_ee_kev, sigma_noise_kev, FANO, PAIR_ENERGY_KEV)


def reactor_signal(*, distance_m: float, **options) -> SignalConfig:
    """The static signal configuration of a detector at ``distance_m`` [m] from a reactor core."""
    return signal_config(baseline=(distance_m, reactor.CORE_SPREAD_M), **options)


class ReactorGermanium(eqx.Module):
    """Natural germanium at a reactor: CEvNS (and nu-e) counts in energy bins, before the flux nuisance.

    Attributes:
        folding: CEvNS quadrature (one recoil grid shared by the isotopes).
        response_left, response_right: the bin probabilities x recoil weights at theta_qf = 0, +1, -1,
            shape (3 n_bins, n_T), as the product of two thin factors of shapes (3 n_bins, r) and (r, n_T)
            (:func:`cevnsjax.detectors.response.low_rank`, exact to rounding; r = 31 for Dresden-II).
        electrons, es_response: nu-e quadrature and its bin response, or None.
        rp: proton rms radii of the isotopes [fm]; reference: index of 74Ge (static).
    """

    folding: Folding
    response_left: jax.Array
    response_right: jax.Array
    electrons: ElectronFolding | None
    es_response: jax.Array | None
    rp: jax.Array
    reference: int = eqx.field(static=True)

    def rates(self, params, config: SignalConfig) -> dict[str, jax.Array]:
        """``cevns`` (and ``es``) counts per bin, each shape (n_bins,)."""
        rn = self.rp + (params["rn_ge"] - self.rp[self.reference])  # common neutron skin
        spectra = self.folding.cevns_spectra(params, rn, self.rp, config)
        # the response of every quenching variant (two thin matrix-vector products), then the morphing
        # weights (clipped at zero far beyond the variants, where the linear extrapolation could turn a
        # rate negative)
        per_variant = (self.response_left @ (self.response_right @ jnp.sum(spectra, axis=(0, 1)))).reshape(3, -1)
        weights = mixture_weights(params, 3, (("theta_qf", 1, 2),))
        out = {"cevns": jnp.maximum(weights @ per_variant, 0.0)}
        if self.electrons is not None:
            es = self.electrons.spectra(params, config)
            out["es"] = jnp.sum(self.electrons.counts(self.es_response, es), axis=0)
        return out


def build_reactor_germanium(
    component,
    fluence: float,
    mass_kg: float,
    edges: np.ndarray,
    visible_energy: Callable[[np.ndarray, float], np.ndarray],
    sigma_noise_kev: float,
    config: SignalConfig,
    *,
    electron_scattering: bool,
    refine: int,
) -> ReactorGermanium:
    """Build the germanium response for bin ``edges`` [keVee].

    Args:
        component, fluence: the reactor flux component and its fluence [cm^-2].
        mass_kg: germanium mass [kg] (times the fluence's live time: the exposure).
        visible_energy: ``(T_nr [keVnr], scale) -> E_ee [keVee]`` (quenching with its 5% scale).
        sigma_noise_kev: electronic noise [keVee].
    """
    tgt = target("Ge")
    # 12 neutrino-energy nodes per panel of the spectrum (split at its table nodes and the 2 MeV join)
    folding = build_folding(
        tgt,
        [component],
        [fluence],
        mass_kg,
        RECOIL_RANGE_MEV,
        n_panels=24 * refine,
        n_t=8,
        n_e=12 * refine,
        shared_grid=True,
    )
    edges = np.asarray(edges, dtype=float)
    T_kev = 1e3 * np.asarray(folding.T)
    visible = [visible_energy(T_kev, v) for v in QF_VARIANTS]
    response = np.stack([resolution.gaussian_bins(edges, e, sigma_kev(e, sigma_noise_kev)) for e in visible])
    response = (response * np.asarray(folding.wT))[:, :, 0]  # the isotopes share one recoil grid
    left, right = low_rank(response.reshape(-1, response.shape[-1]))
    electrons = es_response = None
    if electron_scattering:
        sigma_top = float(sigma_kev(edges[-1], sigma_noise_kev))
        electrons = build_electron_folding(
            ("Ge",),
            (sum(tgt.nuclei_per_kg()),),
            [component],
            [fluence],
            mass_kg,
            (1e-5, 1e-3 * (edges[-1] + 3.5 * sigma_top)),
            config.constants.m_e,
            n_panels=8 * refine,
            n_t=6,
            n_e=8 * refine,
            geometric=False,
        )
        e_kev = 1e3 * electrons.T
        es_response = resolution.gaussian_bins(jnp.asarray(edges), e_kev, sigma_kev(e_kev, sigma_noise_kev))
        es_response = es_response * electrons.wT
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    reference = [i.name for i in tgt.isotopes].index(REFERENCE_ISOTOPE)
    return ReactorGermanium(folding, jnp.asarray(left), jnp.asarray(right), electrons, es_response, rp, reference)


def quenching_function(quenching: str, table=None) -> Callable[[np.ndarray, float], np.ndarray]:
    """``(T_nr [keVnr], scale) -> E_ee [keVee]``: a quenching table of the Dresden-II release (``fef``,
    ``ybe``; ``table`` = :class:`cevnsjax.datasets.DresdenQuenching`) times the scale, or Lindhard with
    k = 0.157 x scale."""
    if quenching == "lindhard":
        return lambda T, v: T * quenching_models.lindhard(T, 32.0, LINDHARD_K * v)
    column = table.qf_fef if quenching == "fef" else table.qf_ybe
    return lambda T, v: v * quenching_models.tabulated(T, table.t_kevnr, column)


def germanium_parameters(form_factor: str, quenching: str) -> tuple[Parameter, list[Parameter]]:
    """``rn_ge`` and the nuisances ``eta_flux`` (reactor flux, 5%, tag ``reactor_flux``) and ``theta_qf``."""
    tgt = target("Ge")
    rp_ref = next(i for i in tgt.isotopes if i.name == REFERENCE_ISOTOPE).proton_radius
    radius = catalogue.neutron_radius("rn_ge", rp_ref + DEFAULT_SKIN_FM, rp_ref, form_factor, REFERENCE_ISOTOPE)
    nuisances = [
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
        shape_nuisance(
            "theta_qf",
            r"$\theta_{\rm QF}$",
            f"{quenching} quenching scale: QF x (1 + {QF_PRIOR} theta_qf) [sigma]",
        ),
    ]
    return radius, nuisances

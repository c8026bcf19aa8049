"""Projected sensitivity of a germanium detector at the SNS (Asimov data), CEvNS plus nu-e scattering.

A projection, not a measurement: the "data" are the expected counts at the build's default
parameters (the SM, unless options say otherwise), so the best fit is the truth, chi^2_min = 0,
and a profile of any parameter is its expected (median) sensitivity.  All detector numbers
are options; the defaults are illustrative of a COHERENT-like point-contact germanium array
(18 kg at 22 m, 3.2e23 POT ~ 14 GWh, 1 keVee threshold), not a released configuration.

Signal.  Natural germanium (70, 72, 73, 74, 76Ge with their abundances, 72.63 g/mol)
exposed to the SNS pi-DAR flux (docs/physics.md section 7), ``nu_per_pot`` per flavour.

* CEvNS: :meth:`cevnsjax.folding.Folding.cevns_spectra`, every beyond-SM
  parameter available.  ``rn_ge`` is the neutron rms radius of 74Ge; the other isotopes
  share its neutron skin R_n - R_p (their proton radii differ by +-1%).  Default: a 0.1 fm
  skin (illustrative), bounded below by R_p.
* nu-e elastic scattering on the 32 atomic electrons with the germanium Z_eff steps
  (docs/physics.md section 9), with the electromagnetic and Z' terms
  (:meth:`cevnsjax.folding.ElectronFolding.spectra`); option
  ``electron_scattering`` (default true).  Electron recoils are not quenched.

Detector response.

* quenching of nuclear recoils: Lindhard, QF = k g(e)/(1 + k g(e)), g = 3 e^0.15 + 0.7 e^0.6 + e,
  e = 11.5 Z^(-7/3) T[keVnr] (J. Lindhard et al., Mat. Fys. Medd. 33 (1963) 10), with
  ``qf_k`` = 0.157 the nuisance (prior 5%);
* Gaussian energy resolution sigma^2 = sigma_0^2 + F eps E_ee (F = 0.11, eps = 2.96 eV per
  electron-hole pair; sigma_0 the electronic noise, option ``sigma0_kevee``);
* bins of ``bin_kevee`` from ``threshold_kevee`` to ``max_kevee``, a sharp threshold (unit
  efficiency above it).  The response is the difference of normal CDFs at the bin edges,
  evaluated at run time, so ``qf_k`` moves it exactly and differentiably.

Backgrounds: a flat ``background`` events per keVee over the exposure (option, default 0:
a background-free projection), scaled by ``eta_bkg`` (prior 5%).  Nuisances: ``eta_flux``
(10%), ``qf_k``, ``eta_bkg``, all free by default.

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("sns_ge_projection")
    >>> abs(float(m.chi2(m.parameters.defaults()))) < 1e-9  # Asimov data: the truth fits exactly
    True
"""

from __future__ import annotations

import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..detectors import quenching, resolution
from ..folding import ElectronFolding, Folding, build_electron_folding, build_folding
from ..likelihood import Poisson
from ..parameters import Parameter, ParameterSet
from ..physics import catalogue
from ..physics.amplitude import SignalConfig
from ..physics.nuclei import target
from ..sources import sns
from . import register
from ._base import Experiment, flux_normalisation, parameter_set, with_asimov_data
from ._options import (
    ELECTRON_SCATTERING,
    REFINE,
    Option,
    check_positive,
    check_positive_int,
    signal_options,
    sns_signal,
    uniform_edges,
)
from ._plots import stacked_spectrum

NAME = "sns_ge_projection"

LINDHARD_K = 0.157
LINDHARD_K_PRIOR = 0.05  # relative
FANO = 0.11
PAIR_ENERGY_KEV = 2.96e-3
FLUX_PRIOR = 0.10
BKG_PRIOR = 0.05
DEFAULT_SKIN_FM = 0.1
REFERENCE_ISOTOPE = "74Ge"

OPTIONS = {
    "mass_kg": Option(18.0, type=float, doc="germanium mass [kg]", positive=True),
    "distance_m": Option(22.0, type=float, doc="distance from the SNS target [m]", positive=True),
    "n_pot": Option(3.2e23, type=float, doc="protons on target (3.2e23 ~ 14 GWh at 1 GeV)", positive=True),
    "nu_per_pot": Option(0.0848, type=float, doc="neutrinos per flavour per proton (CsI 2021 value)", positive=True),
    "threshold_kevee": Option(1.0, type=float, doc="analysis threshold [keVee]", positive=True),
    "max_kevee": Option(15.0, type=float, doc="upper end of the analysis range [keVee]", positive=True),
    "bin_kevee": Option(0.5, type=float, doc="bin width [keVee]", positive=True),
    "sigma0_kevee": Option(0.08, type=float, doc="electronic-noise resolution sigma_0 [keVee]", positive=True),
    "background": Option(0.0, type=float, doc="flat background, events per keVee over the exposure", minimum=0.0),
    **signal_options(),
    "electron_scattering": ELECTRON_SCATTERING,
    "refine": REFINE,
}


def _bins(edges: jax.Array, e_ee_kev: jax.Array, sigma0: float) -> jax.Array:
    """P(bin b | E_ee) of the Gaussian response with the Fano term, shape (n_bins,) + E_ee.shape."""
    return resolution.gaussian_bins(edges, e_ee_kev, resolution.fano_sigma(e_ee_kev, sigma0, FANO, PAIR_ENERGY_KEV))


class SnsGeProjection(Experiment):
    """The built germanium projection.

    Attributes:
        folding: CEvNS quadrature (5 isotopes; the flux components of one flavour merged unless ``sterile``).
        electrons: nu-e quadrature on the germanium electrons, or None.
        es_response: bin probabilities x recoil weights of the (unquenched) electron recoils,
            shape (n_bins, 1, n_Te), fixed at build time; or None.
        rp: proton rms radii of the isotopes [fm].
        edges: bin edges [keVee]; likelihood: Poisson on the Asimov counts; background: flat background per bin.
        sigma0: electronic noise [keVee]; reference: index of 74Ge, whose radius is ``rn_ge``.
    """

    folding: Folding
    electrons: ElectronFolding | None
    es_response: jax.Array | None
    rp: jax.Array
    edges: jax.Array
    likelihood: Poisson
    background: jax.Array
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    sigma0: float = eqx.field(static=True)
    reference: int = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def _signal_counts(self, params) -> dict[str, jax.Array]:
        """Signal counts per bin (before eta_flux): ``cevns`` and, if built, ``es``."""
        rn = self.rp + (params["rn_ge"] - self.rp[self.reference])  # common neutron skin
        spectra = self.folding.cevns_spectra(params, rn, self.rp, self.signal)
        T_kev = 1e3 * self.folding.T
        e_ee = T_kev * quenching.lindhard(T_kev, 32.0, params["qf_k"])
        response = _bins(self.edges, e_ee, self.sigma0) * self.folding.wT
        out = {"cevns": jnp.sum(self.folding.counts(response, spectra), axis=0)}
        if self.electrons is not None:
            es_spectra = self.electrons.spectra(params, self.signal)
            out["es"] = jnp.sum(self.electrons.counts(self.es_response, es_spectra), axis=0)
        return out

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component (``cevns``, ``es`` if built, ``bkg``), each shape (n_bins,)."""
        out = {k: params["eta_flux"] * v for k, v in self._signal_counts(params).items()}
        out["bkg"] = params["eta_bkg"] * self.background
        return out

    def with_design(self, *, exposure=1.0, threshold_kevee=None, background=None) -> SnsGeProjection:
        """The projection with design values given as (possibly traced) JAX values, Asimov data recomputed.

        No rebuild: the exposure scales the folded weights, the threshold moves the lower edge of
        the first bin (the Gaussian response is evaluated at run time), and the data become the
        expected counts of the new design at the default parameters, so the sensitivity is a
        differentiable function of the design (docs/physics.md section 20).

        Args:
            exposure: multiplies the built exposure (mass x protons on target), > 0.
            threshold_kevee: analysis threshold [keVee], below the second bin edge and above the
                recoil grid's reach (~0.1 keVee); None: as built.
            background: background [events per keVee over the designed exposure], >= 0: flat (a
                scalar) or per bin (shape (n_bins,)); None: the built one scaled by ``exposure``.

        Returns:
            The redesigned projection.
        """
        edges = self.edges if threshold_kevee is None else self.edges.at[0].set(threshold_kevee)
        widths = jnp.diff(edges)
        rate = exposure * self.background / jnp.diff(self.edges) if background is None else background
        folding = eqx.tree_at(
            lambda f: (f.wE, f.moments), self.folding, (exposure * self.folding.wE, exposure * self.folding.moments)
        )
        model = eqx.tree_at(lambda m: (m.folding, m.edges, m.background), self, (folding, edges, rate * widths))
        if self.electrons is not None:
            response = exposure * _bins(edges, 1e3 * self.electrons.T, self.sigma0) * self.electrons.wT
            model = eqx.tree_at(lambda m: m.es_response, model, response)
        asimov = sum(model.expected(model.parameters.defaults()).values())
        return eqx.tree_at(lambda m: m.likelihood.data, model, asimov)

    def plot(self, params, path: str) -> None:
        """Stacked expected spectrum over the Asimov data (PNG)."""
        exp = {k: np.asarray(v) for k, v in self.expected(params).items()}
        data = np.asarray(self.data)
        stacked_spectrum(
            np.asarray(self.edges),
            exp,
            data,
            np.sqrt(data),
            xlabel="E [keVee]",
            title="Germanium at the SNS (projection, Asimov data)",
            path=path,
        )


def build(
    mass_kg: float = 18.0,
    distance_m: float = 22.0,
    n_pot: float = 3.2e23,
    nu_per_pot: float = 0.0848,
    threshold_kevee: float = 1.0,
    max_kevee: float = 15.0,
    bin_kevee: float = 0.5,
    sigma0_kevee: float = 0.08,
    background: float = 0.0,
    form_factor: str = "helm",
    preset: str = "pdg2022",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    electron_scattering: bool = True,
    refine: int = 1,
) -> SnsGeProjection:
    """Build the germanium projection (the module docstring describes every option).

    Raises:
        ValueError: a non-positive mass, distance, exposure, bin width or resolution, a threshold
            not below ``max_kevee``, a negative background, or ``refine`` below 1.
    """
    check_positive(
        mass_kg=mass_kg,
        distance_m=distance_m,
        n_pot=n_pot,
        nu_per_pot=nu_per_pot,
        bin_kevee=bin_kevee,
        sigma0_kevee=sigma0_kevee,
        threshold_kevee=threshold_kevee,
    )
    edges = uniform_edges(threshold_kevee, max_kevee, bin_kevee)
    if background < 0:
        raise ValueError(f"option background={background}: must be >= 0 (events per keVee)")
    check_positive_int("refine", refine)
    signal = sns_signal(
        preset=preset,
        form_factor=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
        sterile=sterile,
        distance_m=distance_m,
    )
    c = signal.constants
    tgt = target("Ge")
    comps = sns.components(c)
    flu = sns.fluence(nu_per_pot, n_pot, distance_m)
    n_bins = len(edges) - 1
    # The resolution is narrow (sigma ~ 0.1 keVee), so the recoil nodes must be closer than it
    # everywhere: uniform panels of 8 sigma_0 / 0.25 in T_nr (QF >~ 0.15 over the range, 8
    # nodes each) and of 4 sigma_0 in T_e (6 nodes each).
    t_nr = (2e-4, 0.1)  # 0.2 keVnr (0.02 keVee) to 100 keVnr, capped at the kinematic limit (~82 keVnr)
    folding = build_folding(
        tgt,
        comps,
        [flu] * len(comps),
        mass_kg,
        t_nr,
        n_panels=refine * math.ceil(1e3 * (t_nr[1] - t_nr[0]) / (32 * sigma0_kevee)),
        n_t=8,
        n_e=24 * refine,
    )
    if not sterile:  # no timing here; with oscillations the per-component energy grids are cheaper
        folding = folding.merged_by_flavour()
    electrons = es_response = None
    if electron_scattering:
        t_e = (1e-3 * max(threshold_kevee - 8 * sigma0_kevee, 0.25 * threshold_kevee), 1e-3 * (edges[-1] + 1.0))
        electrons = build_electron_folding(
            ("Ge",),
            (sum(tgt.nuclei_per_kg()),),
            comps,
            [flu] * len(comps),
            mass_kg,
            t_e,
            c.m_e,
            n_panels=refine * math.ceil(1e3 * (t_e[1] - t_e[0]) / (4 * sigma0_kevee)),
            n_t=6,
            n_e=16 * refine,
            geometric=False,
        )
        es_response = _bins(jnp.asarray(edges), 1e3 * electrons.T, sigma0_kevee) * electrons.wT
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    reference = [i.name for i in tgt.isotopes].index(REFERENCE_ISOTOPE)
    rp_ref = float(rp[reference])
    nuisances = [
        flux_normalisation(FLUX_PRIOR),
        Parameter(
            "qf_k",
            LINDHARD_K,
            lower=0.05,
            upper=0.4,
            constraint=(LINDHARD_K, LINDHARD_K * LINDHARD_K_PRIOR),
            free=True,
            label=r"$k_{\rm Lindhard}$",
            doc="Lindhard k of the germanium quenching (prior 5%)",
        ),
        Parameter(
            "eta_bkg",
            1.0,
            lower=0.0,
            upper=3.0,
            constraint=(1.0, BKG_PRIOR),
            free=True,
            label=r"$\eta_{\rm bkg}$",
            doc="flat background normalisation (prior 5%)",
        ),
    ]
    radius = catalogue.neutron_radius("rn_ge", rp_ref + DEFAULT_SKIN_FM, rp_ref, form_factor, "74Ge")
    model = SnsGeProjection(
        folding=folding,
        electrons=electrons,
        es_response=es_response,
        rp=rp,
        edges=jnp.asarray(edges),
        likelihood=Poisson(jnp.zeros(n_bins)),
        background=jnp.full(n_bins, background * bin_kevee),
        parameters=parameter_set(c, [radius], nuisances, sterile=sterile),
        signal=signal,
        sigma0=float(sigma0_kevee),
        reference=reference,
    )
    return with_asimov_data(model)


register(NAME, build, OPTIONS, doc="germanium detector at the SNS: projected sensitivity with Asimov data")

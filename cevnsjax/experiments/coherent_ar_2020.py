"""COHERENT CENNS-10 liquid argon, first CEvNS detection (Analysis A release).

Built from the public release (Zenodo 3903810, arXiv:2003.10630, companion
arXiv:2006.12659) located and hash-checked by :mod:`cevnsjax.datasets`.

Signal: 40Ar (or natural argon) exposed to the SNS pi-DAR flux, 0.09 nu/flavour/POT
at 27.5 m.  Exposure defaults to 13.7e22 POT and 24 kg of 39.96 g/mol, which
reproduce arXiv:2005.01645; ``exposure=release`` uses the release's 13.8e22 POT and
24.4 kg.  Detector response (docs/physics.md section 10): quenching
QF(T) = 0.246 + 0.00078 T[keVnr] (constant above 125 keVnr), Gaussian resolution
sigma/E = 0.58/sqrt(E[keVee]), the released efficiency as a function of the
reconstructed energy (last value beyond the table), 12 bins of 10 keVee over 0-120 keVee.

Likelihoods (option ``likelihood``):

* ``energy_chi2`` (default): the least-squares with pulls (:class:`cevnsjax.likelihood.LeastSquares`) of arXiv:2005.01645 Eq. (9),
  docs/physics.md 11a.  chi2 = sum_i [(N_exp - eta_c N_cevns - eta_p B_prompt - eta_l B_late)/sigma_i]^2
  + pulls, sigma_i^2 = sigma_exp^2 + [0.058/sqrt(12) (B_prompt + B_late)]^2, with N_exp, sigma_exp
  the steady-state-subtracted energy projection and B the energy projections of
  ``brnpdf.txt`` (497) and ``delbrnpdf.txt`` (33).  Priors: eta_cevns 13.4% (option
  ``sigma_cevns``; the paper uses 13.2% with R_n free), eta_brn_prompt 32%,
  eta_brn_delayed 100%.
* ``poisson_3d``: binned Poisson likelihood (:class:`cevnsjax.likelihood.Poisson`) on the 12 x 8 x 10 energy x F90 x time cube of
  raw on-beam data.  CEvNS F90/time shape per energy bin from ``cevnspdf.txt`` rescaled by the
  computed energy spectrum (companion section 5); prompt/delayed BRN and steady-state PDFs
  with Gaussian priors from the release: BRN prompt 497 +- 160 (32%), delayed 33 +- 33 (100%),
  steady state 3152 +- 25 (0.79%), CEvNS flux x QF x efficiency 13.4%.

Parameters: ``sin2_theta_w``, ``rn_ar40`` [fm] (lower bound the proton radius 3.448 fm, option
``rn_min``), the beyond-SM parameters of :func:`cevnsjax.physics.catalogue.bsm_parameters`
(charge radii, millicharges, magnetic moments, NSI, light mediators; sterile mixing with
``sterile=true``; options ``radius_q_dependence`` and ``mediator``), nuisances ``eta_cevns``,
``eta_brn_prompt``, ``eta_brn_delayed`` (+ ``eta_ss`` in 3D).  ``eta_cevns`` is a *constrained*
normalisation (13.4% prior; flux, quenching and efficiency together); the unconstrained signal
strength of the CsI experiments is called ``mu_cevns``.  Neutrino-electron scattering is
not included: the F90 pulse-shape cut removes electron recoils.
"""

from __future__ import annotations

import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import datasets
from ..detectors import efficiency, quenching, resolution
from ..detectors.response import bin_response
from ..folding import Folding, build_folding
from ..likelihood import LeastSquares, Poisson
from ..parameters import Parameter, ParameterSet
from ..physics import catalogue, nuclei
from ..physics.amplitude import SignalConfig
from ..physics.form_factors import min_radius
from ..sources import sns
from . import register
from ._base import Experiment, parameter_set
from ._options import Option, signal_options, sns_signal

NAME = "coherent_ar_2020"
DISTANCE_M = 27.5
NU_PER_POT = 0.09
EXPOSURES = {"paper": (13.7e22, 24.0), "release": (13.8e22, 24.4)}
QF_A, QF_B, QF_T_MAX_KEVNR = 0.246, 0.00078, 125.0
RESOLUTION = 0.58  # sigma/E = 0.58/sqrt(E[keVee])
SHAPE_ERROR = 0.058  # BRN energy-shape uncertainty, spread over the 12 bins (arXiv:2005.01645)
RN_DEFAULT_FM = 3.55

OPTIONS = {
    "likelihood": Option(
        "energy_chi2", ("energy_chi2", "poisson_3d"), doc="energy-only chi^2 with pulls or 3D Poisson"
    ),
    **signal_options(preset="pdg2018", zz_boxes=False),
    "target": Option("40Ar", ("40Ar", "natural"), doc="pure 40Ar or natural isotopic mix"),
    "exposure": Option("paper", tuple(EXPOSURES), doc="paper: 13.7e22 POT, 24 kg; release: 13.8e22 POT, 24.4 kg"),
    "sigma_cevns": Option(
        0.134, type=float, doc="prior width of eta_cevns (0.132 with R_n free in the paper)", positive=True
    ),
    "rn_min": Option(
        round(nuclei.isotope("40Ar").proton_radius, 3),
        type=float,
        doc="lower bound of rn_ar40 [fm]",
        positive=True,
        maximum=20.0,
    ),
}


def _energy_response(folding: Folding, edges: np.ndarray, eff: datasets.ArEfficiency) -> np.ndarray:
    """R[b, i, k] (recoil weights included) for the energy bins: quenching, Gaussian resolution, efficiency."""
    table_e, table_eff = np.asarray(eff.kevee_center), np.asarray(eff.efficiency)

    def eff_of_energy(x):
        return efficiency.tabulated(x, table_e, table_eff)

    blocks = []
    for T, wT in zip(np.asarray(folding.T), np.asarray(folding.wT), strict=True):
        e_ee = quenching.linear_capped(T * 1e3, QF_A, QF_B, QF_T_MAX_KEVNR)
        pdf = resolution.gaussian_pdf(e_ee, RESOLUTION * np.sqrt(e_ee))
        blocks.append(bin_response(edges, pdf, eff_of_energy) * wT)
    return np.stack(blocks, axis=1)


class CoherentAr2020(Experiment):
    """The built argon experiment.

    Attributes:
        folding: flux x target quadrature (components of one flavour merged unless ``sterile``).
        response: energy response R[b, i, k], shape (12, n_iso, n_T).
        rp: proton rms radii per isotope [fm].
        likelihood: least squares on the SS-subtracted energy projection (energy_chi2) or Poisson on
            the raw 12 x 8 x 10 cube (poisson_3d).
        brn_prompt, brn_delayed: BRN templates in the likelihood's bins (497 and 33 events).
        cevns_shape: F90 x time shape of the CEvNS PDF per energy bin (poisson_3d), else None.
        ss: steady-state template (poisson_3d), else None.
        data_energy, sigma_energy: SS-subtracted energy projection and its error (for the plot).
    """

    folding: Folding
    response: jax.Array
    rp: jax.Array
    likelihood: LeastSquares | Poisson
    brn_prompt: jax.Array
    brn_delayed: jax.Array
    cevns_shape: jax.Array | None
    ss: jax.Array | None
    data_energy: jax.Array
    sigma_energy: jax.Array
    energy_edges: tuple[float, ...] = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def cevns_energy(self, params) -> jax.Array:
        """SM-like CEvNS counts per energy bin (before eta_cevns), shape (12,)."""
        rn = jnp.broadcast_to(params["rn_ar40"], self.rp.shape)
        dndt = self.folding.cevns_spectra(params, rn, self.rp, self.signal)
        return jnp.einsum("bik,cik->b", self.response, dndt)

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component: energy bins (energy_chi2) or the 12x8x10 cube (poisson_3d)."""
        cevns = params["eta_cevns"] * self.cevns_energy(params)
        out = {
            "cevns": cevns if self.cevns_shape is None else cevns[:, None, None] * self.cevns_shape,
            "brn_prompt": params["eta_brn_prompt"] * self.brn_prompt,
            "brn_delayed": params["eta_brn_delayed"] * self.brn_delayed,
        }
        if self.ss is not None:
            out["ss"] = params["eta_ss"] * self.ss
        return out

    def plot(self, params, path: str) -> None:
        """Energy spectrum of the components over the SS-subtracted data (like Fig. 1 of arXiv:2005.01645)."""
        from ._plots import stacked_spectrum

        exp = {k: np.asarray(v) for k, v in self.expected(params).items() if k != "ss"}
        if self.cevns_shape is not None:
            exp = {k: v.sum(axis=(1, 2)) for k, v in exp.items()}
        stacked_spectrum(
            self.energy_edges,
            exp,
            np.asarray(self.data_energy),
            np.asarray(self.sigma_energy),
            xlabel="reconstructed energy [keVee]",
            title="COHERENT Ar 2020 (steady state subtracted)",
            path=path,
        )


def _nuisances(sigma_cevns: float, poisson_3d: bool) -> list[Parameter]:
    out = [
        Parameter(
            "eta_cevns",
            1.0,
            lower=0.0,
            upper=5.0,
            constraint=(1.0, sigma_cevns),
            free=True,
            label=r"$\eta_{\rm CEvNS}$",
            doc="CEvNS normalisation (flux, QF, efficiency)",
        ),
        Parameter(
            "eta_brn_prompt",
            1.0,
            lower=0.0,
            upper=5.0,
            constraint=(1.0, 0.32),
            free=True,
            label=r"$\eta_{\rm BRN}$",
            doc="prompt beam-related neutron normalisation (497 events)",
        ),
        Parameter(
            "eta_brn_delayed",
            1.0,
            lower=0.0,
            upper=10.0,
            constraint=(1.0, 1.0),
            free=True,
            label=r"$\eta_{\rm BRN,del}$",
            doc="delayed beam-related neutron normalisation (33 events)",
        ),
    ]
    if poisson_3d:
        out.append(
            Parameter(
                "eta_ss",
                1.0,
                lower=0.5,
                upper=1.5,
                constraint=(1.0, 25.0 / 3152.0),
                free=True,
                label=r"$\eta_{\rm SS}$",
                doc="steady-state background normalisation (3152 events)",
            )
        )
    return out


def build(
    likelihood: str = "energy_chi2",
    form_factor: str = "helm",
    preset: str = "pdg2018",
    zz_boxes: bool = False,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    sterile: bool = False,
    target: str = "40Ar",
    exposure: str = "paper",
    sigma_cevns: float = 0.134,
    rn_min: float = 3.448,
) -> CoherentAr2020:
    """Build the argon experiment (see the module docstring for the options)."""
    release = datasets.load_ar2020()
    signal = sns_signal(
        preset=preset,
        form_factor=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        sterile=sterile,
        distance_m=DISTANCE_M,
    )
    n_pot, mass = EXPOSURES[exposure]
    tgt = nuclei.single_isotope("40Ar", 39.96) if target == "40Ar" else nuclei.target("Ar")
    comps = sns.components(signal.constants)
    flu = sns.fluence(NU_PER_POT, n_pot, DISTANCE_M)
    folding = build_folding(tgt, comps, [flu] * len(comps), mass, (1e-4, 0.2))
    if not sterile:  # no timing here; with oscillations the per-component energy grids are cheaper
        folding = folding.merged_by_flavour()
    edges = np.asarray(release.energy_edges, dtype=float)
    response = _energy_response(folding, edges, release.efficiency)

    proj = release.energy_projection
    b_prompt = np.asarray(release.brn_prompt).sum(axis=(1, 2))
    b_late = np.asarray(release.brn_delayed).sum(axis=(1, 2))
    sigma2 = np.asarray(proj.data_stat_err) ** 2 + (SHAPE_ERROR / math.sqrt(12) * (b_prompt + b_late)) ** 2
    poisson_3d = likelihood == "poisson_3d"
    if poisson_3d:
        cevns_cube = np.asarray(release.cevns, dtype=float)
        per_bin = cevns_cube.sum(axis=(1, 2), keepdims=True)
        shape = np.divide(cevns_cube, per_bin, out=np.full_like(cevns_cube, 1.0 / 80), where=per_bin > 0)
        stat = Poisson(jnp.asarray(release.data, dtype=float))
        brn = (np.asarray(release.brn_prompt, dtype=float), np.asarray(release.brn_delayed, dtype=float))
    else:
        stat = LeastSquares(jnp.asarray(proj.data, dtype=float), jnp.asarray(sigma2))
        brn = (b_prompt, b_late)

    rn_lower = rn_min if form_factor != "unity" else 0.0
    if rn_lower < min_radius(form_factor):
        raise ValueError(
            f"option rn_min={rn_min}: below the smallest radius the {form_factor} form factor represents; "
            f"valid: [{min_radius(form_factor):.4g}, 20] fm"
        )
    radius = catalogue.neutron_radius("rn_ar40", max(RN_DEFAULT_FM, rn_lower), rn_lower, form_factor, "40Ar")
    return CoherentAr2020(
        folding=folding,
        response=jnp.asarray(response),
        rp=jnp.asarray([i.proton_radius for i in tgt.isotopes]),
        likelihood=stat,
        brn_prompt=jnp.asarray(brn[0]),
        brn_delayed=jnp.asarray(brn[1]),
        cevns_shape=jnp.asarray(shape) if poisson_3d else None,
        ss=jnp.asarray(release.steady_state, dtype=float) if poisson_3d else None,
        data_energy=jnp.asarray(proj.data, dtype=float),
        sigma_energy=jnp.sqrt(jnp.asarray(sigma2)),
        energy_edges=tuple(float(e) for e in edges),
        parameters=parameter_set(signal.constants, [radius], _nuisances(sigma_cevns, poisson_3d), sterile=sterile),
        signal=signal,
    )


register(NAME, build, OPTIONS, doc="COHERENT CENNS-10 liquid argon 2020, Analysis A (arXiv:2003.10630)")

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
  steady state 3152 +- 25 (0.79%), CEvNS flux x QF x efficiency 13.4% (option ``cevns_norm=free``:
  no prior, COHERENT's fit).  The released systematic PDFs (``SystErrors/``, companion Table 3)
  are shape nuisances, unit Gaussian priors, morphed with :mod:`cevnsjax.likelihood.morphing`
  (docs/physics.md section 11e; exact at 0 and +-1 sigma): ``theta_brn_energy`` (BRN energy
  distribution), ``theta_brn_t_mean`` and ``theta_brn_t_width`` (BRN t_trig mean and width),
  ``theta_cevns_f90`` (CEvNS F90 energy dependence), ``theta_cevns_t_mean`` (CEvNS t_trig mean).
  The BRN width and CEvNS timing-mean variations are released one-sided; their -1 sigma template
  is the mirror 2 nominal - variant (clipped at zero).  The CEvNS variants act on the F90 x time
  shape per energy bin only (the energy spectrum is computed).  Option ``systematics=false``
  drops them (the collaboration's statistical fit).

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
from ..likelihood.morphing import mix, mixture_weights
from ..parameters import Parameter, ParameterSet, shape_nuisance
from ..physics import catalogue, nuclei
from ..physics.amplitude import SignalConfig
from ..physics.form_factors import min_radius
from ..sources import sns
from . import register
from ._base import Experiment, parameter_set
from ._options import Option, signal_options, sns_signal

NAME = "coherent_ar_2020"
#: Released systematic variations of the 3D fit: nuisance -> (template, +1 sigma file, -1 sigma file or None
#: for a one-sided variation, mirrored).  Companion document, Table 3.
SYSTEMATICS = {
    "theta_brn_energy": ("brn", "brnpdf+1sigEnergy", "brnpdf-1sigEnergy"),
    "theta_brn_t_mean": ("brn", "brnpdf+1sigBRNTimingMean", "brnpdf-1sigBRNTimingMean"),
    "theta_brn_t_width": ("brn", "brnpdfBRNTimingWidthSyst", None),
    "theta_cevns_f90": ("cevns", "cevnspdf+1sigF90", "cevnspdf-1sigF90"),
    "theta_cevns_t_mean": ("cevns", "cevnspdfCEvNSTimingMeanSyst", None),
}
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
    "cevns_norm": Option("prior", ("prior", "free"), doc="eta_cevns with its sigma_cevns prior, or free (no prior)"),
    "systematics": Option(True, type=bool, doc="poisson_3d: the released systematic PDFs as shape nuisances"),
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
        brn_prompt: prompt BRN template in the likelihood's bins (497 events), stacked with its
            released variations in poisson_3d: shape (n_variants, ...), index 0 nominal.
        brn_delayed: delayed BRN template (33 events).
        cevns_shape: F90 x time shape of the CEvNS PDF per energy bin and its variations (poisson_3d),
            shape (n_variants, 12, 8, 10), else None.
        brn_morph, cevns_morph: ``(nuisance, +1 sigma index, -1 sigma index)`` of the stacked variants.
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
    brn_morph: tuple[tuple[str, int, int], ...] = eqx.field(static=True)
    cevns_morph: tuple[tuple[str, int, int], ...] = eqx.field(static=True)
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
        if self.cevns_shape is not None:
            cevns = cevns[:, None, None] * _morph(self.cevns_shape, self.cevns_morph, params)
        out = {
            "cevns": cevns,
            "brn_prompt": params["eta_brn_prompt"] * _morph(self.brn_prompt, self.brn_morph, params),
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


def _morph(stack: jax.Array, morph: tuple[tuple[str, int, int], ...], params) -> jax.Array:
    """A template moved by its shape nuisances (Eq. (86) of docs/physics.md), clipped at zero."""
    if not morph:
        return stack[0]
    weights = mixture_weights(params, stack.shape[0], morph)
    return jnp.maximum(mix(weights, stack), 0.0)


def _variants(nominal: np.ndarray, released, kind: str, normalise) -> tuple[np.ndarray, tuple]:
    """``nominal`` stacked with its released +-1 sigma variations (one-sided ones mirrored), and the morph table.

    ``released`` maps file stems to cubes; empty: no variations.
    """
    stack, morph = [nominal], []
    for name, (which, plus, minus) in SYSTEMATICS.items():
        if which != kind or not released:
            continue
        up = normalise(np.asarray(released[plus], dtype=float))
        down = normalise(np.asarray(released[minus], dtype=float)) if minus else np.clip(2 * nominal - up, 0, None)
        morph.append((name, len(stack), len(stack) + 1))
        stack += [up, down]
    return np.stack(stack), tuple(morph)


def _cevns_shape(cube: np.ndarray) -> np.ndarray:
    """F90 x time distribution of each energy bin of a CEvNS cube (uniform where a bin is empty)."""
    per_bin = cube.sum(axis=(1, 2), keepdims=True)
    return np.divide(cube, per_bin, out=np.full_like(cube, 1.0 / 80), where=per_bin > 0)


def _shape_nuisance(name: str) -> Parameter:
    which, plus, _ = SYSTEMATICS[name]
    return shape_nuisance(
        name,
        rf"$\theta_{{\rm {name.removeprefix('theta_').replace('_', ' ')}}}$",
        f"{which} shape towards SystErrors/{plus}.txt [sigma]",
    )


def _nuisances(sigma_cevns: float, poisson_3d: bool, cevns_norm: str, systematics: bool) -> list[Parameter]:
    free_norm = cevns_norm == "free"
    out = [
        Parameter(
            "eta_cevns",
            1.0,
            lower=0.0,
            upper=5.0,
            constraint=None if free_norm else (1.0, sigma_cevns),
            free=True,
            label=r"$\eta_{\rm CEvNS}$",
            doc="CEvNS normalisation (flux, QF, efficiency)" + (", no prior" if free_norm else ""),
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
        if systematics:
            out += [_shape_nuisance(name) for name in SYSTEMATICS]
    return out


def build(
    likelihood: str = "energy_chi2",
    form_factor: str = "helm",
    preset: str = "pdg2018",
    zz_boxes: bool = False,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    target: str = "40Ar",
    exposure: str = "paper",
    sigma_cevns: float = 0.134,
    rn_min: float = 3.448,
    cevns_norm: str = "prior",
    systematics: bool = True,
) -> CoherentAr2020:
    """Build the argon experiment (see the module docstring for the options)."""
    release = datasets.load_ar2020()
    signal = sns_signal(
        preset=preset,
        form_factor=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
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
    use_systematics = poisson_3d and systematics
    released = release.systematics if use_systematics else {}
    if poisson_3d:
        shape, cevns_morph = _variants(
            _cevns_shape(np.asarray(release.cevns, dtype=float)), released, "cevns", _cevns_shape
        )
        prompt, brn_morph = _variants(np.asarray(release.brn_prompt, dtype=float), released, "brn", lambda c: c)
        stat = Poisson(jnp.asarray(release.data, dtype=float))
        brn = (prompt, np.asarray(release.brn_delayed, dtype=float))
    else:
        cevns_morph = brn_morph = ()
        stat = LeastSquares(jnp.asarray(proj.data, dtype=float), jnp.asarray(sigma2))
        brn = (b_prompt[None], b_late)

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
        brn_morph=brn_morph,
        cevns_morph=cevns_morph,
        energy_edges=tuple(float(e) for e in edges),
        parameters=parameter_set(
            signal.constants,
            [radius],
            _nuisances(sigma_cevns, poisson_3d, cevns_norm, use_systematics),
            sterile=sterile,
        ),
        signal=signal,
    )


register(NAME, build, OPTIONS, doc="COHERENT CENNS-10 liquid argon 2020, Analysis A (arXiv:2003.10630)")

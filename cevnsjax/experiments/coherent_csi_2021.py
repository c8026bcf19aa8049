"""COHERENT CsI[Na], full dataset (arXiv:2110.07730, PRL 129, 081801): 2D binned Poisson likelihood.

Built from the ancillary files of arXiv:2110.07730 located and hash-checked by
:mod:`cevnsjax.datasets` (docs/physics.md section 10, "CsI 2021").

Signal.  133Cs and 127I (one of each per formula unit, 14.6 kg of 259.809 g/mol) exposed
to the SNS pi-DAR flux, 0.0848 nu/POT for each of nu_mu (prompt), nu_e and nubar_mu
(delayed), 3.198e23 POT at 19.3 m (the 1e-4 nubar_e admixture is neglected).  Each
isotope has its own form factor.  Neutron radii (docs/physics.md section 6): defaults the
nuclear-model R_n(133Cs) = 5.01 fm and R_n(127I) = 4.94 fm of arXiv:2005.01645; one parameter
``rn_csi`` (their mean, default 4.975 fm) moves both with their 0.07 fm difference held fixed
(``separate_radii=true``: ``rn_cs133`` and ``rn_i127``).  Every radius is bounded below by its
proton radius (4.821 / 4.766 fm): a negative neutron skin is not expected for these N > Z
nuclei, and docs/physics.md section 12 asks minimisers to respect R_n > R_p.

Detector response (docs/physics.md section 10):

* quenching E_ee(T_nr) = a x + b x^2 + c x^3 + d x^4 [MeVee], x = T_nr [MeVnr], from
  ``scintRespCoefficients.txt``;
* light yield 13.35 PE/keVee and the gamma resolution
  P(x | E_ee) = (a(1+b))^(1+b)/Gamma(1+b) x^b exp(-a(1+b) x) with a = 0.0749/E_ee[keVee]
  (mean 1/a = 13.35 E_ee PE), b = 9.56 E_ee[keVee];
* PE efficiency eff(x) = a/(1 + exp(-b(x - c))) + d from ``effCoefficients.txt``,
  clipped at zero (it is negative below ~7 PE);
* timing efficiency 1 for t < 0.52 us, exp(-0.0494 (t - 0.52 us)) after, 0 for t >= 6 us;
* neutrino arrival times: the Gaussian POT trace convolved with the pion lifetime
  (prompt) and additionally with the muon lifetime (delayed).  A least-squares fit of
  the released NIN t_rec PDF (which follows the neutrino timing) with the delayed shape
  gives a trace mean 0.474 us and width 0.147 us (the prompt fraction fits to zero);
  these are the nominal values.  The expectation is folded with the timing
  efficiency exactly per time bin (integration by parts of eff x CDF on a fixed
  Gauss-Legendre rule).

Neutrino-electron elastic scattering (component ``es``, option ``electron_scattering``,
default true): docs/physics.md section 9 on the 55 + 53 electrons of Cs and I with their Z_eff
steps, through :meth:`cevnsjax.folding.ElectronFolding.spectra` (charge radii,
millicharges, magnetic moments and Z' couplings included), exact free-electron kinematics,
no quenching (E_ee = T_e over 0.05-10 keV), then the same light yield, gamma resolution,
efficiency (and ``theta_eff`` variants) and neutrino timing as the nuclear recoils; it is
scaled by ``eta_flux`` but not by ``eta_cevns``.  At the SM point it adds 8e-5 events; a
magnetic moment of 1e-9 mu_B gives 0.54 nu-e events next to 5.8 extra CEvNS events, and a
millicharge of 1e-10 e gives 3.1 (ee) or 6.8 (mumu) nu-e events, against CEvNS changes
of 0.05 and 0.12 events: the 1/q^2 = 1/(2 m_e T_e) enhancement makes nu-e scattering dominate the
millicharge sensitivity.

Response matrices R[b, i, k] = int_bin eff(x) P(x | E_ee(T_k)) dx (recoil weights included)
are precomputed for the nominal coefficients and for each +-1 sigma variant (seven
matrices); at run time the shape nuisances interpolate between them
(:func:`cevnsjax.likelihood.morphing.mixture_weights`: exact at -1, 0, +1 sigma, linear
beyond, continuously differentiable).  Recoil spectra come from
:meth:`cevnsjax.folding.Folding.cevns_spectra` on a fixed Gauss-Legendre
recoil grid over 1-60 keVnr (capped at the kinematic limit, ~45 keVnr); evaluation is a
chain of dense contractions.

Backgrounds in the region of interest PE < 60, 0 <= t_rec < 6 us:

* steady state (SS): 1286 events (the collaboration's fitting code; the AC window holds
  1295 events in the same region, 0.7% more), energy shape = histogram of the AC
  events with PE < 60, time shape flat x timing efficiency;
* beam-related neutrons (BRN) and neutrino-induced neutrons (NIN): the product of the
  released PE and t_rec PDFs; the t_rec PDFs restricted to 0-6 us times the PE < 60
  fraction of the PE PDFs give 18.45 and 5.62 events.

Nuisance parameters (all free by default) and priors (Gaussian constraint terms):

* ``eta_flux``: neutrino-flux normalisation, 10% (the SNS flux uncertainty of
  arXiv:2110.07730).  Option ``flux_prior=0.1146`` gives the 11.46% of the
  collaboration's code = 10% (+) 3.8% (+) 4.1% (flux, quenching, efficiency in
  quadrature); with it, quenching and efficiency are counted twice unless
  ``theta_qf``, ``theta_qf_1`` and ``theta_eff`` are fixed;
* ``eta_ss``: steady-state normalisation, 2.1% (collaboration's code);
* ``eta_brn``: BRN normalisation, 25% (collaboration's code);
* ``eta_nin``: NIN normalisation, 35.7% (collaboration's code);
* ``theta_qf``, ``theta_qf_1``: quenching shape nuisances, unit Gaussian, moving
  ``scintRespCoefficients.txt`` towards its "syst model 0" and "syst model 1" +-1 sigma
  rows (treated as independent; over 5-40 keVnr they change E_ee by up to 3.5% and 2.4%);
* ``theta_eff``: efficiency shape nuisance, unit Gaussian, towards the +1 sigma (row 2,
  higher efficiency) and -1 sigma (row 3) rows of ``effCoefficients.txt``;
* ``t_offset`` [us]: shift of the POT-trace mean from 0.474 us, prior width 0.1 us.
  The NIN fit fixes the timing of energetic neutron events, while the C-window data
  prefer trace means of 0.53-0.60 us (docs/physics.md), i.e. offsets of +0.06 to +0.13 us
  (a later reconstructed time of low-light events would be one explanation); a 0.1 us
  prior covers them within ~1 sigma, and the fit gives +0.07 +- 0.04 us.  Option ``timing``
  makes this choice explicit (:data:`TIMING`): ``offset_prior`` (default, as above), ``nin_fixed``
  (t_offset fixed at 0) or ``data_fixed`` (fixed at +0.079 us, mean 0.553 us); docs/physics.md
  section 10 gives the shift of the charge-radius intervals between them.

``mu_cevns`` (not free by default, no prior) is the CEvNS signal strength: free it, with
``eta_flux`` fixed, to measure the CEvNS event count.  It was called ``eta_cevns`` before 0.2;
the old name is still accepted (with a FutureWarning) for one release.

Options: ``form_factor`` (helm | sfermi | kn | unity), ``preset`` (pdg2018 | pdg2022,
default pdg2022), ``zz_boxes`` (default true), ``separate_radii``, ``binning``
(``coherent``: PE edges [0, 8, 12, 16, 20, 24, 32, 40, 50, 60] x t_rec edges [0, 0.125,
..., 1, 2, 4, 6] us of the collaboration's code, 99 bins; ``fine``: 4-PE bins above 8 PE x 0.125 us
bins up to 1 us then 0.5 us bins, 14 x 18 = 252 bins; the first PE bin stays 0-8 PE
because the AC window has no event below 6 PE), ``flux_prior``, ``refine``
(multiplies every quadrature grid, for convergence checks).

Numbers (tests/test_csi2021.py; docs/physics.md section 13 for the references).  SM CEvNS
prediction in the ROI at the default radii: 330.6 events (COHERENT: 333 +- 11 (th) +- 42 (ex));
pdg2018 without ZZ boxes: 325.6 (reference implementation ~326).  With one radius 5.5 fm for
both isotopes (the 0.1 default) the count is 272.0: it falls by 18% from 5.01/4.94 to 5.5 fm.
Fit with ``mu_cevns`` free and ``eta_flux`` fixed: 309 +- 31 CEvNS events, chi^2 = 81.7 for
98 dof (reference implementation 304-308, ~84/98; COHERENT 306 +- 20, chi^2/dof = 82.4/98);
CEvNS significance sqrt(chi^2(mu_cevns = 0) - chi^2_min) = 11.6 sigma (COHERENT: 11.6 sigma).

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coherent_csi_2021")
    >>> p = m.parameters.defaults()
    >>> round(float(m.components(p)["cevns"]), 1)
    330.6
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import datasets
from .._quadrature import gauss_legendre
from ..detectors import efficiency, quenching, resolution
from ..detectors.response import bin_response
from ..folding import ElectronFolding, Folding, build_folding
from ..likelihood import Poisson
from ..likelihood.morphing import mix, mixture_weights
from ..parameters import Parameter, ParameterSet, shape_nuisance
from ..physics.amplitude import SignalConfig
from ..sources import sns
from . import _csi, register
from ._base import RENAMED_STRENGTH, Experiment, flux_normalisation, parameter_set, signal_strength
from ._options import ELECTRON_SCATTERING, REFINE, Option, check_positive_int, signal_options, sns_signal

NAME = "coherent_csi_2021"

NU_PER_POT = 0.0848  # neutrinos per flavour per proton on target
N_POT = 3.198e23  # protons on target (13.99 GWh)
DISTANCE_M = 19.3
MASS_KG = 14.6

GAMMA_A = 0.0749  # a = GAMMA_A / E_ee[keVee] (1/GAMMA_A = 13.35 PE/keVee light yield)
GAMMA_B = 9.56  # b = GAMMA_B * E_ee[keVee]
PE_MAX = 60.0  # upper edge of the region of interest [PE]

T_EFF_START_US = 0.52  # timing efficiency is 1 before this time [us]
T_EFF_RATE = 0.0494  # ... and exp(-T_EFF_RATE (t - T_EFF_START_US)) after [1/us]
T_MAX_US = 6.0  # end of the region of interest (efficiency 0 beyond) [us]
TRACE_MEAN_US = 0.474  # POT-trace mean from the fit of the released NIN t_rec PDF [us]
TRACE_WIDTH_US = 0.147  # POT-trace sigma from the same fit [us]

SS_EVENTS = 1286.0  # steady-state events in the ROI (collaboration's fitting code)
PRIORS = {  # Gaussian prior widths (see the module docstring for their sources)
    "eta_ss": 0.021,
    "eta_brn": 0.25,
    "eta_nin": 0.357,
    "t_offset": 0.1,
}

#: Arrival-time treatments (option ``timing``): t_offset default [us], free by default, description.
TIMING = {
    "offset_prior": (0.0, True, "trace mean 0.474 us (NIN fit) shifted by a free t_offset, 0.1 us prior"),
    "nin_fixed": (0.0, False, "trace mean fixed at 0.474 us (NIN fit)"),
    "data_fixed": (0.079, False, "trace mean fixed at 0.553 us (C-window data), prior centred there if freed"),
}

RECOIL_RANGE_MEV = (1e-3, 0.06)  # quadrature range in T_nr; the top is capped at the kinematic limit

BINNINGS = {
    "coherent": (
        (0.0, 8.0, 12.0, 16.0, 20.0, 24.0, 32.0, 40.0, 50.0, 60.0),
        (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 2.0, 4.0, 6.0),
    ),
    "fine": (
        (0.0, *(float(x) for x in np.arange(8.0, 61.0, 4.0))),
        tuple(float(x) for x in np.concatenate([np.arange(0.0, 1.0, 0.125), np.arange(1.0, 6.01, 0.5)])),
    ),
}

#: Response variants, in the order of the stacked response matrices.
VARIANTS = ("nominal", "qf0_plus", "qf0_minus", "qf1_plus", "qf1_minus", "eff_plus", "eff_minus")
#: Response variants that apply to (unquenched) electron recoils, as indices into VARIANTS.
ELECTRON_VARIANTS = (0, 5, 6)
#: Shape nuisances and the (plus, minus) variants they move towards.
SHAPE_NUISANCES = (("theta_qf", 1, 2), ("theta_qf_1", 3, 4), ("theta_eff", 5, 6))

OPTIONS = {
    **signal_options(),
    "separate_radii": _csi.SEPARATE_RADII,
    "binning": Option("coherent", tuple(BINNINGS), doc="coherent: 9 PE x 11 t_rec bins; fine: 14 x 18"),
    "flux_prior": Option(
        0.10, (0.10, 0.1146), type=float, doc="eta_flux prior width: 10% flux, or 11.46% = flux+quenching+efficiency"
    ),
    "electron_scattering": ELECTRON_SCATTERING,
    "timing": Option(
        "offset_prior",
        tuple(TIMING),
        doc="arrival-time treatment: " + "; ".join(f"{k}: {v[2]}" for k, v in TIMING.items()),
    ),
    "refine": REFINE,
}


def _pe_response(
    T: np.ndarray, wT: np.ndarray, e_ee_kev, edges: np.ndarray, eff_coeffs: np.ndarray, n_sub: int
) -> np.ndarray:
    """R[b, i, k] = wT_ik int_{bin b} eff(x) P_gamma(x | E_ee(T_ik)) dx, shape (n_pe, n_iso, n_T).

    Args:
        T, wT: recoil nodes [MeV] and weights per isotope (or element), shape (n_iso, n_T).
        e_ee_kev: visible energy [keVee] as a function of the recoil energy [MeV] (quenching).
        eff_coeffs: (a, b, c, d) of the logistic PE efficiency.

    The integral over each PE bin uses sub-bins split at the point where the clipped
    efficiency reaches zero, so the integrand is smooth on every Gauss-Legendre panel.
    """
    zero = float(efficiency.logistic_zero(*eff_coeffs))
    fine = np.unique(np.concatenate([edges, [zero] if edges[0] < zero < edges[-1] else []]))
    starts = np.searchsorted(fine, edges[:-1])

    def eff(x):
        return efficiency.logistic(x, *eff_coeffs)

    blocks = []
    for t, w in zip(np.asarray(T), np.asarray(wT), strict=True):
        pdf = resolution.gamma_pdf(*resolution.csi_gamma_parameters(e_ee_kev(t), GAMMA_A, GAMMA_B))
        r = bin_response(fine, pdf, eff, n_sub=n_sub)
        blocks.append(np.add.reduceat(r, starts, axis=0) * w)
    return np.stack(blocks, axis=1)


def _timing_efficiency(t: np.ndarray) -> np.ndarray:
    """Timing efficiency at t [us] (for t < 6 us): 1 before 0.52 us, exp(-0.0494 (t - 0.52)) after."""
    return efficiency.timing_exponential(t, T_EFF_START_US, T_EFF_RATE)


def _timing_quadrature(edges: np.ndarray, n_q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arrays for int_{bin} eff(t) dF(t) = eff(b-) F(b) - eff(a) F(a) + lambda int_{max(a, t0)}^b eff F dt.

    Integration by parts with eff' = -lambda eff after t0 = 0.52 us (0 before), so only the
    smooth arrival-time CDF F is needed at run time.

    Returns:
        ``(eff_lo, eff_hi, nodes, weights)``: efficiency at the lower and upper edge of
        each bin, shape (n_t,); Gauss-Legendre nodes [us] and weights lambda w eff(node) of the
        last n_int bins, those ending after t0 (the others have no integral term), shape (n_int, n_q).
    """
    lo, hi = edges[:-1], edges[1:]
    start = np.clip(lo, T_EFF_START_US, None)
    nodes, w = gauss_legendre(np.minimum(start, hi), hi, n_q)
    weights = T_EFF_RATE * w * _timing_efficiency(nodes)
    after = hi > T_EFF_START_US  # a suffix of the bins (edges increase)
    return _timing_efficiency(lo), _timing_efficiency(hi), nodes[after], weights[after]


def _binned_pdf_content(pdf: datasets.BinnedPDF, width: float, edges: np.ndarray) -> np.ndarray:
    """Content of a released histogram PDF in arbitrary bins (uniform within each released bin)."""
    centre = np.asarray(pdf.center, dtype=float)
    src = np.append(centre - width / 2, centre[-1] + width / 2)
    cumulative = np.concatenate([[0.0], np.cumsum(pdf.value)])
    return np.diff(np.interp(edges, src, cumulative))


def _neutron_template(pe_pdf: datasets.BinnedPDF, t_pdf: datasets.BinnedPDF, pe_edges, t_edges) -> np.ndarray:
    """Expected events (n_pe, n_t) of a neutron background: PE PDF (1-PE bins) x t_rec PDF (10 ns bins).

    The t_rec PDF counts events over all PE; the PE PDF sums to 1 over PE < 60, so the
    PE < 60 fraction is 1/sum(PE PDF).
    """
    pe = _binned_pdf_content(pe_pdf, 1.0, pe_edges) / np.sum(pe_pdf.value)
    t = _binned_pdf_content(t_pdf, 0.01, t_edges)
    return np.outer(pe, t)


class CoherentCsI2021(Experiment):
    """The built CsI 2021 experiment.

    Attributes:
        folding: flux x target quadrature (3 flux components, 133Cs and 127I).
        response: PE response matrices, shape (7, n_pe, 2, n_T), in the order of :data:`VARIANTS`.
        electrons: nu-e quadrature on the Cs and I electrons, or None (``electron_scattering=false``).
        response_es: PE response of electron recoils (no quenching) for the nominal, +1 and -1 sigma
            efficiencies, shape (3, n_pe, 2, n_Te), or None.
        rp: proton rms radii of (133Cs, 127I) [fm].
        eff_lo, eff_hi: timing efficiency at the lower / upper edge of each time bin, shape (n_t,).
        t_nodes, t_weights: quadrature of the timing-efficiency integral over the last n_int time bins
            (those ending after 0.52 us), shape (n_int, n_q).
        ss, brn, nin: background expectations at nominal normalisation, shape (n_pe, n_t).
        likelihood: Poisson on the coincidence-window counts, shape (n_pe, n_t).
        pe_edges, t_edges: bin edges [PE], [us].
        prompt: per flux component, whether its timing is prompt (else delayed).
        separate_radii, binning: configuration.
    """

    folding: Folding
    response: jax.Array
    electrons: ElectronFolding | None
    response_es: jax.Array | None
    rp: jax.Array
    eff_lo: jax.Array
    eff_hi: jax.Array
    t_nodes: jax.Array
    t_weights: jax.Array
    ss: jax.Array
    brn: jax.Array
    nin: jax.Array
    likelihood: Poisson
    pe_edges: tuple[float, ...] = eqx.field(static=True)
    t_edges: tuple[float, ...] = eqx.field(static=True)
    prompt: tuple[bool, ...] = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    separate_radii: bool = eqx.field(static=True)
    binning: str = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def recoil_spectra(self, params) -> jax.Array:
        """CEvNS dN/dT [events/MeV] per flux component, isotope and recoil node, shape (3, 2, n_T)."""
        return self.folding.cevns_spectra(params, _csi.neutron_radii(params, self.separate_radii), self.rp, self.signal)

    def pe_response(self, params) -> jax.Array:
        """Response R[b, i, k] at the shape nuisances ``theta_qf``, ``theta_qf_1``, ``theta_eff``.

        Far beyond the released variants the linear extrapolation could turn a probability
        negative; the interpolated response is clipped at zero.
        """
        weights = mixture_weights(params, len(VARIANTS), SHAPE_NUISANCES)
        return jnp.maximum(mix(weights, self.response), 0.0)

    def cevns_energy(self, params) -> jax.Array:
        """CEvNS events per flux component and PE bin before the timing cut, shape (3, n_pe)."""
        return self.folding.counts(self.pe_response(params), self.recoil_spectra(params))

    def es_energy(self, params) -> jax.Array:
        """nu-e scattering events per flux component and PE bin before the timing cut, shape (3, n_pe).

        Electron recoils are not quenched, so only the efficiency nuisance ``theta_eff`` moves
        their response (E_ee = T_e, then the same light yield, resolution and efficiency).
        """
        w_es = mixture_weights(params, len(VARIANTS), SHAPE_NUISANCES)[np.asarray(ELECTRON_VARIANTS)]
        w_es = w_es.at[0].add(1.0 - jnp.sum(w_es))  # the quenching variants fall back to nominal
        response = jnp.maximum(mix(w_es, self.response_es), 0.0)
        return self.electrons.counts(response, self.electrons.spectra(params, self.signal))

    def time_fractions(self, params) -> jax.Array:
        """Fraction of each flux component's events in each time bin (timing efficiency included), (3, n_t).

        Both arrival-time CDFs are evaluated once, at the bin edges and the quadrature nodes together.
        """
        n_edges, (n_int, n_q) = len(self.t_edges), self.t_nodes.shape
        times = jnp.concatenate([jnp.asarray(self.t_edges), jnp.ravel(self.t_nodes)])
        F = sns.time_cdfs(times, TRACE_MEAN_US + params["t_offset"], TRACE_WIDTH_US, self.signal.constants)
        at_edges, at_nodes = F[:, :n_edges], F[:, n_edges:].reshape(2, n_int, n_q)
        integral = jnp.pad(jnp.sum(self.t_weights * at_nodes, axis=-1), ((0, 0), (n_edges - 1 - n_int, 0)))
        prompt, delayed = self.eff_hi * at_edges[:, 1:] - self.eff_lo * at_edges[:, :-1] + integral
        return jnp.stack([prompt if p else delayed for p in self.prompt])

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component, each shape (n_pe, n_t).

        ``cevns``, ``ss``, ``brn``, ``nin`` and, unless built with ``electron_scattering=false``,
        ``es`` (nu-e elastic scattering; scaled by ``eta_flux``, not by ``mu_cevns``).
        """
        times = self.time_fractions(params)
        cevns = jnp.einsum("cb,ct->bt", self.cevns_energy(params), times)
        out = {
            "cevns": params["mu_cevns"] * params["eta_flux"] * cevns,
            "ss": params["eta_ss"] * self.ss,
            "brn": params["eta_brn"] * self.brn,
            "nin": params["eta_nin"] * self.nin,
        }
        if self.electrons is not None:
            out["es"] = params["eta_flux"] * jnp.einsum("cb,ct->bt", self.es_energy(params), times)
        return out

    def plot(self, params, path: str) -> None:
        """PE and t_rec projections of the data (coincidence window) and the expected components (PNG)."""
        exp = {k: np.asarray(v) for k, v in self.expected(params).items()}
        order = [k for k in ("ss", "brn", "nin", "es", "cevns") if k in exp]
        _csi.plot_projections(
            path,
            np.asarray(self.pe_edges),
            np.asarray(self.t_edges),
            {k: exp[k] for k in order},
            np.asarray(self.data),
            title=r"COHERENT CsI[Na] 2021 (PE < 60, $t_{\rm rec}$ < 6 $\mu$s)",
        )


def _nuisances(flux_prior: float, timing: str) -> list[Parameter]:
    t_default, t_free, _ = TIMING[timing]
    return [
        flux_normalisation(flux_prior),
        Parameter(
            "eta_ss",
            1.0,
            lower=0.5,
            upper=1.5,
            constraint=(1.0, PRIORS["eta_ss"]),
            free=True,
            label=r"$\eta_{\rm SS}$",
            doc=f"steady-state normalisation ({SS_EVENTS:g} events)",
        ),
        Parameter(
            "eta_brn",
            1.0,
            lower=0.0,
            upper=5.0,
            constraint=(1.0, PRIORS["eta_brn"]),
            free=True,
            label=r"$\eta_{\rm BRN}$",
            doc="beam-related neutron normalisation (18.45 events)",
        ),
        Parameter(
            "eta_nin",
            1.0,
            lower=0.0,
            upper=5.0,
            constraint=(1.0, PRIORS["eta_nin"]),
            free=True,
            label=r"$\eta_{\rm NIN}$",
            doc="neutrino-induced neutron normalisation (5.62 events)",
        ),
        shape_nuisance(
            "theta_qf",
            r"$\theta_{\rm QF}$",
            "quenching shape, scintRespCoefficients syst model 0 [sigma]",
        ),
        shape_nuisance(
            "theta_qf_1",
            r"$\theta_{\rm QF,1}$",
            "quenching shape, scintRespCoefficients syst model 1 [sigma]",
        ),
        shape_nuisance(
            "theta_eff",
            r"$\theta_{\rm eff}$",
            "PE-efficiency shape, effCoefficients +-1 sigma rows [sigma]",
        ),
        Parameter(
            "t_offset",
            t_default,
            unit="us",
            lower=-0.3,
            upper=0.5,
            constraint=(t_default, PRIORS["t_offset"]),
            free=t_free,
            label=r"$\Delta t$ [$\mu$s]",
            doc=f"shift of the POT-trace mean from {TRACE_MEAN_US} us",
        ),
        signal_strength(),
    ]


def build(
    form_factor: str = "helm",
    preset: str = "pdg2022",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    separate_radii: bool = False,
    binning: str = "coherent",
    flux_prior: float = 0.10,
    electron_scattering: bool = True,
    timing: str = "offset_prior",
    refine: int = 1,
) -> CoherentCsI2021:
    """Build the CsI 2021 experiment (the module docstring describes the physics of each option).

    Args:
        form_factor: nuclear form factor of both isotopes (``helm``, ``sfermi``, ``kn``, ``unity``).
        preset: constants preset (``pdg2018`` or ``pdg2022``).
        zz_boxes: include the ZZ box radiative corrections in the couplings.
        radius_q_dependence: momentum-dependent charge radius (:func:`._options.signal_options`).
        mediator: light vector mediator model (:func:`._options.signal_options`).
        sterile: add the 3+1 sterile parameters (:func:`._options.signal_options`).
        separate_radii: ``rn_cs133`` and ``rn_i127`` instead of one ``rn_csi``.
        binning: ``coherent`` (9 x 11 bins) or ``fine`` (14 x 18 bins).
        flux_prior: prior width of ``eta_flux`` (0.10 or 0.1146).
        electron_scattering: add the nu-e elastic scattering component ``es``.
        timing: arrival-time treatment (:data:`TIMING`): ``offset_prior`` (t_offset free with its
            0.1 us prior), ``nin_fixed`` (t_offset fixed at 0) or ``data_fixed`` (fixed at +0.079 us).
        refine: multiplies the recoil panels, neutrino-energy nodes, PE sub-bins and time nodes.

    Returns:
        The :class:`CoherentCsI2021` model.

    Raises:
        ValueError: ``refine`` below 1.
        FileNotFoundError, cevnsjax.datasets.DataError: the release is missing or corrupt.
    """
    check_positive_int("refine", refine)
    release = datasets.load_csi2021()
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
    c = signal.constants
    tgt = _csi.target()
    comps = sns.components(c)
    flu = sns.fluence(NU_PER_POT, N_POT, DISTANCE_M)
    folding = build_folding(
        tgt,
        comps,
        [flu] * len(comps),
        MASS_KG,
        RECOIL_RANGE_MEV,
        n_panels=24 * refine,
        n_t=8,
        n_e=24 * refine,
    )
    pe_edges, t_edges = (np.asarray(e) for e in BINNINGS[binning])

    scint, eff = release.scintillation, release.efficiency
    variants = {
        "nominal": (scint.nominal, eff.nominal),
        "qf0_plus": (scint.plus[0], eff.nominal),
        "qf0_minus": (scint.minus[0], eff.nominal),
        "qf1_plus": (scint.plus[1], eff.nominal),
        "qf1_minus": (scint.minus[1], eff.nominal),
        "eff_plus": (scint.nominal, eff.plus),
        "eff_minus": (scint.nominal, eff.minus),
    }
    response = np.stack(
        [
            _pe_response(
                folding.T,
                folding.wT,
                lambda t, q=variants[v][0]: quenching.polynomial(t, q),
                pe_edges,
                variants[v][1],
                n_sub=8 * refine,
            )
            for v in VARIANTS
        ]
    )
    eff_lo, eff_hi, t_nodes, t_weights = _timing_quadrature(t_edges, 16 * refine)
    electrons = response_es = None
    if electron_scattering:
        electrons = _csi.electron_folding(comps, flu, MASS_KG, c.m_e, refine)
        response_es = jnp.asarray(
            np.stack(
                [
                    _pe_response(
                        electrons.T,
                        electrons.wT,
                        lambda t: 1e3 * t,
                        pe_edges,
                        variants[VARIANTS[v]][1],
                        n_sub=8 * refine,
                    )
                    for v in ELECTRON_VARIANTS
                ]
            )
        )

    ac, coinc = release.events_ac, release.events_c
    in_roi = (ac.pe < PE_MAX) & (ac.t_rec < T_MAX_US)
    ss_pe = np.histogram(ac.pe[in_roi], bins=pe_edges)[0].astype(float)
    ss_t = np.diff(efficiency.integrated_timing_exponential(t_edges, T_EFF_START_US, T_EFF_RATE))
    ss = SS_EVENTS * np.outer(ss_pe / ss_pe.sum(), ss_t / ss_t.sum())
    in_roi = (coinc.pe < PE_MAX) & (coinc.t_rec < T_MAX_US)
    data = np.histogram2d(coinc.pe[in_roi], coinc.t_rec[in_roi], bins=[pe_edges, t_edges])[0]

    return CoherentCsI2021(
        folding=folding,
        response=jnp.asarray(response),
        electrons=electrons,
        response_es=response_es,
        rp=_csi.proton_radii(),
        eff_lo=jnp.asarray(eff_lo),
        eff_hi=jnp.asarray(eff_hi),
        t_nodes=jnp.asarray(t_nodes),
        t_weights=jnp.asarray(t_weights),
        ss=jnp.asarray(ss),
        brn=jnp.asarray(_neutron_template(release.brn_pe, release.brn_trec, pe_edges, t_edges)),
        nin=jnp.asarray(_neutron_template(release.nin_pe, release.nin_trec, pe_edges, t_edges)),
        likelihood=Poisson(jnp.asarray(data)),
        pe_edges=tuple(float(e) for e in pe_edges),
        t_edges=tuple(float(e) for e in t_edges),
        prompt=tuple(t == "prompt" for t in folding.timing),
        parameters=parameter_set(
            c,
            _csi.radius_parameters(form_factor, separate_radii),
            _nuisances(flux_prior, timing),
            sterile=sterile,
            renamed=RENAMED_STRENGTH,
        ),
        signal=signal,
        separate_radii=separate_radii,
        binning=binning,
    )


register(NAME, build, OPTIONS, doc="COHERENT CsI[Na] 2021 full dataset, 2D PE x t_rec Poisson (arXiv:2110.07730)")

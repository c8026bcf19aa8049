"""COHERENT CsI[Na] first observation (Science 357, 1123; arXiv:1708.01294), Zenodo record 1228631.

Built from the binned release (arXiv:1804.09459) located and hash-checked by
:mod:`cevnsjax.datasets`: counts in 25 x 24 bins (2 PE over 0-50 PE x 0.5 us over
0-12 us) for the coincidence (C, signal) and anti-coincidence (AC, background) windows,
beam on and beam off, and the arrival-time PDFs of prompt and delayed neutrinos.

Signal.  133Cs and 127I (14.57 kg of CsI) exposed to the SNS pi-DAR flux, 0.08 nu/POT
per flavour, 1.76e23 POT, 19.3 m (docs/physics.md sections 7 and 10).  Neutron radius
``rn_csi`` (or ``rn_cs133``, ``rn_i127`` with ``separate_radii=true``), bounds and default
as for ``coherent_csi_2021``.  Detector response:

* mean photoelectron number mu(T_nr): option ``quenching=constant`` (default),
  1.17 PE/keVnr = 8.78% quenching x 13.348 PE/keVee (arXiv:1708.01294); or
  ``quenching=csi2021``, 13.348 PE/keVee x E_ee(T_nr) of the CsI 2021 nominal
  scintillation response (``scintRespCoefficients.txt`` of arXiv:2110.07730, energy
  dependent);
* resolution: the photoelectron count n is Poisson with mean eta_qf mu(T_nr) (photon
  statistics only); a 2-PE bin [2j, 2j + 2) collects n = 2j and 2j + 1;
* acceptance at the integer count n: a/(1 + exp(-k (n - x0))) for n >= 6, half of it
  for n = 5, zero below, a = 0.6655, k = 0.4942, x0 = 10.8507 (release documentation);
* arrival times: the released prompt / delayed PDFs, per time bin.

The response is evaluated at run time (Poisson probabilities for n = 0..49 on the fixed
recoil grid), so ``eta_qf`` moves the energy scale exactly.

Neutrino-electron elastic scattering (component ``es``, option ``electron_scattering``,
default true) is built as for ``coherent_csi_2021``: unquenched electron recoils at
13.348 PE/keVee with the same Poisson photon statistics, acceptance and arrival times
(``eta_qf`` does not act on it); it is scaled by ``eta_flux`` x ``eta_eff`` in the Poisson
likelihood and by ``eta_cevns`` (the literature's signal normalisation) in the chi^2 ones.
The response pieces are :func:`cevnsjax.detectors.resolution.poisson_counts` (photon statistics),
:func:`cevnsjax.detectors.efficiency.counting_acceptance` and, for ``quenching=csi2021``,
:func:`cevnsjax.detectors.quenching.polynomial`.

Likelihoods (option ``likelihood``):

* ``poisson`` (default): binned Poisson likelihood (docs/physics.md 11b) of the beam-on C
  counts in all 25 x 24 bins, mu = CEvNS + steady state (SS).  The SS template factorises
  (to keep its bin-by-bin fluctuations small): PE shape x time shape of the three
  background-only windows (beam-on AC, beam-off C
  and AC; 2046 events), normalised to the beam-on AC total (1032 events, the same
  exposure as the signal window).  Nuisances and priors: ``eta_flux`` 10% (SNS flux;
  declared like ``coherent_csi_2021``'s so that a combination shares it),
  ``eta_qf`` scales mu(T): 18.9% for ``constant`` (quenching 8.78 +- 1.66%,
  arXiv:1708.01294) or 4.2% for ``csi2021`` (the released +-1 sigma models change E_ee
  by up to 3.5% and 2.4% over 5-40 keVnr, added in quadrature), ``eta_eff`` scales the
  acceptance, 5% (arXiv:1708.01294), ``eta_ss``, 3.1% = 1/sqrt(1032) (Poisson error of
  the AC normalisation).  Beam-related neutrons are not modelled: the release carries no
  template for them (arXiv:1708.01294 estimates a few prompt-neutron events in the
  signal region).
* ``single_bin``: the one-bin chi^2 used with this dataset in the literature (e.g.
  arXiv:1708.04255):
  chi2 = (N_meas - eta_cevns N_th - eta_brn B_on)^2/sigma^2 + ((eta_cevns - 1)/0.28)^2
  + ((eta_brn - 1)/0.25)^2, sigma^2 = N_meas + 2 B_ss + B_on, with N_meas = C - AC = 142
  and B_ss = AC = 405 computed from the release in 6 <= PE < 30, 0 <= t < 6 us (the
  literature's numbers), B_on = 6 beam-on prompt-neutron events (the literature's value,
  from arXiv:1708.01294), and N_th the CEvNS prediction in
  the same region.  sigma_cevns = 28% (flux 10%, quenching 25%, acceptance 5%, form
  factor 5%; arXiv:1708.01294), sigma_brn = 25%.
* ``energy_chi2``: the same in the 12 bins of 2 PE over 6-30 PE (t < 6 us), as in
  arXiv:1710.02730: chi2 = sum_i (N_i - eta_cevns N_th,i)^2/sigma_i^2
  + ((eta_cevns - 1)/0.28)^2, N_i = C_i - AC_i, sigma_i^2 = C_i + AC_i = N_i + 2 B_ss,i.
  The per-bin prompt-neutron background of that paper is not in the release and is
  left out.

Signal normalisation, one meaning per name: in ``single_bin`` and ``energy_chi2`` the CEvNS
expectation is scaled by ``eta_cevns``, a normalisation constrained at 28% and free by default
(the literature's recipe); in ``poisson`` by ``mu_cevns``, a signal strength with no prior, not
free by default (free it, with ``eta_flux`` fixed, to measure the event count).  ``mu_cevns``
was called ``eta_cevns`` before 0.2; the old name is still accepted (with a FutureWarning).

Options: ``likelihood``, ``quenching``, ``form_factor``, ``preset`` (default pdg2022),
``zz_boxes`` (default true), ``separate_radii``, ``refine`` (multiplies the quadrature
grids).

Numbers (tests/test_csi2017.py).  SM CEvNS prediction at the default radii R_n = 5.01/4.94 fm:
181.3 events in all bins (157.7 in the single-bin region), 152.8 with one radius 5.5 fm for both
isotopes, 172.2 with ``quenching=csi2021``.  Fitted CEvNS events: 153 +- 24 (``poisson``,
mu_cevns free with eta_flux, eta_qf, eta_eff fixed), 144 +- 25 (``energy_chi2``), 143
(``single_bin``).  COHERENT: 134 +- 22 fitted, SM prediction 173 +- 48.

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coherent_csi_2017", likelihood="single_bin")
    >>> float(m.likelihood.measured), float(m.b_ss)
    (142.0, 405.0)
"""

from __future__ import annotations

import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import datasets
from ..detectors import efficiency, resolution
from ..detectors.quenching import polynomial
from ..folding import ElectronFolding, Folding, build_folding
from ..likelihood import LeastSquares, Poisson, SingleBin
from ..parameters import Parameter, ParameterSet
from ..physics.amplitude import SignalConfig
from ..sources import sns
from . import _csi, register
from ._base import RENAMED_STRENGTH, Experiment, flux_normalisation, parameter_set, signal_strength
from ._options import ELECTRON_SCATTERING, REFINE, Option, check_positive_int, signal_options, sns_signal

NAME = "coherent_csi_2017"

NU_PER_POT = 0.08
N_POT = 1.76e23
DISTANCE_M = 19.3
MASS_KG = 14.57

PE_PER_KEVNR = 1.17  # constant quenching: 8.78% x 13.348 PE/keVee
PE_PER_KEVEE = 13.348  # light yield
ACCEPTANCE = (0.6655, 0.4942, 10.8507)  # a, k, x0 of a/(1 + exp(-k (x - x0)))
N_PE_MAX = 50  # photoelectron counts 0..49 fill the 25 released energy bins

ROI_PE = (6.0, 30.0)  # region of the literature's single-bin and energy chi^2 [PE]
ROI_T_US = 6.0  # ... and its time cut [us]
B_ON = 6.0  # beam-on prompt-neutron events in that region (arXiv:1708.01294)
PRIORS = {
    "eta_qf_constant": 1.66 / 8.78,
    "eta_qf_csi2021": 0.042,
    "eta_eff": 0.05,
    "eta_cevns": 0.28,
    "eta_brn": 0.25,
}

RECOIL_RANGE_MEV = (1e-3, 0.06)
LIKELIHOODS = ("poisson", "single_bin", "energy_chi2")

OPTIONS = {
    "likelihood": Option("poisson", LIKELIHOODS, doc="2D Poisson, single-bin chi^2 or 12-bin energy chi^2"),
    "quenching": Option(
        "constant", ("constant", "csi2021"), doc="1.17 PE/keVnr, or the CsI 2021 E_ee(T_nr) x 13.348 PE/keVee"
    ),
    **signal_options(),
    "separate_radii": _csi.SEPARATE_RADII,
    "electron_scattering": ELECTRON_SCATTERING,
    "refine": REFINE,
}


def acceptance(n: np.ndarray) -> np.ndarray:
    """Acceptance at photoelectron count n: a/(1 + exp(-k(n - x0))) for n >= 6, half for 5 <= n < 6, else 0."""
    return efficiency.counting_acceptance(n, *ACCEPTANCE)


def _mean_pe(folding: Folding, quenching_model: str) -> np.ndarray:
    """Mean photoelectron count per recoil node, shape (n_iso, n_T)."""
    T = np.asarray(folding.T)
    if quenching_model == "constant":
        return PE_PER_KEVNR * 1e3 * T
    return PE_PER_KEVEE * polynomial(T, datasets.load_csi2021().scintillation.nominal)


def _pe_response(collect: jax.Array, mean_pe: jax.Array, wT: jax.Array) -> jax.Array:
    """R[b, i, k] = wT_ik sum_n collect[b, n] Poisson(n | mean_pe_ik): photon statistics, acceptance, binning."""
    return jnp.einsum("bn,nik->bik", collect, resolution.poisson_counts(jnp.asarray(mean_pe), N_PE_MAX)) * wT


class CoherentCsI2017(Experiment):
    """The built CsI 2017 experiment.

    Attributes:
        folding: flux x target quadrature (3 flux components, 133Cs and 127I).
        mean_pe: mean photoelectron count per recoil node at eta_qf = 1, shape (2, n_T).
        electrons: nu-e quadrature on the Cs and I electrons, or None (``electron_scattering=false``).
        response_es: energy-bin response of electron recoils (13.348 PE/keVee, no quenching, so
            ``eta_qf`` does not act on it), shape (25, 2, n_Te), or None.
        collect: acceptance-weighted map from photoelectron count to energy bin, shape (25, 50).
        time_pdf: arrival-time fraction per time bin for each flux component, shape (3, 24).
        rp: proton rms radii of (133Cs, 127I) [fm].
        ss: steady-state template at nominal normalisation (poisson), shape (25, 24).
        counts_on, counts_ac: beam-on C and AC counts, shape (25, 24).
        likelihood: Poisson on ``counts_on`` (poisson), SingleBin on C - AC in the region
            (single_bin), or LeastSquares on C - AC in its 12 energy bins (energy_chi2).
        roi_pe, roi_t: energy and time bin indices of the single-bin / energy-chi^2 region.
        b_ss: AC counts in the region (single_bin).
        pe_edges, t_edges: bin edges [PE], [us].
        mode, quenching, separate_radii: configuration (``mode`` is the likelihood option).
    """

    folding: Folding
    mean_pe: jax.Array
    electrons: ElectronFolding | None
    response_es: jax.Array | None
    collect: jax.Array
    time_pdf: jax.Array
    rp: jax.Array
    ss: jax.Array
    counts_on: jax.Array
    counts_ac: jax.Array
    likelihood: Poisson | SingleBin | LeastSquares
    b_ss: jax.Array
    pe_edges: tuple[float, ...] = eqx.field(static=True)
    t_edges: tuple[float, ...] = eqx.field(static=True)
    roi_pe: tuple[int, ...] = eqx.field(static=True)
    roi_t: tuple[int, ...] = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    mode: str = eqx.field(static=True)
    quenching: str = eqx.field(static=True)
    separate_radii: bool = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def recoil_spectra(self, params) -> jax.Array:
        """CEvNS dN/dT [events/MeV] per flux component, isotope and recoil node, shape (3, 2, n_T)."""
        return self.folding.cevns_spectra(params, _csi.neutron_radii(params, self.separate_radii), self.rp, self.signal)

    def pe_response(self, params) -> jax.Array:
        """R[b, i, k]: acceptance-weighted Poisson probability of energy bin b (recoil weights included)."""
        return _pe_response(self.collect, params.get("eta_qf", 1.0) * self.mean_pe, self.folding.wT)

    def cevns_2d(self, params) -> jax.Array:
        """CEvNS events per (PE, time) bin before any normalisation nuisance, shape (25, 24)."""
        energy = self.folding.counts(self.pe_response(params), self.recoil_spectra(params))
        return jnp.einsum("cb,ct->bt", energy, self.time_pdf)

    def es_2d(self, params) -> jax.Array:
        """nu-e scattering events per (PE, time) bin before any normalisation nuisance, shape (25, 24)."""
        spectra = self.electrons.spectra(params, self.signal)
        return jnp.einsum("cb,ct->bt", self.electrons.counts(self.response_es, spectra), self.time_pdf)

    def _es_scale(self, params) -> jax.Array:
        """Flux x acceptance (poisson) or the literature's signal normalisation eta_cevns (chi^2 likelihoods)."""
        if self.mode == "poisson":
            return params["eta_flux"] * params["eta_eff"]
        return params["eta_cevns"]

    def _signal_scale(self, params) -> jax.Array:
        """mu_cevns x flux x acceptance (poisson) or eta_cevns (chi^2 likelihoods)."""
        if self.mode == "poisson":
            return params["mu_cevns"] * params["eta_flux"] * params["eta_eff"]
        return params["eta_cevns"]

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component in the likelihood's bins.

        ``poisson``: ``cevns`` and ``ss``, shape (25, 24); ``energy_chi2``: ``cevns`` in the 12
        energy bins (background subtracted data); ``single_bin``: ``cevns`` and ``brn``, shape (1,).
        With ``electron_scattering`` (default) each also has ``es``, the nu-e signal in the same bins.
        """
        signals = {"cevns": self._signal_scale(params) * self.cevns_2d(params)}
        if self.electrons is not None:
            signals["es"] = self._es_scale(params) * self.es_2d(params)
        if self.mode == "poisson":
            return {**signals, "ss": params["eta_ss"] * self.ss}
        roi = {k: v[np.asarray(self.roi_pe)][:, np.asarray(self.roi_t)] for k, v in signals.items()}
        if self.mode == "energy_chi2":
            return {k: jnp.sum(v, axis=1) for k, v in roi.items()}
        return {**{k: jnp.sum(v)[None] for k, v in roi.items()}, "brn": (params["eta_brn"] * B_ON)[None]}

    def plot(self, params, path: str) -> None:
        """PE and time projections of the beam-on C counts with the CEvNS and steady-state expectations (PNG).

        For the ``single_bin`` and ``energy_chi2`` likelihoods the steady state is drawn at its
        nominal template (the measured AC counts' normalisation).
        """
        expected = {"ss": np.asarray(params.get("eta_ss", 1.0) * self.ss)}
        if self.electrons is not None:
            expected["es"] = np.asarray(self._es_scale(params) * self.es_2d(params))
        expected["cevns"] = np.asarray(self._signal_scale(params) * self.cevns_2d(params))
        _csi.plot_projections(
            path,
            np.asarray(self.pe_edges),
            np.asarray(self.t_edges),
            expected,
            np.asarray(self.counts_on),
            title=f"COHERENT CsI[Na] 2017, beam-on coincidence ({self.mode})",
        )


def _nuisances(likelihood: str, quenching_model: str, sigma_ss: float) -> list[Parameter]:
    if likelihood != "poisson":
        out = [
            Parameter(
                "eta_cevns",
                1.0,
                lower=0.0,
                upper=5.0,
                constraint=(1.0, PRIORS["eta_cevns"]),
                free=True,
                label=r"$\eta_{\rm CEvNS}$",
                doc="CEvNS normalisation (flux, quenching, acceptance, form factor)",
            ),
        ]
        if likelihood == "single_bin":
            out.append(
                Parameter(
                    "eta_brn",
                    1.0,
                    lower=0.0,
                    upper=5.0,
                    constraint=(1.0, PRIORS["eta_brn"]),
                    free=True,
                    label=r"$\eta_{\rm BRN}$",
                    doc=f"beam-on prompt-neutron normalisation ({B_ON:g} events)",
                )
            )
        return out
    sigma_qf = PRIORS[f"eta_qf_{quenching_model}"]
    return [
        flux_normalisation(_csi.FLUX_PRIOR),
        Parameter(
            "eta_qf",
            1.0,
            lower=0.3,
            upper=3.0,
            constraint=(1.0, sigma_qf),
            free=True,
            label=r"$\eta_{\rm QF}$",
            doc="scale of the photoelectron yield per recoil (quenching)",
        ),
        Parameter(
            "eta_eff",
            1.0,
            lower=0.0,
            upper=2.0,
            constraint=(1.0, PRIORS["eta_eff"]),
            free=True,
            label=r"$\eta_{\rm eff}$",
            doc="acceptance normalisation",
        ),
        Parameter(
            "eta_ss",
            1.0,
            lower=0.5,
            upper=1.5,
            constraint=(1.0, sigma_ss),
            free=True,
            label=r"$\eta_{\rm SS}$",
            doc="steady-state normalisation (beam-on AC total)",
        ),
        signal_strength(),
    ]


def _steady_state(release: datasets.CsI2017) -> np.ndarray:
    """Factorised steady-state template (PE shape x time shape of the background windows), AC-on normalised."""
    windows = release.anticoincidence_on + release.coincidence_off + release.anticoincidence_off
    pe = windows.sum(axis=1)
    t = windows.sum(axis=0)
    return release.anticoincidence_on.sum() * np.outer(pe / pe.sum(), t / t.sum())


def build(
    likelihood: str = "poisson",
    quenching: str = "constant",
    form_factor: str = "helm",
    preset: str = "pdg2022",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    separate_radii: bool = False,
    electron_scattering: bool = True,
    refine: int = 1,
) -> CoherentCsI2017:
    """Build the CsI 2017 experiment (the module docstring describes the physics of each option).

    Args:
        likelihood: ``poisson`` (2D, 600 bins), ``single_bin`` or ``energy_chi2`` (12 bins).
        quenching: ``constant`` (1.17 PE/keVnr) or ``csi2021`` (CsI 2021 E_ee(T_nr) x 13.348 PE/keVee).
        form_factor: nuclear form factor of both isotopes (``helm``, ``sfermi``, ``kn``, ``unity``).
        preset: constants preset (``pdg2018`` or ``pdg2022``).
        zz_boxes: include the ZZ box radiative corrections in the couplings.
        radius_q_dependence: momentum-dependent charge radius (:func:`._options.signal_options`).
        mediator: light vector mediator model (:func:`._options.signal_options`).
        sterile: add the 3+1 sterile parameters (:func:`._options.signal_options`).
        separate_radii: ``rn_cs133`` and ``rn_i127`` instead of one ``rn_csi``.
        electron_scattering: add the nu-e elastic scattering component ``es``.
        refine: multiplies the recoil panels and neutrino-energy nodes.

    Returns:
        The :class:`CoherentCsI2017` model.

    Raises:
        ValueError: ``refine`` below 1.
        FileNotFoundError, cevnsjax.datasets.DataError: a release is missing or corrupt.
    """
    check_positive_int("refine", refine)
    quenching_model = quenching
    release = datasets.load_csi2017()
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
    comps = sns.components(c)
    flu = sns.fluence(NU_PER_POT, N_POT, DISTANCE_M)
    folding = build_folding(
        _csi.target(),
        comps,
        [flu] * len(comps),
        MASS_KG,
        RECOIL_RANGE_MEV,
        n_panels=24 * refine,
        n_t=8,
        n_e=24 * refine,
    )
    pe_edges = np.asarray(release.pe_edges)
    n = np.arange(N_PE_MAX)
    collect = (np.digitize(n, pe_edges) - 1 == np.arange(pe_edges.size - 1)[:, None]) * acceptance(n)
    pdfs = {"prompt": release.prompt_pdf.value, "delayed": release.delayed_pdf.value}
    time_pdf = np.stack([pdfs[t] for t in folding.timing])
    collect = jnp.asarray(collect, dtype=float)
    electrons = response_es = None
    if electron_scattering:
        electrons = _csi.electron_folding(comps, flu, MASS_KG, c.m_e, refine)
        response_es = _pe_response(collect, PE_PER_KEVEE * 1e3 * electrons.T, electrons.wT)

    centres_pe, centres_t = np.asarray(release.pe_centers), np.asarray(release.time_centers)
    roi_pe = (centres_pe > ROI_PE[0]) & (centres_pe < ROI_PE[1])
    roi_t = centres_t < ROI_T_US
    on, ac = np.asarray(release.coincidence_on), np.asarray(release.anticoincidence_on)
    on_roi, ac_roi = on[roi_pe][:, roi_t].sum(axis=1), ac[roi_pe][:, roi_t].sum(axis=1)
    n_meas, b_ss = on_roi.sum() - ac_roi.sum(), ac_roi.sum()
    stat = {
        "poisson": lambda: Poisson(jnp.asarray(on)),
        "single_bin": lambda: SingleBin(jnp.asarray(n_meas, dtype=float), jnp.asarray(n_meas + 2 * b_ss + B_ON)),
        "energy_chi2": lambda: LeastSquares(jnp.asarray(on_roi - ac_roi), jnp.asarray(on_roi + ac_roi)),
    }[likelihood]()

    return CoherentCsI2017(
        folding=folding,
        mean_pe=jnp.asarray(_mean_pe(folding, quenching_model)),
        electrons=electrons,
        response_es=response_es,
        collect=collect,
        time_pdf=jnp.asarray(time_pdf),
        rp=_csi.proton_radii(),
        ss=jnp.asarray(_steady_state(release)),
        counts_on=jnp.asarray(on),
        counts_ac=jnp.asarray(ac),
        likelihood=stat,
        b_ss=jnp.asarray(b_ss),
        pe_edges=tuple(float(e) for e in pe_edges),
        t_edges=tuple(float(e) for e in release.time_edges),
        roi_pe=tuple(int(i) for i in np.flatnonzero(roi_pe)),
        roi_t=tuple(int(i) for i in np.flatnonzero(roi_t)),
        parameters=parameter_set(
            c,
            _csi.radius_parameters(form_factor, separate_radii),
            _nuisances(likelihood, quenching_model, 1.0 / math.sqrt(ac.sum())),
            sterile=sterile,
            renamed=RENAMED_STRENGTH if likelihood == "poisson" else None,
        ),
        signal=signal,
        mode=likelihood,
        quenching=quenching_model,
        separate_radii=separate_radii,
    )


register(
    NAME,
    build,
    OPTIONS,
    doc="COHERENT CsI[Na] 2017 first observation (arXiv:1708.01294), 2D Poisson or literature chi^2",
)

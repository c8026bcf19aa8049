"""COHERENT CsI[Na] first observation (Science 357, 1123; arXiv:1708.01294), Zenodo record 1228631.

Built from the binned release (arXiv:1804.09459) located and hash-checked by
:mod:`cevnsjax.datasets`: counts in 25 x 24 bins (2 PE over 0-50 PE x 0.5 us over
0-12 us) for the coincidence (C, signal) and anti-coincidence (AC, background) windows,
beam on and beam off, and the arrival-time PDFs of prompt and delayed neutrinos.

Signal.  133Cs and 127I (14.57 kg of CsI) exposed to the SNS pi-DAR flux, 0.08 nu/POT
per flavour, 1.76e23 POT, 19.3 m (PHYSICS.md sections 7 and 10).  Neutron radius
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

Likelihoods (option ``likelihood``):

* ``poisson`` (default): binned Poisson likelihood (PHYSICS.md 11b) of the beam-on C
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

``eta_cevns`` scales the CEvNS expectation: constrained (28%) and free by default in
``single_bin`` and ``energy_chi2``; in ``poisson`` it has no prior and is not free by
default (free it, with ``eta_flux`` fixed, to measure the event count).

Options: ``likelihood``, ``quenching``, ``form_factor``, ``preset`` (default pdg2022),
``zz_boxes`` (default true), ``separate_radii``, ``refine`` (multiplies the quadrature
grids).

Numbers (tests/test_csi2017.py).  SM CEvNS prediction at R_n = 5.5 fm: 152.8 events in
all bins (134.6 in the single-bin region), 181.3 at R_n = 5.01/4.94 fm, 144.2 with
``quenching=csi2021``.  Fitted CEvNS events: 150 +- 23 (``poisson``, eta_cevns free with
eta_flux, eta_qf, eta_eff fixed), 137 +- 23 (``energy_chi2``), 135 (``single_bin``).
COHERENT: 134 +- 22 fitted, SM prediction 173 +- 48.

Example:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("coherent_csi_2017", likelihood="single_bin")
    >>> float(m.n_meas), float(m.b_ss)
    (142.0, 405.0)
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from .. import datasets
from ..constants import preset as get_preset
from ..folding import ElectronFolding, Folding, build_folding
from ..likelihood.poisson import poisson_deviance
from ..parameters import Parameter, ParameterSet
from ..physics.form_factors import FORM_FACTORS
from ..sources import sns
from . import Option, register
from . import _csi
from ._signal import (
    BSM_OPTIONS,
    BSMConfig,
    bsm_parameters,
    cevns_recoil_spectra,
    electron_recoil_spectra,
    sin2_theta_w_parameter,
)

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
    "form_factor": Option("helm", FORM_FACTORS, doc="nuclear form factor (protons and neutrons)"),
    "preset": Option("pdg2022", ("pdg2018", "pdg2022"), doc="constants preset"),
    "zz_boxes": Option(True, type=bool, doc="include ZZ box radiative corrections"),
    "separate_radii": Option(False, type=bool, doc="rn_cs133 and rn_i127 instead of one rn_csi"),
    "refine": Option(1, type=int, doc="multiply every quadrature grid (convergence checks)"),
    "electron_scattering": Option(True, type=bool, doc="add nu-e elastic scattering on the Cs and I electrons"),
    **BSM_OPTIONS,
}


def acceptance(n: np.ndarray) -> np.ndarray:
    """Acceptance at photoelectron count n: a/(1 + exp(-k(n - x0))) for n >= 6, half for 5 <= n < 6, else 0."""
    a, k, x0 = ACCEPTANCE
    full = a / (1.0 + np.exp(-k * (np.asarray(n, dtype=float) - x0)))
    return np.where(n >= 6, full, np.where(n >= 5, 0.5 * full, 0.0))


def _mean_pe(folding: Folding, quenching: str) -> np.ndarray:
    """Mean photoelectron count per recoil node, shape (n_iso, n_T)."""
    T = np.asarray(folding.T)
    if quenching == "constant":
        return PE_PER_KEVNR * 1e3 * T
    a, b, c, d = datasets.load_csi2021().scintillation.nominal
    return PE_PER_KEVEE * 1e3 * T * (a + T * (b + T * (c + T * d)))


class CoherentCsI2017(eqx.Module):
    """The built CsI 2017 experiment (a :class:`cevnsjax.model.Model`).

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
        data: beam-on C counts, shape (25, 24).
        data_ac: beam-on AC counts, shape (25, 24).
        roi_pe, roi_t: energy and time bin indices of the single-bin / energy-chi^2 region.
        n_meas, b_ss: C - AC and AC counts in the region (single_bin).
        data_energy, sigma2_energy: C - AC and its variance C + AC in the 12 energy bins (energy_chi2).
        pe_edges, t_edges: bin edges [PE], [us].
        parameters, likelihood, quenching, form, preset_name, zz_boxes, separate_radii: configuration.
    """

    folding: Folding
    mean_pe: jax.Array
    electrons: ElectronFolding | None
    response_es: jax.Array | None
    collect: jax.Array
    time_pdf: jax.Array
    rp: jax.Array
    ss: jax.Array
    data: jax.Array
    data_ac: jax.Array
    n_meas: jax.Array
    b_ss: jax.Array
    data_energy: jax.Array
    sigma2_energy: jax.Array
    pe_edges: tuple[float, ...] = eqx.field(static=True)
    t_edges: tuple[float, ...] = eqx.field(static=True)
    roi_pe: tuple[int, ...] = eqx.field(static=True)
    roi_t: tuple[int, ...] = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    likelihood: str = eqx.field(static=True)
    quenching: str = eqx.field(static=True)
    form: str = eqx.field(static=True)
    preset_name: str = eqx.field(static=True)
    zz_boxes: bool = eqx.field(static=True)
    separate_radii: bool = eqx.field(static=True)
    bsm: BSMConfig = eqx.field(static=True)
    name: str = eqx.field(static=True, default=NAME)

    @property
    def n_bins(self) -> int:
        return {"poisson": int(self.data.size), "single_bin": 1, "energy_chi2": int(self.data_energy.size)}[
            self.likelihood
        ]

    def recoil_spectra(self, params) -> jax.Array:
        """CEvNS dN/dT [events/MeV] per flux component, isotope and recoil node, shape (3, 2, n_T)."""
        return cevns_recoil_spectra(
            self.folding, params, rn=_csi.neutron_radii(params, self.separate_radii), rp=self.rp,
            form=self.form, c=get_preset(self.preset_name), zz_boxes=self.zz_boxes, bsm=self.bsm,
        )

    def pe_response(self, params) -> jax.Array:
        """R[b, i, k]: acceptance-weighted Poisson probability of energy bin b (recoil weights included)."""
        return _poisson_response(self.collect, params.get("eta_qf", 1.0) * self.mean_pe, self.folding.wT)

    def cevns_2d(self, params) -> jax.Array:
        """CEvNS events per (PE, time) bin before any normalisation nuisance, shape (25, 24)."""
        energy = self.folding.counts(self.pe_response(params), self.recoil_spectra(params))
        return jnp.einsum("cb,ct->bt", energy, self.time_pdf)

    def es_2d(self, params) -> jax.Array:
        """nu-e scattering events per (PE, time) bin before any normalisation nuisance, shape (25, 24)."""
        spectra = electron_recoil_spectra(self.electrons, params, c=get_preset(self.preset_name), bsm=self.bsm)
        return jnp.einsum("cb,ct->bt", self.electrons.counts(self.response_es, spectra), self.time_pdf)

    def _es_scale(self, params) -> jax.Array:
        """Flux x acceptance (poisson) or the literature's signal normalisation eta_cevns (chi^2 likelihoods)."""
        if self.likelihood != "poisson":
            return params["eta_cevns"]
        return params["eta_flux"] * params["eta_eff"]

    def _signal_scale(self, params) -> jax.Array:
        scale = params["eta_cevns"]
        for name in ("eta_flux", "eta_eff"):
            if name in params:
                scale = scale * params[name]
        return scale

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component in the likelihood's bins.

        ``poisson``: ``cevns`` and ``ss``, shape (25, 24); ``energy_chi2``: ``cevns`` in the 12
        energy bins (background subtracted data); ``single_bin``: ``cevns`` and ``brn``, shape (1,).
        With ``electron_scattering`` (default) each also has ``es``, the nu-e signal in the same bins.
        """
        signals = {"cevns": self._signal_scale(params) * self.cevns_2d(params)}
        if self.electrons is not None:
            signals["es"] = self._es_scale(params) * self.es_2d(params)
        if self.likelihood == "poisson":
            return {**signals, "ss": params["eta_ss"] * self.ss}
        roi = {k: v[np.asarray(self.roi_pe)][:, np.asarray(self.roi_t)] for k, v in signals.items()}
        if self.likelihood == "energy_chi2":
            return {k: jnp.sum(v, axis=1) for k, v in roi.items()}
        return {**{k: jnp.sum(v)[None] for k, v in roi.items()}, "brn": (params["eta_brn"] * B_ON)[None]}

    def chi2(self, params) -> jax.Array:
        """-2 ln L (poisson) or the least-squares chi^2 (single_bin, energy_chi2), with the prior terms."""
        mu = sum(self.expected(params).values())
        if self.likelihood == "poisson":
            data = poisson_deviance(mu, self.data)
        elif self.likelihood == "energy_chi2":
            data = jnp.sum((self.data_energy - mu) ** 2 / self.sigma2_energy)
        else:
            data = jnp.sum((self.n_meas - mu) ** 2) / (self.n_meas + 2 * self.b_ss + B_ON)
        return data + self.parameters.constraint_chi2(params)

    def components(self, params) -> dict[str, jax.Array]:
        """Total expected events per component in the likelihood's bins."""
        return {k: jnp.sum(v) for k, v in self.expected(params).items()}

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
            path, np.asarray(self.pe_edges), np.asarray(self.t_edges), expected,
            np.asarray(self.data), title=f"COHERENT CsI[Na] 2017, beam-on coincidence ({self.likelihood})",
        )


def _poisson_response(collect: jax.Array, mean_pe: jax.Array, wT: jax.Array) -> jax.Array:
    """R[b, i, k] = wT_ik sum_n collect[b, n] Poisson(n | mean_pe_ik): photon statistics, acceptance, binning."""
    mu = jnp.asarray(mean_pe)
    n = jnp.arange(N_PE_MAX, dtype=mu.dtype)[:, None, None]
    pmf = jnp.exp(n * jnp.log(mu) - mu - gammaln(n + 1.0))
    return jnp.einsum("bn,nik->bik", collect, pmf) * wT


def _parameters(c, likelihood: str, quenching: str, form: str, separate_radii: bool, sigma_ss: float) -> ParameterSet:
    physics = [sin2_theta_w_parameter(c), *_csi.radius_parameters(form, separate_radii)]
    if likelihood != "poisson":
        nuisances = [
            Parameter("eta_cevns", 1.0, lower=0.0, upper=5.0, constraint=(1.0, PRIORS["eta_cevns"]), free=True,
                      label=r"$\eta_{\rm CEvNS}$",
                      doc="CEvNS normalisation (flux, quenching, acceptance, form factor)"),
        ]
        if likelihood == "single_bin":
            nuisances.append(
                Parameter("eta_brn", 1.0, lower=0.0, upper=5.0, constraint=(1.0, PRIORS["eta_brn"]), free=True,
                          label=r"$\eta_{\rm BRN}$", doc=f"beam-on prompt-neutron normalisation ({B_ON:g} events)")
            )
        return ParameterSet([*physics, *nuisances])
    sigma_qf = PRIORS[f"eta_qf_{quenching}"]
    nuisances = [
        _csi.flux_parameter(),
        Parameter("eta_qf", 1.0, lower=0.3, upper=3.0, constraint=(1.0, sigma_qf), free=True,
                  label=r"$\eta_{\rm QF}$", doc="scale of the photoelectron yield per recoil (quenching)"),
        Parameter("eta_eff", 1.0, lower=0.0, upper=2.0, constraint=(1.0, PRIORS["eta_eff"]), free=True,
                  label=r"$\eta_{\rm eff}$", doc="acceptance normalisation"),
        Parameter("eta_ss", 1.0, lower=0.5, upper=1.5, constraint=(1.0, sigma_ss), free=True,
                  label=r"$\eta_{\rm SS}$", doc="steady-state normalisation (beam-on AC total)"),
        Parameter("eta_cevns", 1.0, lower=0.0, upper=5.0, label=r"$\eta_{\rm CEvNS}$",
                  doc="CEvNS signal strength (free it, with eta_flux fixed, to measure the event count)"),
    ]
    return ParameterSet([*physics, *nuisances])


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
    separate_radii: bool = False,
    refine: int = 1,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    sterile: bool = False,
    electron_scattering: bool = True,
) -> CoherentCsI2017:
    """Build the CsI 2017 experiment (the module docstring describes the physics of each option).

    Args:
        likelihood: ``poisson`` (2D, 600 bins), ``single_bin`` or ``energy_chi2`` (12 bins).
        quenching: ``constant`` (1.17 PE/keVnr) or ``csi2021`` (CsI 2021 E_ee(T_nr) x 13.348 PE/keVee).
        form_factor: nuclear form factor of both isotopes (``helm``, ``sfermi``, ``kn``, ``unity``).
        preset: constants preset (``pdg2018`` or ``pdg2022``).
        zz_boxes: include the ZZ box radiative corrections in the couplings.
        separate_radii: ``rn_cs133`` and ``rn_i127`` instead of one ``rn_csi``.
        radius_q_dependence, mediator, sterile: beyond-SM options (:data:`._signal.BSM_OPTIONS`).
        refine: multiplies the recoil panels and neutrino-energy nodes.
        electron_scattering: add the nu-e elastic scattering component ``es``.

    Returns:
        The :class:`CoherentCsI2017` model.

    Raises:
        ValueError: ``refine`` below 1.
        FileNotFoundError, cevnsjax.datasets.DataError: a release is missing or corrupt.
    """
    if refine < 1:
        raise ValueError(f"option refine={refine}: must be a positive integer")
    release = datasets.load_csi2017()
    c = get_preset(preset)
    comps = sns.components(c)
    flu = sns.fluence(NU_PER_POT, N_POT, DISTANCE_M)
    folding = build_folding(
        _csi.target(), comps, [flu] * len(comps), MASS_KG, RECOIL_RANGE_MEV,
        n_panels=24 * refine, n_t=8, n_e=24 * refine,
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
        response_es = _poisson_response(collect, PE_PER_KEVEE * 1e3 * electrons.T, electrons.wT)

    centres_pe, centres_t = np.asarray(release.pe_centers), np.asarray(release.time_centers)
    roi_pe = (centres_pe > ROI_PE[0]) & (centres_pe < ROI_PE[1])
    roi_t = centres_t < ROI_T_US
    on, ac = np.asarray(release.coincidence_on), np.asarray(release.anticoincidence_on)
    on_roi, ac_roi = on[roi_pe][:, roi_t].sum(axis=1), ac[roi_pe][:, roi_t].sum(axis=1)

    return CoherentCsI2017(
        folding=folding,
        mean_pe=jnp.asarray(_mean_pe(folding, quenching)),
        electrons=electrons,
        response_es=response_es,
        collect=collect,
        time_pdf=jnp.asarray(time_pdf),
        rp=_csi.proton_radii(),
        ss=jnp.asarray(_steady_state(release)),
        data=jnp.asarray(on),
        data_ac=jnp.asarray(ac),
        n_meas=jnp.asarray(on_roi.sum() - ac_roi.sum()),
        b_ss=jnp.asarray(ac_roi.sum()),
        data_energy=jnp.asarray(on_roi - ac_roi),
        sigma2_energy=jnp.asarray(on_roi + ac_roi),
        pe_edges=tuple(float(e) for e in pe_edges),
        t_edges=tuple(float(e) for e in release.time_edges),
        roi_pe=tuple(int(i) for i in np.flatnonzero(roi_pe)),
        roi_t=tuple(int(i) for i in np.flatnonzero(roi_t)),
        parameters=_parameters(c, likelihood, quenching, form_factor, separate_radii, 1.0 / math.sqrt(ac.sum())).merged(
            ParameterSet(bsm_parameters(c, sterile=sterile))
        ),
        bsm=BSMConfig.from_options(radius_q_dependence, mediator, sterile, DISTANCE_M),
        likelihood=likelihood,
        quenching=quenching,
        form=form_factor,
        preset_name=preset,
        zz_boxes=zz_boxes,
        separate_radii=separate_radii,
    )


register(
    NAME, build, OPTIONS,
    doc="COHERENT CsI[Na] 2017 first observation (arXiv:1708.01294), 2D Poisson or literature chi^2",
)

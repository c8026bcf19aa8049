"""COHERENT CsI[Na] 2021 (arXiv:2110.07730) 2D PE x t_rec Poisson likelihood, the scipy-quad way.

Recipe of docs/physics.md section 10 ("CsI 2021"), coded independently of cevnsjax, with the
defaults of ``cj.experiment("coherent_csi_2021")``: 133Cs + 127I (14.6 kg, 259.81 g/mol),
0.0848 nu/flavour/POT, 3.198e23 POT at 19.3 m, pdg2022 couplings with ZZ boxes, Helm form
factors with the radii rn_csi +- 0.035 fm for (Cs, I) (``rn_csi`` is their mean, the
nuclear-model difference 0.07 fm held fixed), quenching E_ee = quartic in T_nr, gamma-distributed PE
(a = 0.0749/E_ee, b = 9.56 E_ee), the logistic PE efficiency clipped at zero, the timing
efficiency, and arrival times from a Gaussian POT trace (0.474 + t_offset us, 0.147 us)
convolved with the pion (prompt) and pion + muon (delayed) lifetimes.

For every PE bin, isotope and timing group (prompt line / delayed spectra) one
``scipy.integrate.quad`` over the recoil energy; inside it one quad over the neutrino
energy (delayed) and one over the PE at every recoil node.  The seven response variants
(nominal, quenching models 0 and 1 at +-1 sigma, efficiency +-1 sigma) are integrated
separately and interpolated by the shape nuisances (parabola through -1, 0, +1 sigma,
linear beyond).  Time fractions: one quad per time bin of eff(t) x arrival density.
Predictions are cached per (sin2_theta_w, rn_csi) and time fractions per t_offset.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping

import numpy as np
from scipy.integrate import quad

from cevnsjax import datasets

from . import physics as ph

NAMES = (
    "sin2_theta_w",
    "rn_csi",
    "eta_flux",
    "eta_ss",
    "eta_brn",
    "eta_nin",
    "theta_qf",
    "theta_qf_1",
    "theta_eff",
    "t_offset",
    "mu_cevns",
)
RN_SPLIT = 5.01 - 4.94  # R_n(133Cs) - R_n(127I) [fm], nuclear model of arXiv:2005.01645
NUISANCES = ("eta_flux", "eta_ss", "eta_brn", "eta_nin", "theta_qf", "theta_qf_1", "theta_eff", "t_offset")
DEFAULTS = {
    "sin2_theta_w": ph.PDG2022.sin2_theta_w,
    "rn_csi": 4.975,
    "eta_flux": 1.0,
    "eta_ss": 1.0,
    "eta_brn": 1.0,
    "eta_nin": 1.0,
    "theta_qf": 0.0,
    "theta_qf_1": 0.0,
    "theta_eff": 0.0,
    "t_offset": 0.0,
    "mu_cevns": 1.0,
}
BOUNDS = {
    "sin2_theta_w": (0.0, 1.0),
    "rn_csi": (max(ph.CS133.rp - RN_SPLIT / 2, ph.I127.rp + RN_SPLIT / 2), 20.0),
    "eta_flux": (0.0, 3.0),
    "eta_ss": (0.5, 1.5),
    "eta_brn": (0.0, 5.0),
    "eta_nin": (0.0, 5.0),
    "theta_qf": (-5.0, 5.0),
    "theta_qf_1": (-5.0, 5.0),
    "theta_eff": (-5.0, 5.0),
    "t_offset": (-0.3, 0.5),
    "mu_cevns": (0.0, 5.0),
}
PRIORS = {
    "eta_flux": (1.0, 0.10),
    "eta_ss": (1.0, 0.021),
    "eta_brn": (1.0, 0.25),
    "eta_nin": (1.0, 0.357),
    "theta_qf": (0.0, 1.0),
    "theta_qf_1": (0.0, 1.0),
    "theta_eff": (0.0, 1.0),
    "t_offset": (0.0, 0.1),
}

N_POT, MASS_KG, DISTANCE_M, NU_PER_POT = 3.198e23, 14.6, 19.3, 0.0848
PE_EDGES = np.array([0.0, 8.0, 12.0, 16.0, 20.0, 24.0, 32.0, 40.0, 50.0, 60.0])
T_EDGES = np.array([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 2.0, 4.0, 6.0])
SS_EVENTS = 1286.0
T_EFF_START, T_EFF_RATE, T_ROI = 0.52, 0.0494, 6.0  # us, 1/us, us
TRACE_MEAN, TRACE_WIDTH = 0.474, 0.147  # us
T_LOW_MEV = 1e-3
EPSREL_OUTER, EPSREL_INNER = 1e-6, 1e-8
#: Shape nuisances and the indices of their (+1 sigma, -1 sigma) variants.
SHAPES = (("theta_qf", 1, 2), ("theta_qf_1", 3, 4), ("theta_eff", 5, 6))


def interpolation_weights(theta: float) -> tuple[float, float]:
    """(w_plus, w_minus): parabola through theta = -1, 0, 1 inside, its tangent outside."""
    if theta > 1:
        return 1 + 1.5 * (theta - 1), 0.5 * (theta - 1)
    if theta < -1:
        return -0.5 * (theta + 1), 1 - 1.5 * (theta + 1)
    return 0.5 * (theta + theta * theta), 0.5 * (theta * theta - theta)


def timing_efficiency(t: float) -> float:
    return 1.0 if t < T_EFF_START else math.exp(-T_EFF_RATE * (t - T_EFF_START))


def _rebin(centres: np.ndarray, values: np.ndarray, width: float, edges: np.ndarray) -> np.ndarray:
    """Content of a histogram (uniform within its bins) in new bins."""
    src = np.append(centres - width / 2, centres[-1] + width / 2)
    return np.diff(np.interp(edges, src, np.concatenate([[0.0], np.cumsum(values)])))


class CsIReference:
    """The CsI 2021 Poisson likelihood with quad predictions (build once, then call :meth:`chi2`).

    Args:
        predict: ``predict(sin2_theta_w, rn_csi, bins, variants)`` -> events of shape
            (n_variants, 2, n_bins), replacing the quad integration (the benchmarks count how
            many predictions a Minuit run needs without paying for each); default
            :meth:`variant_spectra` (quad).
    """

    def __init__(self, predict=None):
        release = datasets.load_csi2021()
        scint, eff = release.scintillation, release.efficiency
        self.variants = [  # (quenching coefficients, efficiency coefficients)
            (scint.nominal, eff.nominal),
            (scint.plus[0], eff.nominal),
            (scint.minus[0], eff.nominal),
            (scint.plus[1], eff.nominal),
            (scint.minus[1], eff.nominal),
            (scint.nominal, eff.plus),
            (scint.nominal, eff.minus),
        ]
        self.variants = [(tuple(map(float, q)), tuple(map(float, e))) for q, e in self.variants]
        self.nuclei = (ph.CS133, ph.I127)
        molar_mass = 132.905451961 + 126.904471
        self.exposure = MASS_KG * 1e3 / molar_mass * ph.N_AVOGADRO * ph.fluence(NU_PER_POT, N_POT, DISTANCE_M)
        self.n_pe, self.n_t = len(PE_EDGES) - 1, len(T_EDGES) - 1

        ac = release.events_ac
        roi = (ac.pe < PE_EDGES[-1]) & (ac.t_rec < T_ROI)
        ss_pe = np.histogram(ac.pe[roi], bins=PE_EDGES)[0].astype(float)
        ss_t = np.array(
            [
                quad(timing_efficiency, a, b, points=[T_EFF_START] if a < T_EFF_START < b else None)[0]
                for a, b in itertools.pairwise(T_EDGES)
            ]
        )
        self.ss = SS_EVENTS * np.outer(ss_pe / ss_pe.sum(), ss_t / ss_t.sum())
        self.brn = self._neutrons(release.brn_pe, release.brn_trec)
        self.nin = self._neutrons(release.nin_pe, release.nin_trec)
        c = release.events_c
        roi = (c.pe < PE_EDGES[-1]) & (c.t_rec < T_ROI)
        self.data = np.histogram2d(c.pe[roi], c.t_rec[roi], bins=[PE_EDGES, T_EDGES])[0]
        self.spectra = functools.lru_cache(maxsize=1024)(predict or self.variant_spectra)
        self.time_fractions = functools.lru_cache(maxsize=4096)(self.arrival_fractions)

    def clear_cache(self) -> None:
        self.spectra.cache_clear()
        self.time_fractions.cache_clear()

    @property
    def n_predictions(self) -> int:
        """Signal predictions (all variants, cache misses) computed since the last :meth:`clear_cache`."""
        return self.spectra.cache_info().misses

    @staticmethod
    def _neutrons(pe_pdf, t_pdf) -> np.ndarray:
        pe = _rebin(np.asarray(pe_pdf.center), np.asarray(pe_pdf.value), 1.0, PE_EDGES) / np.sum(pe_pdf.value)
        t = _rebin(np.asarray(t_pdf.center), np.asarray(t_pdf.value), 0.01, T_EDGES)
        return np.outer(pe, t)

    @staticmethod
    def bin_probability(b: int, T: float, variant) -> float:
        """int over PE bin b of eff(x) Gamma(x | E_ee(T)) dx for one response variant, T in MeV."""
        (qa, qb, qc, qd), (ea, eb, ec, ed) = variant
        e_ee = 1e3 * T * (qa + T * (qb + T * (qc + T * qd)))  # keVee
        a, bb = 0.0749 / e_ee, 9.56 * e_ee
        k = 1 + bb
        log_norm = k * math.log(a * k) - math.lgamma(k)

        def integrand(x):
            eff = ea / (1 + math.exp(-eb * (x - ec))) + ed
            return eff * math.exp(log_norm + bb * math.log(x) - a * k * x) if eff > 0 and x > 0 else 0.0

        lo, hi = PE_EDGES[b], PE_EDGES[b + 1]
        zero = ec - math.log(ea / -ed - 1) / eb if ed < 0 < ea + ed else -math.inf
        if zero >= hi:
            return 0.0
        return quad(integrand, max(lo, zero), hi, limit=200, epsabs=0.0, epsrel=EPSREL_INNER)[0]

    def recoil_rates(self, T: float, nuc: ph.Nucleus, sin2_theta_w: float, rn: float) -> tuple[float, float]:
        """(prompt, delayed) dN/dT [events/MeV] on one isotope at recoil T [MeV]."""
        q2e, q2mu = ph.weak_charges2(T, nuc, rn, ph.couplings(ph.PDG2022, sin2_theta_w, zz_boxes=True))
        pref = ph.PDG2022.G_F**2 * nuc.mass / math.pi * ph.HBARC2_MEV2_CM2 * self.exposure
        emin = ph.e_min(T, nuc.mass)
        prompt = q2mu * ph.kinematic(ph.E_PROMPT, T, nuc.mass) if emin < ph.E_PROMPT else 0.0
        delayed = 0.0
        if emin < ph.E_DELAYED_MAX:

            def integrand(E):
                return (ph.nu_e_spectrum(E) * q2e + ph.nubar_mu_spectrum(E) * q2mu) * ph.kinematic(E, T, nuc.mass)

            delayed = quad(integrand, emin, ph.E_DELAYED_MAX, epsabs=0.0, epsrel=EPSREL_INNER)[0]
        return pref * prompt, pref * delayed

    def cevns_bin(self, b: int, variant, sin2_theta_w: float, rn: float) -> tuple[float, float]:
        """(prompt, delayed) CEvNS events in PE bin b, summed over the isotopes (before timing)."""
        out = [0.0, 0.0]
        for nuc, sign in zip(self.nuclei, (1, -1), strict=True):
            rn_nuc = rn + sign * RN_SPLIT / 2
            t_line, t_top = ph.t_max(ph.E_PROMPT, nuc.mass), ph.t_max(ph.E_DELAYED_MAX, nuc.mass)
            for group, top in ((0, t_line), (1, t_top)):

                def integrand(T, group=group, nuc=nuc, rn_nuc=rn_nuc):
                    rate = self.recoil_rates(T, nuc, sin2_theta_w, rn_nuc)[group]
                    return rate * self.bin_probability(b, T, variant) if rate > 0 else 0.0

                out[group] += quad(integrand, T_LOW_MEV, top, limit=200, epsabs=0.0, epsrel=EPSREL_OUTER)[0]
        return out[0], out[1]

    def variant_spectra(
        self,
        sin2_theta_w: float,
        rn: float,
        bins: tuple[int, ...] | None = None,
        variants: tuple[int, ...] | None = None,
    ) -> np.ndarray:
        """Events per (variant, timing group, PE bin) by quad, shape (n_variants, 2, n_bins).

        :attr:`spectra` caches it.
        """
        bins = range(self.n_pe) if bins is None else bins
        variants = range(len(self.variants)) if variants is None else variants
        return np.array(
            [[self.cevns_bin(b, self.variants[v], sin2_theta_w, rn) for b in bins] for v in variants]
        ).transpose(0, 2, 1)

    def arrival_fractions(self, t_offset: float) -> np.ndarray:
        """Fraction of (prompt, delayed) events per time bin with the timing efficiency, by quad, shape (2, n_t).

        :attr:`time_fractions` caches it.
        """
        mean = TRACE_MEAN + t_offset
        out = np.empty((2, self.n_t))
        for g, pdf in enumerate((ph.prompt_time_pdf, ph.delayed_time_pdf)):

            def integrand(t, pdf=pdf):
                return timing_efficiency(t) * pdf(t, mean, TRACE_WIDTH)

            for j, (a, b) in enumerate(itertools.pairwise(T_EDGES)):
                points = [T_EFF_START] if a < T_EFF_START < b else None
                out[g, j] = quad(integrand, a, b, points=points, limit=200, epsabs=0.0, epsrel=EPSREL_INNER)[0]
        return out

    def cevns_energy(self, params: Mapping[str, float]) -> np.ndarray:
        """(prompt, delayed) CEvNS events per PE bin at the shape nuisances, shape (2, n_pe)."""
        spec = self.spectra(float(params["sin2_theta_w"]), float(params["rn_csi"]))
        out = spec[0].copy()
        for name, plus, minus in SHAPES:
            wp, wm = interpolation_weights(float(params[name]))
            out += wp * (spec[plus] - spec[0]) + wm * (spec[minus] - spec[0])
        return out

    def expected(self, params: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Expected events per component, each shape (n_pe, n_t)."""
        frac = self.time_fractions(float(params["t_offset"]))
        cevns = params["mu_cevns"] * params["eta_flux"] * np.einsum("gb,gt->bt", self.cevns_energy(params), frac)
        return {
            "cevns": cevns,
            "ss": params["eta_ss"] * self.ss,
            "brn": params["eta_brn"] * self.brn,
            "nin": params["eta_nin"] * self.nin,
        }

    def chi2(self, params: Mapping[str, float]) -> float:
        """-2 ln L: Poisson deviance plus the Gaussian constraint terms."""
        mu = sum(self.expected(params).values())
        n = self.data
        log_term = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0) / mu), 0.0)
        deviance = 2 * float(np.sum(mu - n + log_term))
        return deviance + sum(((params[k] - m) / s) ** 2 for k, (m, s) in PRIORS.items())

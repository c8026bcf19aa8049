"""COHERENT Ar 2020 energy chi^2 (arXiv:2005.01645, Analysis A) the scipy-quad / iminuit way.

Recipe of docs/physics.md sections 10 and 11a, coded independently of cevnsjax:

    N_b = N_Ar fluence int dT_nr [ sigma_mu(E_prompt, T) + int dE (f_e sigma_e + f_mubar sigma_mu)(E, T) ]
              x int_{bin b} dE_ee eff(E_ee) Gauss(E_ee | QF(T) T, 0.58 sqrt(QF(T) T))

with one ``scipy.integrate.quad`` over the recoil energy per bin, and inside it one quad
over the neutrino energy and one over the reconstructed energy at every recoil node.
40Ar (39.96 g/mol, 24 kg), 0.09 nu/flavour/POT, 13.7e22 POT at 27.5 m, pdg2018 couplings
without ZZ boxes, Helm form factors, QF(T) = 0.246 + 0.00078 T[keVnr] (constant above 125
keVnr), the released efficiency table (linear interpolation, last value beyond it).

chi^2 = sum_b [(N_exp - eta_c N_b - eta_p B_p - eta_l B_l)/sigma_b]^2 + pulls (13.4%, 32%, 100%),
sigma_b^2 = sigma_exp^2 + (0.058/sqrt(12) (B_p + B_l))^2.  Predictions are cached per
(sin2_theta_w, rn_ar40), so changing only a nuisance costs no integration.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np
from scipy.integrate import quad

from cevnsjax import datasets

from . import physics as ph

NAMES = ("sin2_theta_w", "rn_ar40", "eta_cevns", "eta_brn_prompt", "eta_brn_delayed")
NUISANCES = ("eta_cevns", "eta_brn_prompt", "eta_brn_delayed")
DEFAULTS = {
    "sin2_theta_w": ph.PDG2018.sin2_theta_w,
    "rn_ar40": 3.55,
    "eta_cevns": 1.0,
    "eta_brn_prompt": 1.0,
    "eta_brn_delayed": 1.0,
}
BOUNDS = {
    "sin2_theta_w": (0.0, 1.0),
    "rn_ar40": (3.448, 20.0),
    "eta_cevns": (0.0, 5.0),
    "eta_brn_prompt": (0.0, 5.0),
    "eta_brn_delayed": (0.0, 10.0),
}
PRIORS = {"eta_cevns": 0.134, "eta_brn_prompt": 0.32, "eta_brn_delayed": 1.0}

N_POT, MASS_KG, MOLAR_MASS, DISTANCE_M, NU_PER_POT = 13.7e22, 24.0, 39.96, 27.5, 0.09
T_LOW_MEV = 1e-4  # below 0.1 keVnr the efficiency is zero
QF_KINK_KEVNR = 125.0
EPSREL_OUTER, EPSREL_INNER = 1e-6, 1e-8


class ArgonReference:
    """The argon energy chi^2 with quad predictions (build once, then call :meth:`chi2`).

    Args:
        predict: ``predict(sin2_theta_w, rn_ar40, bins) -> CEvNS counts per bin`` replacing the
            quad integration (the benchmarks count how many predictions a Minuit run needs
            without paying for each); default :meth:`cevns_bins` (quad).
    """

    def __init__(self, predict=None):
        release = datasets.load_ar2020()
        self.edges = np.asarray(release.energy_edges, dtype=float)
        self.eff_x = np.asarray(release.efficiency.kevee_center, dtype=float)
        self.eff_y = np.asarray(release.efficiency.efficiency, dtype=float)
        proj = release.energy_projection
        self.data = np.asarray(proj.data, dtype=float)
        self.b_prompt = np.asarray(release.brn_prompt).sum(axis=(1, 2))
        self.b_late = np.asarray(release.brn_delayed).sum(axis=(1, 2))
        self.sigma2 = np.asarray(proj.data_stat_err) ** 2 + (0.058 / math.sqrt(12) * (self.b_prompt + self.b_late)) ** 2
        self.nucleus = ph.AR40
        self.exposure = MASS_KG * 1e3 / MOLAR_MASS * ph.N_AVOGADRO * ph.fluence(NU_PER_POT, N_POT, DISTANCE_M)
        self.n_bins = len(self.edges) - 1
        self.cevns = functools.lru_cache(maxsize=4096)(predict or self.cevns_bins)

    def clear_cache(self) -> None:
        self.cevns.cache_clear()

    @property
    def n_predictions(self) -> int:
        """Predictions computed (cache misses) since the last :meth:`clear_cache`."""
        return self.cevns.cache_info().misses

    def efficiency(self, x: float) -> float:
        return float(np.interp(x, self.eff_x, self.eff_y, left=0.0, right=self.eff_y[-1]))

    def bin_probability(self, b: int, T: float) -> float:
        """int over bin b of eff(x) Gauss(x | E_ee(T), 0.58 sqrt(E_ee)) dx, T in MeV."""
        t_kev = 1e3 * T
        e_ee = (0.246 + 0.00078 * min(t_kev, QF_KINK_KEVNR)) * t_kev
        sigma = 0.58 * math.sqrt(e_ee)
        lo, hi = self.edges[b], self.edges[b + 1]
        norm = 1 / (math.sqrt(2 * math.pi) * sigma)

        def integrand(x):
            return self.efficiency(x) * norm * math.exp(-0.5 * ((x - e_ee) / sigma) ** 2)

        kinks = [x for x in self.eff_x if lo < x < hi]
        return quad(integrand, lo, hi, points=kinks or None, limit=200, epsabs=0.0, epsrel=EPSREL_INNER)[0]

    def recoil_rate(self, T: float, sin2_theta_w: float, rn: float) -> float:
        """dN/dT [events/MeV] at recoil T [MeV]: prompt line plus quad over the delayed spectra."""
        nuc = self.nucleus
        q2e, q2mu = ph.weak_charges2(T, nuc, rn, ph.couplings(ph.PDG2018, sin2_theta_w, zz_boxes=False))
        pref = ph.PDG2018.G_F**2 * nuc.mass / math.pi * ph.HBARC2_MEV2_CM2 * self.exposure
        emin = ph.e_min(T, nuc.mass)
        rate = q2mu * ph.kinematic(ph.E_PROMPT, T, nuc.mass) if emin < ph.E_PROMPT else 0.0
        if emin < ph.E_DELAYED_MAX:

            def delayed(E):
                flux = ph.nu_e_spectrum(E) * q2e + ph.nubar_mu_spectrum(E) * q2mu
                return flux * ph.kinematic(E, T, nuc.mass)

            rate += quad(delayed, emin, ph.E_DELAYED_MAX, epsabs=0.0, epsrel=EPSREL_INNER)[0]
        return pref * rate

    def cevns_bin(self, b: int, sin2_theta_w: float, rn: float) -> float:
        """CEvNS events in energy bin b (quad over the recoil energy)."""
        M = self.nucleus.mass
        t_top = ph.t_max(ph.E_DELAYED_MAX, M)
        breaks = [ph.t_max(ph.E_PROMPT, M), QF_KINK_KEVNR * 1e-3]

        def integrand(T):
            return self.recoil_rate(T, sin2_theta_w, rn) * self.bin_probability(b, T)

        return quad(integrand, T_LOW_MEV, t_top, points=breaks, limit=200, epsabs=0.0, epsrel=EPSREL_OUTER)[0]

    def cevns_bins(self, sin2_theta_w: float, rn: float, bins: tuple[int, ...] | None = None) -> np.ndarray:
        """CEvNS events in every energy bin (or in ``bins``), by quad; :attr:`cevns` caches it."""
        bins = range(self.n_bins) if bins is None else bins
        return np.array([self.cevns_bin(b, sin2_theta_w, rn) for b in bins])

    def chi2(self, params: Mapping[str, float]) -> float:
        """Energy chi^2 with pulls."""
        n = self.cevns(float(params["sin2_theta_w"]), float(params["rn_ar40"]))
        mu = (
            params["eta_cevns"] * n + params["eta_brn_prompt"] * self.b_prompt + params["eta_brn_delayed"] * self.b_late
        )
        chi2 = float(np.sum((self.data - mu) ** 2 / self.sigma2))
        return chi2 + sum(((params[k] - 1.0) / s) ** 2 for k, s in PRIORS.items())

"""COHERENT Ar 2020 energy chi^2 as a careful physicist writes it in numpy, fitted with iminuit.

The best plain-Python code for the same likelihood as :mod:`.ar2020`: everything that does not
move with the fitted parameters is computed once, and a prediction is a few vectorised numpy
operations on 200 recoil-energy nodes:

    N_b(R_n) = sum_{c,k} R[b, k] P_c(T_k) (g_p,c Z F(q_k, R_p) + g_n N F(q_k, R_n))^2,
    P_c(T) = G_F^2 M / pi (hbar c)^2 K_c(T)      (Eq. (1) of arXiv:2005.01645),

with the Helm form factor of the neutron distribution the only thing evaluated per call
(the proton one, the couplings and the prefactors are cached).  The detector response
``R[b, k]`` (quenching, resolution, efficiency, recoil quadrature weights) and the
flux moments ``K_c(T_k)`` (prompt nu_mu, delayed nu_e + nubar_mu) are taken once from the
built cevnsjax model, so both sides use the same recoil nodes and the chi^2 agrees to
rounding; the quad reference (:mod:`.ar2020`) checks those arrays independently (2.4e-5).
Couplings (:func:`.physics.couplings`), the Helm form factor, the chi^2 and the pulls are
coded here.  Fits are Minuit MIGRAD + HESSE with Minuit's numerical gradient.
"""

from __future__ import annotations

import math

import numpy as np
from iminuit import Minuit

from . import physics as ph
from .ar2020 import BOUNDS, DEFAULTS, NUISANCES, PRIORS, ArgonReference

XS_UNIT_CM2 = 1e-38  # cevnsjax's moments carry the exposure in units of 1e-38 cm^2


def helm(q_fm: np.ndarray, r_rms: float) -> np.ndarray:
    """Helm form factor on an array of |q| [1/fm] (the small-x series below x = 1e-3)."""
    x = q_fm * math.sqrt(5.0 / 3.0 * (r_rms**2 - 3 * ph.HELM_S_FM**2))
    safe = np.where(x > 1e-3, x, 1.0)
    j = np.where(x > 1e-3, 3 * (np.sin(safe) - safe * np.cos(safe)) / safe**3, 1 - x * x / 10)
    return j * np.exp(-0.5 * (q_fm * ph.HELM_S_FM) ** 2)


class ArgonNumpy:
    """Vectorised argon energy chi^2 (build once from the cevnsjax model, then call :meth:`chi2`).

    Args:
        model: ``cevnsjax.experiment("coherent_ar_2020")`` (energy chi^2, one isotope).
    """

    def __init__(self, model):
        folding = model.folding
        if np.asarray(folding.T).shape[0] != 1:
            raise ValueError("the numpy reference handles one argon isotope")
        release = ArgonReference()
        self.data, self.sigma2 = release.data, release.sigma2
        self.b_prompt, self.b_late = release.b_prompt, release.b_late
        self.response = np.asarray(model.response)[:, 0, :]  # (bins, nodes), weights included
        T = np.asarray(folding.T)[0]
        M = float(np.asarray(folding.M)[0])
        self.Z, self.N = float(np.asarray(folding.Z)[0]), float(np.asarray(folding.N)[0])
        self.flavour = np.asarray(folding.flavour)  # 0: nu_e, 1: nu_mu per component
        k_weak = np.asarray(folding.moments)[0, :, 0, :]  # (components, nodes)
        self.prefactor = ph.PDG2018.G_F**2 * ph.HBARC2_MEV2_CM2 / XS_UNIT_CM2 / math.pi * M * k_weak
        self.q_fm = np.sqrt(2 * M * T) / ph.HBARC_MEV_FM
        self.fz = helm(self.q_fm, float(np.asarray(model.rp)[0]))
        self._couplings = {}

    def couplings(self, sin2_theta_w: float) -> tuple[np.ndarray, float]:
        """(g_V^p per component, g_V^n), cached per sin2_theta_w."""
        sin2_theta_w = float(sin2_theta_w)
        if sin2_theta_w not in self._couplings:
            gpe, gpm, gn = ph.couplings(ph.PDG2018, sin2_theta_w, zz_boxes=False)
            self._couplings[sin2_theta_w] = (np.array([gpe, gpm])[self.flavour], gn)
        return self._couplings[sin2_theta_w]

    def cevns(self, sin2_theta_w: float, rn: float) -> np.ndarray:
        """CEvNS events per energy bin, shape (12,)."""
        gp, gn = self.couplings(sin2_theta_w)
        q2 = (gp[:, None] * self.Z * self.fz + gn * self.N * helm(self.q_fm, rn)) ** 2
        return self.response @ np.sum(self.prefactor * q2, axis=0)

    def chi2(self, sin2_theta_w: float, rn: float, eta_c: float, eta_p: float, eta_l: float) -> float:
        """Energy chi^2 with the three pulls."""
        mu = eta_c * self.cevns(sin2_theta_w, rn) + eta_p * self.b_prompt + eta_l * self.b_late
        pulls = ((eta_c - 1) / PRIORS["eta_cevns"]) ** 2 + ((eta_p - 1) / PRIORS["eta_brn_prompt"]) ** 2
        return float(
            np.sum((self.data - mu) ** 2 / self.sigma2) + pulls + ((eta_l - 1) / PRIORS["eta_brn_delayed"]) ** 2
        )

    def fit_nuisances(self, rn: float, start=(1.0, 1.0, 1.0), sin2_theta_w: float | None = None) -> Minuit:
        """MIGRAD + HESSE over the three nuisances at fixed R_n (the signal is computed once)."""
        s2 = DEFAULTS["sin2_theta_w"] if sin2_theta_w is None else sin2_theta_w
        n = self.cevns(s2, rn)

        def fcn(x):
            mu = x[0] * n + x[1] * self.b_prompt + x[2] * self.b_late
            pulls = sum(((v - 1) / PRIORS[k]) ** 2 for v, k in zip(x, NUISANCES))
            return float(np.sum((self.data - mu) ** 2 / self.sigma2)) + pulls

        m = Minuit(fcn, list(start), name=list(NUISANCES))
        m.errordef = Minuit.LEAST_SQUARES
        m.limits = [BOUNDS[k] for k in NUISANCES]
        m.migrad()
        m.hesse()
        return m

    def profile_rn(self, grid) -> np.ndarray:
        """Profiled chi^2 on a grid of R_n: one nuisance fit per point, warm-started from the previous one."""
        out = np.empty(len(grid))
        start = (1.0, 1.0, 1.0)
        for i, rn in enumerate(grid):
            m = self.fit_nuisances(float(rn), start)
            out[i], start = m.fval, tuple(m.values)
        return out

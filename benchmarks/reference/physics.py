"""Scalar CEvNS physics in plain Python (``math``), as a scipy-quad script would write it.

Independent of cevnsjax: constants, radiatively corrected couplings (Erler & Su,
arXiv:1303.5522; arXiv:2005.01645 without the ZZ boxes), the Helm form factor, the
leading-order cross section of arXiv:2005.01645 Eq. (1), the SNS pi-DAR spectra and
arrival-time densities (docs/physics.md sections 1-7).  Units: MeV, fm, cm^2, us.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import log_ndtr

HBARC_MEV_FM = 197.3269804
HBARC2_MEV2_CM2 = 3.893794e-22
AMU_MEV = 931.49410242
N_AVOGADRO = 6.02214076e23
M_E, M_MU, M_PI = 0.51099895, 105.6583755, 139.57039  # MeV
TAU_MU, TAU_PI = 2.1969811, 0.026033  # us
NEUTRON_CHARGE_R2_FM2 = -0.1161
HELM_S_FM = 0.9

E_PROMPT = (M_PI**2 - M_MU**2) / (2 * M_PI)  # 29.79 MeV prompt nu_mu line
E_DELAYED_MAX = M_MU / 2  # endpoint of the Michel spectra


@dataclass(frozen=True)
class Preset:
    """PDG constants (docs/physics.md section 1)."""

    G_F: float
    alpha: float
    sin2_theta_w: float
    rho: float
    s2_z: float
    alpha_z_inv: float
    alpha_s: float
    m_w: float


PDG2018 = Preset(1.1663787e-11, 1 / 137.035999, 0.23857, 1.00058, 0.23122, 127.955, 0.123, 80379.0)
PDG2022 = Preset(1.1663788e-11, 1 / 137.035999, 0.23863, 1.00063, 0.23121, 127.951, 0.1200, 80377.0)


def couplings(c: Preset, sin2_theta_w: float, zz_boxes: bool) -> tuple[float, float, float]:
    """(g_V^p(nu_e), g_V^p(nu_mu), g_V^n) with WW boxes, SM charge radii and optional ZZ boxes.

    Only the tree-like rho (1/2 - 2 s^2_W) term moves with ``sin2_theta_w``.
    """
    az = 1 / c.alpha_z_inv
    b_ww = -az / (2 * math.pi * c.s2_z) * (1 - c.alpha_s / (2 * math.pi))
    x_ww = az / (8 * math.pi * c.s2_z) * (1 + c.alpha_s / math.pi)
    gp = c.rho * (0.5 - 2 * sin2_theta_w) + 2 * x_ww + b_ww
    gn = -c.rho / 2 + 2 * b_ww + x_ww
    if zz_boxes:
        s2 = c.s2_z
        pref = -3 * az / (8 * math.pi * s2 * (1 - s2)) * (1 - c.alpha_s / math.pi)
        uL, uR = pref * (0.5 - 2 * s2 / 3) ** 2, pref * (2 * s2 / 3) ** 2
        dL, dR = pref * (-0.5 + s2 / 3) ** 2, pref * (s2 / 3) ** 2
        gp += c.rho * (2 * uL + dL - 2 * uR - dR)
        gn += c.rho * (2 * dL + uL - 2 * dR - uR)

    def phi(m_l):  # SM charge-radius term phi(nu_l W)
        return -c.alpha / (6 * math.pi) * (math.log(c.m_w**2 / m_l**2) + 1.5)

    return gp - 2 * phi(M_E), gp - 2 * phi(M_MU), gn


@dataclass(frozen=True)
class Nucleus:
    """Z, N, nuclear mass [MeV] and proton rms radius [fm] from the atomic mass and charge radius."""

    Z: int
    N: int
    mass: float
    rp: float

    @classmethod
    def from_table(cls, Z: int, N: int, atomic_mass_u: float, charge_radius_fm: float) -> Nucleus:
        mass = atomic_mass_u * AMU_MEV - Z * M_E
        rp = math.sqrt(charge_radius_fm**2 - N / Z * NEUTRON_CHARGE_R2_FM2)
        return cls(Z, N, mass, rp)


AR40 = Nucleus.from_table(18, 22, 39.9623831237, 3.4274)
CS133 = Nucleus.from_table(55, 78, 132.905451961, 4.804)
I127 = Nucleus.from_table(53, 74, 126.904471, 4.749)


def helm(q_mev: float, r_rms: float) -> float:
    """Helm form factor 3 j1(qR0)/(qR0) exp(-q^2 s^2/2), R0^2 = 5/3 (R^2 - 3 s^2)."""
    q = q_mev / HBARC_MEV_FM
    x = q * math.sqrt(5.0 / 3.0 * (r_rms**2 - 3 * HELM_S_FM**2))
    j = 3 * (math.sin(x) - x * math.cos(x)) / x**3 if x > 1e-3 else 1 - x * x / 10
    return j * math.exp(-0.5 * (q * HELM_S_FM) ** 2)


def weak_charges2(T: float, nuc: Nucleus, rn: float, g: tuple[float, float, float]) -> tuple[float, float]:
    """Q^2 for nu_e and nu_mu at recoil T [MeV]: (g_V^p Z F(q, R_p) + g_V^n N F(q, R_n))^2."""
    q = math.sqrt(2 * nuc.mass * T)
    fz, fn = helm(q, nuc.rp), helm(q, rn)
    gpe, gpm, gn = g
    return (gpe * nuc.Z * fz + gn * nuc.N * fn) ** 2, (gpm * nuc.Z * fz + gn * nuc.N * fn) ** 2


def kinematic(E: float, T: float, M: float) -> float:
    """Leading-order kinematic factor max(0, 1 - M T/(2 E^2)) of arXiv:2005.01645."""
    return max(0.0, 1 - M * T / (2 * E * E))


def e_min(T: float, M: float) -> float:
    """Smallest neutrino energy reaching recoil T (leading order): sqrt(M T/2)."""
    return math.sqrt(M * T / 2)


def t_max(E: float, M: float) -> float:
    """Largest recoil for neutrino energy E (leading order): 2 E^2/M."""
    return 2 * E * E / M


def nu_e_spectrum(E: float) -> float:
    """Delayed nu_e spectrum 192 E^2/m_mu^3 (1/2 - E/m_mu) [1/MeV]."""
    return 192 * E * E / M_MU**3 * (0.5 - E / M_MU)


def nubar_mu_spectrum(E: float) -> float:
    """Delayed nubar_mu spectrum 64 E^2/m_mu^3 (3/4 - E/m_mu) [1/MeV]."""
    return 64 * E * E / M_MU**3 * (0.75 - E / M_MU)


def fluence(nu_per_pot: float, n_pot: float, distance_m: float) -> float:
    """Neutrinos per flavour per cm^2: r N_POT / (4 pi L^2)."""
    return nu_per_pot * n_pot / (4 * math.pi * (100 * distance_m) ** 2)


def exgauss_pdf(t: float, mean: float, width: float, tau: float) -> float:
    """Density of a Gaussian(mean, width) convolved with an exponential of lifetime tau [1/us]."""
    z = (t - mean) / width
    r = width / tau
    return math.exp(-math.log(tau) + 0.5 * r * r - z * r + float(log_ndtr(z - r)))


def prompt_time_pdf(t: float, mean: float, width: float) -> float:
    """Arrival-time density of prompt neutrinos: POT trace convolved with the pion lifetime."""
    return exgauss_pdf(t, mean, width, TAU_PI)


def delayed_time_pdf(t: float, mean: float, width: float) -> float:
    """Arrival-time density of delayed neutrinos: trace convolved with pion and muon decays."""
    a, b = TAU_MU, TAU_PI
    return (a * exgauss_pdf(t, mean, width, a) - b * exgauss_pdf(t, mean, width, b)) / (a - b)

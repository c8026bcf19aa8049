"""Scale dependence of the MSbar weak mixing angle sin^2 theta_W(mu) (docs/physics.md section 15).

Renormalisation-group evolution from the Z pole in the form of Erler & Ramsey-Musolf (hep-ph/0409169)
and Erler & Ferro-Hernandez (arXiv:1712.09146).  With t = ln mu^2, the one-loop equations for
1/alpha_hat and sin^2 theta_W = s^2 are linear in X = 1/alpha_hat and Y = s^2/alpha_hat,

    dX/dt = -b,   dY/dt = -c,   s^2 = Y/X,                                                  Eq. (92)
    b = sum_f N_f Q_f^2 K_f/(3 pi) + b_W,   c = sum_f N_f Q_f T_f K_f/(6 pi) + c_W,

summed over the charged fermions f active at mu (MSbar decoupling: mu > m_f), with the QCD factor
K_f = 1 + alpha_s(mu)/pi for quarks above the charm mass (K_f = 1 otherwise), and the W boson
(b_W = -7/(4 pi), c_W = -43/(24 pi), the SU(2) x U(1) gauge + Goldstone coefficients) above M_W.
Between thresholds X and Y are integrals in closed form (one-loop alpha_s with n_f = 4, 5 flavours),

    X(mu) = X(M_Z) + int_{ln mu^2}^{ln M_Z^2} b dt,   Y(mu) = Y(M_Z) + int_{ln mu^2}^{ln M_Z^2} c dt,
    int alpha_s/pi dt = (4/beta_0) ln[1 + beta_0 alpha_s(mu_0) ln(mu^2/mu_0^2)/(4 pi)],        Eq. (93)

and at M_W the W boson is decoupled with the one-loop MSbar matching of alpha_hat (the -1/6 of the PDG
relation between Delta alpha_hat(M_Z) and Delta alpha(M_Z)) at fixed s^2 (a convention, docs/physics.md
section 15),

    X(M_W^-) = X(M_W^+) - 1/(6 pi),   s^2(M_W^-) = s^2(M_W^+).                                Eq. (94)

Evolution starts at M_Z from the preset's s^2_Z and alpha_hat(M_Z) and holds up to the top-quark
threshold :data:`M_T_MEV`.  Leptons and the c, b quarks enter at their masses (MSbar m_c = 1.272 GeV,
m_b = 4.18 GeV, alpha_s(M_Z) = 0.1182 as in arXiv:1712.09146); the non-perturbative light-quark region
is one common u, d, s threshold m_q, set so that the evolution reproduces the preset's sin^2 theta_W(0)
(0.23857 for pdg2018, 0.23863 for pdg2022): the curve is pinned at 0 and M_Z, continuous, with kinks at
the thresholds and its minimum at M_W (the W boson reverses the running above it).

Examples:
    >>> from cevnsjax.constants import pdg2018
    >>> round(float(sin2_theta_w_running(1e-3, pdg2018)), 5), round(float(sin2_theta_w_running(M_Z_MEV, pdg2018)), 5)
    (0.23857, 0.23122)
"""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
from scipy.optimize import brentq

from ..constants import Constants, pdg2022

M_Z_MEV = 91187.6  # Z mass [MeV]
M_C_MEV, M_B_MEV = 1272.0, 4180.0  # MSbar charm and bottom masses [MeV] (arXiv:1712.09146)
M_T_MEV = 162500.0  # MSbar top mass m_t(m_t) [MeV]: upper end of the evolution (top not included)
ALPHA_S_MZ = 0.1182  # alpha_s(M_Z), the reference value of arXiv:1712.09146
B_W, C_W = -7.0 / (4 * math.pi), -43.0 / (24 * math.pi)  # W-boson terms of Eq. (92) of docs/physics.md
W_MATCHING = 1.0 / (6 * math.pi)  # 1/alpha_hat above minus below M_W (one-loop MSbar, PDG)

# (colours, charge, weak isospin) of the charged fermions below the Z pole
_LEPTON = (1, -1.0, -0.5)
_UP = (3, 2.0 / 3.0, 0.5)
_DOWN = (3, -1.0 / 3.0, -0.5)


def _fermions(c: Constants, m_light: float) -> list[tuple[float, tuple[int, float, float]]]:
    """(threshold [MeV], quantum numbers) of e, mu, tau, u, d, s, c, b."""
    return [
        (c.m_e, _LEPTON),
        (c.m_mu, _LEPTON),
        (c.m_tau, _LEPTON),
        (m_light, _UP),
        (m_light, _DOWN),
        (m_light, _DOWN),
        (M_C_MEV, _UP),
        (M_B_MEV, _DOWN),
    ]


def alpha_s(mu: float) -> float:
    """One-loop alpha_s(mu) for M_C_MEV <= mu [MeV] from ALPHA_S_MZ, n_f = 5 above m_b and 4 below (continuous)."""
    out, ref = ALPHA_S_MZ, M_Z_MEV
    for lo, nf in ((M_B_MEV, 5), (M_C_MEV, 4)):
        beta0 = 11.0 - 2.0 * nf / 3.0
        m = max(mu, lo)
        out, ref = out / (1.0 + out * beta0 / (4 * math.pi) * math.log(m**2 / ref**2)), m
        if mu >= lo:
            break
    return out


def _qcd_integral(t: jax.Array, lo: float) -> jax.Array:
    """int_{ln lo^2}^{t} alpha_s/pi dt' in the flavour segment that starts at ``lo`` (Eq. (93) of docs/physics.md)."""
    beta0 = 11.0 - 2.0 * (5 if lo >= M_B_MEV else 4) / 3.0
    return 4.0 / beta0 * jnp.log1p(alpha_s(lo) * beta0 / (4 * math.pi) * (t - 2 * math.log(lo)))


def _segments(c: Constants, m_light: float) -> list[tuple[float, float, tuple[float, float, float, float]]]:
    """(lo, hi, (b_lepton+W, c_lepton+W, b_quark, c_quark)) between consecutive thresholds up to M_T_MEV."""
    fermions = _fermions(c, m_light)
    edges = sorted({m for m, _ in fermions} | {c.m_w, M_T_MEV})
    out = []
    for lo, hi in itertools.pairwise(edges):
        active = [q for m, q in fermions if m <= lo]
        coef = [0.0, 0.0, 0.0, 0.0]
        for n, qq, t in active:  # Eq. (92) of docs/physics.md
            k = 2 if n == 3 else 0
            coef[k] += n * qq**2 / (3 * math.pi)
            coef[k + 1] += n * qq * t / (6 * math.pi)
        if lo >= c.m_w:
            coef[0] += B_W
            coef[1] += C_W
        out.append((lo, hi, tuple(coef)))
    return out


def _xy(mu: jax.Array, c: Constants, m_light: float) -> tuple[jax.Array, jax.Array]:
    """X = 1/alpha_hat and Y = s^2/alpha_hat at ``mu`` [MeV] without the W matching (Eqs. (92)-(93))."""

    def integrals(m, lo, hi, coef):  # int_{ln m^2}^{ln hi^2} (b, c) dt for m clipped to [lo, hi]
        t, t_hi = 2 * jnp.log(jnp.clip(m, lo, hi)), 2 * math.log(hi)
        q = t_hi - t
        if lo >= M_C_MEV:
            q = q + _qcd_integral(jnp.asarray(t_hi), lo) - _qcd_integral(t, lo)
        return coef[0] * (t_hi - t) + coef[2] * q, coef[1] * (t_hi - t) + coef[3] * q

    x = jnp.full_like(mu, c.alpha_z_inv)
    y = jnp.full_like(mu, c.s2_z * c.alpha_z_inv)
    mz = jnp.asarray(M_Z_MEV)
    for lo, hi, coef in _segments(c, m_light):
        (bx, by), (bx0, by0) = integrals(mu, lo, hi, coef), integrals(mz, lo, hi, coef)
        x, y = x + bx - bx0, y + by - by0
    return x, y


def _evolve(mu: jax.Array, c: Constants, m_light: float) -> tuple[jax.Array, jax.Array]:
    """(1/alpha_hat, sin^2 theta_W) at ``mu`` [MeV], with the W decoupled below M_W (Eq. (94) of docs/physics.md)."""
    x, y = _xy(mu, c, m_light)
    x_w, y_w = _xy(jnp.asarray(c.m_w), c, m_light)
    below = mu < c.m_w  # s^2 continuous at M_W, 1/alpha_hat lower by W_MATCHING below it
    x = jnp.where(below, x - W_MATCHING, x)
    y = jnp.where(below, y - W_MATCHING * y_w / x_w, y)
    return x, y / x


@functools.lru_cache(maxsize=8)
def light_quark_threshold(c: Constants = pdg2022) -> float:
    """The common u, d, s threshold [MeV] at which the evolution reaches ``c.sin2_theta_w`` at mu -> 0."""
    with jax.ensure_compile_time_eval():
        return brentq(
            lambda m: float(_evolve(jnp.asarray(0.1 * c.m_e), c, m)[1]) - c.sin2_theta_w, 20.0, 1200.0, xtol=1e-9
        )


def sin2_theta_w_running(mu: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """MSbar sin^2 theta_W(mu) for 0 <= mu <= M_T_MEV [MeV] (Eqs. (92)-(94) of docs/physics.md).

    Args:
        mu: renormalisation scale, identified with the momentum transfer |Q| of a measurement [MeV];
            above :data:`M_T_MEV` the value at M_T_MEV is returned (the top quark is not included).
        c: constants preset (s^2_Z, alpha_hat(M_Z), M_W, lepton masses, sin^2 theta_W(0)).

    Returns:
        sin^2 theta_W(mu), differentiable in mu (kinks at the thresholds, continuous at M_W);
        ``c.s2_z`` at M_Z and ``c.sin2_theta_w`` below the electron mass.
    """
    mu = jnp.asarray(mu, dtype=float)
    return _evolve(mu, c, light_quark_threshold(c))[1]


def alpha_hat_inv(mu: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """1/alpha_hat(mu) in MSbar of the same evolution (Eqs. (92)-(94) of docs/physics.md), ``c.alpha_z_inv`` at M_Z."""
    mu = jnp.asarray(mu, dtype=float)
    return _evolve(mu, c, light_quark_threshold(c))[0]


#: Published determinations of sin^2 theta_W(mu) (label -> (mu [MeV], value, error)), docs/physics.md section 15.
MEASUREMENTS = {
    "APV Cs": (2.4, 0.2367, 0.0018),  # PDG 2021 with the Dzuba et al. 2012 amplitude
    "Qweak": (158.0, 0.2383, 0.0011),  # Qweak Collaboration, Nature 557, 207 (2018)
    "E158": (161.0, 0.2403, 0.0013),  # SLAC E158, PRL 95, 081601 (2005), MSbar value at Q (PDG)
    "PVDIS": (1200.0, 0.2299, 0.0043),  # JLab Hall A, Nature 506, 67 (2014); Q^2 = 1.1 and 1.9 GeV^2
    "NuTeV": (4400.0, None, 0.0016),  # PRL 88, 091802 (2002): on-shell 0.2277(16) vs SM 0.2227; value below
    "Z pole": (M_Z_MEV, None, 0.00004),  # PDG: the preset's s^2_Z
}
#: NuTeV's excess over the SM (on-shell 0.2277 - 0.2227), added to the MSbar curve at its scale.
NUTEV_SHIFT = 0.2277 - 0.2227


def measurements(c: Constants = pdg2022) -> dict[str, tuple[float, float, float]]:
    """:data:`MEASUREMENTS` with the NuTeV point (curve + :data:`NUTEV_SHIFT`) and the Z pole (``c.s2_z``) filled in."""
    out = {}
    for label, (mu, value, err) in MEASUREMENTS.items():
        if label == "NuTeV":
            value = float(sin2_theta_w_running(mu, c)) + NUTEV_SHIFT
        elif label == "Z pole":
            value = c.s2_z
        out[label] = (mu, value, err)
    return out

"""Scale dependence of the MSbar weak mixing angle sin^2 theta_W(mu) (docs/physics.md section 15).

Leading-order renormalisation-group evolution below the Z pole in the form of Erler & Ramsey-Musolf
(hep-ph/0409169) and Erler & Ferro-Hernandez (arXiv:1712.09146): charged fermions f (N_f colours,
charge Q_f, weak isospin T_f) contribute to the running of alpha_hat and, through gamma-Z mixing, of
sin^2 theta_W above their thresholds,

    d(1/alpha_hat)/d ln mu^2 = -b,      d s^2/d ln mu^2 = alpha_hat (b s^2 - c),
    b = sum_f N_f Q_f^2/(3 pi),   c = sum_f N_f Q_f T_f/(6 pi)                               Eq. (92)

(MSbar decoupling: f is active for mu > m_f), solved in closed form between thresholds,

    1/alpha_hat(mu) = 1/alpha_hat(mu0) - b ln(mu^2/mu0^2),
    s^2(mu) = c/b + [s^2(mu0) - c/b] alpha_hat(mu)/alpha_hat(mu0),                           Eq. (93)

so s^2 is continuous with kinks at the thresholds and constant below the electron mass (the Thomson
limit mu -> 0).  Evolution starts at mu = M_Z from the preset's s^2_Z and alpha_hat(M_Z).  Leptons
and the c, b quarks enter at their masses (m_c = 1.272 GeV, m_b = 4.18 GeV, MSbar); the
non-perturbative light-quark region is represented by one common u, d, s threshold m_q, set so that
the evolution reproduces the preset's low-energy value sin^2 theta_W(0) (0.23857 for pdg2018,
0.23863 for pdg2022): the curve is pinned at both ends, and between them it is the leading-log
evolution (no higher-order QCD, no W-threshold matching; see docs/physics.md section 15).

Example:
    >>> from cevnsjax.constants import pdg2018
    >>> round(float(sin2_theta_w_running(1e-3, pdg2018)), 5), round(float(sin2_theta_w_running(M_Z_MEV, pdg2018)), 5)
    (0.23857, 0.23122)
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from scipy.optimize import brentq

from ..constants import Constants, pdg2022

M_Z_MEV = 91187.6  # Z mass [MeV]
M_C_MEV, M_B_MEV = 1272.0, 4180.0  # MSbar charm and bottom masses [MeV] (arXiv:1712.09146)

# (colours, charge, weak isospin) of the charged fermions below the Z pole
_LEPTON = (1, -1.0, -0.5)
_UP = (3, 2.0 / 3.0, 0.5)
_DOWN = (3, -1.0 / 3.0, -0.5)


def _fermions(c: Constants, m_light: float) -> list[tuple[float, tuple[int, float, float]]]:
    """(threshold [MeV], quantum numbers) of e, mu, tau, u, d, s, c, b, sorted by threshold."""
    return sorted(
        [
            (c.m_e, _LEPTON),
            (c.m_mu, _LEPTON),
            (c.m_tau, _LEPTON),
            (m_light, _UP),
            (m_light, _DOWN),
            (m_light, _DOWN),
            (M_C_MEV, _UP),
            (M_B_MEV, _DOWN),
        ],
        key=lambda x: x[0],
    )


def _evolve(mu: jax.Array, c: Constants, m_light: float) -> jax.Array:
    """Eq. (93) of docs/physics.md applied segment by segment from M_Z down to ``mu``."""
    fermions = _fermions(c, m_light)
    edges = [m for m, _ in fermions] + [M_Z_MEV]
    inv_alpha = jnp.full_like(mu, c.alpha_z_inv)
    s2 = jnp.full_like(mu, c.s2_z)
    for i in range(len(fermions) - 1, -1, -1):  # segment [edges[i], edges[i+1]]: fermions 0..i active
        active = [q for _, q in fermions[: i + 1]]
        b = sum(n * qq**2 for n, qq, _ in active) / (3 * math.pi)  # Eq. (92) of docs/physics.md
        cc = sum(n * qq * t for n, qq, t in active) / (6 * math.pi)  # Eq. (92) of docs/physics.md
        lo, hi = edges[i], edges[i + 1]
        t = 2 * jnp.log(jnp.clip(mu, lo, hi) / hi)  # ln(mu^2/hi^2) inside the segment, <= 0
        new_inv = inv_alpha - b * t  # Eq. (93) of docs/physics.md
        s2 = cc / b + (s2 - cc / b) * inv_alpha / new_inv  # Eq. (93) of docs/physics.md
        inv_alpha = new_inv
    return s2


@functools.lru_cache(maxsize=8)
def light_quark_threshold(c: Constants = pdg2022) -> float:
    """The common u, d, s threshold [MeV] at which the evolution reaches ``c.sin2_theta_w`` at mu -> 0."""
    with jax.ensure_compile_time_eval():
        return brentq(
            lambda m: float(_evolve(jnp.asarray(0.1 * c.m_e), c, m)) - c.sin2_theta_w, 20.0, 1200.0, xtol=1e-9
        )


def sin2_theta_w_running(mu: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """MSbar sin^2 theta_W(mu) for 0 <= mu <= M_Z [MeV] (Eqs. (92)-(93) of docs/physics.md).

    Args:
        mu: renormalisation scale, identified with the momentum transfer |Q| of a measurement [MeV].
        c: constants preset (s^2_Z, alpha_hat(M_Z), lepton masses, sin^2 theta_W(0)).

    Returns:
        sin^2 theta_W(mu), differentiable in mu (kinks at the thresholds); ``c.s2_z`` at M_Z and
        ``c.sin2_theta_w`` below the electron mass.
    """
    mu = jnp.asarray(mu, dtype=float)
    return _evolve(mu, c, light_quark_threshold(c))


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

"""Neutrino electromagnetic properties in CEvNS: charge radii, millicharges, magnetic moments.

Conventions (docs/physics.md sections 3-4; arXiv:2005.01645 Eqs. 11-13; arXiv:2402.16709):

* charge radius <r^2_ll'> enters the proton coupling as Q~_ll' = sqrt2 pi alpha/(3 G_F) <r^2_ll'>,
  diagonal: g_V^p -> g~_V^p - Q~_ll, transitions add incoherently;
* millicharge q_ll' (units of e): Q_ll' = 2 sqrt2 pi alpha/(G_F q^2) q_ll', q^2 = -2 M T < 0,
  entering like a charge radius, g_V^p -> g_V^p - Q_ll (on top of the full g_V^p), so a positive
  q_ll raises g_V^p;
* magnetic moment mu_l (units of mu_B): dsigma/dT = pi alpha^2/m_e^2 (1/T - 1/E) Z^2 F_Z^2 |mu_l|^2,
  added incoherently.

Parameter scales used by the experiments: <r^2> in 1e-32 cm^2, q in 1e-8 e, mu in 1e-10 mu_B.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..constants import HBARC2_MEV2_CM2, Constants, pdg2022
from .couplings import radius_to_coupling

R2_UNIT_CM2 = 1e-32
CHARGE_UNIT_E = 1e-8
MOMENT_UNIT_MUB = 1e-10


def radius_coupling(r2: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """Q~ = sqrt2 pi alpha/(3 G_F) <r^2> (dimensionless) for <r^2> in units of 1e-32 cm^2."""
    return radius_to_coupling(c) * R2_UNIT_CM2 * jnp.asarray(r2, dtype=float)  # Eq. (14) of docs/physics.md


def millicharge_coupling(
    q_nu: jax.typing.ArrayLike, T: jax.typing.ArrayLike, M: jax.typing.ArrayLike, c: Constants = pdg2022
) -> jax.Array:
    """Q = 2 sqrt2 pi alpha/(G_F q^2) q_nu with q^2 = -2 M T, for q_nu in units of 1e-8 e.

    Args:
        q_nu: neutrino millicharge [1e-8 e].
        T: recoil energy [MeV] (> 0: the 1/q^2 enhancement diverges at T = 0, where 0 is returned
            so that the SM point, q_nu = 0, stays finite and differentiable).
        M: target mass [MeV].
    """
    q2 = -2.0 * M * jnp.asarray(T, dtype=float)
    inv_q2 = jnp.where(q2 < 0, 1.0 / jnp.where(q2 < 0, q2, -1.0), 0.0)  # the pole at q^2 = 0 is left out
    # Eq. (22) of docs/physics.md (arXiv:2005.01645)
    return 2 * math.sqrt(2) * math.pi * c.alpha / c.G_F * inv_q2 * CHARGE_UNIT_E * jnp.asarray(q_nu, dtype=float)


def magnetic_prefactor(c: Constants = pdg2022) -> float:
    """pi alpha^2/m_e^2 (hbar c)^2 in cm^2, times (1e-10)^2 for moments in units of 1e-10 mu_B."""
    # prefactor of Eq. (23) of docs/physics.md (Vogel & Engel, PRD 39, 3378 (1989))
    return math.pi * c.alpha**2 / c.m_e**2 * HBARC2_MEV2_CM2 * MOMENT_UNIT_MUB**2

"""Non-standard interactions: vector and tensor NSI, light vector (Z') and scalar mediators.

Vector NSI (heavy mediator), docs/physics.md section 8:

    g_V^p(nu_l) -> g_V^p + 2 eps^u_ll + eps^d_ll,   g_V^n -> g_V^n + eps^u_ll + 2 eps^d_ll,

flavour-changing eps_l'l adding incoherently.  A light vector mediator of mass M_Z' and
coupling g_Z' is a momentum-dependent NSI eps^q_ll(T) = g^2 Q'_l Q'_q / (sqrt2 G_F (2MT + M_Z'^2))
(arXiv:2008.05022):

* ``universal``: Q' = 1 for every fermion -> the shift is +3 eps on both couplings (destructive
  with the SM weak charge, which is dominated by the negative g_V^n N term);
* ``b_minus_l``: Q'_q = 1/3, Q'_l = -1 -> -1 x g^2/(sqrt2 G_F (2MT + M^2)) on both (constructive);
* ``lmu_ltau``: no tree-level quark coupling; through mu/tau loop kinetic mixing the proton
  coupling of nu_mu shifts by Delta g_V^p = + alpha g^2 L(q^2)/(3 sqrt2 pi G_F (|q|^2 + M^2)) and that of
  nu_tau by the opposite amount (sign convention: the nu_mu shift is positive, i.e. it reduces |Q|,
  destructive); L(q^2) = 6 int_0^1 x(1-x) ln[(m_tau^2 + x(1-x)|q|^2)/(m_mu^2 + x(1-x)|q|^2)] dx.

Tensor NSI (heavy mediator, docs/physics.md section 17), for the effective Lagrangian
L = -(G_F/sqrt2) sum_q eps^{qT}_{l'l} [nu-bar_l' sigma^{mu nu} nu_l][q-bar sigma_{mu nu} q]
(Barranco, Miranda, Rashba, hep-ph/0508299): the nuclear tensor charge counts quarks as the vector
one does, Q_T = (2 eps^uT + eps^dT) Z F_Z + (eps^uT + 2 eps^dT) N F_N, and the helicity-flipping
tensor amplitude adds incoherently to the SM (no interference) with its own kinematic factor:

    dsigma_T/dT = 2 G_F^2 M/pi sum_l' |Q_T,l'l|^2 (1 - M T/(4 E^2) [- T/E])

(a Dirac-trace calculation for a left-handed neutrino; the vector term in the same normalisation is
G_F^2 M/pi Q_V^2 (1 - MT/(2E^2) [- T/E]), tests/test_tensor_nsi.py checks both).

Light scalar mediator (optional): dsigma/dT = g_phi^2 Q_phi^2 M^2 T/(4 pi E^2 (2MT + M_phi^2)^2), with
Q_phi = 15.1 Z + 14 N (nucleon scalar charges for unit quark couplings, arXiv:1604.01025), added
incoherently; g_phi^2 stands for the product of the neutrino and quark couplings.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..constants import Constants, pdg2022
from ._special import loop_integral

MEDIATORS = ("universal", "b_minus_l", "lmu_ltau")
SCALAR_CHARGE_Z, SCALAR_CHARGE_N = 15.1, 14.0


def nsi_shifts(eps_u: jax.typing.ArrayLike, eps_d: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
    """(Delta g_V^p, Delta g_V^n) = (2 eps^u + eps^d, eps^u + 2 eps^d)."""
    eps_u = jnp.asarray(eps_u, dtype=float)
    eps_d = jnp.asarray(eps_d, dtype=float)
    return 2 * eps_u + eps_d, eps_u + 2 * eps_d  # Eq. (46) of docs/physics.md


def tensor_charge(
    eps_u: jax.typing.ArrayLike, eps_d: jax.typing.ArrayLike, zf: jax.typing.ArrayLike, nf: jax.typing.ArrayLike
) -> jax.Array:
    """Nuclear tensor charge Q_T = (2 eps^uT + eps^dT) Z F_Z + (eps^uT + 2 eps^dT) N F_N.

    Args:
        eps_u, eps_d: tensor couplings eps^{uT}, eps^{dT} (dimensionless).
        zf, nf: Z F_Z(q) and N F_N(q), broadcasting against the couplings.
    """
    p, n = nsi_shifts(eps_u, eps_d)  # the quark counting of Eq. (46) of docs/physics.md
    return p * zf + n * nf  # Eq. (121) of docs/physics.md (hep-ph/0508299)


def tensor_moment(k_weak: jax.Array, k_e2: jax.Array, T: jax.typing.ArrayLike, M: jax.typing.ArrayLike) -> jax.Array:
    """K_T = sum_E w (1 - M T/(4E^2) [- T/E]) from the moments K_weak and K_1/E^2 of the vector term.

    K_T = K_weak + (M T/4) K_1/E^2, exact wherever the weights vanish below E_min(T) (the vector
    factor is then never clipped), with either kinematic factor.

    Args:
        k_weak: sum_E w kin(E, T); k_e2: sum_E w/E^2 [MeV^-2]; T, M [MeV] broadcasting against them.
    """
    return k_weak + M * jnp.asarray(T, dtype=float) / 4 * k_e2  # Eq. (123) of docs/physics.md


def propagator_nsi(
    g: jax.typing.ArrayLike,
    m: jax.typing.ArrayLike,
    T: jax.typing.ArrayLike,
    M: jax.typing.ArrayLike,
    c: Constants = pdg2022,
) -> jax.Array:
    """g^2/(sqrt2 G_F (2MT + m^2)): the effective NSI strength of unit-charge couplings.

    Args:
        g: mediator coupling (dimensionless).
        m: mediator mass [MeV].
        T: recoil energy [MeV]; M: target mass [MeV].
    """
    # Eq. (48) of docs/physics.md (arXiv:2008.05022) with Q'_l Q'_q = 1
    return jnp.asarray(g, dtype=float) ** 2 / (
        math.sqrt(2) * c.G_F * (2 * M * jnp.asarray(T, dtype=float) + jnp.asarray(m, dtype=float) ** 2)
    )


def lmu_ltau_loop(q2_abs: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """L(|q|^2) = 6 int_0^1 x(1-x) ln[(m_tau^2 + x(1-x)|q|^2)/(m_mu^2 + x(1-x)|q|^2)] dx; L(0) = ln(m_tau^2/m_mu^2)."""
    q2 = jnp.asarray(q2_abs, dtype=float)
    # Eq. (50) of docs/physics.md
    return jnp.log(c.m_tau**2 / c.m_mu**2) + 6 * (loop_integral(q2 / c.m_tau**2) - loop_integral(q2 / c.m_mu**2))


def zprime_shifts(
    model: str,
    g: jax.typing.ArrayLike,
    m: jax.typing.ArrayLike,
    T: jax.typing.ArrayLike,
    M: jax.typing.ArrayLike,
    c: Constants = pdg2022,
) -> tuple[jax.Array, jax.Array]:
    """Light-Z' coupling shifts per flavour: (Delta g_V^p, Delta g_V^n), each shape ``(3,) + shape(T)``.

    Args:
        model: ``universal``, ``b_minus_l`` or ``lmu_ltau``.
        g: coupling g_Z'; m: mass M_Z' [MeV]; T: recoil energy [MeV]; M: target mass [MeV].
    """
    T = jnp.asarray(T, dtype=float)
    # Eq. (48) of docs/physics.md (arXiv:2008.05022): eps_0; the shifts below follow Eq. (46) per mediator
    strength = propagator_nsi(g, m, T, M, c)
    ones = jnp.ones((3,) + (1,) * strength.ndim)
    if model == "universal":
        shift = 3 * strength * ones  # 2 eps^u + eps^d with eps^u = eps^d = strength
        return shift, shift
    if model == "b_minus_l":
        shift = -strength * ones  # Q'_l Q'_q = -1/3: 3 x (-1/3)
        return shift, shift
    if model == "lmu_ltau":
        dp = c.alpha * lmu_ltau_loop(2 * M * T, c) / (3 * math.pi) * strength  # Eq. (49) of docs/physics.md
        sign = jnp.asarray([0.0, 1.0, -1.0]).reshape((3,) + (1,) * strength.ndim)
        return sign * dp, jnp.zeros_like(sign * dp)
    raise ValueError(f"unknown mediator model '{model}'; choices: {', '.join(MEDIATORS)}")


def zprime_electron_shift(
    model: str,
    g: jax.typing.ArrayLike,
    m: jax.typing.ArrayLike,
    Te: jax.typing.ArrayLike,
    c: Constants = pdg2022,
) -> jax.Array:
    """Light-Z' shift of the nu_l-e vector coupling g_V per flavour, shape ``(3,) + shape(Te)``.

    In the normalisation of :mod:`cevnsjax.physics.electron_scattering` (g_V = 2 s^2_W -+ 1/2) an
    effective NSI eps^e enters as g_V -> g_V + eps^e, with eps^e = g^2 Q'_nu Q'_e/(sqrt2 G_F (2 m_e T_e + M^2)):

    * ``universal``: Q'_nu Q'_e = +1;
    * ``b_minus_l``: Q'_nu Q'_e = (-1)(-1) = +1;
    * ``lmu_ltau``: no tree-level electron coupling; the kinetic-mixing shift is that of the
      proton (:func:`zprime_shifts`) with the opposite sign (electron charge -1): negative for
      nu_mu, positive for nu_tau.

    Args:
        model: mediator model; g: coupling; m: mass [MeV]; Te: electron recoil energy [MeV].
    """
    Te = jnp.asarray(Te, dtype=float)
    strength = propagator_nsi(g, m, Te, c.m_e, c)  # Eq. (59) of docs/physics.md: eps^e_l for Q'_nu Q'_e = +1
    ones = jnp.ones((3,) + (1,) * strength.ndim)
    if model in ("universal", "b_minus_l"):
        return strength * ones
    if model == "lmu_ltau":
        proton, _ = zprime_shifts(model, g, m, Te, c.m_e, c)
        return -proton  # Eq. (59) of docs/physics.md: minus Eq. (49) with M -> m_e
    raise ValueError(f"unknown mediator model '{model}'; choices: {', '.join(MEDIATORS)}")


def scalar_charge(Z: jax.typing.ArrayLike, N: jax.typing.ArrayLike) -> jax.Array:
    """Nuclear scalar charge Q_phi = 15.1 Z + 14 N for unit quark couplings."""
    # Eq. (52) of docs/physics.md (arXiv:1604.01025)
    return SCALAR_CHARGE_Z * jnp.asarray(Z, dtype=float) + SCALAR_CHARGE_N * jnp.asarray(N, dtype=float)

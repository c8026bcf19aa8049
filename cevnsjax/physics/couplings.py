"""Neutral-current vector couplings of neutrinos to protons and neutrons, and the
neutrino charge radius (including its momentum dependence).

Conventions: couplings are dimensionless and normalised so that at tree level
g_V^p = 1/2 - 2 sin^2 theta_W and g_V^n = -1/2.  Arrays over flavours follow
:data:`cevnsjax.constants.FLAVOURS` = (e, mu, tau).  Antineutrinos have g -> -g,
which leaves every cross section in this package unchanged.

References:
    J. Erler and S. Su, arXiv:1303.5522, Eqs. (15)-(20) (radiative corrections);
    PDG review "Electroweak model and constraints on new physics";
    M. Cadeddu et al., arXiv:2005.01645, Eqs. (2)-(4) (without the ZZ boxes);
    M. Atzori Corona et al., arXiv:2402.16709 (momentum-dependent charge radius).

Examples:
    >>> from cevnsjax.constants import pdg2018
    >>> round(float(gvn(pdg2018, zz_boxes=False)), 4)
    -0.5094
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp

from ..constants import HBARC2_MEV2_CM2, Constants, pdg2022
from ._special import loop_integral

#: The SM coupling calculations: radiatively corrected (Eqs. (5), (6)) or tree level (Eq. (124)).
COUPLINGS = ("radiative", "tree")
#: The weak mixing angle of tree-level analyses (the CsI NSI study; docs/physics.md section 17).
TREE_SIN2_THETA_W = 0.2312


def tree_constants(c: Constants) -> Constants:
    """``c`` with its sin^2 theta_W replaced by :data:`TREE_SIN2_THETA_W` (the default of tree-level couplings)."""
    return dataclasses.replace(c, sin2_theta_w=TREE_SIN2_THETA_W)


def tree_level(sin2_theta_w: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Tree-level (g_V^p, g_V^n) = (1/2 - 2 s^2_W, -1/2)."""
    s2 = jnp.asarray(sin2_theta_w, dtype=float)
    return 0.5 - 2.0 * s2, jnp.full_like(s2, -0.5)  # Eq. (4) of docs/physics.md; Eq. (124)


def _alpha_z(c: Constants) -> float:
    return 1.0 / c.alpha_z_inv


def box_ww(c: Constants) -> float:
    """WW box B_WW = -alpha_Z/(2 pi s^2_Z) [1 - alpha_s/(2 pi)] (Erler & Su Eq. 17)."""
    # Eq. (7) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return -_alpha_z(c) / (2 * math.pi * c.s2_z) * (1 - c.alpha_s / (2 * math.pi))


def crossed_box_ww(c: Constants) -> float:
    """WW crossed box X_WW = +alpha_Z/(8 pi s^2_Z) [1 + alpha_s/pi]."""
    # Eq. (8) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return _alpha_z(c) / (8 * math.pi * c.s2_z) * (1 + c.alpha_s / math.pi)


def box_zz(c: Constants, quark: str, chirality: str) -> float:
    """ZZ box X_ZZ(f_X) = -3 alpha_Z/(8 pi s^2_Z c^2_Z) (g_X^f)^2 [1 - alpha_s/pi].

    Args:
        quark: ``"u"`` or ``"d"``.
        chirality: ``"L"`` or ``"R"``.
    """
    s2 = c.s2_z
    # Eq. (10) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    g = {
        ("u", "L"): 0.5 - 2.0 / 3.0 * s2,
        ("u", "R"): -2.0 / 3.0 * s2,
        ("d", "L"): -0.5 + 1.0 / 3.0 * s2,
        ("d", "R"): 1.0 / 3.0 * s2,
    }[(quark, chirality)]
    # Eq. (9) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return -3 * _alpha_z(c) / (8 * math.pi * s2 * (1 - s2)) * g**2 * (1 - c.alpha_s / math.pi)


def _zz_proton(c: Constants) -> float:
    # ZZ-box bracket of Eq. (5) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return c.rho * (2 * box_zz(c, "u", "L") + box_zz(c, "d", "L") - 2 * box_zz(c, "u", "R") - box_zz(c, "d", "R"))


def _zz_neutron(c: Constants) -> float:
    # ZZ-box bracket of Eq. (6) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return c.rho * (2 * box_zz(c, "d", "L") + box_zz(c, "u", "L") - 2 * box_zz(c, "d", "R") - box_zz(c, "u", "R"))


def phi_nu_w(c: Constants = pdg2022) -> jax.Array:
    """SM charge-radius term phi(nu_l W) = -alpha/(6 pi) [ln(M_W^2/m_l^2) + 3/2], shape (3,)."""
    m = jnp.asarray(c.lepton_masses())
    # Eq. (11) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522
    return -c.alpha / (6 * jnp.pi) * (jnp.log(c.m_w**2 / m**2) + 1.5)


def gvp_no_radius(
    c: Constants = pdg2022, *, zz_boxes: bool = True, sin2_theta_w: jax.typing.ArrayLike | None = None
) -> jax.Array:
    """Proton coupling without the SM charge-radius term, g~_V^p (flavour blind).

    g~_V^p = rho (1/2 - 2 s^2_W) + 2 X_WW + B_WW [+ rho (2 XZZ(uL) + XZZ(dL) - 2 XZZ(uR) - XZZ(dR))].

    Args:
        c: constants preset.
        zz_boxes: include the ZZ box corrections (arXiv:1303.5522); arXiv:2005.01645 omits them.
        sin2_theta_w: low-energy weak mixing angle; default ``c.sin2_theta_w``.  Only the
            tree-like term moves with it; corrections stay at their values.
    """
    s2 = c.sin2_theta_w if sin2_theta_w is None else sin2_theta_w
    # Eq. (12) of docs/physics.md (Eq. (5) without its -2 phi term); Eqs. (15)-(20) of arXiv:1303.5522
    g = c.rho * (0.5 - 2.0 * jnp.asarray(s2, dtype=float)) + 2 * crossed_box_ww(c) + box_ww(c)
    # ZZ boxes of Eq. (5) of docs/physics.md; Eqs. (2)-(4) of arXiv:2005.01645 omit them
    return g + (_zz_proton(c) if zz_boxes else 0.0)


def gvp(
    c: Constants = pdg2022, *, zz_boxes: bool = True, sin2_theta_w: jax.typing.ArrayLike | None = None
) -> jax.Array:
    """Radiatively corrected g_V^p(nu_l) for l = e, mu, tau; shape ``(3,) + shape(sin2_theta_w)``.

    g_V^p(nu_l) = g~_V^p - 2 phi(nu_l W)   (Erler & Su Eq. 15; docs/physics.md section 2).
    """
    g0 = jnp.asarray(gvp_no_radius(c, zz_boxes=zz_boxes, sin2_theta_w=sin2_theta_w))
    # Eq. (5) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522 (Eqs. (2)-(4) of arXiv:2005.01645 without ZZ boxes)
    return g0[None, ...] - 2 * phi_nu_w(c).reshape((3,) + (1,) * g0.ndim)


def gvn(c: Constants = pdg2022, *, zz_boxes: bool = True) -> jax.Array:
    """Radiatively corrected g_V^n = -rho/2 + 2 B_WW + X_WW [+ ZZ boxes] (flavour blind)."""
    # Eq. (6) of docs/physics.md; Eqs. (15)-(20) of arXiv:1303.5522 (Eqs. (2)-(4) of arXiv:2005.01645 without ZZ boxes)
    g = -c.rho / 2 + 2 * box_ww(c) + crossed_box_ww(c)
    return jnp.asarray(g + (_zz_neutron(c) if zz_boxes else 0.0))


def radius_to_coupling(c: Constants = pdg2022) -> float:
    """sqrt(2) pi alpha/(3 G_F) in cm^-2: Q~ = this * <r^2>[cm^2] (about 2.38e30 cm^-2)."""
    return math.sqrt(2) * math.pi * c.alpha / (3 * c.G_F) / HBARC2_MEV2_CM2  # Eq. (14) of docs/physics.md


def r2_sm(c: Constants = pdg2022) -> jax.Array:
    """SM neutrino charge radii <r^2_nu_l> in cm^2, shape (3,).

    <r^2>_SM = -G_F/(2 sqrt2 pi^2) [3 - 2 ln(m_l^2/M_W^2)] (docs/physics.md section 3):
    -0.83e-32 (e), -0.48e-32 (mu), -0.30e-32 (tau) cm^2.
    """
    m = jnp.asarray(c.lepton_masses())
    # Eq. (13) of docs/physics.md (arXiv:2005.01645)
    r2 = -c.G_F / (2 * math.sqrt(2) * math.pi**2) * (3 - 2 * jnp.log(m**2 / c.m_w**2))
    return r2 * HBARC2_MEV2_CM2


def loop_function_r(q2: jax.typing.ArrayLike, m_l: float, m_w: float) -> jax.Array:
    """R_l(q^2) = int_0^1 dx x(1-x) ln[(m_l^2 - q^2 x(1-x))/M_W^2] for spacelike q^2 <= 0.

    Args:
        q2: four-momentum transfer squared [MeV^2], q^2 = -2 M T <= 0.
        m_l: charged-lepton mass [MeV].
        m_w: W mass [MeV].

    Returns:
        R_l(q^2); R_l(0) = ln(m_l^2/M_W^2)/6 (arXiv:2402.16709, Eq. 3).
    """
    r = -jnp.asarray(q2, dtype=float) / m_l**2
    return jnp.log(m_l**2 / m_w**2) / 6 + loop_integral(r)  # Eqs. (17)-(18) of docs/physics.md (arXiv:2402.16709)


def r2_effective(T: jax.typing.ArrayLike, M: float, c: Constants = pdg2022) -> jax.Array:
    """Momentum-dependent SM charge radius <r^2_nu_l>_eff(q^2) in cm^2, shape ``(3,) + shape(T)``.

    <r^2>_eff = -G_F/(2 sqrt2 pi^2) [3 - 12 R_l(q^2)], q^2 = -2 M T (arXiv:2402.16709).

    Args:
        T: nuclear recoil kinetic energy [MeV].
        M: nuclear mass [MeV].
    """
    T = jnp.asarray(T, dtype=float)
    q2 = -2 * M * T
    R = jnp.stack([loop_function_r(q2, m, c.m_w) for m in c.lepton_masses()])
    # Eq. (20) of docs/physics.md (arXiv:2402.16709)
    return -c.G_F / (2 * math.sqrt(2) * math.pi**2) * (3 - 12 * R) * HBARC2_MEV2_CM2


def radius_form_factor(T: jax.typing.ArrayLike, M: float, c: Constants = pdg2022) -> jax.Array:
    """F_nu_l(T) = <r^2_l>_eff(q^2)/<r^2_l>_SM, shape ``(3,) + shape(T)``; equals 1 at T = 0."""
    T = jnp.asarray(T, dtype=float)
    # Eq. (21) of docs/physics.md (arXiv:2402.16709)
    return r2_effective(T, M, c) / r2_sm(c).reshape((3,) + (1,) * T.ndim)


def gvp_momentum_dependent(
    T: jax.typing.ArrayLike,
    M: float,
    c: Constants = pdg2022,
    *,
    zz_boxes: bool = True,
    sin2_theta_w: jax.typing.ArrayLike | None = None,
) -> jax.Array:
    """g_V^p(nu_l) with the q^2 = 0 radius term replaced by its momentum-dependent form.

    g_V^p(nu_l, T) = g~_V^p - Q~_SM F_nu_l(T), i.e. phi -> phi_eff(q^2) = -(alpha/pi)[-R_l + 1/4].
    Shape ``(3,) + shape(T)``.
    """
    T = jnp.asarray(T, dtype=float)
    # Eq. (19) of docs/physics.md (arXiv:2402.16709): Q~ <r^2_nu_l>_eff = 2 phi_eff replaces the 2 phi of Eq. (5)
    q_sm = radius_to_coupling(c) * r2_effective(T, M, c)
    return gvp_no_radius(c, zz_boxes=zz_boxes, sin2_theta_w=sin2_theta_w) - q_sm

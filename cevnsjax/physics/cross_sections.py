"""CEvNS differential cross sections dsigma/dT and recoil kinematics.

    dsigma/dT(E, T) = G_F^2 M/pi (1 - M T/(2 E^2)) Q_l^2(T)
    Q_l = g_V^p(nu_l) Z F_Z(q) + g_V^n N F_N(q),   |q| = sqrt(2 M T)

(arXiv:2005.01645 Eq. 1; PHYSICS.md section 5).  By default the kinematic factor is
the leading-order 1 - MT/(2E^2) of that paper, which vanishes at T = 2E^2/M
(E = sqrt(MT/2)); ``exact=True`` keeps the -T/E term, 1 - T/E - MT/(2E^2), which
vanishes exactly at T_max = 2E^2/(M + 2E) (E_min = (T + sqrt(T^2 + 2MT))/2).  The
two differ by O(T/E) <~ 0.3% in rates (129.9 vs 129.6 SM events for Ar 2020); the
functions here and the folding always use a limit consistent with the factor.  The
factor is clipped at zero beyond the limit.  |q|^2 = 2MT drops the T^2 term
(relative size T/2M < 1e-5).
The axial term is neglected.  Antineutrinos have the same SM cross section.

Units: E, T, M in MeV; cross sections in cm^2/MeV.

Example:
    >>> from cevnsjax.physics.nuclei import isotope
    >>> s = dsigma_dT(30.0, 0.01, isotope("40Ar"), "nu_mu", rn=3.55)
    >>> 1e-40 < float(s) < 1e-38
    True
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..constants import FLAVOURS, HBARC2_MEV2_CM2, Constants, pdg2022
from . import couplings as cp
from .form_factors import form_factor
from .nuclei import Isotope

#: Neutrino species accepted by :func:`dsigma_dT` and their lepton flavour.
NEUTRINOS = {
    "nu_e": "e",
    "nu_mu": "mu",
    "nu_tau": "tau",
    "nubar_e": "e",
    "nubar_mu": "mu",
    "nubar_tau": "tau",
}


def t_max(E: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = True) -> jax.Array:
    """Maximum recoil energy [MeV]: 2E^2/(M + 2E) (exact) or 2E^2/M (leading order)."""
    E = jnp.asarray(E, dtype=float)
    return 2 * E**2 / (M + 2 * E) if exact else 2 * E**2 / M


def e_min(T: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = True) -> jax.Array:
    """Minimum neutrino energy for recoil T [MeV]: (T + sqrt(T^2 + 2MT))/2 (exact) or sqrt(MT/2)."""
    T = jnp.asarray(T, dtype=float)
    return 0.5 * (T + jnp.sqrt(T**2 + 2 * M * T)) if exact else jnp.sqrt(M * T / 2)


def momentum_transfer(T: jax.typing.ArrayLike, M: jax.typing.ArrayLike) -> jax.Array:
    """|q| = sqrt(2 M T) [MeV]."""
    return jnp.sqrt(2 * M * jnp.asarray(T, dtype=float))


def kinematic_factor(
    E: jax.typing.ArrayLike, T: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = False
) -> jax.Array:
    """max(0, 1 - M T/(2E^2)) [leading order], or max(0, 1 - T/E - M T/(2E^2)) with ``exact``."""
    E = jnp.asarray(E, dtype=float)
    k = 1.0 - M * T / (2 * E**2)
    return jnp.maximum(0.0, k - T / E if exact else k)


def weak_charge(gvp, gvn, Z, N, FZ, FN) -> jax.Array:
    """Q = g_V^p Z F_Z + g_V^n N F_N (broadcasting)."""
    return gvp * Z * FZ + gvn * N * FN


def dsigma_dT_from_charge2(
    E: jax.typing.ArrayLike,
    T: jax.typing.ArrayLike,
    M: jax.typing.ArrayLike,
    charge2: jax.typing.ArrayLike,
    c: Constants = pdg2022,
    *,
    exact: bool = False,
) -> jax.Array:
    """G_F^2 M/pi kin(E, T) * charge2 in cm^2/MeV, for a precomputed bracket Q^2 (+ incoherent terms)."""
    return c.G_F**2 * M / jnp.pi * kinematic_factor(E, T, M, exact=exact) * charge2 * HBARC2_MEV2_CM2


def dsigma_dT(
    E: jax.typing.ArrayLike,
    T: jax.typing.ArrayLike,
    nucleus: Isotope,
    neutrino: str = "nu_mu",
    *,
    rn: jax.typing.ArrayLike,
    rp: jax.typing.ArrayLike | None = None,
    form_factor_name: str = "helm",
    c: Constants = pdg2022,
    zz_boxes: bool = True,
    sin2_theta_w: jax.typing.ArrayLike | None = None,
    gvp: jax.typing.ArrayLike | None = None,
    gvn: jax.typing.ArrayLike | None = None,
    radius_q_dependence: bool = False,
    exact: bool = False,
) -> jax.Array:
    """SM CEvNS dsigma/dT [cm^2/MeV] for one isotope and neutrino species; broadcasts over E, T.

    Args:
        E: neutrino energy [MeV].
        T: nuclear recoil energy [MeV].
        nucleus: the isotope (Z, N, mass).
        neutrino: one of :data:`NEUTRINOS` (``nu_e``, ``nu_mu``, ``nubar_mu``, ...).
        rn: neutron rms radius [fm].
        rp: proton rms radius [fm]; default from the isotope's charge radius.
        form_factor_name: ``helm``, ``sfermi``, ``kn`` or ``unity`` (same form for Z and N).
        c: constants preset.
        zz_boxes: include the ZZ box radiative corrections.
        sin2_theta_w: low-energy weak mixing angle (moves the tree-like term only).
        gvp, gvn: override the proton/neutron couplings (differentiable).
        radius_q_dependence: use the momentum-dependent SM charge-radius term (arXiv:2402.16709).
        exact: keep the -T/E term of the kinematic factor (see module docstring).

    Returns:
        dsigma/dT in cm^2/MeV, zero beyond the kinematic limit.
    """
    try:
        fl = FLAVOURS.index(NEUTRINOS[neutrino])
    except KeyError:
        raise ValueError(f"unknown neutrino '{neutrino}'; choices: {', '.join(NEUTRINOS)}") from None
    M = nucleus.mass
    T = jnp.asarray(T, dtype=float)
    ff = form_factor(form_factor_name)
    q = momentum_transfer(T, M)
    FZ = ff(q, nucleus.proton_radius if rp is None else rp)
    FN = ff(q, rn)
    if gvp is None:
        if radius_q_dependence:
            gvp = cp.gvp_momentum_dependent(T, M, c, zz_boxes=zz_boxes, sin2_theta_w=sin2_theta_w)[fl]
        else:
            gvp = cp.gvp(c, zz_boxes=zz_boxes, sin2_theta_w=sin2_theta_w)[fl]
    if gvn is None:
        gvn = cp.gvn(c, zz_boxes=zz_boxes)
    Q = weak_charge(gvp, gvn, nucleus.Z, nucleus.N, FZ, FN)
    return dsigma_dT_from_charge2(E, T, M, Q**2, c, exact=exact)

"""Neutrino-electron elastic scattering on atomic electrons (free-electron approximation with Z_eff).

    dsigma/dT_e = Z_eff(T_e) G_F^2 m_e/(2 pi) [(gV+gA)^2 + (gV-gA)^2 (1 - T_e/E)^2 - (gV^2 - gA^2) m_e T_e/E^2]

nu_e: gV = 2 s^2_W + 1/2, gA = +1/2 (charged + neutral current); nu_mu, nu_tau: gV = 2 s^2_W - 1/2,
gA = -1/2; antineutrinos gA -> -gA.  Z_eff(T_e) counts the electrons whose binding energy is below
T_e (step function of the ionisation edges, docs/physics.md section 9).  Electromagnetic properties
enter with the electron's charge, opposite to the proton's: a charge radius shifts
gV -> gV + Q~(<r^2> - <r^2>_SM) (so the SM point is the tree-level formula above), a millicharge
gV -> gV + Q_mc with q^2 = -2 m_e T_e, and a magnetic moment adds
pi alpha^2/m_e^2 (1/T_e - 1/E) |mu/mu_B|^2 per electron.  Electron recoils are not quenched.

The rate with every term is :func:`cevnsjax.physics.amplitude.electron_rate`; its one-node case
:func:`cevnsjax.physics.cross_sections.dsigma_dTe` is the cross section for one neutrino energy.

References: docs/physics.md section 9; M. Cadeddu et al., arXiv:2005.01645 and PRD 102, 015030 (2020).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..constants import HBARC2_MEV2_CM2, XS_UNIT_CM2, Constants, pdg2022

#: (edges in keV, number of electrons above each edge, electrons below the lowest edge), descending.
Z_EFF_TABLES = {
    "Cs": (
        (35.99, 5.71, 5.36, 5.01, 1.21, 1.07, 1.0, 0.74, 0.73, 0.23, 0.17, 0.16),
        (55, 53, 51, 49, 45, 43, 41, 37, 33, 27, 25, 23),
        19,
    ),
    "I": (
        (33.17, 5.19, 4.86, 4.56, 1.07, 0.93, 0.88, 0.63, 0.62, 0.19, 0.124, 0.123),
        (53, 51, 49, 47, 43, 41, 39, 35, 31, 25, 23, 21),
        17,
    ),
    "Ge": (
        (11.103, 1.4146, 1.2481, 1.217, 0.1801, 0.1249, 0.1208, 0.0298, 0.0292),
        (32, 30, 28, 26, 22, 20, 18, 14, 10),
        4,
    ),
}


def z_eff(element: str, Te: jax.typing.ArrayLike) -> jax.Array:
    """Effective number of electrons able to recoil with kinetic energy T_e [MeV]."""
    try:
        edges, counts, base = Z_EFF_TABLES[element]
    except KeyError:
        raise ValueError(f"no Z_eff table for '{element}'; available: {', '.join(Z_EFF_TABLES)}") from None
    Te_kev = jnp.asarray(Te, dtype=float) * 1e3
    z = jnp.full_like(Te_kev, float(base))
    # walk from the lowest edge upwards: each edge crossed raises Z_eff to that step's count
    previous = base
    for edge, count in zip(reversed(edges), reversed(counts), strict=True):
        z = z + (count - previous) * (Te_kev > edge)  # Eq. (61) of docs/physics.md
        previous = count
    return z


def sm_couplings(
    flavour: jax.typing.ArrayLike, sin2_theta_w: jax.typing.ArrayLike, antineutrino: jax.typing.ArrayLike = 0.0
) -> tuple[jax.Array, jax.Array]:
    """SM (g_V, g_A) of nu_l - e scattering, Eq. (56) of docs/physics.md.

    nu_e: g_V = 2 s^2_W + 1/2, g_A = +1/2 (charged + neutral current); nu_mu, nu_tau:
    g_V = 2 s^2_W - 1/2, g_A = -1/2; antineutrinos flip g_A.

    Args:
        flavour: lepton flavour indices (0 e, 1 mu, 2 tau), any shape.
        sin2_theta_w: weak mixing angle.
        antineutrino: 1 for antineutrinos, 0 for neutrinos, broadcasting against ``flavour``.
    """
    s2 = jnp.asarray(sin2_theta_w, dtype=float)
    is_e = (jnp.asarray(flavour) == 0).astype(float)
    # Eq. (56) of docs/physics.md (Vogel & Engel 1989)
    gv = 2 * s2 - 0.5 + is_e  # the charged current adds 1 for nu_e
    ga = (is_e - 0.5) * (1.0 - 2.0 * jnp.asarray(antineutrino, dtype=float))
    return gv, ga


def energy_moments(E: jax.typing.ArrayLike, w: jax.typing.ArrayLike, Te: jax.typing.ArrayLike, me: float) -> jax.Array:
    """Neutrino-energy moments of the nu-e cross section, shape ``(4,) + shape(w)[:-1]``.

    sum_j w_j x {1, (1 - T_e/E_j)^2, m_e T_e/E_j^2, max(1/T_e - 1/E_j, 0)} over the last axis:
    with them a flux-folded cross section is a polynomial in the couplings (:func:`folded_weak`).

    Args:
        E: neutrino-energy nodes [MeV]; w: folded weights (zero where E < E_min(T_e)).
        Te: electron recoil energy [MeV], broadcasting against ``E``; me: electron mass [MeV].
    """
    E = jnp.asarray(E, dtype=float)
    w = jnp.asarray(w, dtype=float)
    y = Te / E
    # neutrino-energy moments of the bracket of Eq. (55) and of Eq. (60) of docs/physics.md
    return jnp.stack(
        [
            jnp.sum(w, -1),
            jnp.sum(w * (1 - y) ** 2, -1),
            jnp.sum(w * me * Te / E**2, -1),
            jnp.sum(w * jnp.maximum(1.0 / Te - 1.0 / E, 0.0), -1),
        ]
    )


def folded_weak(
    gv2: jax.Array, gvga: jax.Array, ga2: jax.Array, moments: jax.Array, c: Constants = pdg2022
) -> jax.Array:
    """G_F^2 m_e/(2 pi) [(gV+gA)^2 k0 + (gV-gA)^2 k1 - (gV^2-gA^2) k2] per electron [1e-38 cm^2/MeV x weights].

    Written as gV^2 (k0 + k1 - k2) + 2 gV gA (k0 - k1) + gA^2 (k0 + k1 + k2), linear in the coupling
    products, so that a sum over final flavours can be taken on gV^2, gV gA and gA^2 first.

    Args:
        gv2, gvga, ga2: gV^2, gV gA and gA^2 (each summed over final flavours where there are several),
            broadcasting against k0.
        moments: (k0, k1, k2, k_mag) from :func:`energy_moments`.
    """
    k0, k1, k2 = moments[0], moments[1], moments[2]
    # Eq. (55) of docs/physics.md (Vogel & Engel 1989), folded over the flux
    bracket = gv2 * (k0 + k1 - k2) + 2 * gvga * (k0 - k1) + ga2 * (k0 + k1 + k2)
    return c.G_F**2 * c.m_e / (2 * jnp.pi) * (HBARC2_MEV2_CM2 / XS_UNIT_CM2) * bracket

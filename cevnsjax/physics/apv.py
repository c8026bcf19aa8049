"""Atomic parity violation (APV) in cesium: the nuclear weak charge and the neutron-skin correction.

Weak charge with the low-energy radiative corrections of the PDG electroweak review (docs/physics.md
section 11d, Eq. (84)):

    Q_W(Z, N) = -2 [Z (g_AV^ep + 0.00005) + N (g_AV^en + 0.00006)] (1 - alpha/(2 pi)),
    g_AV^ep = 2 g_AV^eu + g_AV^ed,   g_AV^en = g_AV^eu + 2 g_AV^ed,

with the SM electron-quark couplings g_AV^eu = -0.1888, g_AV^ed = 0.3419 of the PDG review at
sin^2 theta_W(0) = 0.23857 (radiative corrections, including the gamma-Z, WW and ZZ boxes, inside);
the 0.00005, 0.00006 are the gamma-Z box updates of arXiv:1208.4310.  As for the neutrino couplings
(docs/physics.md section 2) only the tree-level terms move with sin^2 theta_W: g_AV^eu = -1/2 + 4/3 s^2,
g_AV^ed = 1/2 - 2/3 s^2, so g_AV^ep moves by 2 Delta s^2 and g_AV^en not at all.

Measured weak charge (Eq. (85)): the atomic experiment measures Im E_PNC/beta; an atomic calculation
gives Im E_PNC = k_th (-Q_W/N) including a neutron-skin correction delta_th (Derevianko; Viatkina
et al. 2019).  Removing it and re-evaluating the skin from the neutron and proton densities
(Pollock, Fortson & Wilets 1992; Horowitz et al. 2001) gives

    Q_W = -N beta [Im E_PNC/beta]_exp / (k_th - delta_th) + N (q_n/q_p - 1)                Eq. (89)

where q_{n,p} = int rho_{n,p}(r) f(r) d^3r fold the radial dependence of the electron axial
transition density inside a uniformly charged sphere of radius R = sqrt(5/3) R_c,

    f(r) = 1 - (Z alpha)^2/2 [(r/R)^2 - (r/R)^4/5 + (r/R)^6/75],                          Eq. (90)

so q = 1 - (Z alpha)^2/2 [<r^2>/R^2 - <r^4>/(5 R^4) + <r^6>/(75 R^6)] needs the second, fourth and
sixth moments of the densities whose Fourier transforms are the CEvNS form factors
(:func:`density_moments`; the same rms radius parameters as the CEvNS experiments).

Examples:
    >>> round(float(weak_charge(0.23857, 55, 78)), 2)
    -73.22
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..constants import Constants, pdg2018
from .form_factors import HELM_SKIN_FM, KN_RANGE_FM, SFERMI_T_FM

#: SM electron-quark couplings g_AV^eu, g_AV^ed of the PDG electroweak review, at SIN2_REF.
G_AV_EU, G_AV_ED = -0.1888, 0.3419
SIN2_REF = 0.23857
#: gamma-Z box updates added to g_AV^ep and g_AV^en (arXiv:1208.4310; PDG electroweak review).
DELTA_EP, DELTA_EN = 0.00005, 0.00006
#: 1 mV/cm in atomic units of electric field.
MV_PER_CM_AU = 1.94469e-13


def weak_charge(
    sin2_theta_w: jax.typing.ArrayLike, Z: int, N: int, c: Constants = pdg2018, *, tree: bool = False
) -> jax.Array:
    """Nuclear weak charge Q_W(Z, N) with the PDG low-energy radiative corrections (Eq. (84)), or at tree level.

    Args:
        sin2_theta_w: low-energy MSbar weak mixing angle.
        Z, N: proton and neutron numbers.
        c: constants preset (its alpha).
        tree: the tree-level Q_W = Z (1 - 4 s^2_W) - N (Eq. (126) of docs/physics.md) instead.

    Returns:
        Q_W; -73.22 for 133Cs at sin^2 theta_W = 0.23857 (docs/physics.md section 11d).
    """
    if tree:
        return Z * (1 - 4 * jnp.asarray(sin2_theta_w, dtype=float)) - N  # Eq. (126) of docs/physics.md
    ds2 = jnp.asarray(sin2_theta_w, dtype=float) - SIN2_REF
    # tree-level sin^2 dependence of g_AV^eu = -1/2 + 4/3 s^2, g_AV^ed = 1/2 - 2/3 s^2 around the PDG values
    g_ep = 2 * G_AV_EU + G_AV_ED + 2 * ds2
    g_en = G_AV_EU + 2 * G_AV_ED
    # Eq. (84) of docs/physics.md (PDG electroweak review)
    return -2 * (Z * (g_ep + DELTA_EP) + N * (g_en + DELTA_EN)) * (1 - c.alpha / (2 * math.pi))


def _sphere(r0, k: int):
    """<r^(2k)> of a uniform sphere of radius r0: 3 r0^(2k)/(2k + 3)."""
    return 3 * r0 ** (2 * k) / (2 * k + 3)


def _fold(a: list, b: list) -> list:
    """Moments <r^(2n)>, n = 0..3, of the convolution of two densities from theirs.

    F = F_a F_b with F = sum_n (-1)^n q^(2n) <r^(2n)>/(2n+1)!, so
    <r^(2n)>/(2n+1)! = sum_k <a^(2k)>/(2k+1)! <b^(2(n-k))>/(2(n-k)+1)!.
    """
    fa = [m / math.factorial(2 * k + 1) for k, m in enumerate(a)]
    fb = [m / math.factorial(2 * k + 1) for k, m in enumerate(b)]
    # Eq. (91) of docs/physics.md
    return [math.factorial(2 * n + 1) * sum(fa[k] * fb[n - k] for k in range(n + 1)) for n in range(4)]


def density_moments(form: str, r_rms: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(<r^2>, <r^4>, <r^6>) [fm^2, fm^4, fm^6] of the density whose Fourier transform is the form factor.

    Helm: uniform sphere (R0) folded with a Gaussian (s); Klein-Nystrand: sphere (R_A) folded with a
    Yukawa (a_k); symmetrized Fermi (c, a): closed forms of Sprung & Martorell, J. Phys. A 30, 6525 (1997);
    unity: a point (all moments zero).  Parameters as in :mod:`cevnsjax.physics.form_factors`.

    Args:
        form: ``helm``, ``sfermi``, ``kn`` or ``unity``.
        r_rms: rms radius [fm] (at least the form's smallest radius).
    """
    r = jnp.asarray(r_rms, dtype=float)
    one = jnp.ones_like(r)
    if form == "helm":
        r0 = jnp.sqrt(5.0 / 3.0 * (r**2 - 3 * HELM_SKIN_FM**2))
        gauss = [math.prod(range(1, 2 * k + 2, 2)) * HELM_SKIN_FM ** (2 * k) * one for k in range(4)]
        m = _fold([_sphere(r0, k) for k in range(4)], gauss)
    elif form == "kn":
        ra = jnp.sqrt(5.0 / 3.0 * (r**2 - 6 * KN_RANGE_FM**2))
        yukawa = [math.factorial(2 * k + 1) * KN_RANGE_FM ** (2 * k) * one for k in range(4)]
        m = _fold([_sphere(ra, k) for k in range(4)], yukawa)
    elif form == "sfermi":
        pa2 = (math.pi * SFERMI_T_FM / (4 * math.log(3))) ** 2
        c2 = 5.0 / 3.0 * (r**2 - 7.0 / 5.0 * pa2)
        m = [
            one,
            3 / 5 * c2 + 7 / 5 * pa2,
            3 / 7 * c2**2 + 18 / 7 * pa2 * c2 + 31 / 7 * pa2**2,
            c2**3 / 3 + 11 / 3 * pa2 * c2**2 + 239 / 15 * pa2**2 * c2 + 127 / 5 * pa2**3,
        ]
    elif form == "unity":
        m = [one, 0 * r, 0 * r, 0 * r]
    else:
        raise ValueError(f"unknown form factor '{form}'; choices: helm, sfermi, kn, unity")
    return m[1], m[2], m[3]


def pnc_overlap(form: str, r_rms: jax.typing.ArrayLike, Z: int, r_charge: float, c: Constants = pdg2018) -> jax.Array:
    """q = int rho(r) f(r) d^3r: the density folded with the electron axial transition density, Eq. (90).

    Args:
        form: density (form-factor) name.
        r_rms: rms radius of the density [fm].
        Z: proton number (the electron wave functions see Z alpha).
        r_charge: nuclear rms charge radius [fm]; the sphere radius is R = sqrt(5/3) R_c.
    """
    r2, r4, r6 = density_moments(form, r_rms)
    R2 = 5.0 / 3.0 * r_charge**2
    # Eq. (90) of docs/physics.md (Horowitz et al. 2001; Pollock, Fortson & Wilets 1992)
    return 1 - 0.5 * (Z * c.alpha) ** 2 * (r2 / R2 - r4 / (5 * R2**2) + r6 / (75 * R2**3))


def skin_shift(
    form: str,
    rn: jax.typing.ArrayLike,
    rp: float,
    Z: int,
    N: int,
    r_charge: float,
    c: Constants = pdg2018,
) -> jax.Array:
    """N (q_n/q_p - 1): the neutron-skin term of the extracted weak charge, Eq. (89) (negative for R_n > R_p)."""
    qp = pnc_overlap(form, rp, Z, r_charge, c)
    return N * (pnc_overlap(form, rn, Z, r_charge, c) / qp - 1)  # Eq. (89) of docs/physics.md


def extracted_weak_charge(e_over_beta: float, beta: float, k_th: float, skin_th: float, N: int) -> float:
    """-N beta [Im E_PNC/beta]_exp/(k_th - delta_th): the weak charge of a skinless nucleus, Eq. (85).

    Args:
        e_over_beta: measured Im E_PNC/beta [mV/cm].
        beta: vector transition polarisability [a_B^3].
        k_th: calculated Im E_PNC per unit (-Q_W/N) [1e-11 i |e| a_B].
        skin_th: neutron-skin correction contained in k_th [same unit] (0 to keep it).
        N: neutron number.
    """
    e_pnc = e_over_beta * MV_PER_CM_AU * beta / 1e-11  # Im E_PNC in 1e-11 i |e| a_B
    return -N * e_pnc / (k_th - skin_th)  # Eqs. (85), (89) of docs/physics.md

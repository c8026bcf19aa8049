"""CEvNS recoil spectra on a :class:`~cevnsjax.folding.Folding` for given couplings and radii.

    dN_c/dT (i, k) = G_F^2 M_i/pi (hbar c)^2 Q^2_{c,i}(T_k) K_{c,i,k},
    K = sum_j wE (1 - T/E - M T/(2E^2))       (precomputed kernel)

Q^2 is the bracket of PHYSICS.md section 5, (g_V^p(nu_l) Z F_Z + g_V^n N F_N)^2, with l
the flavour of flux component c; beyond-SM terms enter by extending the bracket
(:func:`weak_charge2`) or adding E-dependent terms through :meth:`Folding.dndt`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .constants import HBARC2_MEV2_CM2, Constants, pdg2022
from .folding import Folding
from .physics.cross_sections import momentum_transfer


def form_factors(folding: Folding, ff, rp: jax.Array, rn: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Proton and neutron form factors on the recoil nodes, each shape (n_iso, n_T).

    Args:
        ff: form-factor function ``ff(q[MeV], r_rms[fm])``.
        rp, rn: proton and neutron rms radii per isotope [fm], shape (n_iso,).
    """
    q = momentum_transfer(folding.T, folding.M[:, None])
    return ff(q, jnp.asarray(rp)[:, None]), ff(q, jnp.asarray(rn)[:, None])


def weak_charge2(folding: Folding, gvp: jax.Array, gvn: jax.Array, FZ: jax.Array, FN: jax.Array) -> jax.Array:
    """(g_V^p(nu_l) Z F_Z + g_V^n N F_N)^2 per component, shape (n_comp, n_iso, n_T).

    Args:
        gvp: proton couplings per flavour, shape (3,) or (3, n_iso, n_T) (momentum dependent).
        gvn: neutron coupling (scalar).
        FZ, FN: form factors, shape (n_iso, n_T).
    """
    g = jnp.asarray(gvp)[folding.flavour]
    if g.ndim == 1:
        g = g[:, None, None]
    Z, N = folding.Z[:, None], folding.N[:, None]
    return (g * Z * FZ + gvn * N * FN) ** 2


def cevns_dndt(folding: Folding, charge2: jax.Array, c: Constants = pdg2022) -> jax.Array:
    """Recoil spectra dN/dT [events/MeV] from a bracket Q^2 of shape (n_comp, n_iso, n_T)."""
    pref = c.G_F**2 * folding.M[:, None] / jnp.pi * HBARC2_MEV2_CM2
    return pref * charge2 * folding.kernel

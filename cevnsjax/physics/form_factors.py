"""Nuclear form factors, each parameterised by the rms radius of the distribution.

All functions take the momentum transfer |q| in MeV and the rms radius R in fm and
are smooth at q -> 0 (series expansions below small arguments, written with the
"double where" so that gradients are finite there too).  ``F(0) = 1`` and
``F = 1 - q^2 R^2/6 + O(q^4)`` for every form.

References:
    R. H. Helm, Phys. Rev. 104, 1466 (1956); J. Lewin and P. Smith, Astropart. Phys. 6, 87 (1996);
    D. W. L. Sprung and J. Martorell, J. Phys. A 30, 6525 (1997) (symmetrized Fermi);
    S. R. Klein and J. Nystrand, Phys. Rev. C 60, 014903 (1999);
    arXiv:2005.01645 Eqs. (5)-(7) for the parameter choices s = 0.9 fm, t = 2.30 fm, a_k = 0.7 fm.

Examples:
    >>> import jax.numpy as jnp
    >>> float(helm(jnp.array(0.0), 3.45))
    1.0
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..constants import HBARC_MEV_FM
from ._special import j1_over_x, sinc, x_over_sinh, xcoth_minus_one

HELM_SKIN_FM = 0.9  # Helm surface thickness s [fm]
SFERMI_T_FM = 2.30  # symmetrized-Fermi 90%-10% surface thickness t [fm]; a = t/(4 ln 3)
KN_RANGE_FM = 0.7  # Klein-Nystrand Yukawa range a_k [fm]
NEUTRON_CHARGE_R2_FM2 = -0.1161  # neutron mean-square charge radius <r_n^2>_c [fm^2]

FORM_FACTORS = ("helm", "sfermi", "kn", "unity")


def _qfm(q):
    """|q| in MeV -> fm^-1."""
    return jnp.asarray(q, dtype=float) / HBARC_MEV_FM


def helm(q: jax.typing.ArrayLike, r_rms: jax.typing.ArrayLike, s: float = HELM_SKIN_FM) -> jax.Array:
    """Helm form factor F = 3 j1(q R0)/(q R0) exp(-q^2 s^2/2), R^2 = 3/5 R0^2 + 3 s^2.

    Args:
        q: momentum transfer |q| [MeV].
        r_rms: rms radius R [fm]; must exceed sqrt(3) s.
        s: surface thickness [fm].
    """
    qf = _qfm(q)
    # R^2 = (3/5) R0^2 + 3 s^2 of Eq. (31) of docs/physics.md
    r0 = jnp.sqrt(5.0 / 3.0 * (jnp.asarray(r_rms, dtype=float) ** 2 - 3 * s**2))
    # Eq. (31) of docs/physics.md; parameters as in Eqs. (5)-(7) of arXiv:2005.01645
    return j1_over_x(qf * r0) * jnp.exp(-0.5 * (qf * s) ** 2)


def sfermi(q: jax.typing.ArrayLike, r_rms: jax.typing.ArrayLike, t: float = SFERMI_T_FM) -> jax.Array:
    """Symmetrized Fermi form factor (analytic), with R^2 = 3/5 c^2 + 7/5 (pi a)^2, a = t/(4 ln 3).

        F = 3/(qc[(qc)^2 + (pi q a)^2]) [pi q a/sinh(pi q a)] [pi q a coth(pi q a) sin(qc) - qc cos(qc)],

    evaluated in the equivalent stable form

        F = [y/sinh y] [w 3j1(x)/x + (1-w) 3(y coth y - 1)/y^2 sin(x)/x],  x = qc, y = pi q a,
        w = c^2/(c^2 + pi^2 a^2).

    Args:
        q: momentum transfer |q| [MeV].
        r_rms: rms radius [fm]; must exceed sqrt(7/5) pi a.
        t: surface thickness [fm].
    """
    qf = _qfm(q)
    a = t / (4 * math.log(3))  # a = t/(4 ln 3) of Eq. (32) of docs/physics.md
    pa2 = (math.pi * a) ** 2
    # R^2 = (3/5) c^2 + (7/5) (pi a)^2 of Eq. (32) of docs/physics.md
    c2 = 5.0 / 3.0 * (jnp.asarray(r_rms, dtype=float) ** 2 - 7.0 / 5.0 * pa2)
    c = jnp.sqrt(c2)
    x, y = qf * c, qf * math.pi * a
    w = c2 / (c2 + pa2)
    # Eq. (33) of docs/physics.md (stable form of Eq. (32)); parameters as in Eqs. (5)-(7) of arXiv:2005.01645
    return x_over_sinh(y) * (w * j1_over_x(x) + (1 - w) * xcoth_minus_one(y) * sinc(x))


def klein_nystrand(q: jax.typing.ArrayLike, r_rms: jax.typing.ArrayLike, a_k: float = KN_RANGE_FM) -> jax.Array:
    """Klein-Nystrand form factor F = 3 j1(q R_A)/(q R_A) / (1 + q^2 a_k^2), R^2 = 3/5 R_A^2 + 6 a_k^2.

    Args:
        q: momentum transfer |q| [MeV].
        r_rms: rms radius [fm]; must exceed sqrt(6) a_k.
        a_k: Yukawa range [fm].
    """
    qf = _qfm(q)
    # R^2 = (3/5) R_A^2 + 6 a_k^2 of Eq. (34) of docs/physics.md
    ra = jnp.sqrt(5.0 / 3.0 * (jnp.asarray(r_rms, dtype=float) ** 2 - 6 * a_k**2))
    # Eq. (34) of docs/physics.md; parameters as in Eqs. (5)-(7) of arXiv:2005.01645
    return j1_over_x(qf * ra) / (1 + (qf * a_k) ** 2)


def unity(q: jax.typing.ArrayLike, r_rms: jax.typing.ArrayLike = 0.0) -> jax.Array:
    """Full coherence, F = 1 (shape of ``q``, broadcast with ``r_rms``)."""
    return jnp.ones(jnp.broadcast_shapes(jnp.shape(q), jnp.shape(r_rms)))


_BY_NAME = {"helm": helm, "sfermi": sfermi, "kn": klein_nystrand, "unity": unity}


def form_factor(name: str):
    """The form-factor function for ``name`` in :data:`FORM_FACTORS`."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown form factor '{name}'; choices: {', '.join(FORM_FACTORS)}") from None


def min_radius(name: str) -> float:
    """Smallest rms radius [fm] the named parameterisation can represent (0 for unity)."""
    return {
        "helm": math.sqrt(3) * HELM_SKIN_FM,
        "sfermi": math.sqrt(7.0 / 5.0) * math.pi * SFERMI_T_FM / (4 * math.log(3)),
        "kn": math.sqrt(6) * KN_RANGE_FM,
        "unity": 0.0,
    }[name]


def proton_radius(charge_radius: float, Z: int, N: int, rn2_charge: float = NEUTRON_CHARGE_R2_FM2) -> float:
    """Proton rms radius from the nuclear charge radius: R_p^2 = R_c^2 - (N/Z) <r_n^2>_c [fm].

    Example: 40Ar, R_c = 3.4274 fm -> 3.448 fm.
    """
    return math.sqrt(charge_radius**2 - N / Z * rn2_charge)  # Eq. (36) of docs/physics.md

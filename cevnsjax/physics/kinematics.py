"""Two-body kinematics of elastic neutrino scattering on a target of mass M (a nucleus or an electron).

    T_max = 2 E^2/(M + 2E)          (exact)        T_max = 2 E^2/M          (leading order)
    E_min = (T + sqrt(T^2 + 2MT))/2 (exact)        E_min = sqrt(M T/2)      (leading order)
    kin(E, T) = 1 - M T/(2E^2) [- T/E (exact)],   |q| = sqrt(2 M T)

(docs/physics.md section 5, Eqs. (26)-(29)).  The leading-order factor is that of
arXiv:2005.01645 Eq. (1); both vanish at their own T_max, and the factor is clipped at
zero beyond it.  |q|^2 = 2MT drops the T^2 term (relative size T/2M < 1e-5).

Units: E, T, M in MeV.

Examples:
    >>> round(float(t_max(30.0, 37211.0)), 6)
    0.048295
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def t_max(E: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = True) -> jax.Array:
    """Maximum recoil energy [MeV]: 2E^2/(M + 2E) (exact) or 2E^2/M (leading order)."""
    E = jnp.asarray(E, dtype=float)
    return 2 * E**2 / (M + 2 * E) if exact else 2 * E**2 / M  # Eq. (28) of docs/physics.md (Eq. (57) with M = m_e)


def e_min(T: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = True) -> jax.Array:
    """Minimum neutrino energy for recoil T [MeV]: (T + sqrt(T^2 + 2MT))/2 (exact) or sqrt(MT/2)."""
    T = jnp.asarray(T, dtype=float)
    # Eq. (29) of docs/physics.md (Eq. (57) with M = m_e)
    return 0.5 * (T + jnp.sqrt(T**2 + 2 * M * T)) if exact else jnp.sqrt(M * T / 2)


def momentum_transfer(T: jax.typing.ArrayLike, M: jax.typing.ArrayLike) -> jax.Array:
    """|q| = sqrt(2 M T) [MeV]."""
    return jnp.sqrt(2 * M * jnp.asarray(T, dtype=float))  # Eq. (26) of docs/physics.md


def kinematic_factor(
    E: jax.typing.ArrayLike, T: jax.typing.ArrayLike, M: jax.typing.ArrayLike, *, exact: bool = False
) -> jax.Array:
    """max(0, 1 - M T/(2E^2)) [leading order], or max(0, 1 - T/E - M T/(2E^2)) with ``exact``."""
    E = jnp.asarray(E, dtype=float)
    k = 1.0 - M * T / (2 * E**2)  # K_LO of Eq. (27) of docs/physics.md; Eq. (1) of arXiv:2005.01645
    return jnp.maximum(0.0, k - T / E if exact else k)  # K_exact = K_LO - T/E of Eq. (27) of docs/physics.md

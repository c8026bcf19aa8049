"""Short-baseline 3+1 sterile-neutrino oscillations, averaged over the baseline spread.

P(nu_a -> nu_s) = 4 |U_a4|^2 |U_s4|^2 sin^2(1.267 dm41^2[eV^2] L[m]/E[MeV]),
|U_s4|^2 = 1 - sum_a |U_a4|^2 (docs/physics.md section 7).  Neutral-current scattering sees
the active flux, so each flavour's flux is multiplied by 1 - P(a -> s).  Averaging
sin^2(k L) uniformly over L in [L - dL/2, L + dL/2] (source and detector extent) gives
the smooth closed form <sin^2> = (1 - cos(2 k L) sinc(k dL))/2, so fast oscillations
average to 1/2 with finite gradients.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._special import sinc, sincos

OSC_CONST = 1.267  # 1.267 dm^2[eV^2] L[m] / E[MeV]


def averaged_sin2(dm2: jax.typing.ArrayLike, L: float, dL: float, E: jax.typing.ArrayLike) -> jax.Array:
    """<sin^2(1.267 dm2 L/E)> over a uniform baseline spread dL [m] around L [m]; E in MeV."""
    k = OSC_CONST * jnp.asarray(dm2, dtype=float) / jnp.asarray(E, dtype=float)  # k of Eq. (44) of docs/physics.md
    return 0.5 * (1.0 - sincos(2 * k * L)[1] * sinc(k * dL))  # Eq. (45) of docs/physics.md


def active_fraction(
    u_a4_sq: jax.typing.ArrayLike,
    u_s4_sq: jax.typing.ArrayLike,
    dm2: jax.typing.ArrayLike,
    L: float,
    dL: float,
    E: jax.typing.ArrayLike,
) -> jax.Array:
    """1 - P(nu_a -> nu_s) = 1 - 4 |U_a4|^2 |U_s4|^2 <sin^2(1.267 dm2 L/E)>."""
    return 1.0 - 4 * u_a4_sq * u_s4_sq * averaged_sin2(dm2, L, dL, E)  # Eq. (44) of docs/physics.md

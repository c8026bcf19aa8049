"""Short-baseline 3+1 sterile-neutrino oscillations, averaged over the baseline spread.

P(nu_a -> nu_s) = 4 |U_a4|^2 |U_s4|^2 sin^2(1.267 dm41^2[eV^2] L[m]/E[MeV]),
|U_s4|^2 = 1 - sum_a |U_a4|^2 (docs/physics.md section 7).  Neutral-current scattering sees
the active flux, so each flavour's flux is multiplied by 1 - P(a -> s).  Averaging
sin^2(k L) uniformly over L in [L - dL/2, L + dL/2] (source and detector extent) gives
the smooth closed form <sin^2> = (1 - cos(2 k L) sinc(k dL))/2, so fast oscillations
average to 1/2 with finite gradients.

Mixing angles (docs/physics.md section 17): sin^2 2theta_aa = 4|U_a4|^2(1 - |U_a4|^2) (disappearance,
a = e, mu) and sin^2 2theta_mue = 4|U_e4|^2|U_mu4|^2 (appearance); :func:`mixing_from_disappearance` and
:func:`mixing_from_appearance` invert them, so that a model can be fitted or scanned in these variables
(:func:`cevnsjax.tie` with the derived parameters of :data:`cevnsjax.physics.catalogue.DERIVED`).
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


#: Floor under the square roots of the inverse mixing relations: gradients stay finite at
#: sin^2 2theta = 0 and 1 (|U|^2 is then off by at most sqrt(floor)/2 = 5e-7).
SQRT_FLOOR = 1e-12


def mixing_from_disappearance(sin2_2theta: jax.typing.ArrayLike) -> jax.Array:
    """|U_a4|^2 = (1 - sqrt(1 - sin^2 2theta_aa))/2, the inverse of sin^2 2theta_aa = 4|U_a4|^2(1 - |U_a4|^2).

    The branch |U_a4|^2 <= 1/2 (the bound of ``ue4_sq``, ``umu4_sq``); Eq. (127) of docs/physics.md.
    """
    s = jnp.asarray(sin2_2theta, dtype=float)
    return 0.5 * (1.0 - jnp.sqrt(jnp.maximum(1.0 - s, SQRT_FLOOR)))  # Eq. (127) of docs/physics.md


def mixing_from_appearance(sin2_2theta_mue: jax.typing.ArrayLike) -> jax.Array:
    """|U_e4|^2 = |U_mu4|^2 = sqrt(sin^2 2theta_mue)/2: the inverse of sin^2 2theta_mue = 4|U_e4|^2|U_mu4|^2
    for equal mixing (the usual assumption of one-parameter appearance plots); Eq. (128) of docs/physics.md."""
    s = jnp.asarray(sin2_2theta_mue, dtype=float)
    return 0.5 * jnp.sqrt(jnp.maximum(s, SQRT_FLOOR))  # Eq. (128) of docs/physics.md

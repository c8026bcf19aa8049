"""Quenching: electron-equivalent (visible) energy of a nuclear recoil (docs/physics.md section 10).

Every function is pure and works on numpy float64 arrays at build time (numpy out) and on
jax arrays or tracers at run time (differentiable with :func:`jax.grad`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _xp(*args):
    """jax.numpy if any argument is a jax array or tracer, else numpy."""
    return jnp if any(isinstance(x, jax.Array) for x in args) else np


def linear_capped(T_kevnr, a, b, t_cap_kevnr):
    """E_ee = (a + b min(T, T_cap)) T: linear quenching factor, constant above T_cap.

    COHERENT liquid argon (arXiv:2003.10630, arXiv:2006.12659): a = 0.246, b = 0.00078 /keVnr,
    T_cap = 125 keVnr.

    Args:
        T_kevnr: nuclear recoil energy [keVnr], any shape.
        a: quenching factor at T = 0 (dimensionless).
        b: slope of the quenching factor [1/keVnr].
        t_cap_kevnr: recoil energy above which the quenching factor stays constant [keVnr].

    Returns:
        Electron-equivalent energy [keVee], shape of ``T_kevnr``.
    """
    xp = _xp(T_kevnr, a, b, t_cap_kevnr)
    T = xp.asarray(T_kevnr, dtype=float)
    return (a + b * xp.minimum(T, t_cap_kevnr)) * T  # Eq. (65) of docs/physics.md (arXiv:2003.10630)


def polynomial(T_mev, coeffs):
    """E_ee = 1e3 (a x + b x^2 + c x^3 + d x^4), x = T [MeVnr], evaluated in Horner form.

    COHERENT CsI[Na] 2021 ``scintRespCoefficients.txt`` (arXiv:2110.07730).

    Args:
        T_mev: nuclear recoil energy [MeVnr], any shape.
        coeffs: (a, b, c, d) [MeVee/MeVnr^k], scalars (numpy or jax).

    Returns:
        Electron-equivalent energy [keVee], shape of ``T_mev``.
    """
    a, b, c, d = coeffs
    xp = _xp(T_mev, a, b, c, d)
    T = xp.asarray(T_mev, dtype=float)
    # Eq. (67) of docs/physics.md (arXiv:2110.07730); E_ee(T) of Eq. (72) with quenching=csi2021
    return 1e3 * T * (a + T * (b + T * (c + T * d)))


def lindhard(T_kevnr, Z, k):
    """Lindhard quenching FACTOR k g(e)/(1 + k g(e)), g = 3 e^0.15 + 0.7 e^0.6 + e, e = 11.5 Z^(-7/3) T.

    J. Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33 (1963) 10 (germanium: Z = 32, k = 0.157).

    Args:
        T_kevnr: nuclear recoil energy [keVnr], any shape, > 0 for a finite gradient.
        Z: atomic number of the target.
        k: Lindhard k (dimensionless).

    Returns:
        Quenching factor E_ee / T (dimensionless), shape of ``T_kevnr``; multiply by T for [keVee].
    """
    xp = _xp(T_kevnr, Z, k)
    # Eq. (75) of docs/physics.md (Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33, no. 10 (1963))
    eps = 11.5 * Z ** (-7.0 / 3.0) * xp.asarray(T_kevnr, dtype=float)
    g = 3.0 * eps**0.15 + 0.7 * eps**0.6 + eps
    return k * g / (1.0 + k * g)


def constant(T, qf):
    """E = qf T: energy-independent quenching (e.g. CsI 2017, 8.78%, arXiv:1708.01294).

    Args:
        T: nuclear recoil energy (any unit, any shape).
        qf: quenching factor (or conversion factor, e.g. PE/keVnr).

    Returns:
        qf T in the units of T (times those of qf), shape of ``T``.
    """
    xp = _xp(T, qf)
    return qf * xp.asarray(T, dtype=float)  # Eq. (72) of docs/physics.md (arXiv:1708.01294)


def tabulated(T, table_T, table_qf):
    """E_ee = QF(T) T with QF linearly interpolated in a table, constant beyond its ends.

    Args:
        T: nuclear recoil energy [keVnr], any shape.
        table_T: increasing recoil energies of the table [keVnr], shape (n,).
        table_qf: quenching factors at ``table_T``, shape (n,).

    Returns:
        Electron-equivalent energy [keVee], shape of ``T``.
    """
    xp = _xp(T, table_T, table_qf)
    T = xp.asarray(T, dtype=float)
    return T * xp.interp(T, xp.asarray(table_T, dtype=float), xp.asarray(table_qf, dtype=float))

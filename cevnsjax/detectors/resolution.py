"""Resolution kernels: density or bin probability of the observable given the visible energy.

docs/physics.md section 10.  Every function is pure and works on numpy float64 arrays at
build time (numpy out, scipy special functions) and on jax arrays or tracers at run time
(jax.scipy special functions, differentiable with :func:`jax.grad`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np


def _array_module(*args):
    """jax.numpy if any argument is a jax array or tracer, else numpy."""
    return jnp if any(isinstance(x, jax.Array) for x in args) else np


def _xp(*args):
    """(array module, special-function module): jax's if any argument is a jax array or tracer, else
    numpy and scipy's (imported on first use: a build that needs no special function skips its 0.1 s)."""
    if _array_module(*args) is jnp:
        return jnp, jsp
    import scipy.special

    return np, scipy.special


def gaussian_pdf(mean, sigma):
    """Gaussian kernel pdf(x) = exp(-((x - mean)/sigma)^2/2) / (sqrt(2 pi) sigma).

    Args:
        mean: per-node mean (units of x), broadcasting against x (trailing axis).
        sigma: per-node width (units of x), broadcasting against x (trailing axis).

    Returns:
        ``pdf(x)`` [1/unit of x], the broadcast shape of x, mean and sigma.
    """

    def pdf(x):
        xp = _array_module(x, mean, sigma)
        # Gaussian of Eq. (66) of docs/physics.md (arXiv:2003.10630)
        return xp.exp(-0.5 * ((x - mean) / sigma) ** 2) / (xp.sqrt(2 * xp.pi) * sigma)

    return pdf


def gamma_pdf(a, b):
    """Gamma kernel P(x) = (a(1+b))^(1+b)/Gamma(1+b) x^b exp(-a(1+b)x), 0 for x <= 0 (arXiv:2110.07730).

    Args:
        a: inverse mean [1/unit of x] per node; b: shape parameter per node (trailing axis).

    Returns:
        ``pdf(x)`` [1/unit of x], mean 1/a, the broadcast shape of x, a and b.
    """

    def pdf(x):
        xp, special = _xp(x, a, b)
        k = 1 + b
        xs = xp.maximum(x, 1e-300)  # = x wherever x > 0 is kept; no overflow (or nan gradient) elsewhere
        # log of Eq. (68) of docs/physics.md (arXiv:2110.07730)
        logp = k * xp.log(a * k) - special.gammaln(k) + b * xp.log(xs) - a * k * xs
        return xp.where(x > 0, xp.exp(logp), 0.0)

    return pdf


def fano_sigma(e_ee_kev, sigma0_kev, fano=0.11, pair_energy_kev=2.96e-3):
    """Semiconductor resolution sigma = sqrt(sigma0^2 + F eps E) (U. Fano, Phys. Rev. 72 (1947) 26).

    Args:
        e_ee_kev: visible energy [keVee], any shape.
        sigma0_kev: electronic noise [keVee].
        fano: Fano factor F (germanium 0.11); pair_energy_kev: eps per electron-hole pair [keV].

    Returns:
        sigma [keVee], shape of ``e_ee_kev``.
    """
    xp = _array_module(e_ee_kev, sigma0_kev, fano, pair_energy_kev)
    # sigma of Eq. (76) of docs/physics.md
    return xp.sqrt(sigma0_kev**2 + fano * pair_energy_kev * xp.asarray(e_ee_kev, dtype=float))


def gaussian_bins(edges, mean, sigma):
    """P(bin b | mean) = Phi((e_{b+1} - mean)/sigma) - Phi((e_b - mean)/sigma) of a Gaussian.

    Args:
        edges: bin edges (units of mean), shape (n_bins + 1,).
        mean: Gaussian means, any shape; sigma: widths, broadcasting against ``mean``.

    Returns:
        Bin probabilities, shape (n_bins,) + mean.shape.
    """
    xp, special = _xp(edges, mean, sigma)
    mean = xp.asarray(mean, dtype=float)
    cdf = special.ndtr((xp.asarray(edges, dtype=float).reshape((-1,) + (1,) * mean.ndim) - mean) / sigma)
    return cdf[1:] - cdf[:-1]  # bin probability of Eq. (76) of docs/physics.md


def csi_gamma_parameters(e_ee_kev, a0=0.0749, b0=9.56):
    """(a, b) = (a0/E_ee, b0 E_ee) of the CsI[Na] 2021 gamma kernel in PE (arXiv:2110.07730).

    Args:
        e_ee_kev: visible energy [keVee], any shape (> 0).
        a0: [keVee/PE] (1/a0 = 13.35 PE/keVee light yield); b0: [1/keVee].

    Returns:
        (a [1/PE], b), each the shape of ``e_ee_kev``; pass them to :func:`gamma_pdf`.
    """
    xp = _array_module(e_ee_kev, a0, b0)
    e = xp.asarray(e_ee_kev, dtype=float)
    return a0 / e, b0 * e  # A, B of Eq. (68) of docs/physics.md (arXiv:2110.07730)


def poisson_counts(mean, n_max):
    """P(n | mean) = exp(n log mean - mean - ln n!) for n = 0..n_max-1 (photon statistics, arXiv:1708.01294).

    Args:
        mean: Poisson means (> 0), any shape.
        n_max: number of counts (static int).

    Returns:
        Probabilities, shape (n_max,) + mean.shape.
    """
    xp, special = _xp(mean)
    mu = xp.asarray(mean, dtype=float)
    n = xp.arange(n_max, dtype=mu.dtype).reshape((-1,) + (1,) * mu.ndim)
    return xp.exp(n * xp.log(mu) - mu - special.gammaln(n + 1.0))  # Eq. (73) of docs/physics.md (arXiv:1708.01294)

"""Pion decay-at-rest neutrinos at the SNS: spectra, normalisation and timing.

Per proton on target and per flavour, pi+ -> mu+ nu_mu (prompt line) and
mu+ -> e+ nu_e nubar_mu (delayed Michel spectra):

    dN/dE(nu_mu)    = delta(E - (m_pi^2 - m_mu^2)/(2 m_pi))       (29.79 MeV)
    dN/dE(nubar_mu) = 64 E^2/m_mu^3 (3/4 - E/m_mu)
    dN/dE(nu_e)     = 192 E^2/m_mu^3 (1/2 - E/m_mu),   0 <= E <= m_mu/2

each normalised to one neutrino; the fluence per flavour at the detector is
eta = r N_POT/(4 pi L^2).  Timing: the prompt flux follows the proton-on-target
trace (a Gaussian) convolved with the pion lifetime; the delayed flux
additionally with the muon lifetime.

References: arXiv:2005.01645 Eq. (8); docs/physics.md section 7.

Examples:
    >>> round(prompt_energy(), 2)
    29.79
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero
from jax.scipy.special import log_ndtr, ndtr

from ..constants import Constants, pdg2022
from .flux import FluxComponent, isotropic_fluence


def prompt_energy(c: Constants = pdg2022) -> float:
    """Energy of the prompt nu_mu line (m_pi^2 - m_mu^2)/(2 m_pi) [MeV]."""
    return (c.m_pi**2 - c.m_mu**2) / (2 * c.m_pi)  # Eq. (37) of docs/physics.md; Eq. (8) of arXiv:2005.01645


def endpoint(c: Constants = pdg2022) -> float:
    """Endpoint m_mu/2 of the delayed spectra [MeV]."""
    return c.m_mu / 2  # endpoint of Eqs. (38)-(39) of docs/physics.md


def nubar_mu_spectrum(E: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """Delayed nubar_mu spectrum 64 E^2/m_mu^3 (3/4 - E/m_mu) [1/MeV], zero above m_mu/2."""
    E = jnp.asarray(E, dtype=float)
    m = c.m_mu
    # Eq. (38) of docs/physics.md; Eq. (8) of arXiv:2005.01645
    return jnp.where((E >= 0) & (E <= m / 2), 64 * E**2 / m**3 * (0.75 - E / m), 0.0)


def nu_e_spectrum(E: jax.typing.ArrayLike, c: Constants = pdg2022) -> jax.Array:
    """Delayed nu_e spectrum 192 E^2/m_mu^3 (1/2 - E/m_mu) [1/MeV], zero above m_mu/2."""
    E = jnp.asarray(E, dtype=float)
    m = c.m_mu
    # Eq. (39) of docs/physics.md; Eq. (8) of arXiv:2005.01645
    return jnp.where((E >= 0) & (E <= m / 2), 192 * E**2 / m**3 * (0.5 - E / m), 0.0)


#: Spread of the source-detector distance [m] (target and detector extent, tens of cm), over which
#: sterile-neutrino oscillations are averaged.
BASELINE_SPREAD_M = 0.5


def fluence(nu_per_pot: float, n_pot: float, distance_m: float) -> float:
    """Neutrinos per flavour per cm^2 at the detector: r N_POT/(4 pi L^2) [cm^-2]."""
    return isotropic_fluence(nu_per_pot * n_pot, distance_m)  # Eq. (40) of docs/physics.md


def baseline(distance_m: float) -> tuple[float, float]:
    """(L, dL) [m] of a detector at ``distance_m`` from the SNS target, for sterile averaging."""
    return (distance_m, BASELINE_SPREAD_M)


_nu_e_compiled = jax.jit(nu_e_spectrum, static_argnames="c")
_nubar_mu_compiled = jax.jit(nubar_mu_spectrum, static_argnames="c")


def components(c: Constants = pdg2022) -> tuple[FluxComponent, ...]:
    """The three pi-DAR components (per POT, per unit fluence): prompt nu_mu, delayed nu_e, nubar_mu.

    The spectra are jitted once per process (the constants static): a folding evaluates each on its
    nodes as one compiled program, and a later build reuses it.
    """
    nu_e = functools.partial(_nu_e_compiled, c=c)
    nubar_mu = functools.partial(_nubar_mu_compiled, c=c)
    return (
        FluxComponent("prompt_nu_mu", 1, "prompt", prompt_energy(c), None, prompt_energy(c)),
        FluxComponent("delayed_nu_e", 0, "delayed", None, nu_e, endpoint(c)),
        FluxComponent("delayed_nubar_mu", 1, "delayed", None, nubar_mu, endpoint(c), antineutrino=True),
    )


def _exgauss_parts(t, mean, width, tau):
    """z = (t - mean)/width, r = width/tau, the tail exp(-z r + r^2/2) Phi(z - r), and F = Phi(z) - tail."""
    z = (t - mean) / width
    r = width / tau
    # F(t; tau) of Eq. (41) of docs/physics.md
    # exp(-z r + r^2/2) Phi(z - r), evaluated in log space to avoid overflow for small tau.
    tail = jnp.exp(-z * r + 0.5 * r**2 + log_ndtr(z - r))
    return ndtr(z) - tail, z, r, tail


@jax.custom_jvp
def _exgauss_cdf(t, mean, width, tau):
    """CDF of a Gaussian(mean, width) convolved with an exponential of lifetime tau (stable).

    Its derivatives are closed forms in the tail term of the value (a custom JVP), not the
    transposed branches of ``ndtr`` and ``log_ndtr``: dF/dz = r tail and
    dF/dr = phi(z) - (r - z) tail (the two phi(z) terms of d tail/dz cancel).
    """
    return _exgauss_parts(t, mean, width, tau)[0]


def _exgauss_cdf_jvp(primals, tangents):
    t, mean, width, tau = primals
    dt, dmean, dwidth, dtau = tangents
    F, z, r, tail = _exgauss_parts(t, mean, width, tau)

    def given(d):
        return not isinstance(d, SymbolicZero)

    dz = jnp.zeros_like(F)
    if given(dt):
        dz = dz + dt / width
    if given(dmean):
        dz = dz - dmean / width
    dF = r * tail * dz
    if given(dwidth) or given(dtau):
        dr = (dwidth / tau if given(dwidth) else 0.0) - (r * dtau / tau if given(dtau) else 0.0)
        dz_width = -z * dwidth / width if given(dwidth) else 0.0
        phi = jnp.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)
        dF = dF + r * tail * dz_width + (phi - (r - z) * tail) * dr
    return F, dF


_exgauss_cdf.defjvp(_exgauss_cdf_jvp, symbolic_zeros=True)


def prompt_time_cdf(t, mean: float, width: float, c: Constants = pdg2022) -> jax.Array:
    """Cumulative arrival-time distribution of prompt neutrinos.

    Args:
        t: time [us] (same origin as ``mean``).
        mean: mean of the Gaussian POT trace [us].
        width: sigma of the Gaussian POT trace [us].
    """
    # F_prompt = F(t; tau_pi), Eq. (41) of docs/physics.md
    return _exgauss_cdf(jnp.asarray(t, dtype=float), mean, width, c.tau_pi)


def _delayed_from(f_pi: jax.Array, f_mu: jax.Array, c: Constants) -> jax.Array:
    """The delayed CDF from the ex-Gaussian CDFs of the pion and muon lifetimes, Eq. (42) of docs/physics.md."""
    a, b = c.tau_mu, c.tau_pi
    return (a * f_mu - b * f_pi) / (a - b)


def delayed_time_cdf(t, mean: float, width: float, c: Constants = pdg2022) -> jax.Array:
    """Cumulative arrival-time distribution of delayed neutrinos (trace * pion * muon decay).

    The convolution of the two exponentials is (tau_mu e^{-t/tau_mu} - tau_pi e^{-t/tau_pi})/(tau_mu - tau_pi)
    in survival form, so the CDF is the matching combination of ex-Gaussian CDFs.
    """
    t = jnp.asarray(t, dtype=float)
    return _delayed_from(_exgauss_cdf(t, mean, width, c.tau_pi), _exgauss_cdf(t, mean, width, c.tau_mu), c)


def time_cdfs(t, mean, width: float, c: Constants = pdg2022) -> jax.Array:
    """The prompt and delayed CDFs at the same times, shape ``(2,) + shape(t)``.

    Equal to :func:`prompt_time_cdf` and :func:`delayed_time_cdf`, with two ex-Gaussian evaluations
    instead of three, both on one array (the prompt CDF is the pion one, which the delayed one reuses).

    Args:
        t: times [us]; mean [us] (may be traced); width [us].
    """
    t = jnp.asarray(t, dtype=float)
    tau = jnp.asarray([c.tau_pi, c.tau_mu]).reshape((2,) + (1,) * t.ndim)
    f_pi, f_mu = _exgauss_cdf(t[None], mean, width, tau)
    return jnp.stack([f_pi, _delayed_from(f_pi, f_mu, c)])  # Eqs. (41) and (42) of docs/physics.md


def time_bin_fractions(edges, mean, width, timing: str, c: Constants = pdg2022) -> jax.Array:
    """Fraction of a component's neutrinos arriving in each time bin [edges in us]."""
    cdf = prompt_time_cdf if timing == "prompt" else delayed_time_cdf
    values = cdf(jnp.asarray(edges, dtype=float), mean, width, c)
    return jnp.diff(values)  # differences of Eqs. (41)-(42) of docs/physics.md at the bin edges

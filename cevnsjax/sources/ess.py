"""Pion decay-at-rest neutrinos at the European Spallation Source (ESS): exposure and timing.

The ESS linac delivers 2 GeV protons at 5 MW in 2.86 ms long pulses at 14 Hz onto a tungsten
target (D. Baxter et al., arXiv:1911.00762, JHEP 02 (2020) 123).  The pi+ stopped in the target
decay at rest exactly as at the SNS, so the three flux components and their spectra are those of
:func:`cevnsjax.sources.sns.components` (docs/physics.md Eqs. (37)-(39)); what differs is

* the yield: r = 0.3 neutrinos per flavour per proton at 2 GeV (arXiv:1911.00762, GEANT4), against
  0.08-0.09 at the SNS's 1 GeV;
* the exposure: N_POT = P t / E_p, 2.8e23 protons in a year of 5000 beam hours (Eq. (150));
* the timing: the 2.86 ms pulse is a thousand times the muon lifetime, so prompt and delayed
  neutrinos arrive together; the beam-coincident fraction of a steady-state background is the duty
  factor f = nu_rep (T_pulse + t_after) ~ 4% (Eq. (152)), against ~6e-4 at the SNS.  The arrival
  times are the uniform pulse convolved with the pion (and muon) decay (Eq. (151)).

Examples:
    >>> round(protons_on_target(POWER_MW, PROTON_ENERGY_GEV, BEAM_HOURS_PER_YEAR) / 1e23, 2)
    2.81
    >>> round(duty_factor(REPETITION_HZ, PULSE_LENGTH_US + WINDOW_AFTER_US), 4)
    0.0402
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..constants import Constants, pdg2022

#: Beam power [MW], proton kinetic energy [GeV], repetition rate [Hz] and pulse length [us] (arXiv:1911.00762).
POWER_MW = 5.0
PROTON_ENERGY_GEV = 2.0
REPETITION_HZ = 14.0
PULSE_LENGTH_US = 2860.0
#: Neutrinos of each flavour per proton on target at 2 GeV (arXiv:1911.00762).
NU_PER_POT = 0.3
#: Beam hours in an operating year (arXiv:1911.00762: 5000 h, 2.8e23 POT).
BEAM_HOURS_PER_YEAR = 5000.0
#: Coincidence window kept after the end of a pulse [us] (4.5 muon lifetimes: 99% of the delayed flux).
WINDOW_AFTER_US = 10.0
#: Typical detector distance from the target [m] (arXiv:1911.00762: ~20 m, in the basement).
DISTANCE_M = 20.0

_J_PER_GEV = 1.602176634e-10


def protons_on_target(power_mw: float, proton_energy_gev: float, hours: float) -> float:
    """Protons delivered by a beam of ``power_mw`` [MW] at ``proton_energy_gev`` [GeV] in ``hours``: P t / E_p.

    Examples:
        >>> round(protons_on_target(1.4, 1.0, 5000.0) / 1e23, 3)  # an SNS year at 1.4 MW
        1.573
    """
    return power_mw * 1e6 * hours * 3600.0 / (proton_energy_gev * _J_PER_GEV)  # Eq. (150) of docs/physics.md


def duty_factor(repetition_hz: float, window_us: float) -> float:
    """Fraction of the live time inside the beam windows, nu_rep x window (steady-state background scale)."""
    return repetition_hz * window_us * 1e-6  # Eq. (152) of docs/physics.md


def _pulse_exponential_cdf(t: jax.Array, length: float, tau: float) -> jax.Array:
    """CDF at ``t`` [us] of a uniform pulse on [0, length] convolved with an exponential of lifetime ``tau``."""
    t = jnp.maximum(t, 0.0)
    m = jnp.minimum(t, length)
    return (m - tau * (jnp.exp(-(t - m) / tau) - jnp.exp(-t / tau))) / length


def arrival_time_cdf(t, timing: str, length_us: float = PULSE_LENGTH_US, c: Constants = pdg2022) -> jax.Array:
    """Cumulative arrival-time distribution of the ``"prompt"`` or ``"delayed"`` neutrinos of one pulse.

    The pulse (start at t = 0) is uniform over ``length_us``; prompt neutrinos follow it convolved
    with the pion decay, delayed ones with the pion and then the muon decay (the two-exponential
    combination of :func:`cevnsjax.sources.sns.delayed_time_cdf`).

    Args:
        t: time after the start of the pulse [us], any shape.
        timing: ``"prompt"`` or ``"delayed"``.
        length_us: pulse length [us].
        c: constants (pion and muon lifetimes).

    Returns:
        The fraction arrived by ``t``, shape of ``t``.

    Examples:
        >>> float(arrival_time_cdf(1e5, "delayed"))
        1.0
    """
    t = jnp.asarray(t, dtype=float)
    if timing == "prompt":
        return _pulse_exponential_cdf(t, length_us, c.tau_pi)  # Eq. (151) of docs/physics.md
    if timing != "delayed":
        raise ValueError(f"timing={timing!r}: choices are prompt, delayed")
    a, b = c.tau_mu, c.tau_pi
    # Eq. (151) with the pion-then-muon decay of Eq. (42) of docs/physics.md
    return (a * _pulse_exponential_cdf(t, length_us, a) - b * _pulse_exponential_cdf(t, length_us, b)) / (a - b)

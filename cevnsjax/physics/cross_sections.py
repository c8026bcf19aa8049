"""Differential cross sections for one neutrino energy: the one-node case of the experiments' signal path.

    dsigma/dT(E, T) = G_F^2 M/pi kin(E, T) sum_l' (g^p_ll' Z F_Z + g^n_ll' N F_N)^2
                      + magnetic + scalar terms                                     Eq. (54)

(docs/physics.md sections 5 and 8; arXiv:2005.01645 Eq. (1)).  :func:`dsigma_dT` and
:func:`dsigma_dTe` evaluate exactly the functions of :mod:`cevnsjax.physics.amplitude` that every
experiment folds with its flux, on a single neutrino-energy node of unit weight, so a scipy-quad
integral of them over a spectrum checks the production code.  Named physics parameters
(``params``) take their SM values when absent.

By default the kinematic factor is the leading-order 1 - MT/(2E^2) of arXiv:2005.01645;
``exact=True`` keeps the -T/E term (:mod:`cevnsjax.physics.kinematics`).  The two differ by
O(T/E) <~ 0.3% in rates (129.9 vs 129.6 SM events for Ar 2020).  The axial nuclear term is
neglected; antineutrinos have the same CEvNS cross section.

Units: E, T, M in MeV; cross sections in cm^2/MeV (in float32, values below 1.2e-38 cm^2/MeV are
subnormal and keep fewer digits; the experiments fold rates in 1e-38 cm^2 and are not affected).

Examples:
    >>> from cevnsjax.physics.nuclei import isotope
    >>> s = dsigma_dT(30.0, 0.01, isotope("40Ar"), "nu_mu", rn=3.55)
    >>> 1e-38 < float(s) < 1e-37
    True
    >>> float(dsigma_dT(30.0, 0.01, isotope("40Ar"), "nu_mu", rn=3.55, params={"mu_nu_mu": 10.0})) > float(s)
    True
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp

from ..constants import FLAVOURS, XS_UNIT_CM2, Constants, pdg2022
from . import amplitude as amp
from .catalogue import bsm_parameters
from .couplings import tree_constants
from .electron_scattering import energy_moments, z_eff
from .form_factors import form_factor
from .kinematics import e_min, kinematic_factor, momentum_transfer, t_max
from .nuclei import Isotope

__all__ = ["NEUTRINOS", "dsigma_dT", "dsigma_dTe", "e_min", "kinematic_factor", "momentum_transfer", "t_max"]

#: Neutrino species accepted by :func:`dsigma_dT` and their lepton flavour.
NEUTRINOS = {
    "nu_e": "e",
    "nu_mu": "mu",
    "nu_tau": "tau",
    "nubar_e": "e",
    "nubar_mu": "mu",
    "nubar_tau": "tau",
}


def _point(params: Mapping[str, jax.typing.ArrayLike] | None, sin2_theta_w, c: Constants) -> amp.PhysicsPoint:
    """The physics point of ``params`` (checked against the catalogue) with an optional explicit angle."""
    values = dict(params or {})
    valid = {"sin2_theta_w", *(p.name for p in bsm_parameters(c, sterile=True))}
    unknown = sorted(set(values) - valid)
    if unknown:
        raise ValueError(f"unknown physics parameter(s) {', '.join(unknown)}; valid names: {', '.join(sorted(valid))}")
    if sin2_theta_w is not None:
        values["sin2_theta_w"] = sin2_theta_w
    return amp.physics_point(values, c)


def _flavour(neutrino: str) -> int:
    try:
        return FLAVOURS.index(NEUTRINOS[neutrino])
    except KeyError:
        raise ValueError(f"unknown neutrino '{neutrino}'; choices: {', '.join(NEUTRINOS)}") from None


def dsigma_dT(
    E: jax.typing.ArrayLike,
    T: jax.typing.ArrayLike,
    nucleus: Isotope,
    neutrino: str = "nu_mu",
    *,
    rn: jax.typing.ArrayLike,
    rp: jax.typing.ArrayLike | None = None,
    form_factor_name: str = "helm",
    c: Constants = pdg2022,
    zz_boxes: bool = True,
    sin2_theta_w: jax.typing.ArrayLike | None = None,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    exact: bool = False,
    couplings: str = "radiative",
) -> jax.Array:
    """CEvNS dsigma/dT [cm^2/MeV] for one isotope and neutrino species, SM and beyond; broadcasts over E, T.

    Args:
        E: neutrino energy [MeV].
        T: nuclear recoil energy [MeV].
        nucleus: the isotope (Z, N, mass).
        neutrino: one of :data:`NEUTRINOS` (``nu_e``, ``nu_mu``, ``nubar_mu``, ...).
        rn: neutron rms radius [fm].
        rp: proton rms radius [fm]; default from the isotope's charge radius.
        form_factor_name: ``helm``, ``sfermi``, ``kn`` or ``unity`` (same form for Z and N).
        c: constants preset.
        zz_boxes: include the ZZ box radiative corrections.
        sin2_theta_w: low-energy weak mixing angle (moves the tree-like term only); default the preset's.
        params: named beyond-SM parameters of :mod:`cevnsjax.physics.catalogue` (charge radii,
            millicharges, magnetic moments, vector and tensor NSI, mediators); absent ones are at the SM.
        radius_q_dependence: momentum-dependent charge radii (arXiv:2402.16709).
        mediator: light vector mediator model of ``g_zprime``, ``m_zprime``.
        exact: keep the -T/E term of the kinematic factor.
        couplings: ``radiative`` or ``tree`` (tree-level couplings, default sin^2 theta_W 0.2312, no SM
            charge radius; docs/physics.md section 17).

    Returns:
        dsigma/dT in cm^2/MeV, zero beyond the kinematic limit.

    Raises:
        ValueError: an unknown neutrino or parameter name.
    """
    flavour = jnp.asarray([_flavour(neutrino)])
    if couplings == "tree":
        c = tree_constants(c)
    config = amp.SignalConfig(c, form_factor_name, zz_boxes, radius_q_dependence, mediator, couplings=couplings)
    pt = _point(params, sin2_theta_w, c)
    E, T = jnp.broadcast_arrays(jnp.asarray(E, dtype=float), jnp.asarray(T, dtype=float))
    M = nucleus.mass
    ff = form_factor(form_factor_name)
    q = momentum_transfer(T, M)
    FZ = ff(q, nucleus.proton_radius if rp is None else rp)
    FN = ff(q, rn)
    w = jnp.where(kinematic_factor(E, T, M, exact=exact) > 0, 1.0, 0.0)  # zero beyond the kinematic limit
    moments = amp.cevns_moments(E[..., None], w[..., None], T[..., None], M, exact=exact)[:, None]
    return amp.cevns_rate(pt, flavour, T, M, nucleus.Z, nucleus.N, FZ, FN, moments, config)[0] * XS_UNIT_CM2


def dsigma_dTe(
    E: jax.typing.ArrayLike,
    Te: jax.typing.ArrayLike,
    element: str,
    flavour: int,
    *,
    antineutrino: bool = False,
    sin2_theta_w: jax.typing.ArrayLike | None = None,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    mediator: str = "universal",
    c: Constants = pdg2022,
) -> jax.Array:
    """nu-e elastic cross section per atom [cm^2/MeV] (Z_eff steps), zero beyond T_e,max = 2E^2/(m_e + 2E).

    Args:
        E: neutrino energy [MeV]; Te: electron recoil kinetic energy [MeV].
        element: ``Cs``, ``I`` or ``Ge`` (Z_eff table).
        flavour: 0 e, 1 mu, 2 tau.
        antineutrino: flip g_A.
        sin2_theta_w: weak mixing angle (default the preset's low-energy value).
        params: named beyond-SM parameters (charge radii, millicharges, magnetic moments, Z'); absent
            ones are at the SM.
        mediator: light vector mediator model.
        c: constants preset.
    """
    config = amp.SignalConfig(c, mediator=mediator)
    pt = _point(params, sin2_theta_w, c)
    E, Te = jnp.broadcast_arrays(jnp.asarray(E, dtype=float), jnp.asarray(Te, dtype=float))
    allowed = Te < t_max(E, c.m_e, exact=True)
    w = jnp.where(allowed, 1.0, 0.0)
    moments = energy_moments(E[..., None], w[..., None], Te[..., None], c.m_e)[:, None]
    fl, anti = jnp.asarray([flavour]), jnp.asarray([float(antineutrino)])
    return amp.electron_rate(pt, fl, anti, Te, z_eff(element, Te), moments, config)[0] * XS_UNIT_CM2

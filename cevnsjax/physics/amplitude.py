"""The CEvNS and nu-e scattering rates as pure functions of explicit couplings: the one signal path.

Named parameters become couplings in one place, :func:`physics_point` (absent names take the SM
values of :mod:`cevnsjax.physics.catalogue`).  For a neutrino of flavour l scattering into
final flavour l', the nuclear amplitude coefficients are (docs/physics.md sections 3, 4 and 8)

    g^p_ll' = delta_ll' (g~_V^p + Dg_p^Z'(l)) - Q~(<r^2_ll'>) F_nu(T)^[l'=l] - Q_mc(q_ll', q^2)
              + 2 eps^u_ll' + eps^d_ll'                                               Eq. (53)
    g^n_ll' = delta_ll' (g_V^n + Dg_n^Z'(l)) + eps^u_ll' + 2 eps^d_ll'                Eq. (53)

and the differential rate is (Eq. (54), arXiv:2005.01645 Eqs. (1), (11)-(13))

    dR/dT = G_F^2 M/pi (hbar c)^2 sum_l' (g^p_ll' Z F_Z + g^n_ll' N F_N)^2 K_weak
            + pi alpha^2/m_e^2 (Z F_Z)^2 mu_l^2 K_mag
            + g_phi^2 Q_phi^2 M^2 T / (4 pi (2 M T + m_phi^2)^2) (hbar c)^2 K_1/E^2
            + 2 G_F^2 M/pi (hbar c)^2 sum_l' Q_T,ll'^2 K_T                          Eq. (122)

so the diagonal term interferes with the SM and the transitions (l' != l) add incoherently; the
tensor NSI term (Q_T of :func:`cevnsjax.physics.nsi.tensor_charge`, K_T = K_weak + MT/4 K_1/E^2)
never interferes.  With ``couplings="tree"`` the SM couplings are the tree-level ones of Eq. (124)
and the charge radii enter as their shift from the SM value (Eq. (125)).
The K are neutrino-energy moments (:func:`cevns_moments`): sums over the flux-folded weights of
an experiment (:class:`cevnsjax.folding.Folding`), or one node of unit weight, which makes
:func:`cevnsjax.physics.cross_sections.dsigma_dT` the one-node case of the experiments' code.
nu-e scattering has the same structure (:func:`electron_couplings`, :func:`electron_rate`).

Shapes: ``flavour`` is an integer array (n_comp,); couplings come out with shape
(n_comp, 3) + shape(T) (incoming component, final flavour, recoil grid); rates with shape
(n_comp,) + shape(T).  Units: T, M in MeV; rates in 1e-38 cm^2/MeV (:data:`~cevnsjax.constants.XS_UNIT_CM2`)
times the moments' weights, so that weights in 1e38 scatterers/cm^2 keep everything finite in float32.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import equinox as eqx
import jax
import jax.numpy as jnp

from ..constants import HBARC2_MEV2_CM2, XS_UNIT_CM2, Constants
from . import couplings as cp
from . import electromagnetic as em
from . import electron_scattering as es
from . import nsi
from .catalogue import DIAGONAL, PAIRS, sm_value
from .kinematics import kinematic_factor
from .oscillations import active_fraction


@dataclasses.dataclass(frozen=True)
class SignalConfig:
    """Static choices of a signal calculation (hashable: a static field of built experiments).

    Attributes:
        constants: the constants preset.
        form: form-factor name (same form for protons and neutrons).
        zz_boxes: include the ZZ box radiative corrections.
        radius_q_dependence: momentum-dependent diagonal charge radii (arXiv:2402.16709).
        mediator: light vector mediator model (:data:`cevnsjax.physics.nsi.MEDIATORS`).
        couplings: ``radiative`` (the corrected couplings of docs/physics.md section 2) or ``tree``
            (1/2 - 2 s^2_W and -1/2, no SM charge-radius term: Eqs. (124), (125)).
        baseline: (L, dL) [m] of the source-detector distance and its spread when the sterile
            parameters are enabled, else None.
    """

    constants: Constants
    form: str = "helm"
    zz_boxes: bool = True
    radius_q_dependence: bool = False
    mediator: str = "universal"
    baseline: tuple[float, float] | None = None
    couplings: str = "radiative"

    def __post_init__(self):
        if self.couplings not in cp.COUPLINGS:
            raise ValueError(f"couplings={self.couplings!r} is not valid; choices: {', '.join(cp.COUPLINGS)}")


class PhysicsPoint(eqx.Module):
    """Named physics parameters resolved to arrays (SM values for the absent ones).

    Attributes:
        sin2_theta_w: low-energy weak mixing angle.
        r2: charge radii <r^2_ll'> [1e-32 cm^2], symmetric (3, 3).
        q_nu: millicharges [1e-8 e], (3, 3).
        eps_u, eps_d: vector NSI couplings, (3, 3).
        epsT_u, epsT_d: tensor NSI couplings, (3, 3).
        mu_nu: magnetic moments [1e-10 mu_B] of (nu_e, nu_mu, nu_tau = 0), (3,).
        g_zprime, m_zprime, g_phi, m_phi: mediator couplings and masses [MeV].
        sterile: (|U_e4|^2, |U_mu4|^2, dm41^2 [eV^2]), or None without sterile parameters.
    """

    sin2_theta_w: jax.Array
    r2: jax.Array
    q_nu: jax.Array
    eps_u: jax.Array
    eps_d: jax.Array
    epsT_u: jax.Array
    epsT_d: jax.Array
    mu_nu: jax.Array
    g_zprime: jax.Array
    m_zprime: jax.Array
    g_phi: jax.Array
    m_phi: jax.Array
    sterile: tuple[jax.Array, jax.Array, jax.Array] | None


def _value(params: Mapping[str, jax.Array], name: str, c: Constants) -> jax.Array:
    return jnp.asarray(params[name] if name in params else sm_value(name, c), dtype=float)


def _flavour_matrix(params: Mapping[str, jax.Array], prefix: str, c: Constants) -> jax.Array:
    """Symmetric 3x3 matrix of the ``prefix + flavour pair`` parameters."""
    rows = [[jnp.zeros(()) for _ in range(3)] for _ in range(3)]
    for i, name in DIAGONAL.items():
        rows[i][i] = _value(params, prefix + name, c)
    for (i, j), name in PAIRS.items():
        rows[i][j] = rows[j][i] = _value(params, prefix + name, c)
    return jnp.stack([jnp.stack(r) for r in rows])


def physics_point(params: Mapping[str, jax.Array], c: Constants) -> PhysicsPoint:
    """Resolve named parameters (``sin2_theta_w`` defaults to the preset's value) into a :class:`PhysicsPoint`.

    The sterile parameters are used only when ``ue4_sq`` is present (the models declare all three
    together).
    """
    s2 = params.get("sin2_theta_w", c.sin2_theta_w)
    sterile = None
    if "ue4_sq" in params:
        sterile = tuple(jnp.asarray(params[n], dtype=float) for n in ("ue4_sq", "umu4_sq", "dm41_sq"))
    return PhysicsPoint(
        sin2_theta_w=jnp.asarray(s2, dtype=float),
        r2=_flavour_matrix(params, "r2_nu_", c),
        q_nu=_flavour_matrix(params, "q_nu_", c),
        eps_u=_flavour_matrix(params, "eps_u_", c),
        eps_d=_flavour_matrix(params, "eps_d_", c),
        epsT_u=_flavour_matrix(params, "epsT_u_", c),
        epsT_d=_flavour_matrix(params, "epsT_d_", c),
        mu_nu=jnp.stack([_value(params, f"mu_nu_{f}", c) for f in ("e", "mu")] + [jnp.zeros(())]),
        g_zprime=_value(params, "g_zprime", c),
        m_zprime=_value(params, "m_zprime", c),
        g_phi=_value(params, "g_phi", c),
        m_phi=_value(params, "m_phi", c),
        sterile=sterile,
    )


def _trailing(x: jax.Array, ndim: int) -> jax.Array:
    """Append ``ndim`` unit axes (to broadcast per-flavour quantities against a recoil grid)."""
    return jnp.reshape(x, jnp.shape(x) + (1,) * ndim)


def _diagonal(flavour: jax.Array) -> jax.Array:
    """delta_ll' for each component's flavour l and final flavour l', shape (n_comp, 3)."""
    return (flavour[:, None] == jnp.arange(3)[None, :]).astype(float)


def _r2_beyond_sm(pt: PhysicsPoint, flavour: jax.Array, c: Constants) -> jax.Array:
    """<r^2_ll'> - delta_ll' <r^2_ll>_SM [1e-32 cm^2], shape (n_comp, 3): the radius entering couplings that
    do not contain the SM charge-radius term (nu-e scattering, tree-level nuclear couplings)."""
    return pt.r2[flavour] - _diagonal(flavour) * (cp.r2_sm(c) / em.R2_UNIT_CM2)[flavour][:, None]


def nuclear_couplings(
    pt: PhysicsPoint, flavour: jax.Array, T: jax.Array, M: jax.typing.ArrayLike, config: SignalConfig
) -> tuple[jax.Array, jax.Array]:
    """Proton and neutron amplitude coefficients (g^p_ll', g^n_ll'), Eq. (53) of docs/physics.md.

    Args:
        pt: the physics point.
        flavour: lepton flavour of each incoming component, integer shape (n_comp,).
        T: recoil energies [MeV]; M: nuclear mass [MeV], broadcasting against T.
        config: static signal choices.

    Returns:
        ``(gp, gn)``, each broadcastable to (n_comp, 3) + shape(T).
    """
    c = config.constants
    T = jnp.asarray(T, dtype=float)
    nd = T.ndim
    diag = _trailing(_diagonal(flavour), nd)
    tree = config.couplings == "tree"
    # Eq. (125) of docs/physics.md: tree-level couplings carry no SM charge radius
    r2 = _r2_beyond_sm(pt, flavour, c) if tree else pt.r2[flavour]
    radius = _trailing(em.radius_coupling(r2, c), nd)
    if config.radius_q_dependence:
        f_nu = cp.radius_form_factor(T, M, c)[flavour][:, None]  # (n_comp, 1) + shape(T)
        radius = radius * jnp.where(diag > 0, f_nu, 1.0)
    millicharge = em.millicharge_coupling(_trailing(pt.q_nu[flavour], nd), T, M, c)
    zp, zn = nsi.zprime_shifts(config.mediator, pt.g_zprime, pt.m_zprime, T, M, c)  # (3,) + shape(T)
    if tree:
        gp0, gn0 = cp.tree_level(pt.sin2_theta_w)  # Eq. (124) of docs/physics.md
    else:
        gp0, gn0 = (
            cp.gvp_no_radius(c, zz_boxes=config.zz_boxes, sin2_theta_w=pt.sin2_theta_w),
            cp.gvn(c, zz_boxes=config.zz_boxes),
        )
    gp_sm = gp0 + zp[flavour][:, None]
    gn_sm = gn0 + zn[flavour][:, None]
    dp, dn = nsi.nsi_shifts(_trailing(pt.eps_u[flavour], nd), _trailing(pt.eps_d[flavour], nd))
    return diag * gp_sm - radius - millicharge + dp, diag * gn_sm + dn


def cevns_moments(E: jax.Array, w: jax.typing.ArrayLike, T: jax.Array, M: jax.typing.ArrayLike, *, exact: bool):
    """Neutrino-energy moments (K_weak, K_mag, K_1/E^2) of Eq. (54): sums over the last axis of

    w x {kin(E, T), max(1/T - 1/E, 0), 1/E^2}, kin the kinematic factor (leading order or ``exact``).
    At T = 0 exactly the magnetic moment is 0 (its 1/T pole is not evaluated; recoil grids start above 0).

    Args:
        E: neutrino energies [MeV]; w: weights (0 below E_min(T)); T, M [MeV] broadcasting against E.

    Returns:
        Array of shape (3,) + the broadcast shape without its last axis.
    """
    E = jnp.asarray(E, dtype=float)
    positive = T > 0
    inv_T = jnp.where(positive, 1.0 / jnp.where(positive, T, 1.0), 0.0)  # the 1/T pole is left out at T = 0
    return jnp.stack(
        [
            jnp.sum(w * kinematic_factor(E, T, M, exact=exact), -1),
            jnp.sum(w * jnp.maximum(inv_T - 1.0 / E, 0.0), -1),
            jnp.sum(w / E**2, -1),
        ]
    )


def cevns_rate(
    pt: PhysicsPoint,
    flavour: jax.Array,
    T: jax.Array,
    M: jax.typing.ArrayLike,
    Z: jax.typing.ArrayLike,
    N: jax.typing.ArrayLike,
    FZ: jax.Array,
    FN: jax.Array,
    moments: jax.Array,
    config: SignalConfig,
) -> jax.Array:
    """CEvNS rate of Eq. (54) of docs/physics.md: weak (flavour matrix) + magnetic + scalar + tensor terms.

    Args:
        pt: as in :func:`nuclear_couplings`.
        flavour: as in :func:`nuclear_couplings`.
        T: as in :func:`nuclear_couplings`.
        M: as in :func:`nuclear_couplings`.
        config: as in :func:`nuclear_couplings`.
        Z: proton number, broadcasting against T.
        N: neutron number, broadcasting against T.
        FZ: proton form factor, broadcasting against T.
        FN: neutron form factor, broadcasting against T.
        moments: (K_weak, K_mag, K_1/E^2) of :func:`cevns_moments`, shape (3, n_comp) + shape(T).

    Returns:
        dR/dT per component, shape (n_comp,) + shape(T) [1e-38 cm^2/MeV x the moments' weights].
    """
    c = config.constants
    gp, gn = nuclear_couplings(pt, flavour, T, M, config)
    bracket = jnp.sum((gp * Z * FZ + gn * N * FN) ** 2, axis=1)
    k_weak, k_mag, k_e2 = moments
    hbarc2 = HBARC2_MEV2_CM2 / XS_UNIT_CM2
    weak = c.G_F**2 * hbarc2 / jnp.pi * M * bracket * k_weak  # Eq. (1) of arXiv:2005.01645
    mu2 = _trailing(pt.mu_nu[flavour] ** 2, jnp.ndim(T))
    magnetic = em.magnetic_prefactor(c) / XS_UNIT_CM2 * (Z * FZ) ** 2 * mu2 * k_mag  # Eq. (13) of arXiv:2005.01645
    qphi = nsi.scalar_charge(Z * FZ, N * FN)
    scalar = pt.g_phi**2 * qphi**2 * M**2 * T / (4 * jnp.pi * (2 * M * T + pt.m_phi**2) ** 2) * hbarc2 * k_e2
    nd = jnp.ndim(T)
    q_t = nsi.tensor_charge(_trailing(pt.epsT_u[flavour], nd), _trailing(pt.epsT_d[flavour], nd), Z * FZ, N * FN)
    k_t = nsi.tensor_moment(k_weak, k_e2, T, M)
    tensor = 2 * c.G_F**2 * hbarc2 / jnp.pi * M * jnp.sum(q_t**2, axis=1) * k_t  # Eq. (122) of docs/physics.md
    return weak + magnetic + scalar + tensor


def electron_couplings(
    pt: PhysicsPoint, flavour: jax.Array, antineutrino: jax.Array, Te: jax.Array, config: SignalConfig
) -> tuple[jax.Array, jax.Array]:
    """nu-e vector and axial coefficients (g_V,ll', g_A,ll'), Eq. (58) of docs/physics.md.

        g_V,ll' = delta_ll' (g_V(l) + Dg^Z'_e(l)) + Q~(<r^2_ll'> - delta_ll' <r^2_ll>_SM) + Q_mc(q_ll', -2 m_e T_e)
        g_A,ll' = delta_ll' g_A(l)

    with the SM (g_V, g_A) of :func:`cevnsjax.physics.electron_scattering.sm_couplings`; the charge
    radius and millicharge enter with the electron's charge (opposite to the proton's).  Not
    included for electrons: the momentum dependence of the radius (q^2 = 2 m_e T_e < 1e-4 MeV^2),
    quark NSI and the scalar mediator (no electron couplings).

    Args:
        pt: the physics point; flavour: integer shape (n_comp,); antineutrino: 0/1, shape (n_comp,).
        Te: electron recoil energies [MeV]; config: static signal choices.

    Returns:
        ``(gv, ga)``, each broadcastable to (n_comp, 3) + shape(Te).
    """
    c = config.constants
    Te = jnp.asarray(Te, dtype=float)
    nd = Te.ndim
    diag = _diagonal(flavour)
    delta_r2 = _r2_beyond_sm(pt, flavour, c)
    gv_sm, ga_sm = es.sm_couplings(flavour, pt.sin2_theta_w, antineutrino)
    zp = nsi.zprime_electron_shift(config.mediator, pt.g_zprime, pt.m_zprime, Te, c)
    diag = _trailing(diag, nd)
    gv = (
        diag * (_trailing(gv_sm[:, None], nd) + zp[flavour][:, None])
        + _trailing(em.radius_coupling(delta_r2, c), nd)
        + em.millicharge_coupling(_trailing(pt.q_nu[flavour], nd), Te, c.m_e, c)
    )
    return gv, diag * _trailing(ga_sm[:, None], nd)


def electron_rate(
    pt: PhysicsPoint,
    flavour: jax.Array,
    antineutrino: jax.Array,
    Te: jax.Array,
    z_eff: jax.typing.ArrayLike,
    moments: jax.Array,
    config: SignalConfig,
) -> jax.Array:
    """nu-e rate per atom: Z_eff [sum_l' weak(g_V,ll', g_A,ll') + pi alpha^2/m_e^2 mu_l^2 K_mag], Eqs. (55) and (60) of docs/physics.md.

    Args:
        moments: :func:`cevnsjax.physics.electron_scattering.energy_moments`, shape (4, n_comp) + shape(Te).
        z_eff: electrons able to recoil at Te, broadcasting against Te.

    Returns:
        Shape (n_comp,) + shape(Te) [1e-38 cm^2/MeV x the moments' weights].
    """
    c = config.constants
    gv, ga = electron_couplings(pt, flavour, antineutrino, Te, config)
    # the weak rate is linear in gV^2, gV gA, gA^2: summed over final flavours before the moments multiply them
    gv, ga = jnp.broadcast_arrays(gv, ga)
    products = jnp.sum(jnp.stack([gv**2, gv * ga, ga**2]), axis=2)  # one reduction for the three sums
    weak = es.folded_weak(*products, moments, c)
    mu2 = _trailing(pt.mu_nu[flavour] ** 2, jnp.ndim(Te))
    magnetic = em.magnetic_prefactor(c) / XS_UNIT_CM2 * mu2 * moments[3]
    return z_eff * (weak + magnetic)


def survival(pt: PhysicsPoint, flavour: jax.Array, E: jax.Array, config: SignalConfig) -> jax.Array | None:
    """Active fraction 1 - P(l -> s) of each component's flux at energies E [MeV] (Eq. (44) of docs/physics.md), or None.

    None when the model has no sterile parameters or no baseline (no oscillation).

    Args:
        E: neutrino energies, shape (n_comp, ...).
    """
    if pt.sterile is None or config.baseline is None:
        return None
    ue4, umu4, dm41 = pt.sterile
    ua = jnp.stack([ue4, umu4, jnp.zeros(())])
    L, dL = config.baseline
    u_flav = _trailing(ua[flavour], jnp.ndim(E) - 1)
    return active_fraction(u_flav, 1.0 - ue4 - umu4, dm41, L, dL, E)

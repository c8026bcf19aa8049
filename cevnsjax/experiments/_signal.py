"""Shared pieces of every CEvNS experiment: signal recoil spectra and physics parameter specs.

The signal is the flavour-matrix bracket of PHYSICS.md sections 3, 4 and 8: for a flux
component of flavour l and every final flavour l',

    A_ll' = [delta_ll' (g~_V^p - Q~(<r^2_ll>) F_nu_l(T) + Dg_p^Z'(l)) - Q~(<r^2_ll'>)[l' != l] - Q_mc(q_ll')
             + 2 eps^u_ll' + eps^d_ll'] Z F_Z
          + [delta_ll' (g_V^n + Dg_n^Z'(l)) + eps^u_ll' + 2 eps^d_ll'] N F_N

    dN/dT = G_F^2 M/pi (hbar c)^2 sum_l' A_ll'^2 K  +  magnetic  +  scalar,

so the diagonal term interferes with the SM and the transitions (l' != l) add incoherently.
F_nu_l(T) = 1 unless ``radius_q_dependence`` (arXiv:2402.16709).  At the default (SM) point
-- <r^2_ee>, <r^2_mumu> at their SM values, everything else 0 -- the bracket is exactly
(g_V^p Z F_Z + g_V^n N F_N)^2.  Antineutrinos flip the sign of every term together and so
share their flavour's bracket.  Sterile oscillations (3+1) multiply each flavour's flux by
1 - P(l -> s), averaged over the baseline spread, which needs the neutrino-energy grid.

Parameters a model does not declare take their SM values, so an experiment opts in to the
beyond-SM families by adding :func:`bsm_parameters` to its parameter set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ..constants import HBARC2_MEV2_CM2, Constants
from ..folding import ElectronFolding, Folding
from ..parameters import Parameter
from ..physics import couplings as cp
from ..physics import electromagnetic as em
from ..physics import electron_scattering as es
from ..physics import nsi
from ..physics.cross_sections import kinematic_factor, momentum_transfer
from ..physics.form_factors import form_factor, min_radius
from ..physics.oscillations import active_fraction
from . import Option

PAIRS = {(0, 1): "emu", (0, 2): "etau", (1, 2): "mutau"}
BASELINE_SPREAD_M = 0.5  # source (~tens of cm) and detector extent, for averaging sterile oscillations

#: Build options every experiment accepts for the beyond-SM terms.
BSM_OPTIONS = {
    "radius_q_dependence": Option(False, type=bool, doc="momentum-dependent neutrino charge radius (arXiv:2402.16709)"),
    "mediator": Option("universal", nsi.MEDIATORS, doc="light vector mediator model for g_zprime, m_zprime"),
    "sterile": Option(False, type=bool, doc="add the 3+1 sterile parameters ue4_sq, umu4_sq, dm41_sq"),
}


@dataclasses.dataclass(frozen=True)
class BSMConfig:
    """Static beyond-SM choices of a built experiment.

    Attributes:
        radius_q_dependence: momentum-dependent diagonal charge radii.
        mediator: light vector mediator model.
        baseline: (L, dL) in m when the sterile parameters are enabled, else None.
    """

    radius_q_dependence: bool = False
    mediator: str = "universal"
    baseline: tuple[float, float] | None = None

    @classmethod
    def from_options(cls, radius_q_dependence: bool, mediator: str, sterile: bool, distance_m: float) -> BSMConfig:
        return cls(radius_q_dependence, mediator, (distance_m, BASELINE_SPREAD_M) if sterile else None)
DIAGONAL = {0: "ee", 1: "mumu", 2: "tautau"}


def sin2_theta_w_parameter(c: Constants) -> Parameter:
    """The weak mixing angle (low-energy MSbar), default the preset's value."""
    return Parameter(
        "sin2_theta_w", c.sin2_theta_w, unit="", lower=0.0, upper=1.0,
        label=r"$\sin^2\theta_W$", doc="low-energy weak mixing angle (moves the tree-like term of g_V^p)",
    )


def radius_parameter(name: str, default: float, lower: float, form: str, what: str) -> Parameter:
    """A neutron rms radius [fm] bounded below by ``lower`` (and by the form factor's minimum)."""
    return Parameter(
        name, default, unit="fm", lower=max(lower, min_radius(form)), upper=20.0,
        label=rf"$R_n({what})$ [fm]", doc=f"neutron rms radius of {what}",
    )


def bsm_parameters(c: Constants, *, sterile: bool = False) -> list[Parameter]:
    """Beyond-SM parameters (fixed at their SM values by default), names as in CLI.md.

    Units: r2_* in 1e-32 cm^2, q_nu_* in 1e-8 e, mu_nu_* in 1e-10 mu_B, masses in MeV, dm41_sq in eV^2.
    """
    r2 = np.asarray(cp.r2_sm(c)) / em.R2_UNIT_CM2
    out = [
        Parameter("r2_nu_ee", float(r2[0]), "1e-32 cm^2", -500.0, 500.0, label=r"$\langle r^2_{\nu_{ee}}\rangle$",
                  doc="nu_e charge radius (SM value default)"),
        Parameter("r2_nu_mumu", float(r2[1]), "1e-32 cm^2", -500.0, 500.0, label=r"$\langle r^2_{\nu_{\mu\mu}}\rangle$",
                  doc="nu_mu charge radius (SM value default)"),
    ]
    for pair in PAIRS.values():
        out.append(Parameter(f"r2_nu_{pair}", 0.0, "1e-32 cm^2", -500.0, 500.0,
                             label=rf"$|\langle r^2_{{\nu_{{{pair}}}}}\rangle|$", doc=f"{pair} transition charge radius"))
    for flav in ("ee", "mumu", *PAIRS.values()):
        out.append(Parameter(f"q_nu_{flav}", 0.0, "1e-8 e", -1e4, 1e4, label=rf"$q_{{\nu_{{{flav}}}}}$",
                             doc=f"{flav} neutrino millicharge"))
    for flav in ("e", "mu"):
        out.append(Parameter(f"mu_nu_{flav}", 0.0, "1e-10 mu_B", 0.0, 1e4, label=rf"$\mu_{{\nu_{flav}}}$",
                             doc=f"effective nu_{flav} magnetic moment (|mu| >= 0)"))
    for flav in ("ee", "mumu", *PAIRS.values()):
        for q in ("u", "d"):
            out.append(Parameter(f"eps_{q}_{flav}", 0.0, "", -5.0, 5.0, label=rf"$\varepsilon^{{{q}V}}_{{{flav}}}$",
                                 doc=f"vector NSI coupling to {q} quarks, {flav}"))
    out += [
        Parameter("g_zprime", 0.0, "", 0.0, 1.0, label=r"$g_{Z'}$", doc="light vector mediator coupling"),
        Parameter("m_zprime", 10.0, "MeV", 1e-3, 1e5, label=r"$M_{Z'}$ [MeV]", doc="light vector mediator mass"),
        Parameter("g_phi", 0.0, "", 0.0, 1.0, label=r"$g_\phi$", doc="light scalar mediator coupling"),
        Parameter("m_phi", 10.0, "MeV", 1e-3, 1e5, label=r"$M_\phi$ [MeV]", doc="light scalar mediator mass"),
    ]
    if sterile:
        out += [
            Parameter("ue4_sq", 0.0, "", 0.0, 0.5, label=r"$|U_{e4}|^2$", doc="sterile mixing |U_e4|^2"),
            Parameter("umu4_sq", 0.0, "", 0.0, 0.5, label=r"$|U_{\mu4}|^2$", doc="sterile mixing |U_mu4|^2"),
            Parameter("dm41_sq", 1.0, "eV^2", 1e-3, 1e4, label=r"$\Delta m^2_{41}$ [eV$^2$]", doc="sterile mass splitting"),
        ]
    return out


def _flavour_matrix(params: Mapping[str, jax.Array], prefix: str, diagonal) -> jax.Array:
    """Symmetric 3x3 matrix of ``prefix + flavour pair`` parameters (missing -> 0 / given diagonal)."""
    rows = [[jnp.zeros(()) for _ in range(3)] for _ in range(3)]
    for i, name in DIAGONAL.items():
        rows[i][i] = jnp.asarray(params.get(prefix + name, diagonal[i]), dtype=float)
    for (i, j), name in PAIRS.items():
        rows[i][j] = rows[j][i] = jnp.asarray(params.get(prefix + name, 0.0), dtype=float)
    return jnp.stack([jnp.stack(r) for r in rows])


def _survival(folding: Folding, params, baseline) -> jax.Array | None:
    """Active fraction 1 - P(l -> s) on the energy grid, or None without sterile parameters."""
    if baseline is None or "ue4_sq" not in params:
        return None
    ua = jnp.stack([params["ue4_sq"], params["umu4_sq"], jnp.zeros(())])
    us = 1.0 - ua[0] - ua[1]
    L, dL = baseline
    u_flav = ua[folding.flavour][:, None, None, None]
    return active_fraction(u_flav, us, params["dm41_sq"], L, dL, folding.E)


def _flavour_couplings(params: Mapping[str, jax.Array], fl: jax.Array, c: Constants):
    """Per flux component (flavour ``fl``), the (n_comp, 3) matrices of charge-radius shifts from the SM,
    millicharges and NSI couplings, and the diagonal indicator."""
    r2_sm = cp.r2_sm(c) / em.R2_UNIT_CM2
    r2 = _flavour_matrix(params, "r2_nu_", r2_sm)[fl]
    qmc = _flavour_matrix(params, "q_nu_", (0.0, 0.0, 0.0))[fl]
    diag = (fl[:, None] == jnp.arange(3)[None, :]).astype(float)
    return r2, qmc, diag


def _kernels(folding: Folding, survival) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(weak, magnetic, scalar) neutrino-energy moments, precomputed unless the flux is oscillated."""
    if survival is None:
        return folding.kernel, folding.kernel_mag, folding.kernel_inv_e2
    w = folding.wE * survival
    T = folding.T[None, :, :, None]
    M = folding.M[None, :, None, None]
    kin = kinematic_factor(folding.E, T, M, exact=folding.exact_kinematics)
    return (
        jnp.sum(w * kin, -1),
        jnp.sum(w * jnp.maximum(1.0 / T - 1.0 / folding.E, 0.0), -1),
        jnp.sum(w / folding.E**2, -1),
    )


def cevns_recoil_spectra(
    folding: Folding,
    params: Mapping[str, jax.Array],
    *,
    rn: jax.Array,
    rp: jax.Array,
    form: str,
    c: Constants,
    zz_boxes: bool,
    bsm: BSMConfig = BSMConfig(),
) -> jax.Array:
    """CEvNS dN/dT [events/MeV] per flux component, isotope and recoil node (SM and beyond).

    Args:
        folding: the built flux x target quadrature.
        params: parameter mapping; uses ``sin2_theta_w`` and any beyond-SM parameter present
            (see :func:`bsm_parameters`); absent ones take their SM values.
        rn, rp: neutron and proton rms radii per isotope [fm], shape (n_iso,).
        form: form-factor name (same form for protons and neutrons).
        c: constants preset.
        zz_boxes: include the ZZ box corrections.
        bsm: momentum-dependent radii, mediator model and sterile baseline (:class:`BSMConfig`).

    Returns:
        Array of shape (n_comp, n_iso, n_T).
    """
    T = folding.T  # (n_iso, n_T)
    M = folding.M[:, None]
    Z, N = folding.Z[:, None], folding.N[:, None]
    FZ, FN = (
        form_factor(form)(momentum_transfer(T, M), jnp.asarray(r)[:, None]) for r in (rp, rn)
    )
    fl = folding.flavour  # (n_comp,)

    r2, qmc, diag = _flavour_couplings(params, fl, c)  # (n_comp, 3) each
    eu = _flavour_matrix(params, "eps_u_", (0.0, 0.0, 0.0))[fl]
    ed = _flavour_matrix(params, "eps_d_", (0.0, 0.0, 0.0))[fl]
    diag = diag[..., None, None]  # (n_comp, 3, 1, 1)

    radius = em.radius_coupling(r2, c)[..., None, None]  # (n_comp, 3, 1, 1)
    if bsm.radius_q_dependence:
        f_nu = cp.radius_form_factor(T, M, c)[fl][:, None]  # (n_comp, 1, n_iso, n_T)
        radius = radius * jnp.where(diag > 0, f_nu, 1.0)
    mc = em.millicharge_coupling(qmc[..., None, None], T, M, c)
    g = params.get("g_zprime", 0.0)
    m = params.get("m_zprime", 10.0)
    zp, zn = nsi.zprime_shifts(bsm.mediator, g, m, T, M, c)  # (3, n_iso, n_T)
    gp_diag = cp.gvp_no_radius(c, zz_boxes=zz_boxes, sin2_theta_w=params["sin2_theta_w"]) + zp[fl][:, None]
    gn_diag = cp.gvn(c, zz_boxes=zz_boxes) + zn[fl][:, None]
    dp, dn = nsi.nsi_shifts(eu[..., None, None], ed[..., None, None])
    amp = (diag * gp_diag - radius - mc + dp) * Z * FZ + (diag * gn_diag + dn) * N * FN  # (n_comp, 3, n_iso, n_T)
    bracket = jnp.sum(amp**2, axis=1)

    survival = _survival(folding, params, bsm.baseline)
    k_weak, k_mag, k_e2 = _kernels(folding, survival)
    weak = c.G_F**2 * M / jnp.pi * HBARC2_MEV2_CM2 * bracket * k_weak

    mu = jnp.stack([jnp.asarray(params.get(f"mu_nu_{f}", 0.0), dtype=float) for f in ("e", "mu")] + [jnp.zeros(())])
    magnetic = em.magnetic_prefactor(c) * (Z * FZ) ** 2 * (mu[fl] ** 2)[:, None, None] * k_mag

    qphi = nsi.SCALAR_CHARGE_Z * Z * FZ + nsi.SCALAR_CHARGE_N * N * FN
    g_phi = jnp.asarray(params.get("g_phi", 0.0), dtype=float)
    m_phi = jnp.asarray(params.get("m_phi", 10.0), dtype=float)
    scalar = g_phi**2 * qphi**2 * M**2 * T / (4 * jnp.pi * (2 * M * T + m_phi**2) ** 2) * HBARC2_MEV2_CM2 * k_e2
    return weak + magnetic + scalar


def electron_recoil_spectra(
    folding: ElectronFolding, params: Mapping[str, jax.Array], *, c: Constants, bsm: BSMConfig = BSMConfig()
) -> jax.Array:
    """nu-e elastic scattering dN/dT_e [events/MeV] per flux component, element and recoil node.

    PHYSICS.md section 9 with the same flavour-matrix structure as :func:`cevns_recoil_spectra`:
    for a component of flavour l and final flavour l',

        g_V,ll' = delta_ll' (g_V(l) + Dg^Z'_e(l)) + Q~(<r^2_ll'> - delta_ll' <r^2_ll>_SM) + Q_mc(q_ll', q^2 = -2 m_e T_e)
        g_A,ll' = delta_ll' g_A(l)   (-g_A for antineutrinos)

    summed over l' in the weak bracket, plus Z_eff pi alpha^2/m_e^2 (1/T_e - 1/E) mu_l^2.  The charge
    radius and millicharge enter with the electron's charge (opposite sign to the proton's); at the
    SM point the result is the tree-level nu-e cross section.  Not included for electrons: the
    momentum dependence of the charge radius (q^2 = 2 m_e T_e is below 1e-4 MeV^2 here), quark
    NSI and the scalar mediator (no electron couplings).

    Returns:
        Array of shape (n_comp, n_el, n_T).
    """
    T = folding.T  # (n_el, n_T)
    fl = folding.flavour
    r2, qmc, diag = _flavour_couplings(params, fl, c)
    r2_sm = cp.r2_sm(c) / em.R2_UNIT_CM2
    delta_r2 = r2 - diag * r2_sm[fl][:, None]
    s2 = jnp.asarray(params["sin2_theta_w"], dtype=float)
    is_e = (fl == 0).astype(float)
    gv_sm = 2 * s2 - 0.5 + is_e  # charged current adds 1 for nu_e
    ga_sm = (is_e - 0.5) * (1.0 - 2.0 * folding.antineutrino)  # +-1/2, flipped for antineutrinos
    zp = nsi.zprime_electron_shift(bsm.mediator, params.get("g_zprime", 0.0), params.get("m_zprime", 10.0), T, c)
    diag4 = diag[..., None, None]  # (n_comp, 3, 1, 1)
    gv = (
        diag4 * (gv_sm[:, None, None, None] + zp[fl][:, None])
        + em.radius_coupling(delta_r2, c)[..., None, None]
        + em.millicharge_coupling(qmc[..., None, None], T, c.m_e, c)
    )  # (n_comp, 3, n_el, n_T)
    ga = diag4 * ga_sm[:, None, None, None]
    survival = _survival(folding, params, bsm.baseline)
    if survival is None:
        moments = folding.moments
    else:
        moments = es.energy_moments(folding.E, folding.wE * survival, T[None, :, :, None], c.m_e)
    weak = jnp.sum(es.folded_weak(gv, ga, moments[:, :, None], c), axis=1)
    mu = jnp.stack([jnp.asarray(params.get(f"mu_nu_{f}", 0.0), dtype=float) for f in ("e", "mu")] + [jnp.zeros(())])
    magnetic = em.magnetic_prefactor(c) * (mu[fl] ** 2)[:, None, None] * moments[3]
    return folding.z_eff * (weak + magnetic)


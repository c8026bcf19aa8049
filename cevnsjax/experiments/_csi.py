"""Pieces shared by the COHERENT CsI[Na] experiments (2017 and 2021 datasets).

* the CsI target (133Cs and 127I, one nucleus of each per formula unit, 259.809 g/mol)
  and its neutron-radius parameters (docs/physics.md section 6): by default one
  radius ``rn_csi``, the mean of R_n(133Cs) and R_n(127I), whose difference is held at the
  nuclear-model 0.07 fm (R_n = rn_csi +- 0.035 fm); with option ``separate_radii``,
  ``rn_cs133`` and ``rn_i127``.  Defaults: the nuclear-model radii of arXiv:2005.01645,
  R_n(133Cs) = 5.01 fm and R_n(127I) = 4.94 fm (rn_csi = 4.975 fm); every radius is bounded
  below by its proton radius, R_p(133Cs) = 4.821 fm and R_p(127I) = 4.766 fm;
* the nu-e quadrature on the Cs and I electrons (same range and grids for both datasets);
* the figure of PE and time projections with data and fitted components.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ..folding import ElectronFolding, build_electron_folding
from ..parameters import Parameter
from ..physics import catalogue, nuclei
from ._options import Option

#: Default neutron rms radii [fm] of (133Cs, 127I): the nuclear-model values of arXiv:2005.01645.
RN_DEFAULT_FM = (5.01, 4.94)
#: R_n(133Cs) - R_n(127I) [fm] held fixed when one ``rn_csi`` (their mean) is fitted.
RN_SPLIT_FM = RN_DEFAULT_FM[0] - RN_DEFAULT_FM[1]

#: Electron recoil range [MeV] of the nu-e component: 0.05 keV (mean 0.7 PE) to 10 keV (mean ~134 PE).
ELECTRON_RANGE_MEV = (5e-5, 1e-2)

#: Build option of both CsI experiments.
SEPARATE_RADII = Option(False, type=bool, doc="rn_cs133 and rn_i127 instead of one rn_csi")

#: Prior width of ``eta_flux``: the 10% SNS neutrino-flux uncertainty (arXiv:2110.07730).
FLUX_PRIOR = 0.10


def target() -> nuclei.Target:
    """The CsI target: 133Cs and 127I, 259.809 g/mol."""
    return nuclei.target("CsI")


def electron_folding(flux, fluence: float, mass_kg: float, electron_mass: float, refine: int) -> ElectronFolding:
    """nu-e quadrature on the Cs and I electrons of ``mass_kg`` of CsI, every component at ``fluence``.

    Log-spaced panels over :data:`ELECTRON_RANGE_MEV` (8 x refine, plus the Z_eff edges), 6 nodes
    each, 16 x refine neutrino-energy nodes: converged to 3e-5 (tests/test_csi2021.py).
    """
    return build_electron_folding(
        ("Cs", "I"),
        target().nuclei_per_kg(),
        flux,
        [fluence] * len(flux),
        mass_kg,
        ELECTRON_RANGE_MEV,
        electron_mass,
        n_panels=8 * refine,
        n_t=6,
        n_e=16 * refine,
    )


def radius_parameters(form: str, separate: bool) -> list[Parameter]:
    """Neutron-radius parameters [fm] of CsI (docs/physics.md section 6).

    Args:
        form: form-factor name (its smallest representable radius is also a bound).
        separate: ``rn_cs133`` and ``rn_i127`` instead of one ``rn_csi``.

    Returns:
        ``[rn_cs133, rn_i127]`` with defaults 5.01 / 4.94 fm, or ``[rn_csi]``, the mean radius,
        default 4.975 fm.  Each isotope's radius is bounded below by its proton radius (no
        negative skin): for ``rn_csi`` the bound is max(R_p(Cs) - 0.035, R_p(I) + 0.035) = 4.801 fm.
    """
    cs, iod = target().isotopes
    if separate:
        return [
            catalogue.neutron_radius("rn_cs133", RN_DEFAULT_FM[0], cs.proton_radius, form, "133Cs"),
            catalogue.neutron_radius("rn_i127", RN_DEFAULT_FM[1], iod.proton_radius, form, "127I"),
        ]
    half = RN_SPLIT_FM / 2
    lower = max(cs.proton_radius - half, iod.proton_radius + half)
    default = (RN_DEFAULT_FM[0] + RN_DEFAULT_FM[1]) / 2
    return [catalogue.neutron_radius("rn_csi", default, lower, form, "CsI")]


def neutron_radii(params: Mapping[str, jax.Array], separate: bool) -> jax.Array:
    """Neutron rms radii [fm] of (133Cs, 127I), shape (2,), from the radius parameters.

    One ``rn_csi``: R_n(Cs, I) = rn_csi +- RN_SPLIT_FM / 2 (docs/physics.md section 6).
    """
    if separate:
        return jnp.stack([jnp.asarray(params["rn_cs133"]), jnp.asarray(params["rn_i127"])])
    half = RN_SPLIT_FM / 2
    return jnp.asarray(params["rn_csi"]) + jnp.asarray([half, -half])


def proton_radii() -> jax.Array:
    """Proton rms radii [fm] of (133Cs, 127I), shape (2,)."""
    return jnp.asarray([i.proton_radius for i in target().isotopes])


def plot_projections(
    path: str,
    pe_edges: np.ndarray,
    t_edges: np.ndarray,
    expected: Mapping[str, np.ndarray],
    data: np.ndarray,
    *,
    title: str,
) -> None:
    """Save a PNG with the PE and time projections: stacked components over the data.

    Both panels show densities (events per PE, events per us) so that unequal bins
    read correctly; data points carry Poisson errors sqrt(n).

    Args:
        path: output file (PNG).
        pe_edges: energy bin edges [PE], shape (n_pe + 1,).
        t_edges: time bin edges [us], shape (n_t + 1,).
        expected: component name -> expected counts, shape (n_pe, n_t).
        data: observed counts, shape (n_pe, n_t).
        title: figure title.
    """
    from matplotlib.figure import Figure

    from ._plots import label

    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    for axis, (ax, edges, xlabel, unit) in enumerate(
        zip(axes, (pe_edges, t_edges), ("reconstructed energy [PE]", r"$t_{\rm rec}$ [$\mu$s]"), ("PE", r"$\mu$s"))
    ):
        edges = np.asarray(edges, dtype=float)
        width = np.diff(edges)
        other = 1 - axis
        bottom = np.zeros(width.size)
        for name, counts in expected.items():
            dens = np.asarray(counts).sum(axis=other) / width
            ax.stairs(bottom + dens, edges, baseline=bottom, fill=True, alpha=0.6, label=label(name))
            bottom = bottom + dens
        ax.stairs(bottom, edges, color="k", lw=1.2, label="total")
        n = np.asarray(data).sum(axis=other)
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.errorbar(centres, n / width, yerr=np.sqrt(np.abs(n)) / width, fmt="o", color="k", ms=3.5, label="data")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"events / {unit}")
    axes[0].legend(fontsize="small")
    fig.suptitle(title)
    fig.savefig(path, dpi=120)

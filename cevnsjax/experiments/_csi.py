"""Pieces shared by the COHERENT CsI[Na] experiments (2017 and 2021 datasets).

* the CsI target (133Cs and 127I, one nucleus of each per formula unit, 259.809 g/mol)
  and its neutron-radius parameters: one radius ``rn_csi`` shared by both isotopes, or
  ``rn_cs133`` and ``rn_i127`` (option ``separate_radii``), bounded below by the proton
  radii R_p(133Cs) = 4.821 fm and R_p(127I) = 4.766 fm (PHYSICS.md section 6);
* the SNS flux normalisation ``eta_flux``, declared identically by both CsI datasets so
  that a combination shares it (:func:`cevnsjax.likelihood.combine.combine`);
* smooth interpolation between a nominal template and its +-1 sigma variants;
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
from ..physics import nuclei
from ._signal import radius_parameter

#: Default neutron rms radius [fm] of both isotopes (see the 2021 module docstring).
RN_DEFAULT_FM = 5.5

#: Electron recoil range [MeV] of the nu-e component: 0.05 keV (mean 0.7 PE) to 10 keV (mean ~134 PE).
ELECTRON_RANGE_MEV = (5e-5, 1e-2)

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
        ("Cs", "I"), target().nuclei_per_kg(), flux, [fluence] * len(flux), mass_kg, ELECTRON_RANGE_MEV,
        electron_mass, n_panels=8 * refine, n_t=6, n_e=16 * refine,
    )


def radius_parameters(form: str, separate: bool, default: float = RN_DEFAULT_FM) -> list[Parameter]:
    """Neutron-radius parameters [fm] of CsI.

    Args:
        form: form-factor name (its smallest representable radius is also a bound).
        separate: ``rn_cs133`` and ``rn_i127`` instead of one ``rn_csi``.
        default: default radius [fm] of every parameter.

    Returns:
        The parameters; each is bounded below by the proton radius of its isotope (for the
        shared ``rn_csi``, by the larger one, R_p(133Cs) = 4.821 fm), i.e. no negative skin.
    """
    cs, iod = target().isotopes
    if separate:
        return [
            radius_parameter("rn_cs133", max(default, cs.proton_radius), cs.proton_radius, form, "133Cs"),
            radius_parameter("rn_i127", max(default, iod.proton_radius), iod.proton_radius, form, "127I"),
        ]
    lower = max(cs.proton_radius, iod.proton_radius)
    return [radius_parameter("rn_csi", max(default, lower), lower, form, "CsI")]


def neutron_radii(params: Mapping[str, jax.Array], separate: bool) -> jax.Array:
    """Neutron rms radii [fm] of (133Cs, 127I), shape (2,), from the radius parameters."""
    if separate:
        return jnp.stack([jnp.asarray(params["rn_cs133"]), jnp.asarray(params["rn_i127"])])
    return jnp.broadcast_to(jnp.asarray(params["rn_csi"]), (2,))


def proton_radii() -> jax.Array:
    """Proton rms radii [fm] of (133Cs, 127I), shape (2,)."""
    return jnp.asarray([i.proton_radius for i in target().isotopes])


def flux_parameter(sigma: float = FLUX_PRIOR) -> Parameter:
    """The SNS neutrino-flux normalisation ``eta_flux`` with a Gaussian prior of width ``sigma``."""
    return Parameter(
        "eta_flux", 1.0, lower=0.0, upper=3.0, constraint=(1.0, sigma), free=True,
        label=r"$\eta_{\rm flux}$", doc=f"SNS neutrino-flux normalisation ({100 * sigma:.3g}% prior)",
    )


def variation_weights(theta: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Weights (w_plus, w_minus) of the +-1 sigma differences for a shape nuisance ``theta``.

    The template is ``nominal + w_plus (plus - nominal) + w_minus (minus - nominal)``:
    the parabola through the three points theta = -1, 0, 1 for |theta| <= 1 and its tangent
    (linear extrapolation) beyond, so the template is continuously differentiable and
    exact at the released variants: a smooth version of the piecewise-linear
    interpolation of HistFactory (CERN-OPEN-2012-016), like its polynomial-inside,
    linear-outside interpolation codes.

    Args:
        theta: the nuisance (units of the released 1 sigma), scalar.

    Returns:
        ``(w_plus, w_minus)``: scalars.
    """
    inside_p = 0.5 * (theta + theta**2)
    inside_m = 0.5 * (theta**2 - theta)
    w_plus = jnp.where(theta > 1, 1.0 + 1.5 * (theta - 1), jnp.where(theta < -1, -0.5 * (theta + 1), inside_p))
    w_minus = jnp.where(theta > 1, 0.5 * (theta - 1), jnp.where(theta < -1, 1.0 - 1.5 * (theta + 1), inside_m))
    return w_plus, w_minus


#: Legend labels of the components drawn by :func:`plot_projections`.
LABELS = {"cevns": "CEvNS", "ss": "steady state", "brn": "BRN", "nin": "NIN", "es": r"$\nu$-e"}


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
            ax.stairs(bottom + dens, edges, baseline=bottom, fill=True, alpha=0.6, label=LABELS.get(name, name))
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

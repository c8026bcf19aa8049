"""Generic flux folding: neutrino flux x cross section -> recoil spectra on quadrature nodes.

Built once (numpy) for a target, a set of flux components and recoil-energy
quadrature grids; evaluated as dense array contractions under jit:

    dN_c/dT (isotope i, T_k) = sum_j w[c,i,k,j] dsigma_{c,i}(E[c,i,k,j], T_k)

where the weights fold the neutrino-energy Gauss-Legendre rule on
[E_min(T_k), E_max], the normalised spectrum, the fluence and the number of
target nuclei.  A monochromatic line (the SNS prompt nu_mu) is treated
analytically: one node at the line energy with weight fluence x N_nuclei when
T_k < T_max(E_line), and the recoil grid has a panel edge at T_max(E_line) so the
step is integrated exactly.  Expected counts per analysis bin then follow from a
response matrix R[b, i, k] that already includes the recoil quadrature weights
(:mod:`cevnsjax.detectors.response`).

Reference: PHYSICS.md section 10.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._quadrature import composite_gauss_legendre, gauss_legendre, panel_edges
from .physics.cross_sections import e_min, kinematic_factor, t_max
from .physics.nuclei import Target
from .sources.sns import FluxComponent


def _kin(E, T, M, exact):
    return np.asarray(kinematic_factor(E, T[None, :, :, None], M[None, :, None, None], exact=exact))


class Folding(eqx.Module):
    """Quadrature-ready flux x target description.

    Attributes:
        T: recoil-energy nodes [MeV], shape (n_iso, n_T).
        wT: recoil quadrature weights [MeV], shape (n_iso, n_T).
        E: neutrino-energy nodes [MeV], shape (n_comp, n_iso, n_T, n_E).
        wE: folded weights [nuclei cm^-2 MeV^-1 x MeV], shape (n_comp, n_iso, n_T, n_E);
            sum_j wE * dsigma/dT[cm^2/MeV] gives events per MeV of recoil.
        kernel: sum_j wE * kinematic factor (leading order or exact), shape (n_comp, n_iso, n_T): the neutrino-energy
            integral of the SM kinematic factor, precomputed because it depends on no parameter.
        kernel_mag: sum_j wE (1/T - 1/E) [MeV^-1 x weights]: the magnetic-moment moment.
        kernel_inv_e2: sum_j wE / E^2 [MeV^-2 x weights]: the scalar-mediator moment.
        M, Z, N: nuclear mass [MeV] and nucleon numbers per isotope, shape (n_iso,).
        flavour: lepton flavour index (0 e, 1 mu, 2 tau) of each component, shape (n_comp,).
        components: component names (static).
        timing: component timing classes (static).
        isotopes: isotope names (static).
        exact_kinematics: whether the exact kinematic factor and limits were used (static).
    """

    T: jax.Array
    wT: jax.Array
    E: jax.Array
    wE: jax.Array
    kernel: jax.Array
    kernel_mag: jax.Array
    kernel_inv_e2: jax.Array
    M: jax.Array
    Z: jax.Array
    N: jax.Array
    flavour: jax.Array
    components: tuple[str, ...] = eqx.field(static=True)
    timing: tuple[str, ...] = eqx.field(static=True)
    isotopes: tuple[str, ...] = eqx.field(static=True)
    exact_kinematics: bool = eqx.field(static=True)

    def dndt(self, dsigma: Callable[[jax.Array, jax.Array], jax.Array]) -> jax.Array:
        """Recoil spectra dN/dT [events/MeV] on the nodes, shape (n_comp, n_iso, n_T).

        Args:
            dsigma: ``dsigma(E, T)`` -> cm^2/MeV broadcasting E of shape (n_comp, n_iso, n_T, n_E)
                against T of shape (1, n_iso, n_T, 1); it may use ``self.M[None, :, None, None]``
                etc. for per-isotope quantities and ``self.flavour`` for per-component ones.
        """
        return jnp.sum(self.wE * dsigma(self.E, self.T[None, :, :, None]), axis=-1)

    def counts(self, response: jax.Array, dndt: jax.Array) -> jax.Array:
        """Fold recoil spectra with a response R[..., i, k] (weights included): shape (n_comp, ...)."""
        return jnp.einsum("...ik,cik->c...", response, dndt)


def build_folding(
    target: Target,
    flux: Sequence[FluxComponent],
    fluence: Sequence[float],
    mass_kg: float,
    t_range: tuple[float, float],
    *,
    n_panels: int = 24,
    n_t: int = 8,
    n_e: int = 24,
    isotope_scale: Sequence[float] | None = None,
    exact_kinematics: bool = False,
) -> Folding:
    """Prepare the quadrature arrays for a target exposed to a set of flux components.

    Args:
        target: detector material (isotopes and nuclei per formula unit).
        flux: flux components (lines or normalised continuous spectra).
        fluence: neutrinos per cm^2 for each component.
        mass_kg: detector (fiducial) mass [kg].
        t_range: (T_lo, T_hi) recoil range [MeV]; the upper end is capped per isotope at
            the kinematic limit of the highest neutrino energy.
        n_panels: recoil panels per isotope (uniform, plus breakpoints at line edges).
        n_t: Gauss-Legendre nodes per recoil panel.
        n_e: Gauss-Legendre nodes in neutrino energy per recoil node.
        isotope_scale: optional multiplier of the number of nuclei per isotope.
        exact_kinematics: use the exact kinematic factor and limits instead of the leading-order
            ones of arXiv:2005.01645 (see :mod:`cevnsjax.physics.cross_sections`).

    Returns:
        A :class:`Folding` (arrays on the default device).
    """
    n_iso = len(target.isotopes)
    nuclei = np.asarray(target.nuclei_per_kg()) * mass_kg
    if isotope_scale is not None:
        nuclei = nuclei * np.asarray(isotope_scale)
    e_top = max(f.e_max for f in flux)
    T_nodes, T_w = [], []
    for iso in target.isotopes:
        hi = min(t_range[1], float(t_max(e_top, iso.mass, exact=exact_kinematics)))
        lines = [float(t_max(f.line_energy, iso.mass, exact=exact_kinematics)) for f in flux if f.line_energy is not None]
        nodes, w = composite_gauss_legendre(panel_edges(t_range[0], hi, n_panels, lines), n_t)
        T_nodes.append(nodes)
        T_w.append(w)
    n_T = max(len(t) for t in T_nodes)
    T = np.zeros((n_iso, n_T))
    wT = np.zeros((n_iso, n_T))
    for i, (t, w) in enumerate(zip(T_nodes, T_w, strict=True)):
        # Pad with zero-weight copies of the last node if isotopes got different breakpoints.
        T[i, : len(t)], T[i, len(t) :] = t, t[-1]
        wT[i, : len(w)] = w

    M = np.array([iso.mass for iso in target.isotopes])
    E = np.ones((len(flux), n_iso, n_T, n_e))
    wE = np.zeros_like(E)
    emin = np.asarray(e_min(T, M[:, None], exact=exact_kinematics))
    for c, comp in enumerate(flux):
        if comp.line_energy is not None:
            E[c, :, :, 0] = comp.line_energy
            wE[c, :, :, 0] = np.where(emin < comp.line_energy, fluence[c] * nuclei[:, None], 0.0)
            E[c, :, :, 1:] = comp.line_energy
            continue
        lo = np.minimum(emin, comp.e_max)
        nodes, w = gauss_legendre(lo, np.full_like(lo, comp.e_max), n_e)
        E[c] = nodes
        wE[c] = w * np.asarray(comp.spectrum(nodes)) * fluence[c] * nuclei[:, None, None]
    return Folding(
        T=jnp.asarray(T),
        wT=jnp.asarray(wT),
        E=jnp.asarray(E),
        wE=jnp.asarray(wE),
        kernel=jnp.asarray(np.sum(wE * _kin(E, T, M, exact_kinematics), -1)),
        kernel_mag=jnp.asarray(np.sum(wE * np.maximum(1.0 / T[None, :, :, None] - 1.0 / E, 0.0), -1)),
        kernel_inv_e2=jnp.asarray(np.sum(wE / E**2, -1)),
        M=jnp.asarray(M),
        Z=jnp.asarray([float(i.Z) for i in target.isotopes]),
        N=jnp.asarray([float(i.N) for i in target.isotopes]),
        flavour=jnp.asarray([f.flavour for f in flux]),
        components=tuple(f.name for f in flux),
        timing=tuple(f.timing for f in flux),
        isotopes=tuple(i.name for i in target.isotopes),
        exact_kinematics=exact_kinematics,
    )
